// Digits pre-tokenizer: splits numbers (Rust char::is_numeric, any N* category) from the
// rest; individual_digits puts every digit apart, otherwise runs of digits stay together.
#pragma once
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {

class DigitsPreTokenizer : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual_digits) : individual_(individual_digits) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  bool individual_;
};

}  // namespace tokclass
