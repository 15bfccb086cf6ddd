// Tokenizer: the whole tokenizer.json pipeline (added tokens -> normalizer -> pre-tokenizer ->
// model -> post-processor, plus the decoder) behind one immutable object that is safe to use
// from many threads at once (all methods const, no mutable caches without locks).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "tokenizer/encoding.h"
#include "tokenizer/token_decoder.h"

namespace tokclass {

class Normalizer;
class PreTokenizer;
class Model;
class PostProcessor;
class Decoder;
class AddedVocabulary;

struct EncodeOptions {
  bool add_special_tokens = true;
  // 0 = no truncation. Otherwise the total length including special tokens, as a fast
  // tokenizer's `max_length` with `truncation=True`.
  size_t max_length = 0;
  // Tokens shared by consecutive overflowing windows; only used with return_overflowing.
  size_t stride = 0;
  bool return_overflowing = false;
  // With max_length > 0, stop tokenizing once max_length tokens exist (the special-token
  // budget is not subtracted), dropping the rest of the text, as tokenizers 0.23.x does (its
  // "truncation early exit", which transformers 5.17 goes through): the overflowing windows
  // then end there too, which is what the reference pipeline returns. false = tokenizers
  // 0.22 behavior (overflowing windows cover the whole text).
  bool truncation_early_exit = true;
  // With return_overflowing: the most tokens (special tokens included) all the windows of one
  // text may hold; more throws WindowLimitError before any window is built. 0 = no limit.
  size_t max_window_tokens = 0;
};

// A text whose overflowing windows would hold more than EncodeOptions::max_window_tokens
// tokens. Carries the numbers so that a caller can word the error in its own terms (the
// classifier names its load option and the text's index); code ERR_INVALID_TEXT.
class WindowLimitError : public Error {
 public:
  WindowLimitError(size_t text_tokens, size_t windows, size_t window_tokens, size_t limit);
  size_t text_tokens;    // the text's own tokens, before windowing (no special tokens)
  size_t windows;        // windows it would make
  size_t window_tokens;  // tokens they would hold, special tokens included
  size_t limit;
};

class Tokenizer : public TokenDecoder {
 public:
  // Parses tokenizer.json text. Throws Error(kTokenizerInvalid) for malformed JSON/structure and
  // Error(kTokenizerUnsupported) naming any component type it does not implement.
  static std::unique_ptr<Tokenizer> from_json(std::string_view json_text);
  static std::unique_ptr<Tokenizer> from_file(const std::string& path);
  ~Tokenizer() override;

  // Encodes one text (code points). With max_length > 0 the result is truncated and, if
  // return_overflowing, the rest comes back in `overflowing`. Throws Error(kStrideTooLarge) when
  // the stride does not fit in max_length minus the special tokens.
  Encoding encode(std::u32string_view text, const EncodeOptions& options) const;

  // The checks encode() starts with, on their own: throws Error(kStrideTooLarge) when the
  // stride does not fit in max_length minus the special tokens, Error(kInvalidArgument) when
  // max_length cannot hold the special tokens. Lets a caller refuse a request before any work.
  void check_options(const EncodeOptions& options) const;

  // Pre-tokenized input (is_split_into_words): each word is pre-tokenized separately; word_ids
  // index `words`; offsets are relative to each word (the caller shifts them).
  Encoding encode_words(const std::vector<std::u32string>& words, const EncodeOptions& options) const;

  // convert_tokens_to_string: the decoder applied to token strings (WordPiece "##" joining,
  // ByteLevel bytes back to UTF-8, Metaspace "▁" to spaces, ...).
  std::string decode_tokens(const std::vector<std::string>& tokens) const override;
  // Hugging Face's Tokenizer::decode: ids to tokens (added vocabulary first, then the model; an
  // id neither has is left out), special added tokens left out when asked, then the decoder.
  std::string decode_ids(const std::vector<uint32_t>& ids, bool skip_special_tokens) const;

  std::optional<uint32_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(uint32_t id) const;

  // The model's continuing_subword_prefix when it has a non-empty one ("##" for WordPiece);
  // the pipeline uses its presence to pick the exact is_subword rule over the heuristic.
  std::optional<std::string> continuing_subword_prefix() const override;

  // Number of special tokens the post-processor adds around a single sequence.
  size_t num_special_tokens(bool pair = false) const;

  // Short description of the components, e.g. "WordPiece" / "BPE" / "Unigram".
  std::string model_kind() const;

  struct Impl;

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokclass
