// Addon entry: registers exports only. Everything else lives in its own file.
#include <napi.h>

#include "binding/classifier_handle.h"
#include "binding/per_env.h"
#include "binding/tokenizer_handle.h"

namespace tokclass::binding {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* state = new PerEnv();
  env.SetInstanceData<PerEnv>(state);  // deleted by node-addon-api when the env goes away
  Napi::Function classifier = ClassifierHandle::Define(env);
  state->classifier_constructor = Napi::Persistent(classifier);
  exports.Set("ClassifierHandle", classifier);
  Napi::Function tokenizer = TokenizerHandle::Define(env);
  state->tokenizer_constructor = Napi::Persistent(tokenizer);
  exports.Set("TokenizerHandle", tokenizer);
  Napi::Value set_immediate = env.Global().Get("setImmediate");
  if (set_immediate.IsFunction()) state->set_immediate = Napi::Persistent(set_immediate.As<Napi::Function>());
  return exports;
}

}  // namespace tokclass::binding

namespace {
Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tokclass::binding::Init(env, exports); }
}  // namespace

NODE_API_MODULE(tokclass, InitAddon)
