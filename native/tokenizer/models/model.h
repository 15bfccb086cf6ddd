// A tokenizer.json "model": turns one pre-tokenized piece into vocabulary tokens.
// Implementations: WordPiece, BPE, Unigram (one file each). Immutable after construction and
// safe to call from many threads (no unsynchronized caches).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokclass {

struct Token {
  uint32_t id = 0;
  std::string value;   // UTF-8, as in the vocabulary (e.g. "##ing", "Ġthe", "▁the")
  uint32_t start = 0;  // code-point offsets within the piece given to tokenize()
  uint32_t end = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // `piece` is one split produced by the pre-tokenizer, in code points (for byte-level BPE
  // these are already the byte-to-unicode mapped characters).
  virtual std::vector<Token> tokenize(std::u32string_view piece) const = 0;
  virtual std::optional<uint32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(uint32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
  // Non-empty only when the model marks word continuations with a prefix ("##").
  virtual std::optional<std::string> continuing_subword_prefix() const { return std::nullopt; }
  virtual const char* kind() const = 0;  // "WordPiece", "BPE", "Unigram"
};

// WordPiece and BPE keep id -> token in a vector indexed by id, which a corrupt tokenizer.json
// with one huge id (say 2e9 among 300 entries) would make a multi-gigabyte allocation.
// Real vocabularies are dense; throws Error(kTokenizerInvalid) past 4 x entries + 1024.
void check_vocab_ids_dense(size_t entries, uint32_t max_id, const char* model);

}  // namespace tokclass
