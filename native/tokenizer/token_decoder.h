// The part of a tokenizer that post-processing needs: turning token strings back into text
// (convert_tokens_to_string) and knowing whether the model marks subwords with a prefix.
// Kept as an interface so pipeline/ can be tested without a full tokenizer.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace tokclass {

class TokenDecoder {
 public:
  virtual ~TokenDecoder() = default;
  // The tokenizer.json decoder applied to token strings (WordPiece "##" joining + cleanup,
  // ByteLevel bytes -> UTF-8 with U+FFFD for invalid sequences, Metaspace "▁" -> " ", ...).
  virtual std::string decode_tokens(const std::vector<std::string>& tokens) const = 0;
  // The model's continuing_subword_prefix when non-empty ("##" for WordPiece), else nullopt.
  virtual std::optional<std::string> continuing_subword_prefix() const = 0;
};

}  // namespace tokclass
