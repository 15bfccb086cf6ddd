// From one text's windows (encodings) and their logits to the pipeline's entities:
// softmax -> pre-entities (is_subword, [UNK] words) -> aggregation -> ignore_labels -> merge of
// overlapping entities when there was more than one window. A pure function: no model, no ORT.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/entity.h"
#include "tokenizer/encoding.h"

namespace tokclass {

class TokenDecoder;

struct PostprocessConfig {
  const std::vector<std::string>* id2label = nullptr;     // labels by class index
  Aggregation strategy = Aggregation::kSimple;
  const std::vector<std::string>* ignore_labels = nullptr;  // null: the default {"O"}
  std::optional<uint32_t> unk_token_id;                    // tokenizer.unk_token_id
  // Pre-split input (is_split_into_words): `text` is the words joined by the delimiter and
  // word_starts[w] the code-point start of word w in it; token offsets, relative to their word,
  // are shifted by it (via Encoding::word_ids). Null for plain text.
  const std::vector<uint32_t>* word_starts = nullptr;
  LabelScheme label_scheme = LabelScheme::kBio;
};

struct WindowLogits {
  const Encoding* encoding = nullptr;  // one window (post-processed, special tokens included)
  const float* logits = nullptr;       // [encoding->size(), num_labels], row-major
  size_t num_labels = 0;
};

// `text` is the original input (code points); `decoder` (normally the Tokenizer) supplies
// decode_tokens and continuing_subword_prefix. Throws Error(kModelInvalid) if a class index has no label.
std::vector<Entity> postprocess(std::u32string_view text, const std::vector<WindowLogits>& windows,
                                const TokenDecoder& decoder, const PostprocessConfig& config);

}  // namespace tokclass
