#include "tokenizer/decoders/metaspace.h"

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::vector<std::string> MetaspaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string out;
    for (char32_t c : utf8::decode(tokens[i])) {
      if (c != config_.replacement) utf8::append(out, c);
      else if (!(i == 0 && config_.prepend_scheme != PrependScheme::kNever)) out.push_back(' ');
    }
    tokens[i] = std::move(out);
  }
  return tokens;
}

TOKCLASS_REGISTER_DECODER("Metaspace", [](const json::Value& v) -> std::unique_ptr<Decoder> {
  return std::make_unique<MetaspaceDecoder>(MetaspaceConfig::from_json(v, "decoder"));
})

}  // namespace tokclass
