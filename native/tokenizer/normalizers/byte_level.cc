#include "tokenizer/normalizers/byte_level.h"

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/pre_tokenizers/byte_level.h"
#include "tokenizer/registry.h"

namespace tokclass {

void ByteLevelNormalizer::normalize(NormalizedString& s) const {
  std::vector<NormalizedString::Change> changes;
  changes.reserve(s.len());
  std::string bytes;
  for (char32_t c : s.get()) {
    bytes.clear();
    utf8::append(bytes, c);
    for (size_t i = 0; i < bytes.size(); ++i)
      changes.push_back({byte_level::byte_to_char(static_cast<uint8_t>(bytes[i])), i == 0 ? 0 : 1});
  }
  s.transform(changes, 0);
}

TOKCLASS_REGISTER_NORMALIZER("ByteLevel", [](const json::Value&) -> std::unique_ptr<Normalizer> {
  return std::make_unique<ByteLevelNormalizer>();
})

}  // namespace tokclass
