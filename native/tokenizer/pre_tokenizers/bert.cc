#include "tokenizer/pre_tokenizers/bert.h"

#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

bool BertPreTokenizer::is_bert_punctuation(char32_t c) {
  bool ascii_punct = (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) ||
                     (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return ascii_punct || unicode::is_punctuation(c);
}

void BertPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  s.split_normalized([](size_t, NormalizedString&& n) {
    return n.split(unicode::is_whitespace, SplitDelimiterBehavior::kRemoved);
  });
  s.split_normalized([](size_t, NormalizedString&& n) {
    return n.split(is_bert_punctuation, SplitDelimiterBehavior::kIsolated);
  });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("BertPreTokenizer", [](const json::Value&) {
  return std::make_unique<BertPreTokenizer>();
})

}  // namespace tokclass
