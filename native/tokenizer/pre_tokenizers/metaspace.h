// Metaspace pre-tokenizer (SentencePiece style): every ' ' becomes the replacement char
// ('▁'), one is prepended per the prepend_scheme, then the text is split before each
// replacement char (MergedWithNext, so "▁Hello▁world" -> "▁Hello" | "▁world"). The prepended
// '▁' is aligned with the first character, which is why the first token's offsets start at 0.
// The Metaspace decoder (decoders/metaspace.h) shares PrependScheme and the JSON parsing.
#pragma once
#include <string>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass {
namespace json { class Value; }

enum class PrependScheme { kAlways, kFirst, kNever };

struct MetaspaceConfig {
  char32_t replacement = U'\u2581';
  PrependScheme prepend_scheme = PrependScheme::kAlways;
  bool split = true;
  // Reads "replacement", "prepend_scheme" (or the legacy "add_prefix_space"), "split".
  static MetaspaceConfig from_json(const json::Value& v, const char* stage);
};

class MetaspacePreTokenizer : public PreTokenizer {
 public:
  explicit MetaspacePreTokenizer(MetaspaceConfig config) : config_(config) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  MetaspaceConfig config_;
};

}  // namespace tokclass
