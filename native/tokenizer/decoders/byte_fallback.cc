#include "tokenizer/decoders/byte_fallback.h"

#include <optional>

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/byte_tokens.h"
#include "tokenizer/registry.h"

namespace tokclass {

namespace {

void flush(std::string& bytes, std::vector<std::string>& out) {
  if (bytes.empty()) return;
  std::string lossy = utf8::lossy(bytes);
  if (lossy == bytes) {
    out.push_back(bytes);
  } else {
    for (size_t i = 0; i < bytes.size(); ++i) out.push_back("\xEF\xBF\xBD");
  }
  bytes.clear();
}

}  // namespace

std::vector<std::string> ByteFallbackDecoder::decode_chain(std::vector<std::string> tokens) const {
  std::vector<std::string> out;
  std::string bytes;
  for (std::string& t : tokens) {
    if (auto b = parse_byte_fallback_token(t)) {
      bytes.push_back(static_cast<char>(*b));
      continue;
    }
    flush(bytes, out);
    out.push_back(std::move(t));
  }
  flush(bytes, out);
  return out;
}

TOKCLASS_REGISTER_DECODER("ByteFallback", [](const json::Value&) -> std::unique_ptr<Decoder> {
  return std::make_unique<ByteFallbackDecoder>();
})

}  // namespace tokclass
