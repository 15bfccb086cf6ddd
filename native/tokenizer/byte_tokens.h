// The "<0xAB>" vocabulary entries of byte_fallback: models (BPE, Unigram) emit them for
// bytes they have no piece for, and the ByteFallback decoder turns them back into bytes.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace tokclass {

// "<0xAB>" for byte 0xAB (upper-case hex, as sentencepiece and tokenizers write them).
std::string byte_fallback_token(unsigned char byte);
// The byte of a "<0xAB>" token (either hex case), or nullopt for any other token.
std::optional<unsigned char> parse_byte_fallback_token(std::string_view token);

}  // namespace tokclass
