// A tokenizer.json "pre_tokenizer": cuts the splits of a PreTokenizedString further (and may
// rewrite their text, e.g. ByteLevel). One class per type, registered in registry.h.
#pragma once
#include <memory>
#include "tokenizer/pre_tokenized_string.h"

namespace tokclass {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};

}  // namespace tokclass
