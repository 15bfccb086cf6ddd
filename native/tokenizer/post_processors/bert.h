// BertProcessing (HF processors/bert.rs): [CLS] $A [SEP] (pair: [CLS] $A [SEP] $B [SEP]).
// Configured by "cls": [token, id] and "sep": [token, id].
#pragma once
#include <string>

#include "common/json.h"
#include "tokenizer/post_processors/post_processor.h"

namespace tokclass {

class BertProcessing : public PostProcessor {
 public:
  static std::unique_ptr<PostProcessor> from_json(const json::Value& v);
  size_t added_tokens(bool pair) const override { return pair ? 3 : 2; }
  void process(Encoding& enc) const override;

 private:
  std::string cls_, sep_;
  uint32_t cls_id_ = 0, sep_id_ = 0;
};

}  // namespace tokclass
