// Truncation with stride, exactly as HF Encoding::truncate (right direction): windows of
// max_len tokens starting every (max_len - stride) tokens; the first stays in the encoding,
// the others go to `overflowing` (no special tokens yet: the post-processor adds them to each).
#pragma once
#include <cstddef>

#include "tokenizer/encoding.h"

namespace tokclass {

// Requires stride < max_len when max_len > 0 (checked by the caller, which knows how to word
// the error). max_len == 0 moves everything to overflowing, as HF. keep_overflowing = false
// keeps the first window alone: the others are never built (a long text without a stride).
void truncate_encoding(Encoding& enc, size_t max_len, size_t stride, bool keep_overflowing = true);

// What truncate_encoding makes of `len` tokens, counted without building it: how many windows
// and how many tokens they hold in all (special tokens not included). Every window after the
// first starts `max_len - stride` tokens after the one before and so repeats `stride` tokens;
// a stride close to max_len multiplies a text's tokens up to max_len times.
struct WindowShape {
  size_t windows = 0;
  size_t tokens = 0;
};
WindowShape window_shape(size_t len, size_t max_len, size_t stride);

// Tokens [start, stop) of enc as a new encoding (no overflowing).
Encoding slice_encoding(const Encoding& enc, size_t start, size_t stop);

}  // namespace tokclass
