// t2_components_test: unit checks for the byte-level BPE / Unigram / Metaspace side of the
// tokenizer (models, GPT-2 split scanner vs the regex engine, regex engine, pre-tokenizers,
// normalizers, decoders), with expectations taken from Hugging Face `tokenizers`' own tests.
// usage: t2_components_test [roberta tokenizer.json] — prints failures, exits 1 on any.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/decoders/byte_fallback.h"
#include "tokenizer/decoders/byte_level.h"
#include "tokenizer/decoders/metaspace.h"
#include "tokenizer/decoders/strip.h"
#include "tokenizer/models/bpe.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/pre_tokenized_string.h"
#include "tokenizer/pre_tokenizers/gpt2_split.h"
#include "tokenizer/regex.h"
#include "tokenizer/registry.h"
#include "tokenizer/tokenizer.h"

using namespace tokclass;

namespace {

int failures = 0;
int checks = 0;

#define CHECK_EQ(a, b)                                                                    \
  do {                                                                                    \
    ++checks;                                                                             \
    auto va = (a);                                                                        \
    auto vb = (b);                                                                        \
    if (!(va == vb)) {                                                                    \
      ++failures;                                                                         \
      std::cerr << __FILE__ << ":" << __LINE__ << ": " #a " != " #b "\n  got      " << show(va) \
                << "\n  expected " << show(vb) << "\n";                                   \
    }                                                                                     \
  } while (0)

std::string show(const std::string& s) { return json::quoted(s); }
std::string show(uint32_t v) { return std::to_string(v); }
std::string show(const std::vector<std::string>& v) {
  std::string o = "[";
  for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + json::quoted(v[i]);
  return o + "]";
}

std::u32string U(const std::string& s) { return utf8::decode(s); }

std::vector<std::string> pieces(std::u32string_view s, const Matches& m) {
  std::vector<std::string> out;
  for (const auto& [o, is_match] : m)
    if (is_match) out.push_back(utf8::encode(s.substr(o.start, o.end - o.start)));
  return out;
}

std::vector<std::string> regex_pieces(const std::string& pattern, const std::string& text) {
  Regex re(U(pattern), "test");
  std::u32string t = U(text);
  std::vector<std::string> out;
  for (const Offsets& o : re.find_all(t)) out.push_back(utf8::encode(t.substr(o.start, o.end - o.start)));
  return out;
}

// "piece@start-end" for every token, to compare tokens and offsets at once.
std::vector<std::string> toks(const std::vector<Token>& ts) {
  std::vector<std::string> out;
  for (const Token& t : ts) out.push_back(t.value + "@" + std::to_string(t.start) + "-" + std::to_string(t.end));
  return out;
}

// Splits of a PreTokenizedString as "text@start-end" in original offsets.
std::vector<std::string> splits(const PreTokenizedString& p) {
  std::vector<std::string> out;
  for (const Split& s : p.splits()) {
    auto o = s.normalized.offsets_original();
    out.push_back(utf8::encode(s.normalized.get()) + "@" + std::to_string(o.start) + "-" + std::to_string(o.end));
  }
  return out;
}

std::vector<std::string> pre_tokenize(const std::string& json_text, const std::string& text) {
  auto pt = registry::make_pre_tokenizer(json::parse(json_text));
  PreTokenizedString p(U(text));
  pt->pre_tokenize(p);
  return splits(p);
}

std::string normalize(const std::string& json_text, const std::string& text, std::string* aligns = nullptr) {
  auto n = registry::make_normalizer(json::parse(json_text));
  NormalizedString s(U(text));
  n->normalize(s);
  if (aligns) {
    aligns->clear();
    for (const Offsets& o : s.alignments()) *aligns += "(" + std::to_string(o.start) + "," + std::to_string(o.end) + ")";
  }
  return utf8::encode(s.get());
}

std::vector<std::string> decode(const std::string& json_text, std::vector<std::string> tokens) {
  return registry::make_decoder(json::parse(json_text))->decode_chain(std::move(tokens));
}

std::string error_code(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return "none";
}

void test_gpt2_split() {
  auto split = [](const std::string& t) { std::u32string s = U(t); return pieces(s, gpt2_split_matches(s)); };
  CHECK_EQ(split("Hello my friend, how is your day going?"),
           (std::vector<std::string>{"Hello", " my", " friend", ",", " how", " is", " your", " day", " going", "?"}));
  CHECK_EQ(split("Hello there       dear"), (std::vector<std::string>{"Hello", " there", "      ", " dear"}));
  CHECK_EQ(split("Hello there\nHello there"), (std::vector<std::string>{"Hello", " there", "\n", "Hello", " there"}));
  CHECK_EQ(split("I'm don't they'll we've you're he'd it's"),
           (std::vector<std::string>{"I", "'m", " don", "'t", " they", "'ll", " we", "'ve", " you", "'re", " he", "'d", " it", "'s"}));
  CHECK_EQ(split("D'Angelo  \t x 12ab '"), (std::vector<std::string>{"D", "'", "Angelo", "  \t", " x", " 12", "ab", " '"}));
  CHECK_EQ(split("   "), (std::vector<std::string>{"   "}));
  CHECK_EQ(split("a \n"), (std::vector<std::string>{"a", " \n"}));

  // The regex engine running the same pattern must agree with the scanner everywhere.
  const std::string pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
  const char* texts[] = {
      "Hello my friend, how is your day going?", "   leading and trailing spaces   ",
      "Tabs\tand\nnewlines\r\nbetween Paris and London", "I ❤️ New York! 🚀 Elon Musk's SpaceX",
      "Numbers like 3.14159, 1,000,000 and 2024-01-01", "東京 is the capital of Japan, and 北京",
      "  Double  spaces   between   Tim   Cook   words ", "O'Neill and D'Angelo visited McDonald's",
      "Null\x00byte", "x\u00a0\u00a0y \u3000z", "'re're 'LL'll''", "\n\n\n", "a  ", "",
  };
  for (const char* t : texts) {
    std::string text(t);
    if (text == "Null") text = std::string("Null\0byte", 9);
    CHECK_EQ(regex_pieces(pattern, text), split(text));
  }
}

void test_regex() {
  CHECK_EQ(regex_pieces(" {2,}", "a  b   c d"), (std::vector<std::string>{"  ", "   "}));
  CHECK_EQ(regex_pieces(R"(\s+)", "a \t b\nc"), (std::vector<std::string>{" \t ", "\n"}));
  CHECK_EQ(regex_pieces(R"(\p{N}{1,3})", "x1234567y"), (std::vector<std::string>{"123", "456", "7"}));
  CHECK_EQ(regex_pieces(R"((?i:'s|'t|'re)|[a-z]+)", "IT'S it'Re"), (std::vector<std::string>{"'S", "it", "'Re"}));
  CHECK_EQ(regex_pieces(R"([^\r\n\p{L}\p{N}]?\p{L}+)", "hello, world"), (std::vector<std::string>{"hello", " world"}));
  CHECK_EQ(regex_pieces(R"(a*?b|c+?)", "aab ccc"), (std::vector<std::string>{"aab", "c", "c", "c"}));
  // The onig crate's find_iter skips an empty match right at the previous match's end.
  CHECK_EQ(regex_pieces(R"(x*)", "axxb"), (std::vector<std::string>{"", "xx", ""}));
  CHECK_EQ(regex_pieces(R"((ab)+c|\d\D)", "ababc 1x"), (std::vector<std::string>{"ababc", "1x"}));
  CHECK_EQ(regex_pieces(R"(\bfoo\b)", "foo food foo"), (std::vector<std::string>{"foo", "foo"}));
  CHECK_EQ(regex_pieces(R"([\-a-c]+|\x41|\u00e9|\.)", "-ab.Aé"), (std::vector<std::string>{"-ab", ".", "A", "é"}));
  CHECK_EQ(regex_pieces(R"(\w+)", "naïve café_1 x"), (std::vector<std::string>{"naïve", "café_1", "x"}));
  // Oniguruma's \w: No digits like '①' are not word chars, Nl and ZWJ are (tokenizers 0.23).
  CHECK_EQ(regex_pieces(R"(\w+|[^\w\s]+)", "a①b Ⅳ\u200dx ½"), (std::vector<std::string>{"a", "①", "b", "Ⅳ\u200dx", "½"}));
  // Llama-3 / cl100k split pattern.
  CHECK_EQ(regex_pieces(R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
                        "Hello world's 12345 ok!!\n\n  x"),
           (std::vector<std::string>{"Hello", " world", "'s", " ", "123", "45", " ok", "!!\n\n", " ", " x"}));
  CHECK_EQ(error_code([] { Regex r(U("(?<=a)b"), "t"); }), std::string(codes::kTokenizerUnsupported));
  CHECK_EQ(error_code([] { Regex r(U("\\p{Han}"), "t"); }), std::string(codes::kTokenizerUnsupported));
  CHECK_EQ(error_code([] { Regex r(U("(a"), "t"); }), std::string(codes::kTokenizerInvalid));
}

void test_bpe() {
  {  // unknowns, not fused / fused (HF test_unk_not_fused / test_unk_get_fused)
    BpeConfig c;
    c.vocab = {{"<unk>", 0}, {"a", 1}, {"b", 2}};
    c.unk_token = "<unk>";
    BpeModel m(c);
    CHECK_EQ(toks(m.tokenize(U"accb")), (std::vector<std::string>{"a@0-1", "<unk>@1-2", "<unk>@2-3", "b@3-4"}));
    c.fuse_unk = true;
    BpeModel f(c);
    CHECK_EQ(toks(f.tokenize(U"accb")), (std::vector<std::string>{"a@0-1", "<unk>@1-3", "b@3-4"}));
    c.unk_token.reset();
    BpeModel d(c);
    CHECK_EQ(toks(d.tokenize(U"acb")), (std::vector<std::string>{"a@0-1", "b@2-3"}));  // dropped
  }
  {  // continuing_subword_prefix
    BpeConfig c;
    c.vocab = {{"a", 0}, {"##b", 1}, {"##c", 2}, {"ab", 3}, {"abc", 4}};
    c.merges = {{"a", "##b"}, {"ab", "##c"}};
    c.continuing_subword_prefix = "##";
    BpeModel m(c);
    CHECK_EQ(toks(m.tokenize(U"ab")), (std::vector<std::string>{"ab@0-2"}));
    CHECK_EQ(toks(m.tokenize(U"abc")), (std::vector<std::string>{"abc@0-3"}));
    CHECK_EQ(m.continuing_subword_prefix().value_or(""), std::string("##"));
  }
  {  // merge ranks and dropout-free determinism (HF "unrelated")
    BpeConfig c;
    const char* v[] = {"u", "n", "r", "e", "l", "a", "t", "d", "re", "at", "ed", "un", "ated", "rel", "related", "unrelated"};
    for (uint32_t i = 0; i < 16; ++i) c.vocab.emplace_back(v[i], i);
    c.merges = {{"r", "e"}, {"a", "t"}, {"e", "d"}, {"u", "n"}, {"at", "ed"}, {"re", "l"}, {"rel", "ated"}, {"un", "related"}};
    BpeModel m(c);
    CHECK_EQ(toks(m.tokenize(U"unrelated")), (std::vector<std::string>{"unrelated@0-9"}));
    CHECK_EQ(toks(m.tokenize(U"relate")), (std::vector<std::string>{"rel@0-3", "at@3-5", "e@5-6"}));
  }
  {  // byte_fallback: a char missing from the vocab becomes its <0xAB> bytes, each covering it
    BpeConfig c;
    c.vocab = {{"<unk>", 0}, {"<0x61>", 1}, {"<0xC3>", 2}, {"<0xA9>", 3}, {"x", 4}};
    c.unk_token = "<unk>";
    c.byte_fallback = true;
    BpeModel m(c);
    CHECK_EQ(toks(m.tokenize(U"c")), (std::vector<std::string>{"<unk>@0-1"}));
    CHECK_EQ(toks(m.tokenize(U"a")), (std::vector<std::string>{"<0x61>@0-1"}));
    CHECK_EQ(toks(m.tokenize(U"xé")), (std::vector<std::string>{"x@0-1", "<0xC3>@1-2", "<0xA9>@1-2"}));
  }
  {  // ignore_merges: a piece already in the vocab is one token
    BpeConfig c;
    c.vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"abc", 3}, {"ab", 4}};
    c.merges = {{"a", "b"}};
    c.ignore_merges = true;
    BpeModel m(c);
    CHECK_EQ(toks(m.tokenize(U"abc")), (std::vector<std::string>{"abc@0-3"}));
    CHECK_EQ(toks(m.tokenize(U"abcab")), (std::vector<std::string>{"ab@0-2", "c@2-3", "ab@3-5"}));
  }
  CHECK_EQ(error_code([] {
             BpeConfig c;
             c.vocab = {{"a", 0}};
             c.merges = {{"a", "b"}};
             BpeModel m(c);
           }),
           std::string(codes::kTokenizerInvalid));
}

void test_unigram() {
  UnigramConfig c;
  c.vocab = {{"<unk>", 0.0}, {"ab", 0.0}, {"cd", -0.1}, {"abc", -0.2}, {"a", -0.3}, {"b", -0.4},
             {"c", -0.5}, {"ABC", -0.5}, {"abcdabcd", 20.0}, {"q", 20.5}, {"r", 20.5}, {"qr", -0.5}};
  c.unk_id = 0;
  UnigramModel m(c);
  auto enc = [&](const std::u32string& s) {
    std::vector<std::string> out;
    for (const Token& t : m.tokenize(s)) out.push_back(t.value);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK_EQ(enc(U"abc"), (V{"abc"}));
  CHECK_EQ(enc(U"AB"), (V{"AB"}));
  CHECK_EQ(enc(U"abcd"), (V{"ab", "cd"}));
  CHECK_EQ(enc(U"abcc"), (V{"abc", "c"}));
  CHECK_EQ(enc(U"xabcabaabcdd"), (V{"x", "abc", "ab", "a", "ab", "cd", "d"}));
  CHECK_EQ(enc(U"xyz東京"), (V{"xyz東京"}));
  CHECK_EQ(enc(U"ABC"), (V{"ABC"}));
  CHECK_EQ(enc(U"abABCcd"), (V{"ab", "ABC", "cd"}));
  CHECK_EQ(enc(U"ababcdabcdcd"), (V{"ab", "abcdabcd", "cd"}));
  CHECK_EQ(enc(U"abqrcd"), (V{"ab", "q", "r", "cd"}));
  CHECK_EQ(toks(m.tokenize(U"xyab")), (std::vector<std::string>{"xy@0-2", "ab@2-4"}));
  CHECK_EQ(m.tokenize(U"xy")[0].id, uint32_t{0});

  {  // a repeated piece resolves to its last id (HF's token_to_ids map), also via token_to_id
    UnigramConfig d;
    d.vocab = {{"<unk>", 0.0}, {"a", -1.0}, {"b", -1.0}, {"a", -2.0}};
    d.unk_id = 0;
    UnigramModel dm(d);
    CHECK_EQ(dm.tokenize(U"ab")[0].id, uint32_t{3});
    CHECK_EQ(dm.token_to_id("a").value_or(99), uint32_t{3});
    CHECK_EQ(dm.token_to_id("zz").value_or(99), uint32_t{99});
    CHECK_EQ(dm.id_to_token(2).value_or(""), std::string("b"));
  }

  UnigramConfig b;
  b.vocab = {{"<unk>", 0.0}, {"<0xC3>", -0.01}, {"<0xA9>", -0.03}};
  b.unk_id = 0;
  b.byte_fallback = true;
  UnigramModel bm(b);
  CHECK_EQ(toks(bm.tokenize(U"é")), (std::vector<std::string>{"<0xC3>@0-1", "<0xA9>@0-1"}));
  CHECK_EQ(bm.tokenize(U"?é")[0].id, uint32_t{0});
}

void test_pre_tokenizers() {
  using V = std::vector<std::string>;
  CHECK_EQ(pre_tokenize(R"({"type":"Whitespace"})", "Hey man!"), (V{"Hey@0-3", "man@4-7", "!@7-8"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Whitespace"})", "How are you doing?"),
           (V{"How@0-3", "are@4-7", "you@8-11", "doing@12-17", "?@17-18"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Whitespace"})", "\n"), V{});
  CHECK_EQ(pre_tokenize(R"({"type":"WhitespaceSplit"})", "Hey man!"), (V{"Hey@0-3", "man!@4-8"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Punctuation"})", "Hey friend!     How are you?!?"),
           (V{"Hey friend@0-10", "!@10-11", "     How are you@11-27", "?@27-28", "!@28-29", "?@29-30"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Digits","individual_digits":true})", "Hey 123 friend!"),
           (V{"Hey @0-4", "1@4-5", "2@5-6", "3@6-7", " friend!@7-15"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Digits","individual_digits":false})", "Hey 123 friend!"),
           (V{"Hey @0-4", "123@4-7", " friend!@7-15"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Split","pattern":{"String":"-"},"behavior":"MergedWithNext","invert":false})",
                        "the-final--countdown"),
           (V{"the@0-3", "-final@3-9", "-@9-10", "-countdown@10-20"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Split","pattern":{"Regex":"\\w+|[^\\w\\s]+"},"behavior":"Removed","invert":true})",
                        "Hey man!"),
           (V{"Hey@0-3", "man@4-7", "!@7-8"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Punctuation"}]})",
                        "Hey, you!"),
           (V{"Hey@0-3", ",@3-4", "you@5-8", "!@8-9"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true})",
                        "Hey   friend!"),
           (V{"▁Hey@0-3", "▁@3-4", "▁@4-5", "▁friend!@5-13"}));
  CHECK_EQ(pre_tokenize(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":false})",
                        "Hey friend"),
           (V{"Hey▁friend@0-10"}));
  CHECK_EQ(pre_tokenize(R"({"type":"ByteLevel","add_prefix_space":true,"use_regex":true})", "Hello my ⭢"),
           (V{"ĠHello@0-5", "Ġmy@5-8", "ĠâŃ¢@8-10"}));
  CHECK_EQ(pre_tokenize(R"({"type":"ByteLevel","add_prefix_space":false,"use_regex":false})", "a b"), (V{"aĠb@0-3"}));
  CHECK_EQ(error_code([] { pre_tokenize(R"({"type":"UnicodeScripts"})", "x"); }),
           std::string(codes::kTokenizerUnsupported));
}

void test_normalizers() {
  std::string al;
  CHECK_EQ(normalize(R"({"type":"NFKC"})", "ﬁn Ｔｏ", &al), std::string("fin To"));
  CHECK_EQ(al, std::string("(0,1)(0,1)(1,2)(2,3)(3,4)(4,5)"));
  CHECK_EQ(normalize(R"({"type":"NFC"})", "e\u0301a", &al), std::string("éa"));
  CHECK_EQ(al, std::string("(0,1)(2,3)"));
  CHECK_EQ(normalize(R"({"type":"NFD"})", "é", &al), std::string("e\u0301"));
  CHECK_EQ(al, std::string("(0,1)(0,1)"));
  CHECK_EQ(normalize(R"({"type":"StripAccents"})", "e\u0304\u0304\u0304o", &al), std::string("eo"));
  CHECK_EQ(al, std::string("(0,1)(4,5)"));
  CHECK_EQ(normalize(R"({"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"StripAccents"},{"type":"Lowercase"}]})",
                     "Cụ thể ậ…"),
           std::string("cu the a..."));
  CHECK_EQ(normalize(R"({"type":"Strip","strip_left":true,"strip_right":false})", "  a  ", &al), std::string("a  "));
  CHECK_EQ(al, std::string("(2,3)(3,4)(4,5)"));
  CHECK_EQ(normalize(R"({"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "})", "a   b", &al), std::string("a b"));
  CHECK_EQ(al, std::string("(0,1)(3,4)(4,5)"));
  CHECK_EQ(normalize(R"({"type":"Replace","pattern":{"String":" {2,}"},"content":" "})", "a   b"), std::string("a   b"));
  CHECK_EQ(normalize(R"({"type":"Prepend","prepend":"▁"})", "ab", &al), std::string("▁ab"));
  CHECK_EQ(al, std::string("(0,1)(0,1)(1,2)"));
  CHECK_EQ(normalize(R"({"type":"Prepend","prepend":"▁"})", ""), std::string(""));
  CHECK_EQ(error_code([] { normalize(R"({"type":"Precompiled","precompiled_charsmap":""})", "x"); }),
           std::string(codes::kTokenizerInvalid));
  CHECK_EQ(error_code([] { normalize(R"({"type":"NoSuchNormalizer"})", "x"); }),
           std::string(codes::kTokenizerUnsupported));
}

void test_decoders() {
  using V = std::vector<std::string>;
  CHECK_EQ(decode(R"({"type":"ByteLevel"})", V{"Hello", "Ġmy", "Ġfriend", ",", "Ġhow"}), V{"Hello my friend, how"});
  CHECK_EQ(decode(R"({"type":"ByteLevel"})", V{"æĿ±", "äº", "¬"}), V{"東京"});
  CHECK_EQ(decode(R"({"type":"ByteLevel"})", V{"Ã", "a"}), V{"\uFFFDa"});
  CHECK_EQ(utf8::lossy("\xF0\x9F\x98" "A"), std::string("\uFFFD" "A"));
  CHECK_EQ(utf8::lossy("\xE0\x80"), std::string("\uFFFD\uFFFD"));
  CHECK_EQ(utf8::lossy("\xED\xA0\x80"), std::string("\uFFFD\uFFFD\uFFFD"));
  CHECK_EQ(utf8::lossy("\xC0\xAF"), std::string("\uFFFD\uFFFD"));
  CHECK_EQ(utf8::lossy("\xF4\x90\x80\x80"), std::string("\uFFFD\uFFFD\uFFFD\uFFFD"));
  CHECK_EQ(utf8::lossy("\xE2\x82"), std::string("\uFFFD"));
  CHECK_EQ(utf8::lossy("\xE2\x82\xAC\xFF"), std::string("€\uFFFD"));
  CHECK_EQ(decode(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true})", V{"▁Hey", "▁friend!"}),
           (V{"Hey", " friend!"}));
  CHECK_EQ(decode(R"({"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":true})", V{"▁Hey", "▁friend!"}),
           (V{" Hey", " friend!"}));
  CHECK_EQ(decode(R"({"type":"Strip","content":" ","start":1,"stop":0})", V{" a", "  b", "c "}), (V{"a", " b", "c "}));
  CHECK_EQ(decode(R"({"type":"ByteFallback"})", V{"<0xE5>", "<0x8f>", "<0xab>", "a"}), (V{"叫", "a"}));
  CHECK_EQ(decode(R"({"type":"ByteFallback"})", V{"<0xE5>", "<0x8f>", "a"}), (V{"\uFFFD", "\uFFFD", "a"}));
  CHECK_EQ(decode(R"({"type":"BPEDecoder","suffix":"</w>"})", V{"hel", "lo</w>", "there</w>"}), (V{"hel", "lo ", "there"}));
  CHECK_EQ(decode(R"({"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]})",
                  V{"▁Hey", "<0x21>", "▁you"}),
           (V{"Hey! you"}));
}

// spm_precompiled's hand-built "overlapping prefix" charsmap: keys "a" -> "x", "ab" -> "y",
// "a\u0300" -> "y". HF takes the shortest key prefixing each grapheme (or char).
void test_precompiled() {
  std::vector<uint32_t> trie(256, 0);
  trie['a'] = 'a' | (1u << 8) | (1u << 10);
  trie[96] = 0;
  trie[2] = 'b' | (1u << 8) | (1u << 10);
  trie[3] = 2;
  trie[172] = 0xCC | (1u << 10);
  trie[45] = 0x80 | (1u << 8) | (1u << 10);
  trie[44] = 2;
  std::string map;
  auto put32 = [&](uint32_t v) { for (int k = 0; k < 4; ++k) map.push_back(static_cast<char>((v >> (8 * k)) & 0xFF)); };
  put32(static_cast<uint32_t>(trie.size() * 4));
  for (uint32_t u : trie) put32(u);
  map += std::string("x\0y\0", 4);
  PrecompiledNormalizer p(map);
  CHECK_EQ(std::string(p.transform("abc").value_or("-")), std::string("x"));
  CHECK_EQ(std::string(p.transform("b").value_or("-")), std::string("-"));
  auto norm = [&](const std::string& t, std::string* al) {
    NormalizedString s(U(t));
    p.normalize(s);
    al->clear();
    for (const Offsets& o : s.alignments()) *al += "(" + std::to_string(o.start) + "," + std::to_string(o.end) + ")";
    return utf8::encode(s.get());
  };
  std::string al;
  CHECK_EQ(norm("ab", &al), std::string("xb"));
  CHECK_EQ(norm("a\u0300z", &al), std::string("xz"));  // one grapheme, replaced whole
  CHECK_EQ(al, std::string("(0,1)(2,3)"));
  CHECK_EQ(norm("\u0300a\u0300\u0301", &al), std::string("\u0300x"));
  CHECK_EQ(norm("ba", &al), std::string("bx"));
  // Grapheme clusters.
  auto g = [](const std::string& t) {
    std::u32string s = U(t);
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
      size_t e = grapheme_end(s, i);
      out.push_back(utf8::encode(s.substr(i, e - i)));
      i = e;
    }
    return out;
  };
  using V = std::vector<std::string>;
  CHECK_EQ(g("e\u0301x\r\nq"), (V{"e\u0301", "x", "\r\n", "q"}));
  CHECK_EQ(g("\u0600 1\u0301\u200b\u0301"), (V{"\u0600 ", "1\u0301", "\u200b", "\u0301"}));
  CHECK_EQ(g("\U0001F1EB\U0001F1F7\U0001F1EB"), (V{"\U0001F1EB\U0001F1F7", "\U0001F1EB"}));
  CHECK_EQ(g("\u1100\u1161\u11A8\uAC00\uAC00"), (V{"\u1100\u1161\u11A8", "\uAC00", "\uAC00"}));
  CHECK_EQ(g("\U0001F468\u200D\U0001F469x"), (V{"\U0001F468\u200D\U0001F469", "x"}));
  CHECK_EQ(g("\u0E01\u0E33a\u102B"), (V{"\u0E01\u0E33", "a", "\u102B"}));
  CHECK_EQ(base64_decode("aGk/", "t"), std::string("hi?"));
  CHECK_EQ(base64_decode("aGk=", "t"), std::string("hi"));
}

// Whole tokenizers assembled from small JSON documents (models/components not in the goldens).
void test_small_tokenizers() {
  using V = std::vector<std::string>;
  {
    auto tok = Tokenizer::from_json(R"({"model":{"type":"WordLevel","vocab":{"hello":0,"<unk>":1},"unk_token":"<unk>"},
      "normalizer":{"type":"Nmt"},"pre_tokenizer":{"type":"Whitespace"}})");
    EncodeOptions o;
    Encoding e = tok->encode(U"hello\u200bworld", o);
    CHECK_EQ(e.tokens, (V{"hello", "<unk>"}));
    CHECK_EQ(e.offsets.size(), size_t{2});
    CHECK_EQ(e.offsets[1].start, uint32_t{6});
    CHECK_EQ(e.offsets[1].end, uint32_t{11});
  }
  {
    // Byte-level BPE with a Sequence post-processor: ByteLevel trims, Roberta adds <s> </s>.
    auto tok = Tokenizer::from_json(R"({"model":{"type":"BPE","vocab":{"<s>":0,"</s>":1,"a":2,"b":3,"Ġ":4,"Ġa":5,"ab":6},
      "merges":["Ġ a","a b"]},
      "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true},
      "post_processor":{"type":"Sequence","processors":[{"type":"ByteLevel","trim_offsets":true,"add_prefix_space":false},
        {"type":"RobertaProcessing","sep":["</s>",1],"cls":["<s>",0],"trim_offsets":false,"add_prefix_space":false}]},
      "decoder":{"type":"ByteLevel"}})");
    EncodeOptions o;
    Encoding e = tok->encode(U"ab a", o);
    CHECK_EQ(e.tokens, (V{"<s>", "ab", "Ġa", "</s>"}));
    CHECK_EQ(e.offsets[2].start, uint32_t{3});
    CHECK_EQ(tok->num_special_tokens(false), size_t{2});
    CHECK_EQ(tok->decode_tokens({"ab", "Ġa"}), std::string("ab a"));
  }
  {
    // Unknown component types are refused by name.
    std::string code = error_code([] { Tokenizer::from_json(R"({"model":{"type":"BPE","vocab":{},"merges":[]},"decoder":{"type":"CTC"}})"); });
    CHECK_EQ(code, std::string(codes::kTokenizerUnsupported));
  }
}

void test_roberta_roundtrip(const std::string& path) {
  auto tok = Tokenizer::from_file(path);
  const std::string texts[] = {"Jürgen 東京 🚀 and  spaces\n", "I ❤️ New York!", "Micro\u200bsoft"};
  for (const std::string& t : texts) {
    EncodeOptions o;
    o.add_special_tokens = false;
    Encoding e = tok->encode(U(t), o);
    CHECK_EQ(tok->decode_tokens(e.tokens), t);
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    test_gpt2_split();
    test_regex();
    test_bpe();
    test_unigram();
    test_pre_tokenizers();
    test_normalizers();
    test_decoders();
    test_small_tokenizers();
    test_precompiled();
    if (argc > 1) test_roberta_roundtrip(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "exception: " << e.what() << "\n";
    return 2;
  }
  std::printf("%d/%d checks passed\n", checks - failures, checks);
  return failures ? 1 : 0;
}
