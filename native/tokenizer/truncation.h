// Truncation with stride, exactly as HF Encoding::truncate (right direction): windows of
// max_len tokens starting every (max_len - stride) tokens; the first stays in the encoding,
// the others go to `overflowing` (no special tokens yet: the post-processor adds them to each).
#pragma once
#include <cstddef>

#include "tokenizer/encoding.h"

namespace tokclass {

// Requires stride < max_len when max_len > 0 (checked by the caller, which knows how to word
// the error). max_len == 0 moves everything to overflowing, as HF.
void truncate_encoding(Encoding& enc, size_t max_len, size_t stride);

// Tokens [start, stop) of enc as a new encoding (no overflowing).
Encoding slice_encoding(const Encoding& enc, size_t start, size_t stop);

}  // namespace tokclass
