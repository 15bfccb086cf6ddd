#include "tokenizer/pre_tokenizers/byte_level.h"

#include <array>

#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/pre_tokenizers/gpt2_split.h"
#include "tokenizer/registry.h"

namespace tokclass {

namespace byte_level {

namespace {

// The remapped bytes take U+0100..U+0143, so every alphabet char is below this.
constexpr char32_t kAlphabetEnd = 256 + 68;

struct Alphabet {
  std::array<char32_t, 256> to_char{};
  std::array<int16_t, kAlphabetEnd> to_byte{};  // -1: not an alphabet char
  Alphabet() {
    // Bytes that are printable and not whitespace keep their code point; the rest get
    // 256, 257, ... in byte order (GPT-2's bytes_to_unicode).
    auto keeps = [](int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE); };
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) to_char[b] = keeps(b) ? static_cast<char32_t>(b) : next++;
    to_byte.fill(-1);
    for (int b = 0; b < 256; ++b) to_byte[to_char[b]] = static_cast<int16_t>(b);
  }
};

const Alphabet& alphabet() {
  static const Alphabet a;
  return a;
}

}  // namespace

char32_t byte_to_char(uint8_t b) { return alphabet().to_char[b]; }

std::optional<uint8_t> char_to_byte(char32_t c) {
  if (c >= kAlphabetEnd || alphabet().to_byte[c] < 0) return std::nullopt;
  return static_cast<uint8_t>(alphabet().to_byte[c]);
}

}  // namespace byte_level

void ByteLevelPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  s.split_normalized([this](size_t, NormalizedString&& n) {
    if (add_prefix_space_ && (n.get().empty() || n.get()[0] != U' ')) n.prepend(U" ");
    std::vector<NormalizedString> out;
    if (use_regex_) return n.split(gpt2_split_matches(n.get()), SplitDelimiterBehavior::kIsolated);
    out.push_back(std::move(n));
    return out;
  });
  s.normalize([](NormalizedString& n) {
    std::vector<NormalizedString::Change> changes;
    changes.reserve(n.len());
    std::string bytes;
    for (char32_t c : n.get()) {
      bytes.clear();
      utf8::append(bytes, c);
      // The first byte replaces the char, the others are insertions aligned with it.
      for (size_t i = 0; i < bytes.size(); ++i) {
        changes.push_back({byte_level::byte_to_char(static_cast<uint8_t>(bytes[i])), i == 0 ? 0 : 1});
      }
    }
    n.transform(changes, 0);
  });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("ByteLevel", [](const json::Value& v) -> std::unique_ptr<PreTokenizer> {
  // trim_offsets only matters to the post-processing step; the pre-tokenizer ignores it.
  return std::make_unique<ByteLevelPreTokenizer>(v.get_bool("add_prefix_space", true),
                                                 v.get_bool("use_regex", true));
})

}  // namespace tokclass
