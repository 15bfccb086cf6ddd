// The GPT-2 split pattern that the ByteLevel pre-tokenizer uses,
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// as a hand-written scanner (no regex engine): same leftmost-first alternation, same
// backtracking of `\s+(?!\S)` (a whitespace run before a non-space gives up its last char so
// that " word" stays together). \s is Unicode White_Space, as in Oniguruma.
#pragma once
#include <string_view>

#include "tokenizer/normalized_string.h"

namespace tokclass {

// The matches of the pattern over `s`, in HF's find_matches form (every code point is inside
// exactly one match, since the pattern matches at every position).
Matches gpt2_split_matches(std::u32string_view s);

}  // namespace tokclass
