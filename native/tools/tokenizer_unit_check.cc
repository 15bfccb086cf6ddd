// tokenizer_unit_check: small self-checks of the tokenizer building blocks (NormalizedString
// alignments, split behaviors, JSON reader, WordPiece decoder, vocabulary table). Offsets are checked by slicing
// the original text, as HF's own tests do. Exit status 0 when everything passes.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "common/serde_float.h"
#include "common/utf8.h"
#include "tokenizer/decoders/wordpiece.h"
#include "tokenizer/models/merge_table.h"
#include "tokenizer/models/vocab_table.h"
#include "tokenizer/normalized_string.h"
#include "tokenizer/truncation.h"
#include "tools/check.h"
#include "unicode/unicode.h"
#include "unicode/unicode_tables.h"

using namespace tokclass;

namespace {

using tools::check;
using tools::failures;

std::string s8(const std::u32string& s) { return utf8::encode(s); }

// The original text a normalized range comes from (absolute offsets, as encodings report).
// `text` is what the whole NormalizedString was made from (it keeps only the length).
std::string original_of(const std::u32string& text, const NormalizedString& part, size_t a,
                        size_t b) {
  auto o = part.normalized_to_original(a, b);
  if (!o) return "<none>";
  uint32_t s = part.original_shift() + o->start, e = part.original_shift() + o->end;
  return s8(text.substr(s, e - s));
}

void test_split_behaviors() {
  const std::u32string n_text = U"the-final--countdown";
  NormalizedString n(n_text);
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
  check(parts[2].original_shift() == 11 && original_of(n_text, parts[2], 0, 9) == "countdown",
        "split keeps shift");
}

void test_transforms() {
  // Lowercase with a multi-char expansion: İ -> i + U+0307, both aligned to İ.
  const std::u32string a_text = U"\u0130stanbul";
  NormalizedString a(a_text);
  a.lowercase();
  check(a.get() == U"i\u0307stanbul", "lowercase İ");
  check(original_of(a_text, a, 0, 2) == "\u0130" && original_of(a_text, a, 2, 3) == "s",
        "lowercase align");

  // NFD then drop marks: "Café" -> "Cafe" and 'e' still maps to 'é'.
  const std::u32string b_text = U"Caf\u00e9!";
  NormalizedString b(b_text);
  b.nfd();
  b.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
  check(b.get() == U"Cafe!", "strip accents text");
  check(original_of(b_text, b, 3, 4) == "\u00e9" && original_of(b_text, b, 4, 5) == "!",
        "strip accents align");

  // Filter at the start and in the middle.
  const std::u32string c_text = U"\x01" U"ab\x02" U"c";
  NormalizedString c(c_text);
  c.filter([](char32_t ch) { return ch >= U'a'; });
  check(c.get() == U"abc" && original_of(c_text, c, 2, 3) == "c", "filter");

  // Prepend: the new chars share the first char's alignment.
  const std::u32string d_text = U"Hey";
  NormalizedString d(d_text);
  d.prepend(U"\u2581");
  check(d.get() == U"\u2581Hey" && original_of(d_text, d, 0, 1) == "H", "prepend");

  // Replace and slice.
  const std::u32string e_text = U"a  b  c";
  NormalizedString e(e_text);
  e.replace(U"  ", U" ");
  check(e.get() == U"a b c", "replace text");
  // HF: the inserted content takes the alignment of the last replaced char.
  check(original_of(e_text, e, 1, 2) == " " && e.alignments()[1].start == 2 &&
            original_of(e_text, e, 4, 5) == "c",
        "replace align");

  // NFKC of a ligature expands, both letters map to the ligature.
  const std::u32string f_text = U"\uFB01x";
  NormalizedString f(f_text);
  f.nfkc();
  check(f.get() == U"fix" && original_of(f_text, f, 1, 2) == "\uFB01", "nfkc ligature");

  // Empty ranges convert to themselves, as HF.
  auto r = f.normalized_to_original(2, 2);
  check(r && r->start == 2 && r->end == 2, "empty range");

  // strip
  const std::u32string g_text = U"  hi \u3000";
  NormalizedString g(g_text);
  g.strip();
  check(g.get() == U"hi" && original_of(g_text, g, 0, 2) == "hi", "strip");
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

// JSON numbers as Hugging Face tokenizers reads them (serde_float.h). Expected bits: what
// tokenizers 0.23.2 (its npm binding) held after reading each string as a Unigram score, read
// back from the file its save() wrote (shortest round-trip form), 2026-11-27. Eleven of them
// differ from the correctly rounded value (std::from_chars), which is checked too.
void test_serde_floats() {
  struct Case {
    const char* text;
    uint64_t bits;
  };
  const Case cases[] = {
      {"-7.2841196891470075", 0xc01d22f0459424f4ull},
      {"-7.3571902416867765", 0xc01d6dc34759faebull},
      {"-7.4828620869312426", 0xc01dee73661f645aull},
      {"-7.6391459288960695", 0xc01e8e7c4537ebaeull},
      {"-7.6911620101860665", 0xc01ec3bff957f276ull},
      {"-12.345678901234567", 0xc028b0fcd32f707aull},
      {"-0.1", 0xbfb999999999999aull},
      {"-1e-7", 0xbe7ad7f29abcaf48ull},
      {"-1.5E+2", 0xc062c00000000000ull},
      {"-123456789012345678901234.5", 0xc4ba249b1f10a06cull},
      {"-0.0000000000000000000001234567890123456789012", 0xbb62a800d163332full},
      {"-9.999999999999999999999", 0xc024000000000000ull},
      {"-3.0000000000000004", 0xc008000000000001ull},
      {"-2.2250738585072014e-308", 0x8010000000000000ull},
      {"-4.9e-324", 0x8000000000000001ull},
      {"-1.7976931348623157e308", 0xffefffffffffffffull},
      {"-18446744073709551615.5", 0xc3f0000000000000ull},
      {"-18446744073709551616", 0xc3f0000000000000ull},
      {"-1844674407370955161.6", 0xc3b999999999999aull},
      {"-1844674407370955161.5", 0xc3b999999999999aull},
      {"-0", 0x8000000000000000ull},
      {"-8", 0xc020000000000000ull},
      {"-14.000000000000002", 0xc02c000000000001ull},
      {"-5e-1", 0xbfe0000000000000ull},
      {"-99.99e-2", 0xbfefff2e48e8a71eull},
      {"-5.603094674308114", 0xc0166991a67a2e34ull},
      {"-3.76235383425116173", 0xc00e194cf790b628ull},
      {"-13.5732922754386451482", 0xc02b258690ac1de7ull},
      {"-12.750492898996301041", 0xc02980409af22382ull},
      {"-11.56474958626057290", 0xc0272126db96d65eull},
      {"-11.54029110190452591", 0xc02714a10909ffdeull},
      {"-4.5612938087995474", 0xc0123ec3cde0f720ull},
      {"-6.3814884332090873", 0xc01986a4e761bdc2ull},
      {"-17.04875529216896371", 0xc0310c7b3a115f64ull},
      {"-5.0207376517480223", 0xc014153c404036e1ull},
      {"-13.43484184359296181", 0xc02adea397125408ull},
      {"-15.1982561791423610", 0xc02e6581d57b4af0ull},
      {"-9.007516169836874", 0xc02203d928cf47f7ull},
      {"-1.97844899475873674", 0xbfffa7ba2214af83ull},
      {"-13.412730073830625", 0xc02ad3515b325b3cull},
  };
  size_t not_correctly_rounded = 0;
  for (const Case& c : cases) {
    const std::optional<double> v = json::serde_json_f64(c.text);
    uint64_t bits = 0;
    if (v) std::memcpy(&bits, &*v, sizeof bits);
    check(v.has_value() && bits == c.bits, std::string("serde_json_f64 ") + c.text);
    double exact = 0;
    std::from_chars(c.text, c.text + std::strlen(c.text), exact);
    uint64_t exact_bits = 0;
    std::memcpy(&exact_bits, &exact, sizeof exact_bits);
    if (exact_bits != c.bits) ++not_correctly_rounded;
    // The JSON reader gives the same value.
    check(v.has_value() && json::parse(c.text).as_double() == *v, std::string("json reader ") + c.text);
  }
  check(not_correctly_rounded == 11, "eleven cases differ from the correctly rounded value");
  check(!json::serde_json_f64("1e400").has_value() && !json::serde_json_f64("-1.8e308").has_value(), "out of range");
  check(json::serde_json_f64("1e-400") == 0.0 && json::serde_json_f64("0e99999999999") == 0.0, "underflow and zero");
}

void test_decoder() {
  WordPieceDecoder d("##", true);
  std::string out;
  for (const auto& p : d.decode_chain({"Je", "##ss", "##ica", ",", "isn", "'", "t", "."})) out += p;
  // Cleanup runs per token (as HF), so " ' " never occurs inside one token.
  check(out == "Jessica, isn ' t.", "wordpiece decode: " + out);

  // Cleanup on whole strings, against transformers' clean_up_tokenization (the same chain of
  // Python str.replace calls, run in Python to get these expected values).
  const std::pair<const char*, const char*> cleaned[] = {
      {"a . b , c ! d ? e", "a. b, c! d? e"},
      {" ' s", "'s"},
      {"I do not know , they 're here ' s", "I don't know, they're here's"},
      {"no-space", "no-space"},
      {" .. ,,", "..,,"},
      {"x ' ' y", "x'' y"},
  };
  for (const auto& [in, want] : cleaned) {
    const std::string got = WordPieceDecoder::cleanup(in);
    check(got == want, std::string("cleanup(\"") + in + "\"): " + got);
  }
}

// VocabTable against std::unordered_map under the same assignments: random keys (empty ones,
// NUL bytes, long ones), re-pointed keys, growth from a small start.
void test_vocab_table() {
  std::mt19937 rng(7);
  for (size_t expected : {size_t{0}, size_t{3}, size_t{5000}}) {
    VocabTable table(expected);
    std::unordered_map<std::string, uint32_t> ref;
    std::vector<std::string> keys;
    for (int i = 0; i < 5000; ++i) {
      std::string k;
      const size_t len = rng() % 7 == 0 ? rng() % 40 : rng() % 6;
      for (size_t j = 0; j < len; ++j) k.push_back(static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 3));
      const uint32_t id = static_cast<uint32_t>(rng() % 6000);
      table.set(k, id);
      ref[k] = id;
      keys.push_back(k);
    }
    bool same = table.size() == ref.size();
    size_t longest = 0;
    for (const auto& [k, id] : ref) {
      same = same && table.find(k) == std::optional<uint32_t>(id);
      longest = std::max(longest, k.size());
    }
    for (int i = 0; i < 5000; ++i) {  // absent keys
      std::string k = keys[rng() % keys.size()] + static_cast<char>('d' + rng() % 3);
      if (!ref.count(k)) same = same && !table.find(k);
    }
    check(same, "vocab table lookups match unordered_map (expected " + std::to_string(expected) + ")");
    check(table.max_key_bytes() == longest, "vocab table max_key_bytes");
    // id -> key: exactly the ids some key maps to now, each with a key that maps to it.
    const auto by_id = table.keys_by_id();
    std::set<uint32_t> live;
    for (const auto& [k, id] : ref) live.insert(id);
    bool inverse = true;
    for (uint32_t id = 0; id < by_id.size(); ++id) {
      inverse = inverse && by_id[id].has_value() == (live.count(id) > 0);
      if (by_id[id]) inverse = inverse && ref.at(std::string(*by_id[id])) == id;
    }
    check(inverse && by_id.size() == *live.rbegin() + 1, "vocab table keys_by_id");
  }
  VocabTable empty;
  check(!empty.find("") && !empty.find("a") && empty.keys_by_id().empty(), "empty vocab table");
}

void test_merge_table() {
  std::mt19937 rng(11);
  for (size_t expected : {size_t{0}, size_t{7}, size_t{20000}}) {
    MergeTable table(expected);
    std::unordered_map<uint64_t, MergeTable::Target> ref;
    // Small dense ids, as vocabularies have, so that pairs repeat (a repeated merge re-points).
    for (uint32_t rank = 0; rank < 20000; ++rank) {
      const uint32_t a = static_cast<uint32_t>(rng() % 300), b = static_cast<uint32_t>(rng() % 300);
      const MergeTable::Target t{rank, static_cast<uint32_t>(rng() % 50000)};
      table.set(a, b, t);
      ref[(uint64_t{a} << 32) | b] = t;
    }
    table.set(0, 0, {20000, 1});  // the all-zero pair is a pair like any other
    ref[0] = {20000, 1};
    bool same = table.size() == ref.size();
    for (uint32_t a = 0; a < 310; ++a) {
      for (uint32_t b = 0; b < 310; ++b) {
        const auto it = ref.find((uint64_t{a} << 32) | b);
        const MergeTable::Target* got = table.find(a, b);
        if (it == ref.end()) same = same && got == nullptr;
        else same = same && got && got->rank == it->second.rank && got->new_id == it->second.new_id;
      }
    }
    check(same, "merge table lookups match unordered_map (expected " + std::to_string(expected) + ")");
  }
  bool refused = false;
  try {
    MergeTable().set(1, 2, {UINT32_MAX, 0});
  } catch (const Error&) {
    refused = true;
  }
  check(refused && MergeTable().find(0, 0) == nullptr, "merge table: empty, and the reserved rank refused");
}

// compose() answers a pair whose second character is below kFirstComposingSecond without looking
// at the tables: no composition in them may have one.
void test_compose_bound() {
  namespace t = unicode::tables;
  bool above = true;
  for (size_t i = 0; i < t::kComposeValues_size; ++i)
    above = above && static_cast<char32_t>(t::kComposeKeys[i] & 0xFFFFFFFFu) >= unicode::kFirstComposingSecond;
  check(above && t::kComposeValues_size > 0, "every composition's second character is at or above the bound");
}

// window_shape counts exactly what truncate_encoding builds (the window limit is checked with
// the count, before anything is built), and keep_overflowing = false builds the first window
// alone, the same as the first of all windows.
void test_window_shape() {
  size_t mismatches = 0, first_differs = 0;
  for (size_t len = 0; len <= 60; ++len) {
    Encoding enc;
    for (size_t i = 0; i < len; ++i) {
      enc.ids.push_back(static_cast<uint32_t>(i));
      enc.type_ids.push_back(0);
      enc.tokens.push_back(std::to_string(i));
      enc.offsets.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1)});
      enc.special_tokens_mask.push_back(0);
      enc.word_ids.push_back(static_cast<int32_t>(i));
    }
    for (size_t max_len = 0; max_len <= 13; ++max_len) {
      for (size_t stride = 0; stride < std::max<size_t>(max_len, 1); ++stride) {
        Encoding all = enc;
        truncate_encoding(all, max_len, stride);
        size_t tokens = all.size();
        for (const Encoding& w : all.overflowing) tokens += w.size();
        const WindowShape shape = window_shape(len, max_len, stride);
        if (shape.windows != 1 + all.overflowing.size() || shape.tokens != tokens) ++mismatches;
        Encoding first = enc;
        truncate_encoding(first, max_len, stride, false);
        if (!first.overflowing.empty() || first.ids != all.ids || first.offsets != all.offsets) ++first_differs;
      }
    }
  }
  check(mismatches == 0, "window_shape counts what truncate_encoding builds");
  check(first_differs == 0, "truncate_encoding without overflowing keeps the first window alone");
  check(window_shape(1'000'000, 510, 500).windows == 99'950 && window_shape(1'000'000, 510, 500).tokens == 50'974'500,
        "window_shape of a long text at a stride close to the window");
}

}  // namespace

int main() {
  test_window_shape();
  test_split_behaviors();
  test_transforms();
  test_json();
  test_serde_floats();
  test_decoder();
  test_vocab_table();
  test_merge_table();
  test_compose_bound();
  if (failures()) {
    std::cerr << failures() << " check(s) failed\n";
    return 1;
  }
  std::cout << "tokenizer_unit_check: all checks passed\n";
  return 0;
}
