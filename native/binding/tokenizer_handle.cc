#include "binding/tokenizer_handle.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "binding/convert.h"
#include "binding/js_error.h"
#include "binding/per_env.h"
#include "binding/promise_worker.h"
#include "common/error.h"
#include "common/utf16.h"

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

template <typename T, typename Array>
Array typed_copy(Napi::Env env, const std::vector<T>& values) {
  Array out = Array::New(env, values.size());
  if (!values.empty()) std::memcpy(out.Data(), values.data(), values.size() * sizeof(T));
  return out;
}

Napi::Object to_js_encoding(Napi::Env env, const Encoding& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ids", typed_copy<uint32_t, Napi::Uint32Array>(env, e.ids));
  o.Set("typeIds", typed_copy<uint32_t, Napi::Uint32Array>(env, e.type_ids));
  Napi::Array tokens = Napi::Array::New(env, e.tokens.size());
  for (size_t i = 0; i < e.tokens.size(); ++i) tokens.Set(static_cast<uint32_t>(i), e.tokens[i]);
  o.Set("tokens", tokens);
  Napi::Uint32Array offsets = Napi::Uint32Array::New(env, e.offsets.size() * 2);
  for (size_t i = 0; i < e.offsets.size(); ++i) {
    offsets[2 * i] = e.offsets[i].start;
    offsets[2 * i + 1] = e.offsets[i].end;
  }
  o.Set("offsets", offsets);
  o.Set("specialTokensMask", typed_copy<uint8_t, Napi::Uint8Array>(env, e.special_tokens_mask));
  o.Set("wordIds", typed_copy<int32_t, Napi::Int32Array>(env, e.word_ids));
  Napi::Array overflowing = Napi::Array::New(env, e.overflowing.size());
  for (size_t i = 0; i < e.overflowing.size(); ++i)
    overflowing.Set(static_cast<uint32_t>(i), to_js_encoding(env, e.overflowing[i]));
  o.Set("overflowing", overflowing);
  return o;
}

class EncodeWorker : public PromiseWorker {
 public:
  EncodeWorker(Napi::Env env, std::shared_ptr<const Tokenizer> tokenizer, std::vector<std::u16string> texts,
               EncodeOptions options)
      : PromiseWorker(env, "tokclass:encode"),
        tokenizer_(std::move(tokenizer)),
        texts_(std::move(texts)),
        options_(options) {}

 private:
  void Compute() override {
    // Decoded here, off the JS thread; texts in order, so a lone surrogate is reported for the
    // lowest index that has one, as classify() does.
    encodings_.reserve(texts_.size());
    for (size_t i = 0; i < texts_.size(); ++i) {
      const std::u32string text = utf16::decode(texts_[i], i);
      std::u16string().swap(texts_[i]);
      encodings_.push_back(tokenizer_->encode(text, options_));
    }
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, encodings_.size());
    for (size_t i = 0; i < encodings_.size(); ++i) out.Set(static_cast<uint32_t>(i), to_js_encoding(env, encodings_[i]));
    return out;
  }

  std::shared_ptr<const Tokenizer> tokenizer_;
  std::vector<std::u16string> texts_;
  EncodeOptions options_;
  std::vector<Encoding> encodings_;
};

// convert_tokens_to_string off the JS thread: a million tokens held it for over 200 ms.
class DecodeWorker : public PromiseWorker {
 public:
  DecodeWorker(Napi::Env env, std::shared_ptr<const Tokenizer> tokenizer, std::vector<std::string> tokens)
      : PromiseWorker(env, "tokclass:decode"), tokenizer_(std::move(tokenizer)), tokens_(std::move(tokens)) {}

 private:
  void Compute() override { text_ = tokenizer_->decode_tokens(tokens_); }
  Napi::Value Result(Napi::Env env) override { return Napi::String::New(env, text_); }

  std::shared_ptr<const Tokenizer> tokenizer_;
  std::vector<std::string> tokens_;
  std::string text_;
};

}  // namespace

Napi::Function TokenizerHandle::Define(Napi::Env env) {
  return DefineClass(env, "TokenizerHandle",
                     {
                         StaticMethod<&TokenizerHandle::Load>("load"),
                         InstanceMethod<&TokenizerHandle::Encode>("encode"),
                         InstanceMethod<&TokenizerHandle::Decode>("decode"),
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
    std::vector<std::u16string> texts = to_utf16_texts(info[0]);
    const EncodeOptions options = info[1].IsObject() ? to_encode_options(info[1].As<Napi::Object>()) : EncodeOptions{};
    return (new EncodeWorker(env, tokenizer_, std::move(texts), options))->Start();
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
