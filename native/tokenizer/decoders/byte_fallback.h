// ByteFallback decoder: runs of "<0xAB>" tokens become the text of those bytes; when a run is
// not valid UTF-8, each of its bytes becomes one U+FFFD (HF decoders/byte_fallback.rs).
#pragma once
#include "tokenizer/decoders/decoder.h"

namespace tokclass {

class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

}  // namespace tokclass
