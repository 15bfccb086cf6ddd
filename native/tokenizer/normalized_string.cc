#include "tokenizer/normalized_string.h"

#include <algorithm>

#include "common/error.h"
#include "unicode/unicode.h"

namespace tokclass {

namespace {
[[noreturn]] void internal(const char* what) {
  throw Error(codes::kInternal, std::string("NormalizedString: ") + what);
}
}  // namespace

SplitDelimiterBehavior parse_split_behavior(std::string_view name) {
  if (name == "Removed") return SplitDelimiterBehavior::kRemoved;
  if (name == "Isolated") return SplitDelimiterBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitDelimiterBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitDelimiterBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitDelimiterBehavior::kContiguous;
  throw Error(codes::kTokenizerInvalid, "unknown split behavior '" + std::string(name) + "'");
}

Matches find_char_matches(std::u32string_view s, const std::function<bool(char32_t)>& pred) {
  if (s.empty()) return {{Offsets{0, 0}, false}};
  Matches out;
  uint32_t last = 0;
  for (uint32_t i = 0; i < s.size(); ++i) {
    if (!pred(s[i])) continue;
    if (last < i) out.push_back({Offsets{last, i}, false});
    out.push_back({Offsets{i, i + 1}, true});
    last = i + 1;
  }
  if (last < s.size()) out.push_back({Offsets{last, static_cast<uint32_t>(s.size())}, false});
  return out;
}

Matches find_string_matches(std::u32string_view s, std::u32string_view pattern) {
  if (s.empty()) return {{Offsets{0, 0}, false}};
  const uint32_t n = static_cast<uint32_t>(s.size());
  if (pattern.empty()) return {{Offsets{0, n}, false}};
  Matches out;
  uint32_t prev = 0;
  size_t pos = 0;
  while ((pos = s.find(pattern, pos)) != std::u32string_view::npos) {
    uint32_t b = static_cast<uint32_t>(pos), e = static_cast<uint32_t>(pos + pattern.size());
    if (prev != b) out.push_back({Offsets{prev, b}, false});
    out.push_back({Offsets{b, e}, true});
    prev = e;
    pos = e;
  }
  if (prev != n) out.push_back({Offsets{prev, n}, false});
  return out;
}

NormalizedString::NormalizedString(std::u32string original)
    : original_len_(static_cast<uint32_t>(original.size())), normalized_(std::move(original)) {
  alignments_.reserve(original_len_);
  for (uint32_t i = 0; i < original_len_; ++i) alignments_.push_back({i, i + 1});
}

std::optional<Offsets> NormalizedString::original_to_normalized(size_t start, size_t end) const {
  if (start == end) return Offsets{static_cast<uint32_t>(start), static_cast<uint32_t>(end)};
  if (start > end) return std::nullopt;
  std::optional<size_t> s, e;
  for (size_t i = 0; i < alignments_.size(); ++i) {
    const Offsets& a = alignments_[i];
    if (end < a.end) break;
    // Zero-width alignments (pure insertions) never start the range, as in HF.
    if (!s && start <= a.start && a.start != a.end) s = i;
    e = i + 1;
  }
  if (s && e) return Offsets{static_cast<uint32_t>(*s), static_cast<uint32_t>(*e)};
  if (s) return Offsets{static_cast<uint32_t>(*s), static_cast<uint32_t>(*s)};
  if (e) return Offsets{static_cast<uint32_t>(*e), static_cast<uint32_t>(*e)};
  return std::nullopt;
}

std::optional<NormalizedString> NormalizedString::slice(size_t start, size_t end) const {
  if (start > end || end > normalized_.size()) return std::nullopt;
  auto orig = normalized_to_original(start, end);
  if (!orig) return std::nullopt;
  NormalizedString out;
  // HF takes the original text through get_range_original, which yields "" when the range is
  // not valid for the original (e.g. an empty normalized range whose numbers exceed it).
  if (orig->start <= orig->end && orig->end <= original_len_) out.original_len_ = orig->end - orig->start;
  out.normalized_ = normalized_.substr(start, end - start);
  out.alignments_.reserve(end - start);
  for (size_t i = start; i < end; ++i) {
    const Offsets& a = alignments_[i];
    // Alignments of a slice are rebased on the slice's original (HF subtracts the shift).
    if (a.start < orig->start || a.end < orig->start) internal("slice alignment before range");
    out.alignments_.push_back({a.start - orig->start, a.end - orig->start});
  }
  out.shift_ = shift_ + orig->start;
  return out;
}

void NormalizedString::transform_range(size_t start, size_t end, const std::vector<Change>& dest,
                                       size_t initial_offset) {
  if (start > end || end > normalized_.size()) internal("transform range out of bounds");
  const size_t range_len = end - start;
  size_t consumed = std::min(initial_offset, range_len);  // old chars of the range used up
  size_t offset = start + consumed;                       // index into the old alignments
  std::u32string new_chars;
  std::vector<Offsets> new_aligns;
  new_chars.reserve(dest.size());
  new_aligns.reserve(dest.size());
  for (const Change& ch : dest) {
    Offsets align;
    if (ch.change > 0) {
      // An inserted char shares the alignment of the old char before it.
      if (offset < 1) align = {0, 0};
      else if (offset - 1 < alignments_.size()) align = alignments_[offset - 1];
      else internal("insert past the end");
    } else {
      if (offset >= alignments_.size()) internal("replace past the end");
      align = alignments_[offset];
    }
    if (ch.change <= 0 && consumed < range_len) {
      ++consumed;
      ++offset;
    }
    if (ch.change < 0) {
      size_t remove = std::min(static_cast<size_t>(-static_cast<int64_t>(ch.change)),
                               range_len - consumed);
      consumed += remove;
      offset += remove;
    }
    new_chars.push_back(ch.c);
    new_aligns.push_back(align);
  }
  normalized_.replace(start, range_len, new_chars);
  alignments_.erase(alignments_.begin() + start, alignments_.begin() + end);
  alignments_.insert(alignments_.begin() + start, new_aligns.begin(), new_aligns.end());
}

void NormalizedString::transform(const std::vector<Change>& dest, size_t initial_offset) {
  // HF targets Range::Original(..), converted to a normalized range.
  auto r = original_to_normalized(0, original_len_);
  if (!r) return;
  transform_range(r->start, r->end, dest, initial_offset);
}

void NormalizedString::apply_normalization(bool compat, bool compose) {
  // Decompose each char (first piece replaces it, the rest are insertions), then put each run
  // of non-starters in canonical order (stable sort by combining class, changes travel with
  // their chars), then optionally recompose, as unicode-normalization-alignments does.
  std::vector<Change> out;
  out.reserve(normalized_.size());
  std::u32string buf;
  for (char32_t c : normalized_) {
    buf.clear();
    unicode::decompose(c, compat, buf);
    for (size_t i = 0; i < buf.size(); ++i) out.push_back({buf[i], i == 0 ? 0 : 1});
  }
  for (size_t i = 0; i < out.size();) {
    if (unicode::ccc(out[i].c) == 0) { ++i; continue; }
    size_t j = i;
    while (j < out.size() && unicode::ccc(out[j].c) != 0) ++j;
    std::stable_sort(out.begin() + i, out.begin() + j, [](const Change& a, const Change& b) {
      return unicode::ccc(a.c) < unicode::ccc(b.c);
    });
    i = j;
  }
  if (compose && !out.empty()) {
    // Canonical composition: a char composes with the last starter when it is not blocked
    // (no char in between with ccc 0 or ccc >= its own). The starter absorbs its change
    // (minus one for the char it swallows).
    std::vector<Change> res;
    res.reserve(out.size());
    std::optional<size_t> starter;
    int last_ccc = -1;  // ccc of the last char appended after the starter (-1: none)
    for (const Change& ch : out) {
      int cc = unicode::ccc(ch.c);
      if (starter) {
        bool blocked = last_ccc != -1 && (last_ccc == 0 || last_ccc >= cc);
        if (!blocked) {
          if (auto comp = unicode::compose(res[*starter].c, ch.c)) {
            res[*starter].c = *comp;
            res[*starter].change += ch.change - 1;
            continue;
          }
        }
      }
      if (cc == 0) {
        starter = res.size();
        last_ccc = -1;
      } else {
        last_ccc = cc;
      }
      res.push_back(ch);
    }
    out = std::move(res);
  }
  transform(out, 0);
}

void NormalizedString::nfd() { apply_normalization(false, false); }
void NormalizedString::nfkd() { apply_normalization(true, false); }
void NormalizedString::nfc() { apply_normalization(false, true); }
void NormalizedString::nfkc() { apply_normalization(true, true); }

void NormalizedString::filter(const std::function<bool(char32_t)>& keep) {
  // Walk backwards so each kept char knows how many removed chars follow it.
  std::vector<Change> rev;
  rev.reserve(normalized_.size());
  int32_t removed = 0;
  for (size_t i = normalized_.size(); i-- > 0;) {
    char32_t c = normalized_[i];
    if (keep(c)) {
      rev.push_back({c, -removed});
      removed = 0;
    } else {
      ++removed;
    }
  }
  std::reverse(rev.begin(), rev.end());
  transform(rev, static_cast<size_t>(removed));
}

void NormalizedString::map(const std::function<char32_t(char32_t)>& fn) {
  std::vector<Change> out;
  out.reserve(normalized_.size());
  for (char32_t c : normalized_) out.push_back({fn(c), 0});
  transform(out, 0);
}

void NormalizedString::for_each(const std::function<void(char32_t)>& fn) const {
  for (char32_t c : normalized_) fn(c);
}

void NormalizedString::lowercase() {
  std::vector<Change> out;
  out.reserve(normalized_.size());
  std::u32string buf;
  for (char32_t c : normalized_) {
    buf.clear();
    unicode::to_lowercase(c, buf);
    for (size_t i = 0; i < buf.size(); ++i) out.push_back({buf[i], i == 0 ? 0 : 1});
  }
  transform(out, 0);
}

void NormalizedString::uppercase() {
  std::vector<Change> out;
  out.reserve(normalized_.size());
  std::u32string buf;
  for (char32_t c : normalized_) {
    buf.clear();
    unicode::to_uppercase(c, buf);
    for (size_t i = 0; i < buf.size(); ++i) out.push_back({buf[i], i == 0 ? 0 : 1});
  }
  transform(out, 0);
}

void NormalizedString::prepend(std::u32string_view s) {
  if (normalized_.empty() || s.empty()) return;
  // s[0] takes the place of the first char, the rest of s and that char become insertions.
  std::vector<Change> out;
  for (size_t i = 0; i < s.size(); ++i) out.push_back({s[i], i == 0 ? 0 : 1});
  out.push_back({normalized_[0], 1});
  transform_range(0, 1, out, 0);
}

void NormalizedString::append(std::u32string_view s) {
  if (normalized_.empty() || s.empty()) return;
  size_t last = normalized_.size() - 1;
  std::vector<Change> out{{normalized_[last], 0}};
  for (char32_t c : s) out.push_back({c, 1});
  transform_range(last, normalized_.size(), out, 0);
}

void NormalizedString::replace(std::u32string_view pattern, std::u32string_view content) {
  replace_matches(find_string_matches(normalized_, pattern), content);
}

void NormalizedString::replace_matches(const Matches& matches, std::u32string_view content) {
  // One pass over the string. Replacing match by match (HF calls transform_range for each,
  // shifting the offsets of the later ones) moves the rest of the string every time: quadratic
  // in the matches, and Metaspace replaces every space (a 190 KB text took 0.7 s to pre-
  // tokenize, 570 KB 6 s). The result is the same: `matches` cover the string in order, and
  // each replacement char takes the alignment transform_range gives an inserted char, that of
  // the char just before it, which is the last char it replaces (for an empty match, the char
  // before the match, (0,0) at the very start).
  bool any = false;
  for (const auto& entry : matches) any = any || entry.second;
  if (!any) return;
  std::u32string chars;
  std::vector<Offsets> aligns;
  chars.reserve(normalized_.size());
  aligns.reserve(normalized_.size());
  for (const auto& [off, is_match] : matches) {
    if (off.start > off.end || off.end > normalized_.size()) internal("replace: match out of bounds");
    if (!is_match) {
      chars.append(normalized_, off.start, off.end - off.start);
      aligns.insert(aligns.end(), alignments_.begin() + off.start, alignments_.begin() + off.end);
      continue;
    }
    const Offsets align = off.end >= 1 ? alignments_[off.end - 1] : Offsets{0, 0};
    for (char32_t c : content) {
      chars.push_back(c);
      aligns.push_back(align);
    }
  }
  normalized_ = std::move(chars);
  alignments_ = std::move(aligns);
}

void NormalizedString::clear() { transform({}, normalized_.size()); }

void NormalizedString::lrstrip(bool left, bool right) {
  const size_t n = normalized_.size();
  size_t lead = 0, trail = 0;
  if (left) while (lead < n && unicode::is_whitespace(normalized_[lead])) ++lead;
  if (right) while (trail < n && unicode::is_whitespace(normalized_[n - 1 - trail])) ++trail;
  if (lead == 0 && trail == 0) return;
  std::vector<Change> out;
  for (size_t i = 0; i < n; ++i) {
    if (i < lead || i + trail >= n) continue;
    if (i + trail + 1 == n) out.push_back({normalized_[i], -static_cast<int32_t>(trail)});
    else out.push_back({normalized_[i], 0});
  }
  transform(out, lead);
}

std::vector<NormalizedString> NormalizedString::split(const Matches& matches,
                                                      SplitDelimiterBehavior behavior) const {
  using B = SplitDelimiterBehavior;
  Matches parts;  // (range, remove?)
  switch (behavior) {
    case B::kIsolated:
      for (const auto& m : matches) parts.push_back({m.first, false});
      break;
    case B::kRemoved:
      parts = matches;
      break;
    case B::kContiguous: {
      bool prev = false;
      for (const auto& [off, is_match] : matches) {
        if (is_match == prev && !parts.empty()) parts.back().first.end = off.end;
        else parts.push_back({off, false});
        prev = is_match;
      }
      break;
    }
    case B::kMergedWithPrevious: {
      bool prev = false;
      for (const auto& [off, is_match] : matches) {
        if (is_match && !prev && !parts.empty()) parts.back().first.end = off.end;
        else parts.push_back({off, false});
        prev = is_match;
      }
      break;
    }
    case B::kMergedWithNext: {
      bool prev = false;
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        const auto& [off, is_match] = *it;
        if (is_match && !prev && !parts.empty()) parts.back().first.start = off.start;
        else parts.push_back({off, false});
        prev = is_match;
      }
      std::reverse(parts.begin(), parts.end());
      break;
    }
  }
  std::vector<NormalizedString> out;
  out.reserve(parts.size());
  for (const auto& [off, remove] : parts) {
    if (remove) continue;
    auto s = slice(off.start, off.end);
    if (!s) internal("bad split");
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace tokclass
