#include "tokenizer/post_processors/sequence.h"

#include "common/json.h"
#include "tokenizer/registry.h"

namespace tokclass {

TOKCLASS_REGISTER_POST_PROCESSOR("Sequence", [](const json::Value& v) -> std::unique_ptr<PostProcessor> {
  std::vector<std::unique_ptr<PostProcessor>> list;
  for (const json::Value& p : v.at("processors").as_array("post_processor.processors")) {
    list.push_back(registry::make_post_processor(p));
  }
  return std::make_unique<SequencePostProcessor>(std::move(list));
})

}  // namespace tokclass
