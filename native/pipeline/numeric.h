// Float32 arithmetic as numpy does it, so that scores (and argmax ties) match the Python
// pipeline: sums of a contiguous float32 vector use numpy's pairwise summation, argmax returns
// the lowest index among equal maxima (and the first NaN, if any).
#pragma once
#include <cstddef>

namespace tokclass::numeric {

// np.sum of a contiguous float32 vector (pairwise: 8 accumulators, blocks of 128).
float pairwise_sum(const float* a, size_t n);
// np.mean of a contiguous float32 vector: float32 sum, divided by the count and rounded to
// float32 (numpy divides in double, which rounds the same as a correctly rounded float divide).
float mean(const float* a, size_t n);
// np.argmax over n values.
size_t argmax(const float* a, size_t n);

}  // namespace tokclass::numeric
