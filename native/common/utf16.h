// UTF-16 <-> code points, for text that arrives from and goes back to JavaScript. The binding
// only copies a string's UTF-16 units on the JS thread; decoding (and refusing lone surrogates)
// happens on a worker thread, so a call with many texts blocks the event loop as little as
// possible.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace tokclass::utf16 {

// Decodes UTF-16 units into code points. A lone surrogate has no Unicode meaning (Python would
// refuse to encode it, and offsets given back would be ambiguous): throws Error(kInvalidText)
// naming text `index` and the surrogate's UTF-16 position, followed by `within` (a word of a
// word list: " of word 2", the position being in that word).
std::u32string decode(std::u16string_view units, size_t index, std::string_view within = {});

// Appends one code point as UTF-16 (a surrogate pair above U+FFFF), as utf8::append does in UTF-8.
inline void append(std::u16string& out, char32_t cp) {
  if (cp < 0x10000) {
    out.push_back(static_cast<char16_t>(cp));
  } else {
    cp -= 0x10000;
    out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
    out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
  }
}

}  // namespace tokclass::utf16
