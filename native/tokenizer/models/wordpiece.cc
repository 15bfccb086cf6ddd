#include "tokenizer/models/wordpiece.h"

#include <algorithm>

#include "common/error.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::unique_ptr<Model> WordPiece::from_json(const json::Value& v) {
  auto m = std::make_unique<WordPiece>();
  m->unk_token_ = v.get_string("unk_token", "[UNK]");
  m->prefix_ = v.get_string("continuing_subword_prefix", "##");
  int64_t max_chars = v.get_int("max_input_chars_per_word", 100);
  if (max_chars < 0) throw Error(codes::kTokenizerInvalid, "max_input_chars_per_word must be >= 0");
  m->max_input_chars_per_word_ = static_cast<size_t>(max_chars);
  const json::Object& vocab = v.at("vocab").as_object("model.vocab");
  m->vocab_ = VocabTable(vocab.size());
  uint32_t max_id = 0;
  for (const json::Member& e : vocab) {
    int64_t id = e.value.as_int("model.vocab id");
    if (id < 0 || id > 0x7FFFFFFF) throw Error(codes::kTokenizerInvalid, "vocab id out of range");
    m->vocab_.set(e.key, static_cast<uint32_t>(id));
    max_id = std::max(max_id, static_cast<uint32_t>(id));
  }
  check_vocab_ids_dense(vocab.size(), max_id, "WordPiece");
  m->vocab_r_ = m->vocab_.keys_by_id();
  return m;
}

std::vector<Token> WordPiece::tokenize(std::u32string_view piece) const {
  const uint32_t n = static_cast<uint32_t>(piece.size());
  auto unk = [&]() -> std::vector<Token> {
    const std::optional<uint32_t> id = vocab_.find(unk_token_);
    if (!id)
      throw Error(codes::kTokenizerInvalid,
                  "WordPiece unk_token '" + unk_token_ + "' is not in the vocabulary");
    return {Token{*id, unk_token_, 0, n}};
  };
  if (n > max_input_chars_per_word_) return unk();

  // UTF-8 byte position of every char boundary, so substrings are cheap to build. Scratch
  // buffers kept per thread: this runs once per word.
  thread_local std::string bytes;
  thread_local std::vector<size_t> pos;
  bytes.clear();
  pos.resize(n + 1);
  for (uint32_t i = 0; i < n; ++i) {
    pos[i] = bytes.size();
    utf8::append(bytes, piece[i]);
  }
  pos[n] = bytes.size();

  std::vector<Token> out;
  thread_local std::string key;
  uint32_t start = 0;
  while (start < n) {
    uint32_t end = n;
    bool found = false;
    const size_t prefix_bytes = start > 0 ? prefix_.size() : 0;
    // Candidates longer than the longest vocabulary entry cannot match.
    while (end > start && prefix_bytes + pos[end] - pos[start] > vocab_.max_key_bytes()) --end;
    while (start < end) {
      key.clear();
      if (start > 0) key = prefix_;
      key.append(bytes, pos[start], pos[end] - pos[start]);
      if (const std::optional<uint32_t> id = vocab_.find(key)) {
        out.push_back(Token{*id, key, start, end});
        found = true;
        break;
      }
      --end;
    }
    if (!found) return unk();
    start = end;
  }
  return out;
}

std::optional<uint32_t> WordPiece::token_to_id(std::string_view token) const {
  return vocab_.find(token);
}

std::optional<std::string> WordPiece::id_to_token(uint32_t id) const {
  if (id >= vocab_r_.size() || !vocab_r_[id]) return std::nullopt;
  return std::string(*vocab_r_[id]);
}

std::optional<std::string> WordPiece::continuing_subword_prefix() const {
  if (prefix_.empty()) return std::nullopt;
  return prefix_;
}

TOKCLASS_REGISTER_MODEL("WordPiece", WordPiece::from_json)

}  // namespace tokclass
