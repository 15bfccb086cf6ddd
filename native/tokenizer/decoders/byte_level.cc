#include "tokenizer/decoders/byte_level.h"

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/pre_tokenizers/byte_level.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::vector<std::string> ByteLevelDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::string bytes;
  for (const std::string& t : tokens) {
    std::string mapped;
    bool all_mapped = true;
    for (char32_t c : utf8::decode(t)) {
      auto b = byte_level::char_to_byte(c);
      if (!b) {
        all_mapped = false;
        break;
      }
      mapped.push_back(static_cast<char>(*b));
    }
    bytes += all_mapped ? mapped : t;
  }
  return {utf8::lossy(bytes)};
}

TOKCLASS_REGISTER_DECODER("ByteLevel", [](const json::Value&) -> std::unique_ptr<Decoder> {
  return std::make_unique<ByteLevelDecoder>();
})

}  // namespace tokclass
