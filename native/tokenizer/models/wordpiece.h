// WordPiece (HF models/wordpiece): greedy longest-match-first over the vocabulary; pieces after
// the first carry continuing_subword_prefix ("##"). A word longer than
// max_input_chars_per_word, or one that cannot be fully matched, becomes a single unk token.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "tokenizer/models/model.h"
#include "tokenizer/models/vocab_table.h"

namespace tokclass {

class WordPiece : public Model {
 public:
  static std::unique_ptr<Model> from_json(const json::Value& v);
  WordPiece() = default;
  // vocab_r_ points into vocab_'s key arena: a copy or a move (a small arena lives inside the
  // string) would leave it pointing into another object.
  WordPiece(const WordPiece&) = delete;
  WordPiece& operator=(const WordPiece&) = delete;

  std::vector<Token> tokenize(std::u32string_view piece) const override;
  std::optional<uint32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(uint32_t id) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  std::optional<std::string> continuing_subword_prefix() const override;
  const char* kind() const override { return "WordPiece"; }

 private:
  VocabTable vocab_;
  std::vector<std::optional<std::string_view>> vocab_r_;  // id -> token (into vocab_; none for gaps)
  std::string unk_token_;
  std::string prefix_;
  size_t max_input_chars_per_word_ = 100;
};

}  // namespace tokclass
