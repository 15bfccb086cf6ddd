// Fuse decoder: joins all tokens into one (so later decoders in a Sequence see one string).
#pragma once
#include "tokenizer/decoders/decoder.h"

namespace tokclass {

class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

}  // namespace tokclass
