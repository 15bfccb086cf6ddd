// JSON numbers read as Hugging Face tokenizers reads them. tokenizer.json goes through
// serde_json without its `float_roundtrip` feature, whose parser does not round correctly: it
// takes up to 19 significant digits as an integer, converts that to a double, then multiplies
// or divides by a power of ten, rounding twice. About one Unigram score in five then differs
// from the correctly rounded value by one unit in the last place (checked on the xlmr fixture:
// 784 of 4,000), and Viterbi paths of exactly equal pieces (a run of "-" or of "112") tie or
// not by that last bit. So the scores are parsed the same way here.
#pragma once
#include <optional>
#include <string_view>

namespace tokclass::json {

// `text` is a complete, grammatically valid JSON number. nullopt where serde_json fails
// ("number out of range": a finite significand times a power of ten beyond a double).
std::optional<double> serde_json_f64(std::string_view text);

}  // namespace tokclass::json
