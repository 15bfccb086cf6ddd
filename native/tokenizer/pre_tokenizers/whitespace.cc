#include "tokenizer/pre_tokenizers/whitespace.h"

#include "common/json.h"
#include "tokenizer/regex.h"
#include "tokenizer/registry.h"
#include "unicode/unicode.h"

namespace tokclass {

WhitespacePreTokenizer::WhitespacePreTokenizer()
    : regex_(std::make_unique<Regex>(U"\\w+|[^\\w\\s]+", "pre_tokenizer Whitespace")) {}
WhitespacePreTokenizer::~WhitespacePreTokenizer() = default;

void WhitespacePreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  s.split_normalized([this](size_t, NormalizedString&& n) {
    // HF splits on the inverted regex with Removed: what the regex does not match goes.
    Matches kept;
    uint32_t prev = 0;
    const auto& text = n.get();
    for (const Offsets& m : regex_->find_all(text)) {
      if (prev != m.start) kept.push_back({Offsets{prev, m.start}, true});
      kept.push_back({m, false});
      prev = m.end;
    }
    if (prev != text.size()) kept.push_back({Offsets{prev, static_cast<uint32_t>(text.size())}, true});
    if (text.empty()) kept.push_back({Offsets{0, 0}, true});
    return n.split(kept, SplitDelimiterBehavior::kRemoved);
  });
}

void WhitespaceSplitPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  s.split_normalized([](size_t, NormalizedString&& n) {
    return n.split([](char32_t c) { return unicode::is_whitespace(c); }, SplitDelimiterBehavior::kRemoved);
  });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("Whitespace", [](const json::Value&) -> std::unique_ptr<PreTokenizer> {
  return std::make_unique<WhitespacePreTokenizer>();
})
TOKCLASS_REGISTER_PRE_TOKENIZER("WhitespaceSplit", [](const json::Value&) -> std::unique_ptr<PreTokenizer> {
  return std::make_unique<WhitespaceSplitPreTokenizer>();
})

}  // namespace tokclass
