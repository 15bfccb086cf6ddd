// WordLevel model: each pre-tokenized piece is looked up whole; a missing one becomes unk_token.
#pragma once
#include <memory>
#include <string>
#include <unordered_map>

#include "tokenizer/models/model.h"

namespace tokclass {
namespace json { class Value; }

class WordLevelModel : public Model {
 public:
  WordLevelModel(std::unordered_map<std::string, uint32_t> vocab, std::string unk_token);
  static std::unique_ptr<WordLevelModel> from_json(const json::Value& model);

  std::vector<Token> tokenize(std::u32string_view piece) const override;
  std::optional<uint32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(uint32_t id) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  const char* kind() const override { return "WordLevel"; }

 private:
  std::unordered_map<std::string, uint32_t> vocab_;
  std::unordered_map<uint32_t, std::string> vocab_r_;
  std::string unk_token_;
};

}  // namespace tokclass
