#include "tokenizer/pre_tokenizers/digits.h"

#include "common/json.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

void DigitsPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  const auto behavior = individual_ ? SplitDelimiterBehavior::kIsolated : SplitDelimiterBehavior::kContiguous;
  s.split_normalized([behavior](size_t, NormalizedString&& n) {
    return n.split([](char32_t c) { return unicode::is_number(c); }, behavior);
  });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("Digits", [](const json::Value& v) -> std::unique_ptr<PreTokenizer> {
  return std::make_unique<DigitsPreTokenizer>(v.get_bool("individual_digits", false));
})

}  // namespace tokclass
