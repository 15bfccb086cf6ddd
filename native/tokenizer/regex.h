// A small backtracking regex engine for the patterns tokenizer.json files carry (Replace and
// Split patterns, e.g. " {2,}" or the GPT-4 / Llama-3 split pattern). Hugging Face compiles
// them with Oniguruma (Ruby syntax, UTF-8); this engine implements the subset those files use,
// with Oniguruma's Unicode meanings, and refuses the rest by name instead of guessing:
//   literals and escapes (\n \t \r \f \v \e \a \0 \xHH \x{H..} \uHHHH, escaped punctuation),
//   . (any but \n), classes [...] with ranges / negation / escapes, \d \D \s \S \w \W \h \H,
//   \p{..} \P{..} \p{^..} for general categories (L, Lu, N, Nd, P, ...) and a few long names,
//   groups ( ) (?: ) (?<name> ), inline flags (?i) (?i: ) (?-i: ), alternation |,
//   quantifiers * + ? {n} {n,} {n,m} {,m} (greedy, lazy ?, possessive +), lookahead (?= ) (?! ),
//   anchors ^ $ (line, as in Ruby syntax) \A \z \Z \b \B.
// Not supported (Error kTokenizerUnsupported): lookbehind, backreferences, atomic groups,
// scripts/binary properties, POSIX brackets, nested class sets, other inline flags.
// Offsets are code points. Immutable after construction, safe to share between threads.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/encoding.h"

namespace tokclass {

class Regex {
 public:
  // `where` names the tokenizer.json field in error messages.
  Regex(std::u32string_view pattern, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Leftmost, non-overlapping matches (Oniguruma search order); after an empty match the
  // search resumes one code point further.
  std::vector<Offsets> find_all(std::u32string_view s) const;

  struct Node;

 private:
  std::unique_ptr<Node> root_;
};

}  // namespace tokclass
