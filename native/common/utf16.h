// UTF-16 -> code points, for text that arrives from JavaScript. The binding only copies a
// string's UTF-16 units on the JS thread; decoding (and refusing lone surrogates) happens on a
// worker thread, so a call with many texts blocks the event loop as little as possible.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace tokclass::utf16 {

// Decodes UTF-16 units into code points. A lone surrogate has no Unicode meaning (Python would
// refuse to encode it, and offsets given back would be ambiguous): throws Error(kInvalidText)
// naming text `index` and the surrogate's UTF-16 position.
std::u32string decode(std::u16string_view units, size_t index);

}  // namespace tokclass::utf16
