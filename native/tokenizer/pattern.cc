#include "tokenizer/pattern.h"

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/regex.h"

namespace tokclass {

Pattern Pattern::from_json(const json::Value& v, const std::string& where) {
  if (!v.is_object()) throw Error(codes::kTokenizerInvalid, where + " must be an object");
  Pattern p;
  if (const json::Value* s = v.find("String")) {
    p.literal_ = utf8::decode(s->as_string(where + ".String"));
  } else if (const json::Value* r = v.find("Regex")) {
    p.regex_ = std::make_shared<const Regex>(utf8::decode(r->as_string(where + ".Regex")), where);
  } else {
    throw Error(codes::kTokenizerUnsupported, where + " must be {\"String\": ...} or {\"Regex\": ...}");
  }
  return p;
}

Pattern Pattern::literal(std::u32string text) {
  Pattern p;
  p.literal_ = std::move(text);
  return p;
}

Matches Pattern::find_matches(std::u32string_view s) const {
  if (!regex_) return find_string_matches(s, literal_);
  if (s.empty()) return {{Offsets{0, 0}, false}};
  Matches out;
  uint32_t prev = 0;
  for (const Offsets& m : regex_->find_all(s)) {
    if (prev != m.start) out.push_back({Offsets{prev, m.start}, false});
    out.push_back({m, true});
    prev = m.end;
  }
  if (prev != s.size()) out.push_back({Offsets{prev, static_cast<uint32_t>(s.size())}, false});
  return out;
}

Matches Pattern::invert(Matches m) {
  for (auto& entry : m) entry.second = !entry.second;
  return m;
}

}  // namespace tokclass
