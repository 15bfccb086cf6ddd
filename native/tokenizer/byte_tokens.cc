#include "tokenizer/byte_tokens.h"

namespace tokclass {

std::string byte_fallback_token(unsigned char byte) {
  static const char* kHex = "0123456789ABCDEF";
  std::string s = "<0x";
  s += kHex[byte >> 4];
  s += kHex[byte & 15];
  s += '>';
  return s;
}

std::optional<unsigned char> parse_byte_fallback_token(std::string_view t) {
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const int high = hex(t[3]), low = hex(t[4]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<unsigned char>(high * 16 + low);
}

}  // namespace tokclass
