// Logits -> probabilities, row by row, exactly as the pipeline's numpy code:
// maxes = max(logits); e = exp(logits - maxes); scores = e / e.sum()  (all float32).
#pragma once
#include <cstddef>
#include <vector>

namespace tokclass {

// `logits` is [rows, num_labels] row-major; returns the same shape.
std::vector<float> softmax_rows(const float* logits, size_t rows, size_t num_labels);

}  // namespace tokclass
