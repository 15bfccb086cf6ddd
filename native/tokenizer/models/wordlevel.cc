#include "tokenizer/models/wordlevel.h"

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

WordLevelModel::WordLevelModel(std::unordered_map<std::string, uint32_t> vocab, std::string unk_token)
    : vocab_(std::move(vocab)), unk_token_(std::move(unk_token)) {
  for (const auto& [token, id] : vocab_) vocab_r_[id] = token;
}

std::unique_ptr<WordLevelModel> WordLevelModel::from_json(const json::Value& model) {
  std::unordered_map<std::string, uint32_t> vocab;
  for (const auto& m : model.at("vocab").as_object("model.vocab"))
    vocab[m.key] = static_cast<uint32_t>(m.value.as_int("model.vocab value"));
  return std::make_unique<WordLevelModel>(std::move(vocab), model.get_string("unk_token", "<unk>"));
}

std::vector<Token> WordLevelModel::tokenize(std::u32string_view piece) const {
  std::string s = utf8::encode(piece);
  const uint32_t n = static_cast<uint32_t>(piece.size());
  if (auto it = vocab_.find(s); it != vocab_.end()) return {{it->second, s, 0, n}};
  auto unk = vocab_.find(unk_token_);
  if (unk == vocab_.end()) {
    throw Error(codes::kTokenizerInvalid, "WordLevel unk_token '" + unk_token_ + "' is not in the vocab");
  }
  return {{unk->second, unk_token_, 0, n}};
}

std::optional<uint32_t> WordLevelModel::token_to_id(std::string_view token) const {
  auto it = vocab_.find(std::string(token));
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> WordLevelModel::id_to_token(uint32_t id) const {
  auto it = vocab_r_.find(id);
  if (it == vocab_r_.end()) return std::nullopt;
  return it->second;
}

TOKCLASS_REGISTER_MODEL("WordLevel", [](const json::Value& v) -> std::unique_ptr<Model> {
  return WordLevelModel::from_json(v);
})

}  // namespace tokclass
