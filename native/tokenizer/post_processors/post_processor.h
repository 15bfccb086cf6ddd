// A tokenizer.json "post_processor": adds the special tokens around one sequence (and may
// adjust offsets, e.g. RoBERTa's trim_offsets). The tokenizer calls process() on the main
// encoding and on each overflowing window separately, after setting type ids to 0, which is
// what HF's default PostProcessor::process + TemplateProcessing do for a single sequence.
#pragma once
#include <memory>
#include <cstddef>

#include "tokenizer/encoding.h"

namespace tokclass {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // Number of special tokens added around one sequence (pair=false) or a pair.
  virtual size_t added_tokens(bool pair) const = 0;
  // Adds the special tokens to `enc` (not to enc.overflowing: the caller does those).
  virtual void process(Encoding& enc) const = 0;
};

}  // namespace tokclass
