// Sequence normalizer: applies each normalizer in order.
#pragma once
#include <memory>
#include <vector>

#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> normalizers)
      : normalizers_(std::move(normalizers)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& n : normalizers_) n->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> normalizers_;
};

}  // namespace tokclass
