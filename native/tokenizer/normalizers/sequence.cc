#include "tokenizer/normalizers/sequence.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

TOKCLASS_REGISTER_NORMALIZER("Sequence", [](const json::Value& v) -> std::unique_ptr<Normalizer> {
  std::vector<std::unique_ptr<Normalizer>> normalizers;
  for (const json::Value& n : v.at("normalizers").as_array("normalizer.normalizers")) {
    normalizers.push_back(registry::make_normalizer(n));
  }
  return std::make_unique<SequenceNormalizer>(std::move(normalizers));
})

}  // namespace tokclass
