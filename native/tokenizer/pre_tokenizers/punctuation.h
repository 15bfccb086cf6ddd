// Punctuation pre-tokenizer: splits on punctuation chars (ASCII punctuation, which includes
// symbols like '$' and '+', or any Unicode P* category) with a delimiter behavior
// (default Isolated).
#pragma once
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {

class PunctuationPreTokenizer : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(SplitDelimiterBehavior behavior) : behavior_(behavior) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  SplitDelimiterBehavior behavior_;
};

}  // namespace tokclass
