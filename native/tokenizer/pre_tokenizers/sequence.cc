#include "tokenizer/pre_tokenizers/sequence.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

TOKCLASS_REGISTER_PRE_TOKENIZER("Sequence", [](const json::Value& v) -> std::unique_ptr<PreTokenizer> {
  std::vector<std::unique_ptr<PreTokenizer>> list;
  for (const json::Value& p : v.at("pretokenizers").as_array("pre_tokenizer.pretokenizers")) {
    list.push_back(registry::make_pre_tokenizer(p));
  }
  return std::make_unique<SequencePreTokenizer>(std::move(list));
})

}  // namespace tokclass
