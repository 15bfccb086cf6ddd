#include "binding/next_turn.h"

#include <utility>

#include "binding/per_env.h"

namespace tokclass::binding {

bool on_next_turn(Napi::Env env, std::function<void(Napi::Env)> fn) {
  const Napi::FunctionReference& set_immediate = PerEnv::Get(env).set_immediate;
  if (set_immediate.IsEmpty()) return false;
  Napi::Function next = Napi::Function::New(
      env, [fn = std::move(fn)](const Napi::CallbackInfo& info) { fn(info.Env()); }, "tokclassNextTurn");
  set_immediate.Call({next});
  return true;
}

}  // namespace tokclass::binding
