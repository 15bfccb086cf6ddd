#include "tokenizer/truncation.h"

#include <algorithm>

#include "common/error.h"

namespace tokclass {

Encoding slice_encoding(const Encoding& enc, size_t start, size_t stop) {
  Encoding out;
  auto take = [&](const auto& v, auto& dst) { dst.assign(v.begin() + start, v.begin() + stop); };
  take(enc.ids, out.ids);
  take(enc.type_ids, out.type_ids);
  take(enc.tokens, out.tokens);
  take(enc.offsets, out.offsets);
  take(enc.special_tokens_mask, out.special_tokens_mask);
  take(enc.word_ids, out.word_ids);
  return out;
}

WindowShape window_shape(size_t len, size_t max_len, size_t stride) {
  if (len <= max_len) return WindowShape{1, len};
  if (max_len == 0) return WindowShape{2, len};  // an empty first window, then all of it
  const size_t step = max_len - stride;  // > 0: stride < max_len is required
  const size_t more = (len - max_len + step - 1) / step;  // windows after the first
  return WindowShape{1 + more, len + more * stride};
}

void truncate_encoding(Encoding& enc, size_t max_len, size_t stride, bool keep_overflowing) {
  const size_t len = enc.size();
  if (max_len >= len) return;
  if (max_len == 0) {
    Encoding all = std::move(enc);
    enc = Encoding{};
    if (keep_overflowing) enc.overflowing.push_back(std::move(all));
    return;
  }
  if (stride >= max_len)
    throw Error(codes::kStrideTooLarge, "stride must be strictly less than the window length");
  const size_t step = max_len - stride;
  Encoding main = slice_encoding(enc, 0, max_len);
  for (size_t start = keep_overflowing ? step : len; start < len; start += step) {
    size_t stop = std::min(start + max_len, len);
    main.overflowing.push_back(slice_encoding(enc, start, stop));
    if (stop == len) break;
  }
  enc = std::move(main);
}

}  // namespace tokclass
