// Prepend normalizer: puts a string in front of non-empty text; the new chars are aligned
// with the first original char (HF NormalizedString::prepend).
#pragma once
#include <string>

#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::u32string prepend) : prepend_(std::move(prepend)) {}
  void normalize(NormalizedString& s) const override {
    if (!s.empty()) s.prepend(prepend_);
  }

 private:
  std::u32string prepend_;
};

}  // namespace tokclass
