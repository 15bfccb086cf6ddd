// Split pre-tokenizer: splits on a pattern ({"String": ...} or {"Regex": ...}) with a
// delimiter behavior, optionally inverted (then the matches are what is kept apart).
// CharDelimiterSplit: splits on one char and removes it.
#pragma once
#include "tokenizer/pattern.h"
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(Pattern pattern, SplitDelimiterBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  Pattern pattern_;
  SplitDelimiterBehavior behavior_;
  bool invert_;
};

class CharDelimiterSplitPreTokenizer : public PreTokenizer {
 public:
  explicit CharDelimiterSplitPreTokenizer(char32_t delimiter) : delimiter_(delimiter) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  char32_t delimiter_;
};

}  // namespace tokclass
