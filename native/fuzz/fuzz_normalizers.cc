// libFuzzer target for the alignment machinery: NormalizedString edits, the registered
// normalizers and pre-tokenizers (built from tokenizer.json snippets), and PreTokenizedString.
// Whatever the text and the edits, every normalized code point must stay aligned to a range
// inside the original, and every split must map back inside the input.
//   byte 0: normalizer (table below), byte 1: pre-tokenizer, byte 2: number of extra edits,
//   then one byte per edit, then the text (UTF-8; invalid bytes read as Latin-1).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "fuzz/fuzz_check.h"
#include "tokenizer/normalized_string.h"
#include "tokenizer/pre_tokenized_string.h"
#include "tokenizer/registry.h"

namespace tokclass {
namespace {

const char* const kNormalizers[] = {
    R"({"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true})",
    R"({"type":"BertNormalizer","clean_text":false,"handle_chinese_chars":false,"strip_accents":true,"lowercase":false})",
    R"({"type":"Lowercase"})",
    R"({"type":"NFC"})",
    R"({"type":"NFD"})",
    R"({"type":"NFKC"})",
    R"({"type":"NFKD"})",
    R"({"type":"StripAccents"})",
    R"({"type":"Strip","strip_left":true,"strip_right":true})",
    R"({"type":"Prepend","prepend":"\u2581"})",
    R"({"type":"Replace","pattern":{"String":" "},"content":"\u2581"})",
    R"({"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "})",
    R"({"type":"Replace","pattern":{"String":"a"},"content":""})",
    R"({"type":"Nmt"})",
    R"({"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"StripAccents"},{"type":"Lowercase"},)"
    R"({"type":"Replace","pattern":{"Regex":"\\s+"},"content":"  "}]})",
    R"({"type":"Sequence","normalizers":[{"type":"NFKC"},{"type":"Replace","pattern":{"String":" {2,}"},"content":" "}]})",
};

const char* const kPreTokenizers[] = {
    R"({"type":"BertPreTokenizer"})",
    R"({"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true})",
    R"({"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false})",
    R"({"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true})",
    R"({"type":"Metaspace","replacement":"\u2581","prepend_scheme":"first","split":false})",
    R"({"type":"Whitespace"})",
    R"({"type":"WhitespaceSplit"})",
    R"({"type":"Punctuation","behavior":"Isolated"})",
    R"({"type":"Digits","individual_digits":true})",
    R"({"type":"Split","pattern":{"Regex":"\\s+"},"behavior":"Removed","invert":false})",
    R"({"type":"Split","pattern":{"String":"a"},"behavior":"MergedWithNext","invert":true})",
    R"({"type":"Split","pattern":{"Regex":"\\p{L}+|\\p{N}"},"behavior":"Contiguous","invert":false})",
    R"({"type":"CharDelimiterSplit","delimiter":"-"})",
    R"({"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Digits","individual_digits":false}]})",
};

template <class T, class Make>
std::vector<std::unique_ptr<T>> build(const char* const* docs, size_t n, Make make, const char* what) {
  std::vector<std::unique_ptr<T>> out;
  for (size_t i = 0; i < n; ++i) {
    try {
      out.push_back(make(json::parse(docs[i])));
    } catch (const Error& e) {
      // Not (yet) implemented components are skipped, loudly, so the run still covers the rest.
      std::fprintf(stderr, "fuzz_normalizers: skipping %s %s: %s\n", what, docs[i], e.what());
    }
  }
  return out;
}

const std::vector<std::unique_ptr<Normalizer>>& normalizers() {
  static const auto* all = new auto(build<Normalizer>(kNormalizers, std::size(kNormalizers),
                                                      registry::make_normalizer, "normalizer"));
  return *all;
}
const std::vector<std::unique_ptr<PreTokenizer>>& pre_tokenizers() {
  static const auto* all = new auto(build<PreTokenizer>(kPreTokenizers, std::size(kPreTokenizers),
                                                        registry::make_pre_tokenizer, "pre-tokenizer"));
  return *all;
}

void check(const NormalizedString& s, size_t total, const char* what) {
  FUZZ_CHECK(s.alignments().size() == s.len(), "%s: %zu alignments for %zu chars", what, s.alignments().size(),
             s.len());
  for (size_t i = 0; i < s.len(); ++i) {
    const Offsets a = s.alignments()[i];
    FUZZ_CHECK(a.start <= a.end && a.end <= s.len_original(), "%s: char %zu aligned to [%u, %u) of %zu", what, i,
               a.start, a.end, s.len_original());
  }
  FUZZ_CHECK(s.original_shift() + s.len_original() <= total, "%s: original [%u, +%zu) past the input (%zu)", what,
             s.original_shift(), s.len_original(), total);
  if (s.len() > 0) {
    const auto o = s.normalized_to_original(0, s.len());
    FUZZ_CHECK(o && o->start <= o->end && o->end <= s.len_original(), "%s: whole range maps outside", what);
    const size_t mid = s.len() / 2;
    const auto h = s.normalized_to_original(mid, s.len());
    FUZZ_CHECK(h && h->start <= h->end && h->end <= s.len_original(), "%s: half range maps outside", what);
  }
  if (const auto n = s.original_to_normalized(0, s.len_original()))
    FUZZ_CHECK(n->start <= n->end && n->end <= s.len(), "%s: original maps to [%u, %u) of %zu", what, n->start,
               n->end, s.len());
}

void edit(NormalizedString& s, uint8_t op, size_t total) {
  switch (op % 16) {
    case 0: s.nfd(); break;
    case 1: s.nfkd(); break;
    case 2: s.nfc(); break;
    case 3: s.nfkc(); break;
    case 4: s.lowercase(); break;
    case 5: s.uppercase(); break;
    case 6: s.strip(); break;
    case 7: s.lstrip(); break;
    case 8: s.prepend(U"\u2581"); break;
    case 9: s.append(U"xy"); break;
    case 10: s.replace(U" ", U"\u2581\u2581"); break;
    case 11: s.replace(U"ab", U""); break;
    case 12: s.filter([](char32_t c) { return c != U' ' && c != U'a'; }); break;
    case 13: s.map([](char32_t c) { return c == U'e' ? U'\u00e9' : c; }); break;
    case 14: {
      // A slice of the middle, as pre-tokenizers make them.
      const size_t a = s.len() / 4, b = s.len() - s.len() / 4;
      if (auto sl = s.slice(a, b)) {
        check(*sl, total, "slice");
        s = std::move(*sl);
      }
      break;
    }
    case 15: {
      const auto parts = s.split([](char32_t c) { return c == U' '; },
                                 static_cast<SplitDelimiterBehavior>((op >> 4) % 5));
      for (const NormalizedString& p : parts) check(p, total, "split");
      if (!parts.empty()) s = parts[(op >> 4) % parts.size()];
      break;
    }
  }
}

}  // namespace
}  // namespace tokclass

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)tokclass::normalizers();
  (void)tokclass::pre_tokenizers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokclass;
  fuzz::Bytes in(data, size);
  const uint8_t n_sel = in.u8(), p_sel = in.u8(), n_edits = in.u8() % 8;
  std::vector<uint8_t> edits;
  for (size_t i = 0; i < n_edits; ++i) edits.push_back(in.u8());
  const std::u32string text = fuzz::to_text(in.rest());
  const size_t total = text.size();

  NormalizedString s(text);
  check(s, total, "initial");
  const auto& norms = normalizers();
  if (!norms.empty() && n_sel < 0xF0) {
    norms[n_sel % norms.size()]->normalize(s);
    check(s, total, "normalizer");
  }
  for (uint8_t op : edits) {
    edit(s, op, total);
    check(s, total, "edit");
  }

  PreTokenizedString pts(s);
  const auto& pres = pre_tokenizers();
  if (!pres.empty() && p_sel < 0xF0) pres[p_sel % pres.size()]->pre_tokenize(pts);
  for (const Split& sp : pts.splits()) {
    check(sp.normalized, total, "pre-tokenized split");
    const Offsets o = sp.normalized.offsets_original();
    FUZZ_CHECK(o.start <= o.end && o.end <= total, "split original [%u, %u) outside the input (%zu)", o.start, o.end,
               total);
  }
  return 0;
}
