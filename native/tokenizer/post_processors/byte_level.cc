#include "tokenizer/post_processors/byte_level.h"

#include <algorithm>

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/pre_tokenizers/byte_level.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

namespace {

bool is_space_char(char32_t c) {
  static const char32_t kSpace = byte_level::byte_to_char(' ');  // 'Ġ'
  return c == kSpace || unicode::is_whitespace(c);
}

}  // namespace

void trim_byte_level_offsets(Encoding& enc, bool add_prefix_space) {
  for (size_t i = 0; i < enc.size(); ++i) {
    const std::u32string token = utf8::decode(enc.tokens[i]);
    size_t leading = 0, trailing = 0;
    while (leading < token.size() && is_space_char(token[leading])) ++leading;
    while (trailing < token.size() && is_space_char(token[token.size() - 1 - trailing])) ++trailing;
    if (leading == 0 && trailing == 0) continue;
    Offsets& o = enc.offsets[i];
    if (leading > 0) {
      const bool is_first = i == 0 || o.start == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      o.start = std::min<uint32_t>(o.start + static_cast<uint32_t>(leading), o.end);
    }
    if (trailing > 0 && o.end >= trailing) {
      o.end = std::max<uint32_t>(o.end - static_cast<uint32_t>(trailing), o.start);
    }
  }
}

void ByteLevelPostProcessor::process(Encoding& enc) const {
  if (trim_offsets_) trim_byte_level_offsets(enc, add_prefix_space_);
}

TOKCLASS_REGISTER_POST_PROCESSOR("ByteLevel", [](const json::Value& v) -> std::unique_ptr<PostProcessor> {
  return std::make_unique<ByteLevelPostProcessor>(v.get_bool("trim_offsets", true),
                                                  v.get_bool("add_prefix_space", true));
})

}  // namespace tokclass
