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

  // Code-point trie over all pieces, laid out breadth-first so that the children of a node are
  // contiguous and sorted by code point (binary search). Compact for 250k-piece vocabularies.
  struct TrieNode {
    char32_t label = 0;
    uint32_t first_child = 0;
    uint32_t child_count = 0;
    int32_t piece = -1;  // id of the piece ending here (the last one for repeated pieces, as HF)
  };
  // Child of `node` labelled `cp`, or -1.
  int64_t child(uint32_t node, char32_t cp) const;
  // The root's children, hashed: every position of a piece starts its search there, and the
  // root has a child per distinct first character (thousands, where deeper nodes have a few),
  // which a binary search crossed in a dozen scattered reads (a quarter of encoding with this
  // model). Open-addressed, at most half full; an empty slot has the label kNoLabel.
  static constexpr char32_t kNoLabel = 0xFFFFFFFF;
  struct RootSlot {
    char32_t label = kNoLabel;
    uint32_t node = 0;
  };
  void build_root_index();
  size_t root_slot(char32_t cp) const;
  std::vector<RootSlot> root_index_;
  unsigned root_shift_ = 0;  // 32 - log2(root_index_.size())
  // Id of the piece spelled exactly `text`, or -1.
  int64_t find_piece(std::u32string_view text) const;
  void build_trie();
  std::vector<TrieNode> trie_;

  std::vector<std::pair<std::string, double>> pieces_;
  std::optional<uint32_t> unk_id_;
  bool byte_fallback_;
  double min_score_;
};

}  // namespace tokclass
