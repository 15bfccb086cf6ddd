#include "tokenizer/normalizers/strip_accents.h"

#include "common/json.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

void StripAccentsNormalizer::normalize(NormalizedString& s) const {
  s.filter([](char32_t c) {
    auto cat = unicode::category(c);
    return cat != unicode::Category::Mn && cat != unicode::Category::Mc && cat != unicode::Category::Me;
  });
}

TOKCLASS_REGISTER_NORMALIZER("StripAccents", [](const json::Value&) -> std::unique_ptr<Normalizer> {
  return std::make_unique<StripAccentsNormalizer>();
})

}  // namespace tokclass
