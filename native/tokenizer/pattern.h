// A tokenizer.json pattern, as Replace (normalizer and decoder) and Split use it:
// {"String": "..."} matches that literal text; {"Regex": "..."} an Oniguruma-style regex run
// by tokenizer/regex.h. Matching follows HF's Pattern::find_matches: leftmost, non-overlapping,
// every code point covered by either a match or a non-match range.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/normalized_string.h"

namespace tokclass {
namespace json { class Value; }
class Regex;

class Pattern {
 public:
  // `where` names the field in errors ("normalizer.pattern"). Throws
  // Error(kTokenizerUnsupported) for a regex feature the engine does not implement.
  static Pattern from_json(const json::Value& v, const std::string& where);
  static Pattern literal(std::u32string text);

  Matches find_matches(std::u32string_view s) const;
  // Match list with the flags flipped (Split's "invert").
  static Matches invert(Matches m);

 private:
  std::u32string literal_;
  std::shared_ptr<const Regex> regex_;  // shared: immutable, Pattern stays copyable
};

}  // namespace tokclass
