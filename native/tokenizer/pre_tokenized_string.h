// PreTokenizedString: the text cut into splits by added tokens and pre-tokenizers, each split a
// NormalizedString (keeping alignments to the original) plus, once known, its tokens. Mirrors
// HF `PreTokenizedString` (tokenizers/src/tokenizer/pre_tokenizer.rs).
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "tokenizer/encoding.h"
#include "tokenizer/models/model.h"
#include "tokenizer/normalized_string.h"

namespace tokclass {

struct Split {
  NormalizedString normalized;
  // Set for splits that are already tokens (added tokens) and after tokenize().
  std::optional<std::vector<Token>> tokens;
};

class PreTokenizedString {
 public:
  explicit PreTokenizedString(std::u32string text);
  explicit PreTokenizedString(NormalizedString normalized);

  // Replaces every split that has no tokens yet by the pieces fn returns (index = position
  // of the split). Empty pieces are dropped; splits that already have tokens are kept as is.
  void split(const std::function<std::vector<Split>(size_t, NormalizedString&&)>& fn);
  void split_normalized(
      const std::function<std::vector<NormalizedString>(size_t, NormalizedString&&)>& fn);

  // Applies fn to the normalized text of every split without tokens (normalizers on the
  // pieces left between added tokens).
  void normalize(const std::function<void(NormalizedString&)>& fn);

  // Runs the model on every split without tokens. With limit > 0 it stops once `limit` tokens
  // exist and drops the splits after that (tokenizers 0.23's right-truncation early exit,
  // which transformers 5.17 goes through whenever truncation is on: the tail of a long text
  // is never tokenized, so the overflowing windows end there too).
  void tokenize(const Model& model, size_t limit = 0);

  // Tokens -> Encoding: offsets mapped to the whole original text, word ids = split index
  // (or word_idx for pre-tokenized input), type ids = type_id.
  Encoding into_encoding(std::optional<int32_t> word_idx, uint32_t type_id) const;

  std::vector<Split>& splits() { return splits_; }
  const std::vector<Split>& splits() const { return splits_; }

 private:
  std::vector<Split> splits_;
};

}  // namespace tokclass
