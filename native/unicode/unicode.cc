#include "unicode/unicode.h"

#include <algorithm>

#include "unicode/unicode_tables.h"

namespace tokclass::unicode {

namespace t = tables;

namespace {

// Hangul syllable constants (Unicode ch. 3.12): composition/decomposition is arithmetic.
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr int kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount,
              kSCount = kLCount * kNCount;

// Finds cp in a mapping table; appends its mapping and returns true.
bool lookup(const uint32_t* keys, size_t n, const uint32_t* index, const uint32_t* pool,
            char32_t cp, std::u32string& out) {
  const uint32_t* end = keys + n;
  const uint32_t* it = std::lower_bound(keys, end, static_cast<uint32_t>(cp));
  if (it == end || *it != cp) return false;
  uint32_t e = index[it - keys];
  const uint32_t* p = pool + (e >> 8);
  for (uint32_t i = 0; i < (e & 0xFF); ++i) out.push_back(static_cast<char32_t>(p[i]));
  return true;
}

// The entry of `ranges` (sorted, disjoint, `stride` values each, the first two being the first
// and last code point) that holds c, or nullptr.
const uint32_t* range_of(const uint32_t* ranges, size_t size, size_t stride, char32_t c) {
  size_t lo = 0, hi = size / stride;
  while (lo < hi) {  // the first entry whose last code point is >= c
    const size_t mid = (lo + hi) / 2;
    if (ranges[mid * stride + 1] < c) lo = mid + 1;
    else hi = mid;
  }
  return lo < size / stride && ranges[lo * stride] <= c ? ranges + lo * stride : nullptr;
}

}  // namespace

Category category(char32_t c) {
  if (c >= 0x110000) return Category::Cn;
  return static_cast<Category>(t::kCategoryStage2[t::kCategoryStage1[c >> 8] * 256 + (c & 255)]);
}

bool is_whitespace(char32_t c) {
  // White_Space (PropList.txt); stable since Unicode 6.
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

namespace {

// Whether c lies in one of the sorted (first, last) pairs of `ranges`.
bool in_ranges(const uint32_t* ranges, size_t size, char32_t c) { return range_of(ranges, size, 2, c) != nullptr; }

// Whether Unicode 8.0 had not yet assigned c, for a c of a P*, Cc, Cf, Co or Mn category (the
// generated ranges hold only those). Looked up only after the category matched, so the common
// letters and spaces never search.
bool assigned_after_unicode8(char32_t c) {
  return in_ranges(t::kAssignedAfterUnicode8Ranges, t::kAssignedAfterUnicode8Ranges_size, c);
}

// General_Category changes since Unicode 8.0 (to the 16.0 categories of the tables) among characters 8.0 already had, where the old
// category decides one of the predicates below (UnicodeData.txt then and now; each confirmed
// by the code-point sweep against tokenizers, test/conformance/unicode-versions.test.ts).
constexpr char32_t kCanadianChiSign = 0x166D;       // Po then, So now
constexpr char32_t kSharadaSandhiMark = 0x111C9;    // Po then, Mn now
constexpr char32_t kHanunooPamudpod = 0x1734;       // Mn then, Mc now
constexpr char32_t kMongolianBaluda = 0x1885;       // and 0x1886: Lo then, Mn now
constexpr char32_t kJavaneseKeret = 0xA9BD;         // Mc then, Mn now
constexpr char32_t kAhomMedialRa = 0x1171E;         // Mn then, Mc now
// Likewise since Unicode 9.0 (is_combining_mark): Mc then, Lo now.
constexpr char32_t kVedicArdhavisarga = 0x1CF2;     // and 0x1CF3

}  // namespace

bool is_other(char32_t c) {
  Category k = category(c);
  return (k == Category::Cc || k == Category::Cf || k == Category::Co) && !assigned_after_unicode8(c);
}

bool is_punctuation(char32_t c) {
  if (c == kCanadianChiSign || c == kSharadaSandhiMark) return true;
  Category k = category(c);
  return k >= Category::Pc && k <= Category::Po && !assigned_after_unicode8(c);
}

bool is_combining_mark(char32_t c) {
  if (c == kVedicArdhavisarga || c == kVedicArdhavisarga + 1) return true;
  if (c == kSharadaSandhiMark) return false;  // Po in 9.0 too
  const Category k = category(c);
  return (k == Category::Mn || k == Category::Mc || k == Category::Me) &&
         !in_ranges(t::kMarksAfterUnicode9Ranges, t::kMarksAfterUnicode9Ranges_size, c);
}

bool is_mark_nonspacing(char32_t c) {
  if (c == kHanunooPamudpod || c == kAhomMedialRa) return true;
  if (c == kSharadaSandhiMark || c == kMongolianBaluda || c == kMongolianBaluda + 1 || c == kJavaneseKeret) return false;
  return category(c) == Category::Mn && !assigned_after_unicode8(c);
}

bool is_letter(char32_t c) {
  Category k = category(c);
  return k >= Category::Lu && k <= Category::Lo;
}

bool is_number(char32_t c) {
  Category k = category(c);
  return k >= Category::Nd && k <= Category::No;
}

bool is_alphanumeric(char32_t c) { return is_letter(c) || is_number(c); }

void to_lowercase(char32_t c, std::u32string& out) {
  if (c < 0x80) {
    out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return;
  }
  if (!lookup(t::kLowerKeys, t::kLowerKeys_size, t::kLowerIndex, t::kLowerPool, c, out))
    out.push_back(c);
}

void to_uppercase(char32_t c, std::u32string& out) {
  if (c < 0x80) {
    out.push_back(c >= 'a' && c <= 'z' ? c - 32 : c);
    return;
  }
  if (!lookup(t::kUpperKeys, t::kUpperKeys_size, t::kUpperIndex, t::kUpperPool, c, out))
    out.push_back(c);
}

void decompose(char32_t c, bool compat, std::u32string& out) {
  if (c < 0xA0) {  // nothing below U+00A0 decomposes
    out.push_back(c);
    return;
  }
  if (c >= kSBase && c < kSBase + kSCount) {
    int s = static_cast<int>(c - kSBase);
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  bool found = compat ? lookup(t::kCompatKeys, t::kCompatKeys_size, t::kCompatIndex,
                               t::kCompatPool, c, out)
                      : lookup(t::kCanonicalKeys, t::kCanonicalKeys_size, t::kCanonicalIndex,
                               t::kCanonicalPool, c, out);
  if (!found) out.push_back(c);
}

uint8_t ccc(char32_t c) {
  if (c < 0x300) return 0;
  // (first, last, class) triples
  const uint32_t* r = range_of(t::kCccRanges, t::kCccRanges_size, 3, c);
  return r == nullptr ? 0 : static_cast<uint8_t>(r[2]);
}

std::optional<char32_t> compose(char32_t a, char32_t b) {
  if (b < kFirstComposingSecond) return std::nullopt;
  // Hangul LV and LV + T.
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount)
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount)
    return a + (b - kTBase);
  uint64_t key = (static_cast<uint64_t>(a) << 32) | b;
  const uint64_t* end = t::kComposeKeys + t::kComposeValues_size;
  const uint64_t* it = std::lower_bound(t::kComposeKeys, end, key);
  if (it == end || *it != key) return std::nullopt;
  return static_cast<char32_t>(t::kComposeValues[it - t::kComposeKeys]);
}

}  // namespace tokclass::unicode
