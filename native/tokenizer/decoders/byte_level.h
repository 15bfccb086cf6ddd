// ByteLevel decoder: maps byte chars ('Ġ' -> ' ') back to bytes and decodes the whole byte
// string as UTF-8, replacing invalid sequences with U+FFFD exactly like Python's
// bytes.decode('utf-8', errors='replace') / Rust's from_utf8_lossy (one U+FFFD per maximal
// ill-formed subpart). A token holding any char outside the byte alphabet contributes its own
// UTF-8 bytes unchanged, as in HF.
#pragma once
#include <string>
#include <string_view>

#include "tokenizer/decoders/decoder.h"

namespace tokclass {

class ByteLevelDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
};

}  // namespace tokclass
