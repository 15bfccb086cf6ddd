// Strip normalizer: removes leading and/or trailing whitespace (White_Space property).
#pragma once
#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override;

 private:
  bool left_;
  bool right_;
};

}  // namespace tokclass
