#include "tokenizer/normalizers/nmt.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

void NmtNormalizer::normalize(NormalizedString& s) const {
  s.filter([](char32_t c) {
    return !((c >= 0x0001 && c <= 0x0008) || c == 0x000B || (c >= 0x000E && c <= 0x001F) || c == 0x007F ||
             c == 0x008F || c == 0x009F);
  });
  s.map([](char32_t c) -> char32_t {
    switch (c) {
      case 0x0009: case 0x000A: case 0x000C: case 0x000D: case 0x1680:
      case 0x200B: case 0x200C: case 0x200D: case 0x200E: case 0x200F:
      case 0x2028: case 0x2029: case 0x2581: case 0xFEFF: case 0xFFFD:
        return U' ';
      default:
        return c;
    }
  });
}

TOKCLASS_REGISTER_NORMALIZER("Nmt", [](const json::Value&) -> std::unique_ptr<Normalizer> {
  return std::make_unique<NmtNormalizer>();
})

}  // namespace tokclass
