// A tokenizer.json "decoder": turns token strings back into text pieces (HF decode_chain); the
// text is the pieces joined with "". Sequence decoders chain decode_chain calls.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace tokclass {

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};

}  // namespace tokclass
