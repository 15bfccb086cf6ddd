#include "pipeline/aggregate.h"

#include <cmath>

#include "common/error.h"
#include "pipeline/labels.h"
#include "pipeline/numeric.h"
#include "tokenizer/token_decoder.h"

namespace tokclass {
namespace {

// numpy's ndarray.max(): NaN if any value is NaN.
float row_max(const float* row, size_t n) {
  float m = row[0];
  for (size_t j = 1; j < n; ++j) {
    if (std::isnan(row[j])) return row[j];
    if (row[j] > m) m = row[j];
  }
  return m;
}

Entity aggregate_word(const PreEntity* first, const PreEntity* last, Aggregation strategy,
                      size_t num_labels, const std::vector<std::string>& id2label,
                      const TokenDecoder& decoder) {
  std::vector<std::string> tokens;
  for (const PreEntity* p = first; p <= last; ++p) tokens.push_back(p->word);

  Entity e;
  e.word = decoder.decode_tokens(tokens);
  e.start = first->start;
  e.end = last->end;
  switch (strategy) {
    case Aggregation::kFirst: {
      const size_t idx = numeric::argmax(first->scores, num_labels);
      e.label = label_of(id2label, idx);
      e.score = first->scores[idx];
      break;
    }
    case Aggregation::kMax: {
      // Python's max(key=...) keeps the first of equal keys; a NaN key never wins a
      // comparison, except in first position.
      const PreEntity* best = first;
      float best_key = row_max(first->scores, num_labels);
      for (const PreEntity* p = first + 1; p <= last; ++p) {
        const float key = row_max(p->scores, num_labels);
        if (key > best_key) {
          best = p;
          best_key = key;
        }
      }
      const size_t idx = numeric::argmax(best->scores, num_labels);
      e.label = label_of(id2label, idx);
      e.score = best->scores[idx];
      break;
    }
    case Aggregation::kAverage: {
      // np.nanmean(np.stack(rows), axis=0): float32 column sums accumulated row by row, NaNs
      // left out of both the sum and the count.
      std::vector<float> avg(num_labels, 0.0f);
      std::vector<size_t> count(num_labels, 0);
      for (const PreEntity* p = first; p <= last; ++p) {
        for (size_t j = 0; j < num_labels; ++j) {
          if (std::isnan(p->scores[j])) continue;
          avg[j] += p->scores[j];
          ++count[j];
        }
      }
      for (size_t j = 0; j < num_labels; ++j) {
        avg[j] = count[j] ? static_cast<float>(static_cast<double>(avg[j]) / count[j]) : NAN;
      }
      const size_t idx = numeric::argmax(avg.data(), num_labels);
      e.label = label_of(id2label, idx);
      e.score = avg[idx];
      break;
    }
    default:
      throw Error(codes::kInternal, "NONE and SIMPLE strategies are invalid for word aggregation");
  }
  return e;
}

}  // namespace

std::vector<Entity> classify_tokens(const std::vector<PreEntity>& pre, size_t num_labels,
                                    const std::vector<std::string>& id2label) {
  std::vector<Entity> out;
  out.reserve(pre.size());
  for (const PreEntity& p : pre) {
    const size_t idx = numeric::argmax(p.scores, num_labels);
    Entity e;
    e.label = label_of(id2label, idx);
    e.score = p.scores[idx];
    e.index = p.index;
    e.word = p.word;
    e.start = p.start;
    e.end = p.end;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Entity> aggregate_words(const std::vector<PreEntity>& pre, Aggregation strategy,
                                    size_t num_labels, const std::vector<std::string>& id2label,
                                    const TokenDecoder& decoder) {
  std::vector<Entity> out;
  size_t begin = 0;
  for (size_t i = 1; i <= pre.size(); ++i) {
    if (i < pre.size() && pre[i].is_subword) continue;
    out.push_back(aggregate_word(&pre[begin], &pre[i - 1], strategy, num_labels, id2label, decoder));
    begin = i;
  }
  return out;
}

}  // namespace tokclass
