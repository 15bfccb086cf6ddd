#include "tokenizer/pre_tokenizers/split.h"

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

void SplitPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  s.split_normalized([this](size_t, NormalizedString&& n) {
    Matches m = pattern_.find_matches(n.get());
    if (invert_) m = Pattern::invert(std::move(m));
    return n.split(m, behavior_);
  });
}

void CharDelimiterSplitPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  const char32_t d = delimiter_;
  s.split_normalized([d](size_t, NormalizedString&& n) {
    return n.split([d](char32_t c) { return c == d; }, SplitDelimiterBehavior::kRemoved);
  });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("Split", [](const json::Value& v) -> std::unique_ptr<PreTokenizer> {
  return std::make_unique<SplitPreTokenizer>(
      Pattern::from_json(v.at("pattern"), "pre_tokenizer.pattern"),
      parse_split_behavior(v.at("behavior").as_string("pre_tokenizer.behavior")),
      v.get_bool("invert", false));
})

TOKCLASS_REGISTER_PRE_TOKENIZER("CharDelimiterSplit", [](const json::Value& v) -> std::unique_ptr<PreTokenizer> {
  std::u32string d = utf8::decode(v.at("delimiter").as_string("pre_tokenizer.delimiter"));
  if (d.size() != 1) throw Error(codes::kTokenizerInvalid, "pre_tokenizer.delimiter must be one character");
  return std::make_unique<CharDelimiterSplitPreTokenizer>(d[0]);
})

}  // namespace tokclass
