// ByteLevel post-processor: adds no tokens, only trims offsets (trim_offsets) so that a token
// like "Ġname" points at "name" and not at " name". RobertaProcessing does the same trimming
// before adding <s> ... </s>, through trim_byte_level_offsets().
#pragma once
#include "tokenizer/post_processors/post_processor.h"

namespace tokclass {

// HF processors/byte_level.rs process_offsets: per token, leading/trailing 'Ġ' (or whitespace)
// chars move the start right / the end left, never past each other. The first token (index 0,
// or any token starting at offset 0, as pre-tokenized words do) keeps one leading space when
// add_prefix_space is on, because that space was added and maps onto the first character.
// Offsets are code points; each 'Ġ' stands for one original ' ', which is one code point.
void trim_byte_level_offsets(Encoding& enc, bool add_prefix_space);

class ByteLevelPostProcessor : public PostProcessor {
 public:
  ByteLevelPostProcessor(bool trim_offsets, bool add_prefix_space)
      : trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool) const override { return 0; }
  void process(Encoding& enc) const override;

 private:
  bool trim_offsets_;
  bool add_prefix_space_;
};

}  // namespace tokclass
