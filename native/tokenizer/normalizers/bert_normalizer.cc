#include "tokenizer/normalizers/bert_normalizer.h"

#include <algorithm>

#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

namespace {

// \t \n \r are Cc but BERT treats them as whitespace, not as controls to drop.
bool is_bert_whitespace(char32_t c) {
  return c == '\t' || c == '\n' || c == '\r' || unicode::is_whitespace(c);
}
bool is_bert_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  return unicode::is_other(c);
}

}  // namespace

bool BertNormalizer::is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::unique_ptr<Normalizer> BertNormalizer::from_json(const json::Value& v) {
  bool lowercase = v.get_bool("lowercase", true);
  // strip_accents: null (or absent) follows lowercase, as HF does.
  bool strip = v.get_bool("strip_accents", lowercase);
  return std::make_unique<BertNormalizer>(v.get_bool("clean_text", true),
                                          v.get_bool("handle_chinese_chars", true), strip,
                                          lowercase);
}

void BertNormalizer::normalize(NormalizedString& s) const {
  if (clean_text_) {
    // Each step rebuilds the string and its alignments; most texts need neither (a step that
    // changes nothing leaves the string exactly as it was), so look first.
    auto dropped = [](char32_t c) { return c == 0 || c == 0xFFFD || is_bert_control(c); };
    auto odd_space = [](char32_t c) { return c != U' ' && is_bert_whitespace(c); };
    const std::u32string& text = s.get();
    if (std::any_of(text.begin(), text.end(), dropped)) s.filter([&](char32_t c) { return !dropped(c); });
    if (std::any_of(s.get().begin(), s.get().end(), odd_space)) {
      s.map([](char32_t c) { return is_bert_whitespace(c) ? U' ' : c; });
    }
  }
  if (handle_chinese_chars_ && std::any_of(s.get().begin(), s.get().end(), is_chinese_char)) {
    // HF's (' ', 0), (c, 1), (' ', 1): the leading space takes the ideograph's place and the
    // ideograph and trailing space are insertions after it, so all three share the
    // ideograph's alignment. (The older (' ', 1), (c, 0) form gave a text-initial space a
    // zero-width alignment, which later whole-string transforms cannot handle.)
    std::vector<NormalizedString::Change> out;
    for (char32_t c : s.get()) {
      if (is_chinese_char(c)) {
        out.push_back({U' ', 0});
        out.push_back({c, 1});
        out.push_back({U' ', 1});
      } else {
        out.push_back({c, 0});
      }
    }
    s.transform(out, 0);
  }
  if (!strip_accents_ && !lowercase_) return;
  // ASCII has no decompositions and no marks, and lowercases one char to one char.
  auto non_ascii = [](char32_t c) { return c >= 0x80; };
  const bool ascii = std::none_of(s.get().begin(), s.get().end(), non_ascii);
  if (strip_accents_ && !ascii) {
    s.nfd();
    s.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
  }
  if (lowercase_ && (!ascii || std::any_of(s.get().begin(), s.get().end(), [](char32_t c) { return c >= U'A' && c <= U'Z'; }))) {
    s.lowercase();
  }
}

TOKCLASS_REGISTER_NORMALIZER("BertNormalizer", BertNormalizer::from_json)

}  // namespace tokclass
