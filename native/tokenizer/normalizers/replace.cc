#include "tokenizer/normalizers/replace.h"

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

TOKCLASS_REGISTER_NORMALIZER("Replace", [](const json::Value& v) -> std::unique_ptr<Normalizer> {
  return std::make_unique<ReplaceNormalizer>(Pattern::from_json(v.at("pattern"), "normalizer.pattern"),
                                             utf8::decode(v.at("content").as_string("normalizer.content")));
})

}  // namespace tokclass
