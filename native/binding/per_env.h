// Per-environment state: each Node environment (main thread, every worker_thread) gets its
// own constructor references, freed with the environment — which is what makes the addon
// safe to load from several worker threads at once.
#pragma once
#include <napi.h>

namespace tokclass::binding {

struct PerEnv {
  Napi::FunctionReference classifier_constructor;
  Napi::FunctionReference tokenizer_constructor;

  static PerEnv& Get(Napi::Env env) { return *env.GetInstanceData<PerEnv>(); }
};

}  // namespace tokclass::binding
