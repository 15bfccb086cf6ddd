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
// Any bytes as well-formed UTF-8, each maximal ill-formed subpart replaced by one U+FFFD (Unicode
// "maximal subpart" substitution): Python's bytes.decode('utf-8', errors='replace'), Rust's
// String::from_utf8_lossy, and what V8 makes of such bytes.
std::string lossy(std::string_view bytes);
// Number of UTF-8 bytes one code point takes.
inline size_t width(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

}  // namespace tokclass::utf8
