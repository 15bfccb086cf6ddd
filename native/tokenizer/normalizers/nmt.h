// Nmt normalizer (SentencePiece's nmt_nfkc without the NFKC part): removes control chars and
// turns a few other whitespace-like chars (tab, newlines, ZW spaces, U+2581, BOM, U+FFFD) into
// ' ' (HF normalizers/unicode.rs Nmt).
#pragma once
#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class NmtNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

}  // namespace tokclass
