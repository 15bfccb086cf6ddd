#include "binding/tokenizer_handle.h"

#include <cmath>
#include <cstdint>
#include <memory>

#include "binding/convert.h"
#include "binding/encoding_builder.h"
#include "binding/js_error.h"
#include "binding/per_env.h"
#include "binding/promise_worker.h"
#include "common/error.h"
#include "engine/encode_texts.h"

namespace tokclass::binding {

namespace {

class TokenizerLoadWorker : public PromiseWorker {
 public:
  TokenizerLoadWorker(Napi::Env env, std::string path) : PromiseWorker(env, "tokclass:tokenizer-load"), path_(std::move(path)) {}

 private:
  void Compute() override { tokenizer_ = Tokenizer::from_file(path_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object handle = PerEnv::Get(env).tokenizer_constructor.New({});
    TokenizerHandle::Unwrap(handle)->Adopt(std::shared_ptr<const Tokenizer>(std::move(tokenizer_)));
    return handle;
  }

  std::string path_;
  std::unique_ptr<Tokenizer> tokenizer_;
};

class EncodeWorker : public PromiseWorker {
 public:
  // Either texts or (isSplitIntoWords) word lists, the other empty.
  EncodeWorker(Napi::Env env, std::shared_ptr<const Tokenizer> tokenizer, std::vector<std::u16string> texts,
               std::vector<std::vector<std::u16string>> word_lists, bool split, EncodeOptions options)
      : PromiseWorker(env, "tokclass:encode"),
        tokenizer_(std::move(tokenizer)),
        texts_(std::move(texts)),
        word_lists_(std::move(word_lists)),
        split_(split),
        options_(options) {}

 private:
  // Decoding and encoding, off the JS thread and over the cores (an error is the lowest text
  // index's: engine/encode_texts.h), then the layout the JS objects are built from, which frees
  // the encodings here rather than on the JS thread.
  void Compute() override {
    layout_ = std::make_shared<EncodingLayout>(split_ ? encode_word_lists(*tokenizer_, word_lists_, options_)
                                                      : encode_texts(*tokenizer_, texts_, options_));
  }
  // Built over as many event-loop turns as it takes; the promise settles at the end.
  Napi::Value Result(Napi::Env env) override {
    EncodingLayout::build(env, std::move(layout_), [deferred = deferred()](Napi::Env turn_env, Napi::Value result, std::exception_ptr error) {
      if (error) deferred.Reject(make_error(turn_env, error).Value());
      else deferred.Resolve(result);
    });
    return Napi::Value();
  }

  std::shared_ptr<const Tokenizer> tokenizer_;
  std::vector<std::u16string> texts_;
  std::vector<std::vector<std::u16string>> word_lists_;
  bool split_;
  EncodeOptions options_;
  std::shared_ptr<EncodingLayout> layout_;
};

// convert_tokens_to_string off the JS thread: a million tokens held it for over 200 ms.
class DecodeWorker : public PromiseWorker {
 public:
  DecodeWorker(Napi::Env env, std::shared_ptr<const Tokenizer> tokenizer, std::vector<std::string> tokens)
      : PromiseWorker(env, "tokclass:decode"), tokenizer_(std::move(tokenizer)), tokens_(std::move(tokens)) {}
  // Ids instead of token strings (HF's decode).
  DecodeWorker(Napi::Env env, std::shared_ptr<const Tokenizer> tokenizer, std::vector<uint32_t> ids, bool skip_special_tokens)
      : PromiseWorker(env, "tokclass:decode"),
        tokenizer_(std::move(tokenizer)),
        ids_(std::move(ids)),
        from_ids_(true),
        skip_special_tokens_(skip_special_tokens) {}

 private:
  void Compute() override {
    text_ = from_ids_ ? tokenizer_->decode_ids(ids_, skip_special_tokens_) : tokenizer_->decode_tokens(tokens_);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::String::New(env, text_); }

  std::shared_ptr<const Tokenizer> tokenizer_;
  std::vector<std::string> tokens_;
  std::vector<uint32_t> ids_;
  bool from_ids_ = false;
  bool skip_special_tokens_ = false;
  std::string text_;
};

}  // namespace

Napi::Function TokenizerHandle::Define(Napi::Env env) {
  return DefineClass(env, "TokenizerHandle",
                     {
                         StaticMethod<&TokenizerHandle::Load>("load"),
                         InstanceMethod<&TokenizerHandle::Encode>("encode"),
                         InstanceMethod<&TokenizerHandle::Decode>("decode"),
                         InstanceMethod<&TokenizerHandle::DecodeIds>("decodeIds"),
                         InstanceMethod<&TokenizerHandle::TokenToId>("tokenToId"),
                         InstanceMethod<&TokenizerHandle::IdToToken>("idToToken"),
                     });
}

TokenizerHandle::TokenizerHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TokenizerHandle>(info) {}

Napi::Value TokenizerHandle::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    return rejected(env, make_error(env, codes::kInvalidArgument, "load expects a tokenizer.json path"));
  }
  return (new TokenizerLoadWorker(env, info[0].As<Napi::String>().Utf8Value()))->Start();
}

Napi::Value TokenizerHandle::Encode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (!tokenizer_) throw Error(codes::kDisposed, "tokenizer not loaded");
    const bool split = info[1].IsObject() && is_split_into_words(info[1].As<Napi::Object>());
    std::vector<std::u16string> texts;
    std::vector<std::vector<std::u16string>> word_lists;
    if (split) word_lists = to_utf16_word_lists(info[0]);
    else texts = to_utf16_texts(info[0]);
    const EncodeOptions options = info[1].IsObject() ? to_encode_options(info[1].As<Napi::Object>()) : EncodeOptions{};
    return (new EncodeWorker(env, tokenizer_, std::move(texts), std::move(word_lists), split, options))->Start();
  } catch (...) {
    return rejected(env, make_error(env, std::current_exception()));
  }
}

Napi::Value TokenizerHandle::Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (!tokenizer_) throw Error(codes::kDisposed, "tokenizer not loaded");
    if (!info[0].IsArray()) throw Error(codes::kInvalidArgument, "decode expects an array of token strings");
    Napi::Array a = info[0].As<Napi::Array>();
    std::vector<std::string> tokens;
    tokens.reserve(a.Length());
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value v = a.Get(i);
      if (!v.IsString()) throw Error(codes::kInvalidArgument, "decode expects an array of token strings");
      tokens.push_back(v.As<Napi::String>().Utf8Value());
    }
    return (new DecodeWorker(env, tokenizer_, std::move(tokens)))->Start();
  } catch (...) {
    return rejected(env, make_error(env, std::current_exception()));
  }
}

Napi::Value TokenizerHandle::DecodeIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (!tokenizer_) throw Error(codes::kDisposed, "tokenizer not loaded");
    // A Uint32Array, its ids checked in JS (src/tokenizer.ts): read in one copy, not one Get each.
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
      throw Error(codes::kInvalidArgument, "decodeIds expects a Uint32Array of token ids");
    }
    Napi::Uint32Array a = info[0].As<Napi::Uint32Array>();
    std::vector<uint32_t> ids(a.Data(), a.Data() + a.ElementLength());
    const bool skip = info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
    return (new DecodeWorker(env, tokenizer_, std::move(ids), skip))->Start();
  } catch (...) {
    return rejected(env, make_error(env, std::current_exception()));
  }
}

Napi::Value TokenizerHandle::TokenToId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!tokenizer_ || !info[0].IsString()) return env.Undefined();
  auto id = tokenizer_->token_to_id(info[0].As<Napi::String>().Utf8Value());
  return id ? Napi::Number::New(env, *id) : env.Undefined();
}

Napi::Value TokenizerHandle::IdToToken(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!tokenizer_ || !info[0].IsNumber()) return env.Undefined();
  // Uint32Value() wraps modulo 2^32 and reads NaN and Infinity as 0: 2^32 + 5 named token 5.
  // A whole number the table cannot hold is simply not an id in it.
  const double id = info[0].As<Napi::Number>().DoubleValue();
  if (!(id >= 0 && id <= UINT32_MAX) || id != std::floor(id)) return env.Undefined();
  auto token = tokenizer_->id_to_token(static_cast<uint32_t>(id));
  return token ? Napi::String::New(env, *token) : env.Undefined();
}

}  // namespace tokclass::binding
