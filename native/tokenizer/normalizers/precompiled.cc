#include "tokenizer/normalizers/precompiled.h"

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

namespace {

// Darts-clone double-array unit accessors (as sentencepiece / spm_precompiled read them).
bool has_leaf(uint32_t u) { return ((u >> 8) & 1) == 1; }
uint32_t unit_value(uint32_t u) { return u & ((1u << 31) - 1); }
uint32_t unit_label(uint32_t u) { return u & ((1u << 31) | 0xFF); }
uint32_t unit_offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

using unicode::Category;

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

bool is_prepend(char32_t c) {
  return in(c, 0x0600, 0x0605) || c == 0x06DD || c == 0x070F || in(c, 0x0890, 0x0891) || c == 0x08E2 ||
         c == 0x0D4E || c == 0x110BD || c == 0x110CD || in(c, 0x111C2, 0x111C3) || c == 0x1193F ||
         c == 0x11941 || c == 0x11A3A || in(c, 0x11A84, 0x11A89) || c == 0x11D46 || c == 0x11F02;
}

bool is_control(char32_t c) {
  if (c == 0x200C || c == 0x200D || is_prepend(c) || in(c, 0xE0020, 0xE007F)) return false;
  Category k = unicode::category(c);
  return k == Category::Cc || k == Category::Cf || k == Category::Zl || k == Category::Zp;
}

// Spacing marks that UAX #29 leaves out of SpacingMark (grapheme break before them).
bool is_mc_exception(char32_t c) {
  return c == 0x102B || c == 0x102C || c == 0x1038 || in(c, 0x1062, 0x1064) || in(c, 0x1067, 0x106D) ||
         c == 0x1083 || in(c, 0x1087, 0x108C) || c == 0x108F || in(c, 0x109A, 0x109C) || c == 0x1A61 ||
         in(c, 0x1A63, 0x1A64) || c == 0xAA7B || c == 0xAA7D || in(c, 0x11720, 0x11721);
}

// Extend | SpacingMark | ZWJ: never a break before these (GB9, GB9a).
bool is_extend_like(char32_t c) {
  if (c == 0x200C || c == 0x200D || in(c, 0xFF9E, 0xFF9F) || in(c, 0x1F3FB, 0x1F3FF) || in(c, 0xE0020, 0xE007F) ||
      c == 0x0E33 || c == 0x0EB3)
    return true;
  Category k = unicode::category(c);
  if (k == Category::Mn || k == Category::Me) return true;
  return k == Category::Mc && !is_mc_exception(c);
}

bool is_regional_indicator(char32_t c) { return in(c, 0x1F1E6, 0x1F1FF); }

// Extended_Pictographic, approximately (only decides ZWJ joins of emoji, whose clusters are
// always 6+ bytes and so never change the output).
bool is_pictographic(char32_t c) {
  return in(c, 0x1F000, 0x1FAFF) || in(c, 0x2600, 0x27BF) || in(c, 0x2300, 0x23FF) || in(c, 0x2B00, 0x2BFF) ||
         c == 0x00A9 || c == 0x00AE || c == 0x203C || c == 0x2049 || c == 0x2122 || c == 0x2139 ||
         in(c, 0x2194, 0x21AA) || c == 0x3030 || c == 0x303D || c == 0x3297 || c == 0x3299;
}

enum class Hangul { kNone, kL, kV, kT, kLV, kLVT };
Hangul hangul(char32_t c) {
  if (in(c, 0x1100, 0x115F) || in(c, 0xA960, 0xA97C)) return Hangul::kL;
  if (in(c, 0x1160, 0x11A7) || in(c, 0xD7B0, 0xD7C6)) return Hangul::kV;
  if (in(c, 0x11A8, 0x11FF) || in(c, 0xD7CB, 0xD7FB)) return Hangul::kT;
  if (in(c, 0xAC00, 0xD7A3)) return (c - 0xAC00) % 28 == 0 ? Hangul::kLV : Hangul::kLVT;
  return Hangul::kNone;
}
bool hangul_joins(Hangul a, Hangul b) {
  switch (a) {
    case Hangul::kL: return b == Hangul::kL || b == Hangul::kV || b == Hangul::kLV || b == Hangul::kLVT;
    case Hangul::kLV: case Hangul::kV: return b == Hangul::kV || b == Hangul::kT;
    case Hangul::kLVT: case Hangul::kT: return b == Hangul::kT;
    default: return false;
  }
}

// HF precompiled.rs `replace`: the new chars replace the old ones in place; extra new chars
// are insertions (+1), fewer new chars fold the difference into the last one.
void push_replacement(std::vector<NormalizedString::Change>& out, size_t old_count, std::string_view repl) {
  const std::u32string chars = utf8::decode(repl);
  const size_t start = out.size();
  for (char32_t c : chars) out.push_back({c, 0});
  const int64_t diff = static_cast<int64_t>(chars.size()) - static_cast<int64_t>(old_count);
  if (diff > 0) {
    for (int64_t k = 0; k < diff && out.size() - k > start; ++k) out[out.size() - 1 - k].change = 1;
  } else if (diff < 0 && !out.empty()) {
    // As HF: the last transformation pushed so far absorbs the removal, even when the
    // replacement is empty and that is a previous chunk's char.
    out.back().change += static_cast<int32_t>(diff);
  }
}

}  // namespace

std::string base64_decode(std::string_view in, const char* what) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = val(c);
    if (v < 0) throw Error(codes::kTokenizerInvalid, std::string(what) + " is not valid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

size_t grapheme_end(std::u32string_view s, size_t i) {
  const size_t n = s.size();
  char32_t c = s[i++];
  if (c == U'\r') return (i < n && s[i] == U'\n') ? i + 1 : i;  // GB3, GB4
  if (c == U'\n' || is_control(c)) return i;                     // GB4
  auto breaks_hard = [](char32_t d) { return d == U'\r' || d == U'\n' || is_control(d); };
  while (is_prepend(c) && i < n && !breaks_hard(s[i])) c = s[i++];  // GB9b
  if (is_regional_indicator(c) && i < n && is_regional_indicator(s[i])) ++i;  // GB12/13
  for (Hangul h = hangul(c); h != Hangul::kNone && i < n && hangul_joins(h, hangul(s[i]));) h = hangul(s[i++]);
  const bool pict = is_pictographic(c);
  while (i < n) {
    if (is_extend_like(s[i])) { ++i; continue; }  // GB9, GB9a
    if (pict && s[i - 1] == 0x200D && is_pictographic(s[i])) { ++i; continue; }  // GB11
    break;
  }
  return i;
}

PrecompiledNormalizer::PrecompiledNormalizer(std::string charsmap) {
  auto bad = [] { return Error(codes::kTokenizerInvalid, "normalizer.precompiled_charsmap is malformed"); };
  if (charsmap.size() < 4) throw bad();
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(charsmap[k])); };
  const uint32_t trie_size = byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
  if (trie_size % 4 != 0 || 4 + static_cast<size_t>(trie_size) > charsmap.size()) throw bad();
  trie_.reserve(trie_size / 4);
  for (size_t k = 4; k < 4 + static_cast<size_t>(trie_size); k += 4) {
    trie_.push_back(byte(k) | byte(k + 1) << 8 | byte(k + 2) << 16 | byte(k + 3) << 24);
  }
  normalized_ = charsmap.substr(4 + trie_size);
  if (trie_.empty()) throw bad();
  try {
    utf8::decode(normalized_);  // HF refuses a replacement blob that is not UTF-8
  } catch (const Error&) {
    throw bad();
  }
}

std::optional<std::string_view> PrecompiledNormalizer::transform(std::string_view chunk) const {
  size_t node = 0;
  uint32_t unit = trie_[node];
  node ^= unit_offset(unit);
  for (unsigned char ch : chunk) {
    if (ch == 0) break;
    node ^= ch;
    if (node >= trie_.size()) return std::nullopt;
    unit = trie_[node];
    if (unit_label(unit) != ch) return std::nullopt;
    node ^= unit_offset(unit);
    if (node >= trie_.size()) return std::nullopt;
    if (has_leaf(unit)) {
      // The first (shortest) key found decides, as spm_precompiled's transform.
      size_t begin = unit_value(trie_[node]);
      if (begin > normalized_.size()) return std::nullopt;
      size_t end = normalized_.find('\0', begin);
      if (end == std::string::npos) end = normalized_.size();
      return std::string_view(normalized_).substr(begin, end - begin);
    }
  }
  return std::nullopt;
}

void PrecompiledNormalizer::normalize(NormalizedString& s) const {
  const std::u32string& text = s.get();
  std::vector<NormalizedString::Change> out;
  out.reserve(text.size());
  bool modified = false;
  std::string chunk;
  for (size_t i = 0; i < text.size();) {
    const size_t end = grapheme_end(text, i);
    chunk = utf8::encode(std::u32string_view(text).substr(i, end - i));
    if (chunk.size() < 6) {
      if (auto repl = transform(chunk)) {
        modified = true;
        push_replacement(out, end - i, *repl);
        i = end;
        continue;
      }
    }
    for (size_t k = i; k < end; ++k) {
      std::string one;
      utf8::append(one, text[k]);
      if (auto repl = transform(one)) {
        modified = true;
        push_replacement(out, 1, *repl);
      } else {
        out.push_back({text[k], 0});
      }
    }
    i = end;
  }
  if (modified) s.transform(out, 0);
}

TOKCLASS_REGISTER_NORMALIZER("Precompiled", [](const json::Value& v) -> std::unique_ptr<Normalizer> {
  const json::Value* map = v.find_non_null("precompiled_charsmap");
  if (!map) throw Error(codes::kTokenizerInvalid, "normalizer Precompiled has no precompiled_charsmap");
  return std::make_unique<PrecompiledNormalizer>(
      base64_decode(map->as_string("normalizer.precompiled_charsmap"), "normalizer.precompiled_charsmap"));
})

}  // namespace tokclass
