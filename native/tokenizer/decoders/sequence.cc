#include "tokenizer/decoders/sequence.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::vector<std::string> SequenceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (const auto& d : decoders_) tokens = d->decode_chain(std::move(tokens));
  return tokens;
}

TOKCLASS_REGISTER_DECODER("Sequence", [](const json::Value& v) -> std::unique_ptr<Decoder> {
  std::vector<std::unique_ptr<Decoder>> decoders;
  for (const json::Value& d : v.at("decoders").as_array("decoder.decoders")) {
    decoders.push_back(registry::make_decoder(d));
  }
  return std::make_unique<SequenceDecoder>(std::move(decoders));
})

}  // namespace tokclass
