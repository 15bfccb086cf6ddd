// RobertaProcessing: "<s> A </s>" (pair: "<s> A </s> </s> B </s>"), every type id 0, and
// with trim_offsets the ByteLevel offset trimming first (on each window, before the special
// tokens are added, so "first token" means the window's first token, as in HF).
#pragma once
#include <string>

#include "tokenizer/post_processors/post_processor.h"

namespace tokclass {

struct SpecialToken {
  std::string token;
  uint32_t id = 0;
};

class RobertaPostProcessor : public PostProcessor {
 public:
  RobertaPostProcessor(SpecialToken cls, SpecialToken sep, bool trim_offsets, bool add_prefix_space)
      : cls_(std::move(cls)), sep_(std::move(sep)), trim_offsets_(trim_offsets),
        add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool pair) const override { return pair ? 4 : 2; }
  void process(Encoding& enc) const override;

 private:
  SpecialToken cls_;
  SpecialToken sep_;
  bool trim_offsets_;
  bool add_prefix_space_;
};

}  // namespace tokclass
