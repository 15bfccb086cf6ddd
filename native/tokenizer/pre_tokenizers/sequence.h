// Sequence pre-tokenizer: applies each pre-tokenizer in order to the splits so far.
#pragma once
#include <memory>
#include <vector>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> pre_tokenizers)
      : pre_tokenizers_(std::move(pre_tokenizers)) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    for (const auto& p : pre_tokenizers_) p->pre_tokenize(s);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> pre_tokenizers_;
};

}  // namespace tokclass
