// UTF-8 <-> code points. Native code indexes text by Unicode code point (Python str indices,
// which is what the Hugging Face pipeline reports); UTF-16 conversion happens only at the JS
// boundary (binding/).
#pragma once
#include <string>
#include <string_view>

namespace tokclass::utf8 {

// Decodes well-formed UTF-8. Throws Error(kInvalidText) on malformed input or surrogates.
std::u32string decode(std::string_view bytes);
// Appends the UTF-8 encoding of one code point.
void append(std::string& out, char32_t cp);
std::string encode(std::u32string_view cps);
// Number of UTF-8 bytes one code point takes.
inline size_t width(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

}  // namespace tokclass::utf8
