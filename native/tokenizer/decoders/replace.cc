#include "tokenizer/decoders/replace.h"

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::vector<std::string> ReplaceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (std::string& t : tokens) {
    const std::u32string cps = utf8::decode(t);
    std::u32string out;
    for (const auto& [off, is_match] : pattern_.find_matches(cps)) {
      if (is_match) out += content_;
      else out.append(cps, off.start, off.end - off.start);
    }
    t = utf8::encode(out);
  }
  return tokens;
}

TOKCLASS_REGISTER_DECODER("Replace", [](const json::Value& v) -> std::unique_ptr<Decoder> {
  return std::make_unique<ReplaceDecoder>(Pattern::from_json(v.at("pattern"), "decoder.pattern"),
                                          utf8::decode(v.at("content").as_string("decoder.content")));
})

}  // namespace tokclass
