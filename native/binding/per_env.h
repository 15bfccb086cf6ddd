// Per-environment state: each Node environment (main thread, every worker_thread) gets its
// own constructor references, freed with the environment — which is what makes the addon
// safe to load from several worker threads at once.
#pragma once
#include <napi.h>

namespace tokclass::binding {

struct PerEnv {
  Napi::FunctionReference classifier_constructor;
  Napi::FunctionReference tokenizer_constructor;
  // The environment's setImmediate as it was when the addon loaded, so that fake timers a test
  // framework installs later (vi.useFakeTimers, sinon) cannot stall result delivery.
  Napi::FunctionReference set_immediate;
  // Builds entity objects from flat arrays (entity_builder.cc), compiled on first use.
  Napi::FunctionReference entity_builder;
  // The entity builder's numbers for small deliveries, reused (entity_builder.cc).
  Napi::Reference<Napi::Float64Array> entity_numbers;
  // Builds Tokenizer.encode's encoding objects (encoding_builder.cc), compiled on first use.
  Napi::FunctionReference encoding_builder;

  static PerEnv& Get(Napi::Env env) { return *env.GetInstanceData<PerEnv>(); }
};

}  // namespace tokclass::binding
