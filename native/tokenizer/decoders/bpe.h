// BPEDecoder: the end-of-word suffix ("</w>") becomes a space, except in the last token
// where it is just removed.
#pragma once
#include <string>

#include "tokenizer/decoders/decoder.h"

namespace tokclass {

class BpeDecoder : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;

 private:
  std::string suffix_;
};

// Replaces every non-overlapping occurrence of `from` (non-empty) in s, left to right.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace tokclass
