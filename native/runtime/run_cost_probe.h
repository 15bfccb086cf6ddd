// Measures the fixed cost of one model run, for the batch planner.
//
// The planner (runtime/batcher.h) cuts length-sorted rows into batches by weighing padding
// against the number of runs, and needs the price of a run in tokens. That price is a property
// of the model and the machine: ~6 tokens for a 4-layer, 128-hidden BERT on one CPU thread
// (~100 us of per-run overhead, ~190 graph nodes, against ~20 us per token); 10-15 for BERT-base
// on two threads, whose every run streams all its weights from memory. A fixed guess either
// pads too much (where runs are cheap) or splits rounds into needlessly small runs, so it is
// measured at load, from a few tiny runs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "runtime/session.h"

namespace tokclass::runtime {

struct RunCost {
  double fixed_us = 0;      // a run's cost beyond its tokens
  double per_token_us = 0;  // each padded token (padding costs as much as a real one)
  size_t tokens = 0;        // fixed_us / per_token_us, rounded and clamped to [kMinTokens, kMaxTokens]

  static constexpr size_t kMinTokens = 1;
  static constexpr size_t kMaxTokens = 512;
};

// Times runs of two shapes (1 x 6 and 2 x 24 tokens, built from `sample_ids`, which must hold
// at least 2 ids valid for the model) and fits cost = fixed + per_token x tokens. Each shape
// runs up to 15 times, keeping the fastest (the least disturbed by other work on the machine);
// large models stop repeating after ~60 ms. Throws what Session::run throws, kInvalidArgument
// for too few sample ids.
RunCost MeasureRunCost(const Session& session, std::span<const uint32_t> sample_ids);

}  // namespace tokclass::runtime
