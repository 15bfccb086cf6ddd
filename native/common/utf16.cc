#include "common/utf16.h"

#include "common/error.h"

namespace tokclass::utf16 {

std::u32string decode(std::u16string_view units, size_t index, std::string_view within) {
  std::u32string out;
  out.reserve(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    const char16_t u = units[i];
    if (u < 0xD800 || u > 0xDFFF) {
      out.push_back(u);
    } else if (u <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] <= 0xDFFF) {
      out.push_back(0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) + (units[i + 1] - 0xDC00));
      ++i;
    } else {
      throw Error::for_text(codes::kInvalidText, index,
                            "contains a lone surrogate at UTF-16 index " + std::to_string(i) + std::string(within));
    }
  }
  return out;
}

}  // namespace tokclass::utf16
