#include "tokenizer/decoders/bpe.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  if (from.empty()) return std::string(s);
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
    out.append(s.substr(pos, hit - pos));
    out.append(to);
  }
  out.append(s.substr(pos));
  return out;
}

std::vector<std::string> BpeDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    tokens[i] = replace_all(tokens[i], suffix_, i + 1 == tokens.size() ? "" : " ");
  }
  return tokens;
}

TOKCLASS_REGISTER_DECODER("BPEDecoder", [](const json::Value& v) -> std::unique_ptr<Decoder> {
  return std::make_unique<BpeDecoder>(v.get_string("suffix", "</w>"));
})

}  // namespace tokclass
