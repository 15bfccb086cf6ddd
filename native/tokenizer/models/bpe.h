// BPE model (tokenizer.json "type": "BPE"): splits a piece into characters, then applies the
// merges by rank exactly as Hugging Face `tokenizers` does (lowest rank first, leftmost on ties),
// with unk / fuse_unk, byte_fallback ("<0xAB>" tokens), continuing_subword_prefix,
// end_of_word_suffix and ignore_merges. Dropout is a training-time option: it is ignored (as a
// pipeline at inference never sets it).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/models/merge_table.h"
#include "tokenizer/models/model.h"
#include "tokenizer/models/vocab_table.h"

namespace tokclass {
namespace json { class Value; }

struct BpeConfig {
  std::vector<std::pair<std::string, uint32_t>> vocab;
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  std::optional<std::string> unk_token;
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class BpeModel : public Model {
 public:
  // Throws Error(kTokenizerInvalid) when a merge names a token missing from the vocab.
  explicit BpeModel(BpeConfig config);
  // The "model" object of tokenizer.json.
  static std::unique_ptr<BpeModel> from_json(const json::Value& model);

  std::vector<Token> tokenize(std::u32string_view piece) const override;
  std::optional<uint32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(uint32_t id) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  std::optional<std::string> continuing_subword_prefix() const override;
  const char* kind() const override { return "BPE"; }

 private:
  VocabTable vocab_;
  std::vector<std::optional<std::string>> vocab_r_;  // indexed by id (ids are dense)
  MergeTable merges_;
  std::optional<std::string> unk_token_;
  std::optional<std::string> prefix_;
  std::optional<std::string> suffix_;
  bool fuse_unk_;
  bool byte_fallback_;
  bool ignore_merges_;
};

}  // namespace tokclass
