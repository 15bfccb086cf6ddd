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

bool is_other(char32_t c) {
  Category k = category(c);
  return k == Category::Cc || k == Category::Cf || k == Category::Co;
}

bool is_punctuation(char32_t c) {
  Category k = category(c);
  return k >= Category::Pc && k <= Category::Po;
}

bool is_mark_nonspacing(char32_t c) { return category(c) == Category::Mn; }

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
  // Ranges are (first, last, class) triples sorted by first: find the last first <= c.
  size_t lo = 0, hi = t::kCccRanges_size / 3;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t::kCccRanges[mid * 3] <= c) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return 0;
  const uint32_t* r = t::kCccRanges + (lo - 1) * 3;
  return c <= r[1] ? static_cast<uint8_t>(r[2]) : 0;
}

std::optional<char32_t> compose(char32_t a, char32_t b) {
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
