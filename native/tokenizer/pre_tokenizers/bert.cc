#include "tokenizer/pre_tokenizers/bert.h"

#include "common/error.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

bool BertPreTokenizer::is_bert_punctuation(char32_t c) {
  bool ascii_punct = (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) ||
                     (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return ascii_punct || unicode::is_punctuation(c);
}

void BertPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  // HF splits twice: on whitespace (removed), then each piece on punctuation (isolated). The
  // two classes are disjoint, so one pass gives the same pieces (maximal runs of other chars,
  // each punctuation char alone) with the same alignments, and slices each piece once instead
  // of twice (the slices' allocations were a third of encoding a short sentence).
  s.split_normalized([](size_t, NormalizedString&& n) {
    std::vector<NormalizedString> out;
    out.reserve(n.len() / 4 + 1);  // ~5 characters per word and space in English text
    auto emit = [&](size_t begin, size_t end) {
      if (begin == end) return;
      std::optional<NormalizedString> piece = n.slice(begin, end);
      if (!piece) throw Error(codes::kInternal, "BertPreTokenizer: bad split");
      out.push_back(std::move(*piece));
    };
    const std::u32string& text = n.get();
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const char32_t c = text[i];
      if (unicode::is_whitespace(c)) {
        emit(start, i);
        start = i + 1;
      } else if (is_bert_punctuation(c)) {
        emit(start, i);
        emit(i, i + 1);
        start = i + 1;
      }
    }
    emit(start, text.size());
    return out;
  });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("BertPreTokenizer", [](const json::Value&) {
  return std::make_unique<BertPreTokenizer>();
})

}  // namespace tokclass
