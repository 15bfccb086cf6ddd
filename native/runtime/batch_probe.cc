#include "runtime/batch_probe.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/error.h"

namespace tokclass::runtime {

BatchProbeResult ProbeBatchInvariance(const Session& session, std::span<const uint32_t> sample_ids,
                                      int64_t pad_id, float tolerance) {
  if (sample_ids.size() < 2) {
    throw Error(codes::kInvalidArgument, "batch probe needs at least 2 sample token ids");
  }
  // Short row: 6 tokens; long row: 24 tokens, so the short one carries 18 padding positions.
  constexpr size_t kShort = 6, kLong = 24;
  auto id_at = [&](size_t i) -> int64_t { return sample_ids[i % sample_ids.size()]; };
  const bool types = session.has_token_type_ids();

  std::vector<int64_t> ids(kShort), mask(kShort, 1), type_ids(types ? kShort : 0, 0);
  for (size_t i = 0; i < kShort; ++i) ids[i] = id_at(i);
  std::vector<float> alone;
  session.run(BatchInput{1, kShort, ids, mask, type_ids}, alone);

  // Row 0: the long sequence (ids in reverse sample order, so it differs); row 1: the short
  // one, padded.
  std::vector<int64_t> batch_ids(2 * kLong, pad_id), batch_mask(2 * kLong, 0),
      batch_types(types ? 2 * kLong : 0, 0);
  for (size_t i = 0; i < kLong; ++i) {
    batch_ids[i] = id_at(sample_ids.size() - 1 - i % sample_ids.size());
    batch_mask[i] = 1;
  }
  for (size_t i = 0; i < kShort; ++i) {
    batch_ids[kLong + i] = ids[i];
    batch_mask[kLong + i] = 1;
  }
  std::vector<float> batched;
  session.run(BatchInput{2, kLong, batch_ids, batch_mask, batch_types}, batched);

  const size_t labels = session.num_labels();
  BatchProbeResult result;
  for (size_t t = 0; t < kShort; ++t) {
    for (size_t l = 0; l < labels; ++l) {
      const float a = alone[t * labels + l];
      const float b = batched[(kLong + t) * labels + l];
      result.max_abs_diff = std::max(result.max_abs_diff, std::fabs(a - b));
    }
  }
  result.batch_invariant = result.max_abs_diff <= tolerance;
  return result;
}

}  // namespace tokclass::runtime
