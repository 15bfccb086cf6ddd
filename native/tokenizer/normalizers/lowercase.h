// Lowercase normalizer: Rust `char::to_lowercase` per char (full mappings, so 'İ' becomes two
// chars, the second aligned with the first as an insertion).
#pragma once
#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { s.lowercase(); }
};

}  // namespace tokclass
