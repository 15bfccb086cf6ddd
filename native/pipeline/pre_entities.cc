#include "pipeline/pre_entities.h"

#include <algorithm>

#include "common/error.h"
#include "common/utf8.h"

namespace tokclass {
namespace {

// len() of a Python str holding this UTF-8 token: its number of code points (continuation
// bytes do not start one).
size_t code_point_count(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

// sentence[start:end] with Python's clamping of out-of-range bounds.
std::u32string_view slice(std::u32string_view text, size_t start, size_t end) {
  start = std::min(start, text.size());
  end = std::min(end, text.size());
  if (end <= start) return {};
  return text.substr(start, end - start);
}

}  // namespace

std::vector<PreEntity> gather_pre_entities(std::u32string_view text, const Encoding& encoding,
                                           const float* scores, size_t num_labels,
                                           const PreEntityOptions& options) {
  const size_t n = encoding.size();
  if (encoding.tokens.size() != n || encoding.offsets.size() != n ||
      encoding.special_tokens_mask.size() != n) {
    throw Error(codes::kInternal, "encoding fields have different lengths");
  }
  if (options.word_starts && encoding.word_ids.size() != n) {
    throw Error(codes::kInternal, "encoding has no word_ids for pre-split input");
  }
  std::vector<PreEntity> out;
  out.reserve(n);
  for (size_t idx = 0; idx < n; ++idx) {
    if (encoding.special_tokens_mask[idx]) continue;
    PreEntity e;
    e.word = encoding.tokens[idx];
    e.scores = scores + idx * num_labels;
    e.index = static_cast<int32_t>(idx);
    e.start = encoding.offsets[idx].start;
    e.end = encoding.offsets[idx].end;
    if (options.word_starts) {
      const int32_t word = encoding.word_ids[idx];
      if (word >= 0) {
        if (static_cast<size_t>(word) >= options.word_starts->size()) {
          throw Error(codes::kInternal, "word id out of range for pre-split input");
        }
        e.start += (*options.word_starts)[word];
        e.end += (*options.word_starts)[word];
      }
    }
    const std::u32string_view word_ref = slice(text, e.start, e.end);
    if (options.continuing_subword_prefix) {
      // A word-aware model: a continuation token is longer than its text ("##ss" vs "ss").
      e.is_subword = code_point_count(e.word) != word_ref.size();
    } else {
      // Fallback heuristic: a token continues a word unless a space touches its start,
      // i.e. `start > 0 and " " not in sentence[start - 1 : start + 1]`.
      const std::u32string_view around = e.start > 0 ? slice(text, e.start - 1, e.start + 1)
                                                     : std::u32string_view{};
      e.is_subword = e.start > 0 && around.find(U' ') == std::u32string_view::npos;
    }
    if (options.unk_token_id && encoding.ids[idx] == *options.unk_token_id) {
      e.word = utf8::encode(word_ref);
      e.is_subword = false;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace tokclass
