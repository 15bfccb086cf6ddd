// Replace decoder: in each token, every match of the pattern becomes `content` (e.g. '▁' ->
// ' ' for SentencePiece BPE models).
#pragma once
#include <string>

#include "tokenizer/decoders/decoder.h"
#include "tokenizer/pattern.h"

namespace tokclass {

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(Pattern pattern, std::u32string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  Pattern pattern_;
  std::u32string content_;
};

}  // namespace tokclass
