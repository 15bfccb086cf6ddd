#include "tokenizer/decoders/fuse.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::vector<std::string> FuseDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::string all;
  for (const std::string& t : tokens) all += t;
  return {all};
}

TOKCLASS_REGISTER_DECODER("Fuse", [](const json::Value&) -> std::unique_ptr<Decoder> {
  return std::make_unique<FuseDecoder>();
})

}  // namespace tokclass
