#include "tokenizer/pre_tokenizers/gpt2_split.h"

#include "unicode/unicode.h"

namespace tokclass {

namespace {

bool is_space(char32_t c) { return unicode::is_whitespace(c); }
bool is_other(char32_t c) { return !is_space(c) && !unicode::is_letter(c) && !unicode::is_number(c); }

// Length of the match starting at i (> 0 for any i < s.size()).
size_t match_at(std::u32string_view s, size_t i) {
  const size_t n = s.size();
  auto run = [&](size_t j, bool (*pred)(char32_t)) {
    while (j < n && pred(s[j])) ++j;
    return j;
  };
  // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive, as the pattern has no (?i)).
  if (s[i] == U'\'' && i + 1 < n) {
    char32_t a = s[i + 1];
    if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
    if (i + 2 < n) {
      char32_t b = s[i + 2];
      if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
    }
  }
  // ` ?X+` for X = \p{L}, \p{N}, [^\s\p{L}\p{N}], in that order.
  const size_t j = (s[i] == U' ') ? i + 1 : i;
  if (j < n) {
    if (unicode::is_letter(s[j])) return run(j, +[](char32_t c) { return unicode::is_letter(c); }) - i;
    if (unicode::is_number(s[j])) return run(j, +[](char32_t c) { return unicode::is_number(c); }) - i;
    if (is_other(s[j])) return run(j, is_other) - i;
  }
  // \s+(?!\S) | \s+
  const size_t k = run(i, is_space);
  if (k == n) return k - i;       // run reaches the end: (?!\S) holds
  if (k - i >= 2) return k - i - 1;  // back off one char so the lookahead sees whitespace
  return k - i;                      // single whitespace before \S: plain \s+
}

}  // namespace

Matches gpt2_split_matches(std::u32string_view s) {
  Matches out;
  if (s.empty()) {
    out.push_back({{0, 0}, false});
    return out;
  }
  for (size_t i = 0; i < s.size();) {
    size_t len = match_at(s, i);
    out.push_back({{static_cast<uint32_t>(i), static_cast<uint32_t>(i + len)}, true});
    i += len;
  }
  return out;
}

}  // namespace tokclass
