#include "tokenizer/normalizers/unicode_forms.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

void UnicodeFormNormalizer::normalize(NormalizedString& s) const {
  switch (form_) {
    case UnicodeForm::kNFC: s.nfc(); break;
    case UnicodeForm::kNFD: s.nfd(); break;
    case UnicodeForm::kNFKC: s.nfkc(); break;
    case UnicodeForm::kNFKD: s.nfkd(); break;
  }
}

#define TOKCLASS_UNICODE_FORM(NAME, FORM)                                                \
  TOKCLASS_REGISTER_NORMALIZER(NAME, [](const json::Value&) -> std::unique_ptr<Normalizer> { \
    return std::make_unique<UnicodeFormNormalizer>(FORM);                                \
  })
TOKCLASS_UNICODE_FORM("NFC", UnicodeForm::kNFC)
TOKCLASS_UNICODE_FORM("NFD", UnicodeForm::kNFD)
TOKCLASS_UNICODE_FORM("NFKC", UnicodeForm::kNFKC)
TOKCLASS_UNICODE_FORM("NFKD", UnicodeForm::kNFKD)
#undef TOKCLASS_UNICODE_FORM

}  // namespace tokclass
