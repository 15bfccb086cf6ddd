#include "pipeline/scores.h"

#include <cmath>

#include "pipeline/numeric.h"

namespace tokclass {

std::vector<float> softmax_rows(const float* logits, size_t rows, size_t num_labels) {
  std::vector<float> out(rows * num_labels);
  for (size_t r = 0; r < rows; ++r) {
    const float* in = logits + r * num_labels;
    float* row = out.data() + r * num_labels;
    // np.max propagates NaN; the result is then NaN everywhere, as in numpy.
    float mx = in[0];
    for (size_t j = 1; j < num_labels; ++j) {
      if (std::isnan(in[j]) || in[j] > mx) mx = in[j];
      if (std::isnan(mx)) break;
    }
    for (size_t j = 0; j < num_labels; ++j) row[j] = std::exp(in[j] - mx);
    const float sum = numeric::pairwise_sum(row, num_labels);
    for (size_t j = 0; j < num_labels; ++j) row[j] = row[j] / sum;
  }
  return out;
}

}  // namespace tokclass
