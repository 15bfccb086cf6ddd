// ByteLevel normalizer: every UTF-8 byte becomes its byte-level char (as the ByteLevel
// pre-tokenizer does after splitting), each aligned with the char it came from.
#pragma once
#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class ByteLevelNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

}  // namespace tokclass
