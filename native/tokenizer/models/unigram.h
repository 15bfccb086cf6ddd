// Unigram model (tokenizer.json "type": "Unigram", SentencePiece style): the best-scoring
// segmentation of a piece by Viterbi over the piece log-probabilities, as `tokenizers`'
// optimized encoder computes it (same tie-breaking: the first candidate found wins). A
// character no piece starts with gets unk_id with score min_score - 10 (HF's kUnkPenalty);
// consecutive unknowns fuse into one token whose string is the raw text; with byte_fallback
// an unknown string becomes its "<0xAB>" byte tokens instead.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizer/models/model.h"

namespace tokclass {
namespace json { class Value; }

struct UnigramConfig {
  std::vector<std::pair<std::string, double>> vocab;  // id = index
  std::optional<uint32_t> unk_id;
  bool byte_fallback = false;
};

class UnigramModel : public Model {
 public:
  // Throws Error(kTokenizerInvalid) for an unk_id outside the vocab.
  explicit UnigramModel(UnigramConfig config);
  static std::unique_ptr<UnigramModel> from_json(const json::Value& model);

  std::vector<Token> tokenize(std::u32string_view piece) const override;
  std::optional<uint32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(uint32_t id) const override;
  size_t vocab_size() const override { return pieces_.size(); }
  const char* kind() const override { return "Unigram"; }

 private:
  // Segments `piece` into [start, end) code-point spans (unknown runs already fused).
  std::vector<std::pair<uint32_t, uint32_t>> segment(std::u32string_view piece) const;

  // Code-point trie over all pieces: edges keyed by (node << 21) | code point.
  static uint64_t edge_key(uint32_t node, char32_t cp) { return (uint64_t{node} << 21) | cp; }
  std::unordered_map<uint64_t, uint32_t> edges_;
  std::vector<int64_t> node_piece_;  // piece id ending at each trie node, or -1

  std::vector<std::pair<std::string, double>> pieces_;
  std::unordered_map<std::string, uint32_t> piece_ids_;
  std::optional<uint32_t> unk_id_;
  bool byte_fallback_;
  double min_score_;
};

}  // namespace tokclass
