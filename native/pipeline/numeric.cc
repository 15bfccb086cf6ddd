#include "pipeline/numeric.h"

#include <cmath>

namespace tokclass::numeric {

// Mirrors numpy's @TYPE@_pairwise_sum for float (npy_float accumulators). The order of
// additions matters for the last bit, which matters for ties.
float pairwise_sum(const float* a, size_t n) {
  constexpr size_t kBlock = 128;
  if (n < 8) {
    // numpy starts from -0.0 here so that an all -0.0 sum stays -0.0.
    float res = -0.0f;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= kBlock) {
    float r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

float mean(const float* a, size_t n) {
  // The reduction starts from the identity 0 (0 + x == x, except that -0.0 becomes 0.0).
  float total = 0.0f + pairwise_sum(a, n);
  return static_cast<float>(static_cast<double>(total) / static_cast<double>(n));
}

size_t argmax(const float* a, size_t n) {
  size_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(a[i])) return i;
    if (a[i] > a[best]) best = i;
  }
  return best;
}

}  // namespace tokclass::numeric
