// The result of tokenizing one text: what a Hugging Face fast tokenizer's `Encoding` holds.
// Offsets are code-point indices into the ORIGINAL text (before normalization); special tokens
// have offsets {0, 0}. `overflowing` holds the further windows made by truncation with stride,
// each already post-processed (special tokens added), exactly as `return_overflowing_tokens`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tokclass {

struct Offsets {
  uint32_t start = 0;
  uint32_t end = 0;
  bool operator==(const Offsets&) const = default;
};

struct Encoding {
  std::vector<uint32_t> ids;
  std::vector<uint32_t> type_ids;
  std::vector<std::string> tokens;  // UTF-8 token strings as in the vocabulary
  std::vector<Offsets> offsets;
  std::vector<uint8_t> special_tokens_mask;  // 1 for tokens added by the post-processor
  std::vector<int32_t> word_ids;             // -1 where Python gives None
  std::vector<Encoding> overflowing;

  size_t size() const { return ids.size(); }
  // Room for n tokens in every per-token field.
  void reserve(size_t n) {
    ids.reserve(n);
    type_ids.reserve(n);
    tokens.reserve(n);
    offsets.reserve(n);
    special_tokens_mask.reserve(n);
    word_ids.reserve(n);
  }
};

}  // namespace tokclass
