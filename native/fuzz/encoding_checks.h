// Properties every Encoding the tokenizer returns must have, shared by the tokenizer fuzz
// targets. See the header comment of fuzz_tokenizer_encode.cc for the list.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "tokenizer/tokenizer.h"

namespace tokclass::fuzz {

struct Checks {
  // Offsets are relative to each word (encode_words), so starts only grow within a word.
  bool per_word = false;
  // Ids in the vocabulary with the encoding's token string, and non-decreasing starts: true for
  // real tokenizer.json files; a mutated one may give its post-processor ids the vocabulary
  // lacks, or mismatch add_prefix_space between ByteLevel stages (HF then trims a prefix
  // space's offsets past the next token's start, and so do we).
  bool vocab = true;
  bool order = true;
};

inline void check_encoding(const Tokenizer& tok, const Encoding& e, size_t text_len, size_t max_length,
                           const char* what, Checks checks = {}) {
  const size_t n = e.ids.size();
  FUZZ_CHECK(e.type_ids.size() == n && e.tokens.size() == n && e.offsets.size() == n &&
                 e.special_tokens_mask.size() == n && e.word_ids.size() == n,
             "%s: field lengths differ (ids %zu, type_ids %zu, tokens %zu, offsets %zu, mask %zu, words %zu)", what, n,
             e.type_ids.size(), e.tokens.size(), e.offsets.size(), e.special_tokens_mask.size(), e.word_ids.size());
  if (max_length > 0) FUZZ_CHECK(n <= max_length, "%s: %zu tokens in a window of %zu", what, n, max_length);
  uint32_t last_start = 0;
  int32_t last_word = -1;
  for (size_t i = 0; i < n; ++i) {
    const Offsets o = e.offsets[i];
    FUZZ_CHECK(o.start <= o.end, "%s: token %zu offsets [%u, %u) reversed", what, i, o.start, o.end);
    FUZZ_CHECK(o.end <= text_len, "%s: token %zu offsets [%u, %u) past the text (%zu code points)", what, i, o.start,
               o.end, text_len);
    const auto token = tok.id_to_token(e.ids[i]);
    if (checks.vocab) {
    FUZZ_CHECK(token.has_value(), "%s: token %zu id %u is not in the vocabulary", what, i, e.ids[i]);
    // Unigram keeps the text of an unknown piece as its token string (as HF): a token string
    // that is not in the vocabulary may stand for the unk id.
    FUZZ_CHECK(*token == e.tokens[i] || !tok.token_to_id(e.tokens[i]),
               "%s: token %zu id %u is '%s' in the vocabulary but '%s' in the encoding", what,
               i, e.ids[i], token->c_str(), e.tokens[i].c_str());
    }
    if (e.special_tokens_mask[i]) {
      FUZZ_CHECK(o.start == 0 && o.end == 0, "%s: special token %zu ('%s') has offsets [%u, %u)", what, i,
                 e.tokens[i].c_str(), o.start, o.end);
    } else {
      if (checks.per_word && e.word_ids[i] != last_word) last_start = 0;
      last_word = e.word_ids[i];
      FUZZ_CHECK(!checks.order || o.start >= last_start, "%s: token %zu starts at %u, before the previous token's %u", what, i, o.start,
                 last_start);
      last_start = o.start;
    }
  }
}

// TOKCLASS_FUZZ_VERBOSE=1 (when reproducing a crash): print each encoding's tokens.
inline void dump(const char* what, const Encoding& e) {
  static const bool verbose = std::getenv("TOKCLASS_FUZZ_VERBOSE") != nullptr;
  if (!verbose) return;
  std::fprintf(stderr, "%s (%zu):", what, e.size());
  for (size_t i = 0; i < e.size(); ++i)
    std::fprintf(stderr, " %s[%u,%u)%s", e.tokens[i].c_str(), e.offsets[i].start, e.offsets[i].end,
                 e.special_tokens_mask[i] ? "*" : "");
  std::fprintf(stderr, "\n");
  for (const Encoding& w : e.overflowing) dump("  overflowing", w);
}

inline std::vector<uint32_t> non_special_ids(const Encoding& e) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < e.ids.size(); ++i)
    if (!e.special_tokens_mask[i]) out.push_back(e.ids[i]);
  return out;
}

}  // namespace tokclass::fuzz
