#include "tokenizer/decoders/byte_level.h"

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/pre_tokenizers/byte_level.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::string utf8_lossy(std::string_view s) {
  static const char kReplacement[] = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size());
  const size_t n = s.size();
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < n) {
    const unsigned char b = byte(i);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    // Expected length and the allowed range of the second byte (Unicode Table 3-7).
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b == 0xE0) { len = 3; lo = 0xA0; }
    else if (b >= 0xE1 && b <= 0xEC) len = 3;
    else if (b == 0xED) { len = 3; hi = 0x9F; }
    else if (b >= 0xEE && b <= 0xEF) len = 3;
    else if (b == 0xF0) { len = 4; lo = 0x90; }
    else if (b >= 0xF1 && b <= 0xF3) len = 4;
    else if (b == 0xF4) { len = 4; hi = 0x8F; }
    if (len == 0) {  // never a valid lead byte
      out += kReplacement;
      ++i;
      continue;
    }
    // Consume the longest valid prefix; an incomplete one is replaced by a single U+FFFD.
    size_t k = 1;
    while (k < len && i + k < n) {
      const unsigned char c = byte(i + k);
      const unsigned char l = (k == 1) ? lo : 0x80, h = (k == 1) ? hi : 0xBF;
      if (c < l || c > h) break;
      ++k;
    }
    if (k == len) out.append(s.substr(i, len));
    else out += kReplacement;
    i += k;
  }
  return out;
}

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
  return {utf8_lossy(bytes)};
}

TOKCLASS_REGISTER_DECODER("ByteLevel", [](const json::Value&) -> std::unique_ptr<Decoder> {
  return std::make_unique<ByteLevelDecoder>();
})

}  // namespace tokclass
