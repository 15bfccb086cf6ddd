// Sequence decoder: applies each decoder's decode_chain in order.
#pragma once
#include <memory>

#include "tokenizer/decoders/decoder.h"

namespace tokclass {

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> decoders) : decoders_(std::move(decoders)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::vector<std::unique_ptr<Decoder>> decoders_;
};

}  // namespace tokclass
