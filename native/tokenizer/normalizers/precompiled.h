// Precompiled normalizer: SentencePiece's compiled normalization rules (the base64
// "precompiled_charsmap": a Darts double-array trie over UTF-8 keys plus a blob of
// NUL-terminated replacements), applied as HF does through the spm_precompiled crate:
// text is cut into extended grapheme clusters; a cluster shorter than 6 bytes is first looked
// up whole, otherwise (or when that finds nothing) each char is looked up alone. A lookup takes
// the SHORTEST trie key that prefixes the chunk (HF's "weird but correct" behaviour) and the
// chunk becomes that key's replacement. Alignment changes follow HF's `replace` helper.
//
// Grapheme clusters are found with UAX #29 rules built on the general categories we have (no
// Grapheme_Cluster_Break table): CR LF, controls, Prepend, Extend/SpacingMark/ZWJ, Hangul
// syllables, regional-indicator pairs, emoji ZWJ sequences. The output can only depend on a
// cluster's extent when the cluster is shorter than 6 bytes, i.e. Latin/Greek/Cyrillic/Arabic/
// Hebrew letters with marks, CR LF and Prepend sequences, which these rules cover exactly.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class PrecompiledNormalizer : public Normalizer {
 public:
  // `charsmap` is the decoded binary. Throws Error(kTokenizerInvalid) when it is malformed.
  explicit PrecompiledNormalizer(std::string charsmap);
  void normalize(NormalizedString& s) const override;

  // The replacement for the shortest trie key prefixing `chunk` (UTF-8), if any.
  std::optional<std::string_view> transform(std::string_view chunk) const;

 private:
  std::vector<uint32_t> trie_;
  std::string normalized_;
};

// Standard base64 (with or without '=' padding); throws Error(kTokenizerInvalid).
std::string base64_decode(std::string_view in, const char* what);

// End (exclusive) of the extended grapheme cluster starting at `i` (UAX #29, see above).
size_t grapheme_end(std::u32string_view s, size_t i);

}  // namespace tokclass
