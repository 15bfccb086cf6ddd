// Checks whether a model's logits depend on what else is in the batch.
//
// Padding plus an attention mask is invisible to an fp32 transformer, but not to every model:
// dynamically quantized ones (DynamicQuantizeLinear) pick one scale per tensor over the whole
// batch, padding included, so a sequence's logits shift with its batch mates (by ~0.2-0.4 on
// bert-cased-conll's int8 model). The transformers pipeline runs one text at a time, so to
// reproduce it such models must run unbatched. Running a tiny probe at load time finds this
// out for any model without parsing its graph.
#pragma once
#include <cstdint>
#include <span>

#include "runtime/session.h"

namespace tokclass::runtime {

struct BatchProbeResult {
  float max_abs_diff = 0;  // between a sequence run alone and the same sequence in a batch
  bool batch_invariant = true;  // max_abs_diff <= tolerance
};

// Runs a short sequence alone and again padded inside a batch with a longer one, and compares
// its logits. `sample_ids` are token ids valid for the model (at least 2; the probe builds its
// sequences from them); `pad_id` is what the batcher will pad with. Costs two small runs.
// Throws what Session::run throws.
BatchProbeResult ProbeBatchInvariance(const Session& session, std::span<const uint32_t> sample_ids,
                                      int64_t pad_id, float tolerance = 1e-4f);

}  // namespace tokclass::runtime
