#include "tokenizer/normalizers/strip.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

void StripNormalizer::normalize(NormalizedString& s) const {
  if (left_ && right_) {
    s.strip();
    return;
  }
  if (left_) s.lstrip();
  if (right_) s.rstrip();
}

TOKCLASS_REGISTER_NORMALIZER("Strip", [](const json::Value& v) -> std::unique_ptr<Normalizer> {
  return std::make_unique<StripNormalizer>(v.get_bool("strip_left", true), v.get_bool("strip_right", true));
})

}  // namespace tokclass
