// BertPreTokenizer (HF pre_tokenizers/bert.rs): split on whitespace (removed), then isolate
// every punctuation char (ASCII punctuation, which includes symbols like $ + < = > ^ ` | ~,
// or any Unicode P* category).
#pragma once
#include "common/json.h"
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {

class BertPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
  static bool is_bert_punctuation(char32_t c);
};

}  // namespace tokclass
