// Sequence post-processor (e.g. Llama-3 style [ByteLevel, TemplateProcessing]): runs each
// processor in order on the same window, so offsets are trimmed before special tokens are added.
#pragma once
#include <memory>
#include <vector>

#include "tokenizer/post_processors/post_processor.h"

namespace tokclass {

class SequencePostProcessor : public PostProcessor {
 public:
  explicit SequencePostProcessor(std::vector<std::unique_ptr<PostProcessor>> processors)
      : processors_(std::move(processors)) {}
  size_t added_tokens(bool pair) const override {
    size_t n = 0;
    for (const auto& p : processors_) n += p->added_tokens(pair);
    return n;
  }
  void process(Encoding& enc) const override {
    for (const auto& p : processors_) p->process(enc);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> processors_;
};

}  // namespace tokclass
