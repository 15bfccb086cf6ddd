// Strip decoder: removes up to `start` leading and `stop` trailing occurrences of `content`
// (one char) from every token (HF decoders/strip.rs).
#pragma once
#include <cstddef>

#include "tokenizer/decoders/decoder.h"

namespace tokclass {

class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  char32_t content_;
  size_t start_;
  size_t stop_;
};

}  // namespace tokclass
