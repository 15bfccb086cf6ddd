// NFC / NFD / NFKC / NFKD normalizers. The work (decompose, canonical reordering, recompose,
// with alignments tracked per char the way unicode-normalization-alignments reports changes)
// lives in NormalizedString; these only pick the form.
#pragma once
#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

enum class UnicodeForm { kNFC, kNFD, kNFKC, kNFKD };

class UnicodeFormNormalizer : public Normalizer {
 public:
  explicit UnicodeFormNormalizer(UnicodeForm form) : form_(form) {}
  void normalize(NormalizedString& s) const override;

 private:
  UnicodeForm form_;
};

}  // namespace tokclass
