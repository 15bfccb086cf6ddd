#include "tokenizer/pre_tokenizers/metaspace.h"

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

MetaspaceConfig MetaspaceConfig::from_json(const json::Value& v, const char* stage) {
  MetaspaceConfig c;
  const std::string where = std::string(stage) + ".replacement";
  std::u32string rep = utf8::decode(v.get_string("replacement", "\u2581"));
  if (rep.size() != 1) throw Error(codes::kTokenizerInvalid, where + " must be one character");
  c.replacement = rep[0];
  if (const json::Value* scheme = v.find_non_null("prepend_scheme")) {
    const std::string& s = scheme->as_string(std::string(stage) + ".prepend_scheme");
    if (s == "always") c.prepend_scheme = PrependScheme::kAlways;
    else if (s == "first") c.prepend_scheme = PrependScheme::kFirst;
    else if (s == "never") c.prepend_scheme = PrependScheme::kNever;
    else throw Error(codes::kTokenizerUnsupported, std::string(stage) + " Metaspace prepend_scheme '" + s + "' is not supported");
  } else if (const json::Value* aps = v.find_non_null("add_prefix_space")) {
    // Files written before prepend_scheme existed.
    c.prepend_scheme = aps->as_bool("add_prefix_space") ? PrependScheme::kAlways : PrependScheme::kNever;
  }
  c.split = v.get_bool("split", true);
  return c;
}

void MetaspacePreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  const MetaspaceConfig& c = config_;
  const std::u32string rep(1, c.replacement);
  s.split_normalized([&](size_t, NormalizedString&& n) {
    n.replace(U" ", rep);
    const bool starts_with_rep = !n.get().empty() && n.get()[0] == c.replacement;
    bool prepend = false;
    switch (c.prepend_scheme) {
      case PrependScheme::kAlways: prepend = !starts_with_rep; break;
      // Only the split that begins the whole text (HF checks offsets_original().0 == 0).
      case PrependScheme::kFirst: prepend = !starts_with_rep && n.original_shift() == 0; break;
      case PrependScheme::kNever: break;
    }
    if (prepend) n.prepend(rep);
    if (c.split) {
      const char32_t r = c.replacement;
      return n.split([r](char32_t ch) { return ch == r; }, SplitDelimiterBehavior::kMergedWithNext);
    }
    std::vector<NormalizedString> out;
    out.push_back(std::move(n));
    return out;
  });
}

TOKCLASS_REGISTER_PRE_TOKENIZER("Metaspace", [](const json::Value& v) -> std::unique_ptr<PreTokenizer> {
  return std::make_unique<MetaspacePreTokenizer>(MetaspaceConfig::from_json(v, "pre_tokenizer"));
})

}  // namespace tokclass
