// TokenizerHandle: the native tokenizer on its own, for users who only need tokenization and
// for conformance tests and benchmarks.
//   load(path)                    [async] -> Promise<TokenizerHandle>
//   encode(texts, options)        [async] -> Promise<Encoding[]> (offsets in code points)
//   decode(tokens)                [sync]  -> string (convert_tokens_to_string)
//   tokenToId(token) / idToToken(id) [sync]
#pragma once
#include <napi.h>

#include <memory>

#include "tokenizer/tokenizer.h"

namespace tokclass::binding {

class TokenizerHandle : public Napi::ObjectWrap<TokenizerHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit TokenizerHandle(const Napi::CallbackInfo& info);
  void Adopt(std::shared_ptr<const Tokenizer> tokenizer) { tokenizer_ = std::move(tokenizer); }

 private:
  static Napi::Value Load(const Napi::CallbackInfo& info);
  Napi::Value Encode(const Napi::CallbackInfo& info);
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value DecodeIds(const Napi::CallbackInfo& info);
  Napi::Value TokenToId(const Napi::CallbackInfo& info);
  Napi::Value IdToToken(const Napi::CallbackInfo& info);

  // Shared with encode workers in flight, so a dropped handle cannot free it under them.
  std::shared_ptr<const Tokenizer> tokenizer_;
};

}  // namespace tokclass::binding
