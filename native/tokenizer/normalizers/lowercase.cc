#include "tokenizer/normalizers/lowercase.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

TOKCLASS_REGISTER_NORMALIZER("Lowercase", [](const json::Value&) -> std::unique_ptr<Normalizer> {
  return std::make_unique<LowercaseNormalizer>();
})

}  // namespace tokclass
