// tokenizer_unit_check: small self-checks of the tokenizer building blocks (NormalizedString
// alignments, split behaviors, JSON reader, WordPiece decoder). Offsets are checked by slicing
// the original text, as HF's own tests do. Exit status 0 when everything passes.
#include <iostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/decoders/wordpiece.h"
#include "tokenizer/normalized_string.h"
#include "unicode/unicode.h"

using namespace tokclass;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::cerr << "FAIL: " << what << "\n";
  }
}

std::string s8(const std::u32string& s) { return utf8::encode(s); }

// The original text a normalized range comes from (absolute offsets, as encodings report).
std::string original_of(const NormalizedString& whole, const NormalizedString& part, size_t a,
                        size_t b) {
  auto o = part.normalized_to_original(a, b);
  if (!o) return "<none>";
  uint32_t s = part.original_shift() + o->start, e = part.original_shift() + o->end;
  return s8(whole.original().substr(s, e - s));
}

void test_split_behaviors() {
  NormalizedString n(U"the-final--countdown");
  auto dash = [](char32_t c) { return c == U'-'; };
  auto join = [](const std::vector<NormalizedString>& v) {
    std::string out;
    for (const auto& p : v) out += "[" + s8(p.get()) + "]";
    return out;
  };
  using B = SplitDelimiterBehavior;
  check(join(n.split(dash, B::kRemoved)) == "[the][final][countdown]", "split Removed");
  check(join(n.split(dash, B::kIsolated)) == "[the][-][final][-][-][countdown]", "split Isolated");
  check(join(n.split(dash, B::kMergedWithPrevious)) == "[the-][final-][-][countdown]",
        "split MergedWithPrevious");
  check(join(n.split(dash, B::kMergedWithNext)) == "[the][-final][-][-countdown]",
        "split MergedWithNext");
  check(join(n.split(dash, B::kContiguous)) == "[the][-][final][--][countdown]", "split Contiguous");
  auto parts = n.split(dash, B::kRemoved);
  check(parts[2].original_shift() == 11 && original_of(n, parts[2], 0, 9) == "countdown",
        "split keeps shift");
}

void test_transforms() {
  // Lowercase with a multi-char expansion: İ -> i + U+0307, both aligned to İ.
  NormalizedString a(U"\u0130stanbul");
  a.lowercase();
  check(a.get() == U"i\u0307stanbul", "lowercase İ");
  check(original_of(a, a, 0, 2) == "\u0130" && original_of(a, a, 2, 3) == "s", "lowercase align");

  // NFD then drop marks: "Café" -> "Cafe" and 'e' still maps to 'é'.
  NormalizedString b(U"Caf\u00e9!");
  b.nfd();
  b.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
  check(b.get() == U"Cafe!", "strip accents text");
  check(original_of(b, b, 3, 4) == "\u00e9" && original_of(b, b, 4, 5) == "!",
        "strip accents align");

  // Filter at the start and in the middle.
  NormalizedString c(U"\x01" U"ab\x02" U"c");
  c.filter([](char32_t ch) { return ch >= U'a'; });
  check(c.get() == U"abc" && original_of(c, c, 2, 3) == "c", "filter");

  // Prepend: the new chars share the first char's alignment.
  NormalizedString d(U"Hey");
  d.prepend(U"\u2581");
  check(d.get() == U"\u2581Hey" && original_of(d, d, 0, 1) == "H", "prepend");

  // Replace and slice.
  NormalizedString e(U"a  b  c");
  e.replace(U"  ", U" ");
  check(e.get() == U"a b c", "replace text");
  // HF: the inserted content takes the alignment of the last replaced char.
  check(original_of(e, e, 1, 2) == " " && e.alignments()[1].start == 2 &&
            original_of(e, e, 4, 5) == "c",
        "replace align");

  // NFKC of a ligature expands, both letters map to the ligature.
  NormalizedString f(U"\uFB01x");
  f.nfkc();
  check(f.get() == U"fix" && original_of(f, f, 1, 2) == "\uFB01", "nfkc ligature");

  // Empty ranges convert to themselves, as HF.
  auto r = f.normalized_to_original(2, 2);
  check(r && r->start == 2 && r->end == 2, "empty range");

  // strip
  NormalizedString g(U"  hi \u3000");
  g.strip();
  check(g.get() == U"hi" && original_of(g, g, 0, 2) == "hi", "strip");
}

void test_json() {
  json::Value v = json::parse(R"({"b":1,"a":[true,null,"\u00e9\ud83d\ude00"],"n":-2.5e1})");
  const json::Object& o = v.as_object();
  check(o.size() == 3 && o[0].key == "b" && o[1].key == "a", "json key order");
  check(v.at("a").as_array()[2].as_string() == "\u00e9\U0001F600", "json unicode escapes");
  check(v.at("n").as_double() == -25.0 && v.at("b").as_int() == 1, "json numbers");
  for (const char* bad : {"{\"a\":1,}", "[1 2]", "\"\\ud800\"", "01", "{\"a\" 1}", "[\"\x01\"]"}) {
    bool threw = false;
    try {
      json::parse(bad);
    } catch (const Error& e) {
      threw = e.code() == codes::kTokenizerInvalid;
    }
    check(threw, std::string("json rejects ") + bad);
  }
  std::string deep(600, '[');
  bool threw = false;
  try {
    json::parse(deep);
  } catch (const Error&) {
    threw = true;
  }
  check(threw, "json depth limit");
  check(json::quoted("a\"\n\x01") == "\"a\\\"\\n\\u0001\"", "json quoted");
}

void test_decoder() {
  WordPieceDecoder d("##", true);
  std::string out;
  for (const auto& p : d.decode_chain({"Je", "##ss", "##ica", ",", "isn", "'", "t", "."})) out += p;
  // Cleanup runs per token (as HF), so " ' " never occurs inside one token.
  check(out == "Jessica, isn ' t.", "wordpiece decode: " + out);
}

}  // namespace

int main() {
  test_split_behaviors();
  test_transforms();
  test_json();
  test_decoder();
  if (failures) {
    std::cerr << failures << " check(s) failed\n";
    return 1;
  }
  std::cout << "tokenizer_unit_check: all checks passed\n";
  return 0;
}
