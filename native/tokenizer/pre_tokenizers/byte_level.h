// ByteLevel pre-tokenizer (GPT-2 / RoBERTa): optional prefix space, the GPT-2 split pattern,
// then every UTF-8 byte of the text becomes one printable "byte char" (the bytes_to_unicode
// alphabet: 'Ġ' for ' ', 'Ċ' for '\n', ...). A character's bytes all stay aligned to that
// character, so a token made of part of a character still points at the whole character.
// The byte alphabet is also used by the ByteLevel decoder and the offset trimming of the
// ByteLevel / RobertaProcessing post-processors.
#pragma once
#include <cstdint>
#include <optional>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {

namespace byte_level {
// GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 upward.
char32_t byte_to_char(uint8_t b);
// Inverse mapping; nullopt for a char outside the 256-char alphabet.
std::optional<uint8_t> char_to_byte(char32_t c);
}  // namespace byte_level

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  bool add_prefix_space_;
  bool use_regex_;
};

}  // namespace tokclass
