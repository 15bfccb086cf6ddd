// Metaspace decoder: the replacement char ('▁') back to ' '; in the first token it is
// dropped instead (all of them, as HF does) unless prepend_scheme is "never".
#pragma once
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/pre_tokenizers/metaspace.h"

namespace tokclass {

class MetaspaceDecoder : public Decoder {
 public:
  explicit MetaspaceDecoder(MetaspaceConfig config) : config_(config) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  MetaspaceConfig config_;
};

}  // namespace tokclass
