#include "tokenizer/normalizers/prepend.h"

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

TOKCLASS_REGISTER_NORMALIZER("Prepend", [](const json::Value& v) -> std::unique_ptr<Normalizer> {
  return std::make_unique<PrependNormalizer>(utf8::decode(v.at("prepend").as_string("normalizer.prepend")));
})

}  // namespace tokclass
