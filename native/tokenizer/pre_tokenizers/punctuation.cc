#include "tokenizer/pre_tokenizers/punctuation.h"

#include "common/json.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

namespace {
// Rust char::is_ascii_punctuation || unicode_categories is_punctuation.
bool is_punc(char32_t c) {
  const bool ascii_punct = (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) ||
                           (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return ascii_punct || unicode::is_punctuation(c);
}
}  // namespace

void PunctuationPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  const SplitDelimiterBehavior b = behavior_;
  s.split_normalized([b](size_t, NormalizedString&& n) { return n.split(is_punc, b); });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("Punctuation", [](const json::Value& v) -> std::unique_ptr<PreTokenizer> {
  return std::make_unique<PunctuationPreTokenizer>(
      parse_split_behavior(v.get_string("behavior", "Isolated")));
})

}  // namespace tokclass
