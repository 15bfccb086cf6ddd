#include "tokenizer/decoders/wordpiece.h"

#include "tokenizer/registry.h"

namespace tokclass {

namespace {
// Replaces every `from` in s with `to`, in place; s is left untouched (no copy) when `from`
// does not occur, which is almost always.
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  size_t f = s.find(from);
  if (f == std::string::npos) return;
  std::string out;
  size_t pos = 0;
  for (; f != std::string::npos; f = s.find(from, pos)) {
    out.append(s, pos, f - pos);
    out.append(to);
    pos = f + from.size();
  }
  out.append(s, pos, std::string::npos);
  s = std::move(out);
}
}  // namespace

std::string WordPieceDecoder::cleanup(std::string s) {
  // Every pattern starts with a space: a piece without one is already clean. (This runs for
  // every token of every entity's word, most of which have none.)
  if (s.find(' ') == std::string::npos) return s;
  // Same replacements, same order as HF (each is a global replace).
  static const std::pair<std::string_view, std::string_view> kRules[] = {
      {" .", "."},     {" ?", "?"},     {" !", "!"},   {" ,", ","},   {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"},   {" do not", " don't"},          {" 's", "'s"},
      {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& [from, to] : kRules) replace_all(s, from, to);
  return s;
}

std::vector<std::string> WordPieceDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string& t = tokens[i];
    if (i != 0) {
      if (!prefix_.empty() && t.compare(0, prefix_.size(), prefix_) == 0) t.erase(0, prefix_.size());
      else t = " " + t;  // (not insert(): g++ 12 -Wrestrict false positive)
    }
    if (cleanup_) t = cleanup(std::move(t));
  }
  return tokens;
}

TOKCLASS_REGISTER_DECODER("WordPiece", [](const json::Value& v) {
  return std::make_unique<WordPieceDecoder>(v.get_string("prefix", "##"), v.get_bool("cleanup", true));
})

}  // namespace tokclass
