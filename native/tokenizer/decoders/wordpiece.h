// WordPiece decoder (HF decoders/wordpiece.rs): drop the "##" prefix of continuation tokens,
// put a space before the others (not the first), then with cleanup undo the tokenization
// spaces (" ." -> ".", " n't" -> "n't", " do not" -> " don't", ...).
#pragma once
#include <string>

#include "common/json.h"
#include "tokenizer/decoders/decoder.h"

namespace tokclass {

class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override;
  // HF's `cleanup` (also used by other decoders).
  static std::string cleanup(std::string s);

 private:
  std::string prefix_;
  bool cleanup_;
};

}  // namespace tokclass
