#include "tokenizer/normalizers/strip_accents.h"

#include "common/json.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

void StripAccentsNormalizer::normalize(NormalizedString& s) const {
  s.filter([](char32_t c) { return !unicode::is_combining_mark(c); });
}

TOKCLASS_REGISTER_NORMALIZER("StripAccents", [](const json::Value&) -> std::unique_ptr<Normalizer> {
  return std::make_unique<StripAccentsNormalizer>();
})

}  // namespace tokclass
