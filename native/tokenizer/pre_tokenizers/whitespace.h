// Whitespace pre-tokenizer: keeps the runs matching \w+|[^\w\s]+ (words and runs of
// punctuation), dropping whitespace. WhitespaceSplit: splits on White_Space only.
#pragma once
#include <memory>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {

class Regex;

class WhitespacePreTokenizer : public PreTokenizer {
 public:
  WhitespacePreTokenizer();
  ~WhitespacePreTokenizer() override;
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  std::unique_ptr<Regex> regex_;
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

}  // namespace tokclass
