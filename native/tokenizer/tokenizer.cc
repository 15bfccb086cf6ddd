// Tokenizer: wires the tokenizer.json stages together, following HF TokenizerImpl::encode:
// added tokens + normalizer -> pre-tokenizer -> model -> truncation -> post-processor.
#include "tokenizer/tokenizer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/registry.h"
#include "tokenizer/truncation.h"

namespace tokclass {

struct Tokenizer::Impl {
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<Model> model;
  std::unique_ptr<PostProcessor> post_processor;
  std::unique_ptr<Decoder> decoder;
  std::unique_ptr<AddedVocabulary> added;

  // Normalize + pre-tokenize + model on one text. `limit` > 0 stops tokenizing once that many
  // tokens exist (tokenizers 0.23 early exit; see PreTokenizedString::tokenize).
  Encoding encode_piece(std::u32string_view text, std::optional<int32_t> word_idx,
                        size_t limit) const {
    PreTokenizedString pts = added->extract_and_normalize(normalizer.get(), text);
    if (pre_tokenizer) pre_tokenizer->pre_tokenize(pts);
    pts.tokenize(*model, limit);
    return pts.into_encoding(word_idx, 0);
  }

  size_t token_limit(const EncodeOptions& o) const {
    return o.truncation_early_exit ? o.max_length : 0;
  }

  size_t added_tokens(const EncodeOptions& o) const {
    return (o.add_special_tokens && post_processor) ? post_processor->added_tokens(false) : 0;
  }

  void check_options(const EncodeOptions& o) const {
    if (o.max_length == 0) return;
    size_t n_added = added_tokens(o);
    if (o.max_length < n_added)
      throw Error(codes::kInvalidArgument,
                  "max_length " + std::to_string(o.max_length) + " is smaller than the " +
                      std::to_string(n_added) + " special tokens added to every sequence");
    size_t effective = o.max_length - n_added;
    if (o.stride > 0 && o.stride >= effective)
      throw Error(codes::kStrideTooLarge,
                  "stride " + std::to_string(o.stride) + " must be less than max_length " +
                      std::to_string(o.max_length) + " minus the " + std::to_string(n_added) +
                      " special tokens (= " + std::to_string(effective) + ")");
  }

  // Truncation (into overflowing windows) then special tokens on every window.
  void finish(Encoding& enc, const EncodeOptions& o) const {
    if (o.max_length > 0) {
      const size_t added = added_tokens(o);
      const size_t effective = o.max_length - added;
      if (enc.size() > effective) {
        if (o.return_overflowing && o.max_window_tokens > 0) {
          // Counted before any window exists: a long text at a stride close to the window
          // makes up to max_length copies of each token, gigabytes for a few megabytes of text.
          const WindowShape shape = window_shape(enc.size(), effective, o.stride);
          const size_t total = shape.tokens + shape.windows * added;
          if (total > o.max_window_tokens) throw WindowLimitError(enc.size(), shape.windows, total, o.max_window_tokens);
        }
        // Without return_overflowing only the first window is made (nothing else fills it).
        truncate_encoding(enc, effective, o.stride, o.return_overflowing);
      }
    }
    if (o.add_special_tokens && post_processor) {
      post_processor->process(enc);
      for (Encoding& w : enc.overflowing) post_processor->process(w);
    }
  }
};

WindowLimitError::WindowLimitError(size_t text_tokens_, size_t windows_, size_t window_tokens_, size_t limit_)
    : Error(codes::kInvalidText, "would make " + std::to_string(windows_) + " windows holding " +
                                     std::to_string(window_tokens_) + " tokens, more than the limit of " +
                                     std::to_string(limit_)),
      text_tokens(text_tokens_),
      windows(windows_),
      window_tokens(window_tokens_),
      limit(limit_) {}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::from_json(std::string_view json_text) {
  json::Value root = json::parse(json_text);
  if (!root.is_object()) throw Error(codes::kTokenizerInvalid, "tokenizer.json must be an object");
  auto impl = std::make_unique<Impl>();
  impl->model = registry::make_model(root.at("model"));
  if (const json::Value* v = root.find_non_null("normalizer"))
    impl->normalizer = registry::make_normalizer(*v);
  if (const json::Value* v = root.find_non_null("pre_tokenizer"))
    impl->pre_tokenizer = registry::make_pre_tokenizer(*v);
  if (const json::Value* v = root.find_non_null("post_processor"))
    impl->post_processor = registry::make_post_processor(*v);
  if (const json::Value* v = root.find_non_null("decoder"))
    impl->decoder = registry::make_decoder(*v);
  std::vector<AddedToken> added;
  if (const json::Value* v = root.find_non_null("added_tokens")) added = AddedVocabulary::parse(*v);
  impl->added = std::make_unique<AddedVocabulary>(std::move(added), impl->normalizer.get());
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(impl)));
}

std::unique_ptr<Tokenizer> Tokenizer::from_file(const std::string& path) {
  // A folder opens as a stream that reads nothing: it was reported as "invalid JSON at byte 0".
  std::error_code not_a_path;
  if (std::filesystem::is_directory(path, not_a_path)) {
    throw Error(codes::kModelNotFound, "the tokenizer file '" + path + "' is a directory");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(codes::kModelNotFound, "cannot read tokenizer file '" + path + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    return from_json(ss.str());
  } catch (const Error& e) {
    // Which file is broken, as config.json's errors say: a model folder has several JSON files.
    throw Error(e.code(), "tokenizer file '" + path + "': " + e.what());
  }
}

void Tokenizer::check_options(const EncodeOptions& options) const { impl_->check_options(options); }

Encoding Tokenizer::encode(std::u32string_view text, const EncodeOptions& options) const {
  impl_->check_options(options);
  Encoding enc = impl_->encode_piece(text, std::nullopt, impl_->token_limit(options));
  impl_->finish(enc, options);
  return enc;
}

Encoding Tokenizer::encode_words(const std::vector<std::u32string>& words,
                                 const EncodeOptions& options) const {
  impl_->check_options(options);
  // As HF for is_pretokenized input: each word encoded on its own with word id = its index,
  // offsets relative to the word, then concatenated.
  Encoding enc;
  for (size_t i = 0; i < words.size(); ++i) {
    Encoding w = impl_->encode_piece(words[i], static_cast<int32_t>(i), impl_->token_limit(options));
    enc.ids.insert(enc.ids.end(), w.ids.begin(), w.ids.end());
    enc.type_ids.insert(enc.type_ids.end(), w.type_ids.begin(), w.type_ids.end());
    enc.tokens.insert(enc.tokens.end(), w.tokens.begin(), w.tokens.end());
    enc.offsets.insert(enc.offsets.end(), w.offsets.begin(), w.offsets.end());
    enc.special_tokens_mask.insert(enc.special_tokens_mask.end(), w.special_tokens_mask.begin(),
                                   w.special_tokens_mask.end());
    enc.word_ids.insert(enc.word_ids.end(), w.word_ids.begin(), w.word_ids.end());
  }
  impl_->finish(enc, options);
  return enc;
}

std::string Tokenizer::decode_tokens(const std::vector<std::string>& tokens) const {
  std::string out;
  if (!impl_->decoder) {
    // transformers falls back to joining with spaces when there is no decoder.
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) out.push_back(' ');
      out += tokens[i];
    }
    return out;
  }
  for (const std::string& piece : impl_->decoder->decode_chain(tokens)) out += piece;
  return out;
}

std::string Tokenizer::decode_ids(const std::vector<uint32_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (uint32_t id : ids) {
    std::optional<std::string> token = id_to_token(id);
    if (!token) continue;
    // By the token's text, as HF tests its special-token set.
    if (skip_special_tokens) {
      const std::optional<uint32_t> added = impl_->added->token_to_id(*token);
      if (added && impl_->added->is_special_id(*added)) continue;
    }
    tokens.push_back(std::move(*token));
  }
  return decode_tokens(tokens);
}

std::optional<uint32_t> Tokenizer::token_to_id(std::string_view token) const {
  if (auto id = impl_->added->token_to_id(token)) return id;
  return impl_->model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(uint32_t id) const {
  if (auto t = impl_->added->id_to_token(id)) return t;
  return impl_->model->id_to_token(id);
}

std::optional<std::string> Tokenizer::continuing_subword_prefix() const {
  return impl_->model->continuing_subword_prefix();
}

size_t Tokenizer::num_special_tokens(bool pair) const {
  return impl_->post_processor ? impl_->post_processor->added_tokens(pair) : 0;
}

std::string Tokenizer::model_kind() const { return impl_->model->kind(); }

}  // namespace tokclass
