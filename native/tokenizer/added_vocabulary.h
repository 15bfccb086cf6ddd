// Added tokens (tokenizer.json "added_tokens"): found in the text BEFORE the model runs, as HF
// AddedVocabulary does: tokens with normalized=false are matched in the raw text first; the
// pieces between them are normalized, then tokens with normalized=true are matched in that
// normalized text (their content normalized the same way). Matching is leftmost-longest;
// single_word, lstrip and rstrip behave as in HF (\w and \s as Rust's regex defines them).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/pre_tokenized_string.h"

namespace tokclass {

struct AddedToken {
  std::string content;
  uint32_t id = 0;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

class AddedVocabulary {
 public:
  // `normalizer` (may be null) is used once here to normalize the normalized=true tokens.
  AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer);
  static std::vector<AddedToken> parse(const json::Value& added_tokens);

  // Splits out added tokens and normalizes the rest (normalizer may be null).
  PreTokenizedString extract_and_normalize(const Normalizer* normalizer,
                                           std::u32string_view text) const;

  std::optional<uint32_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(uint32_t id) const;
  bool is_special_id(uint32_t id) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  // A char trie for leftmost-longest matching of the token contents.
  struct Trie {
    struct Node {
      std::unordered_map<char32_t, uint32_t> next;
      int32_t token = -1;  // index into tokens_
    };
    std::vector<Node> nodes{Node{}};
    // Which characters can start a token: most characters of a text start none, and telling
    // so from a table is much cheaper than a miss in the root's map (one per character).
    std::array<bool, 128> ascii_starts{};
    bool non_ascii_starts = false;
    void insert(std::u32string_view s, int32_t token);
    bool empty() const { return nodes.size() == 1; }
    bool may_start(char32_t c) const { return c < 128 ? ascii_starts[c] : non_ascii_starts; }
  };
  std::vector<Split> split_with_tokens(NormalizedString&& s, const Trie& trie) const;

  std::vector<AddedToken> tokens_;
  // Per token, the string id_to_token gives: a normalized token's content as the normalizer
  // leaves it (HF returns "newword" for id_to_token of "NewWord" on a lowercasing tokenizer,
  // while token_to_id still takes "NewWord"), else its content.
  std::vector<std::string> id_tokens_;
  std::unordered_map<std::string, uint32_t> by_content_;
  std::unordered_map<uint32_t, size_t> by_id_;
  Trie raw_trie_, normalized_trie_;
};

}  // namespace tokclass
