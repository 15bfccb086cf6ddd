// StripAccents normalizer: drops every combining mark (General_Category M: Mn, Mc, Me), which
// is unicode-normalization's is_combining_mark that HF uses here. (BertNormalizer's own
// strip_accents removes Mn only; that one lives in bert_normalizer.)
#pragma once
#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class StripAccentsNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

}  // namespace tokclass
