// NormalizedString: a piece of text being normalized, with, for every normalized code point,
// the [start, end) range of ORIGINAL code points it came from. It mirrors Hugging Face's
// `NormalizedString` (tokenizers/src/tokenizer/normalizer.rs) but indexes code points instead
// of UTF-8 bytes; since HF gives every byte of a char the same alignment, the results (after
// HF's final byte->char conversion) are identical.
//
// Alignments are relative to this string's own original range; `original_shift()` is where that
// original starts in the whole input (non-zero for slices), exactly like HF.
// Every edit goes through transform_range(), which is what keeps offsets right.
// Unlike HF, only the original's length is kept, not its text: no stage reads the original
// characters (offsets are mapped back onto the caller's text), and a copy per split was one of
// the few allocations a word costs.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/encoding.h"

namespace tokclass {

// What to do with the delimiters when splitting (HF SplitDelimiterBehavior). For '-' in
// "the-final--countdown":
//   Removed            -> the | final | countdown
//   Isolated           -> the | - | final | - | - | countdown
//   MergedWithPrevious -> the- | final- | - | countdown
//   MergedWithNext     -> the | -final | - | -countdown
//   Contiguous         -> the | - | final | -- | countdown
enum class SplitDelimiterBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// Parses "Removed", "Isolated", ... (tokenizer.json spelling); throws Error(kTokenizerInvalid).
SplitDelimiterBehavior parse_split_behavior(std::string_view name);

// A pattern match list as HF's Pattern::find_matches returns it: consecutive ranges (in
// normalized code points) covering the whole string, each flagged whether it is a match.
// For an empty string: one ({0,0}, false).
using Matches = std::vector<std::pair<Offsets, bool>>;

// Each char for which pred is true is its own match (consecutive ones are separate matches).
Matches find_char_matches(std::u32string_view s, const std::function<bool(char32_t)>& pred);
// Non-overlapping occurrences of a literal, left to right. An empty pattern matches nothing.
Matches find_string_matches(std::u32string_view s, std::u32string_view pattern);

class NormalizedString {
 public:
  // One step of a transformation: the new char and how it relates to the old ones:
  //   0  = replaces the next old char
  //   +1 = inserted (takes the alignment of the old char just before; (0,0) at the very start)
  //   -n = replaces the next old char and removes the n old chars after it
  struct Change {
    char32_t c;
    int32_t change;
  };

  NormalizedString() = default;
  explicit NormalizedString(std::u32string original);

  const std::u32string& get() const { return normalized_; }
  size_t len() const { return normalized_.size(); }
  size_t len_original() const { return original_len_; }
  bool empty() const { return normalized_.empty(); }
  uint32_t original_shift() const { return shift_; }
  // Absolute range of this string's original in the whole input.
  Offsets offsets_original() const {
    return {shift_, shift_ + original_len_};
  }
  // Per normalized code point, its range in the original (relative, not shifted).
  const std::vector<Offsets>& alignments() const { return alignments_; }

  // Normalized [start,end) -> original range (relative). As HF: an empty range is returned
  // unchanged (not converted), a reversed or out-of-bounds one gives nullopt, otherwise
  // (alignment[start].start, alignment[end-1].end).
  // Inline: encodings map every token's offsets through it.
  std::optional<Offsets> normalized_to_original(size_t start, size_t end) const {
    // HF returns an empty target as is, without converting it.
    if (start == end) return Offsets{static_cast<uint32_t>(start), static_cast<uint32_t>(end)};
    if (start > end || end > alignments_.size()) return std::nullopt;
    return Offsets{alignments_[start].start, alignments_[end - 1].end};
  }
  // Original [start,end) -> normalized range, HF's rule (zero-width alignments never start
  // a range).
  std::optional<Offsets> original_to_normalized(size_t start, size_t end) const;

  // A new NormalizedString for the normalized range [start,end): its original is the matching
  // original range, alignments rebased, shift accumulated. nullopt when out of range.
  std::optional<NormalizedString> slice(size_t start, size_t end) const;

  // The one edit primitive (HF transform_range on a normalized range). `initial_offset` old
  // chars at the start of the range are removed before the first new char.
  void transform_range(size_t start, size_t end, const std::vector<Change>& dest,
                       size_t initial_offset);
  // Whole string, as HF `transform` (which targets the full *original* range).
  void transform(const std::vector<Change>& dest, size_t initial_offset);

  // Helpers built on transform, each matching the HF method of the same name.
  void nfd();
  void nfkd();
  void nfc();
  void nfkc();
  void filter(const std::function<bool(char32_t)>& keep);
  void map(const std::function<char32_t(char32_t)>& fn);
  void for_each(const std::function<void(char32_t)>& fn) const;
  void lowercase();
  void uppercase();
  void prepend(std::u32string_view s);
  void append(std::u32string_view s);
  // Replaces every non-overlapping occurrence of `pattern` with `content`.
  void replace(std::u32string_view pattern, std::u32string_view content);
  // Replaces the given match ranges (only those flagged true) with `content`; used with any
  // pattern kind (regex patterns come from other components).
  void replace_matches(const Matches& matches, std::u32string_view content);
  void lstrip() { lrstrip(true, false); }
  void rstrip() { lrstrip(false, true); }
  void strip() { lrstrip(true, true); }
  void clear();

  // Splits into sub-strings according to a match list and the delimiter behavior (HF
  // NormalizedString::split). Empty pieces are kept here; PreTokenizedString drops them.
  std::vector<NormalizedString> split(const Matches& matches, SplitDelimiterBehavior behavior) const;
  std::vector<NormalizedString> split(const std::function<bool(char32_t)>& pred,
                                      SplitDelimiterBehavior behavior) const {
    return split(find_char_matches(normalized_, pred), behavior);
  }

 private:
  void lrstrip(bool left, bool right);
  void apply_normalization(bool compat, bool compose);

  uint32_t original_len_ = 0;
  std::u32string normalized_;
  std::vector<Offsets> alignments_;
  uint32_t shift_ = 0;
};

}  // namespace tokclass
