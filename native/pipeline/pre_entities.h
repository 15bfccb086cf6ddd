// One window's non-special tokens with what aggregation needs (the pipeline's
// gather_pre_entities): the token string, its score row, code-point offsets into the full
// text, its index in the window, and whether it continues the previous word.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/encoding.h"

namespace tokclass {

struct PreEntity {
  std::string word;              // token string; the original text for [UNK]
  const float* scores = nullptr;  // num_labels probabilities
  uint32_t start = 0;
  uint32_t end = 0;
  int32_t index = 0;  // position in the window, special tokens included
  bool is_subword = false;
};

struct PreEntityOptions {
  // The model's continuing_subword_prefix when non-empty: is_subword then compares the token's
  // length with the text it covers; otherwise a heuristic looks for a space at the boundary.
  std::optional<std::string> continuing_subword_prefix;
  std::optional<uint32_t> unk_token_id;
  // Pre-split input: code-point start of each word in the joined text; token offsets (relative
  // to their word) are shifted by the start of their word_ids entry. Null for plain text.
  const std::vector<uint32_t>* word_starts = nullptr;
};

// `scores` is [encoding.size(), num_labels]; the returned rows point into it.
std::vector<PreEntity> gather_pre_entities(std::u32string_view text, const Encoding& encoding,
                                           const float* scores, size_t num_labels,
                                           const PreEntityOptions& options);

}  // namespace tokclass
