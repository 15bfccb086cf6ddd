#include "tokenizer/post_processors/template.h"

#include <map>

#include "common/error.h"
#include "tokenizer/registry.h"

namespace tokclass {

void append_sequence(Encoding& enc, Encoding& seq, uint32_t type_id) {
  enc.ids.insert(enc.ids.end(), seq.ids.begin(), seq.ids.end());
  enc.type_ids.insert(enc.type_ids.end(), seq.size(), type_id);
  for (std::string& token : seq.tokens) enc.tokens.push_back(std::move(token));
  enc.offsets.insert(enc.offsets.end(), seq.offsets.begin(), seq.offsets.end());
  enc.special_tokens_mask.insert(enc.special_tokens_mask.end(), seq.special_tokens_mask.begin(),
                                 seq.special_tokens_mask.end());
  enc.word_ids.insert(enc.word_ids.end(), seq.word_ids.begin(), seq.word_ids.end());
}

void push_special_token(Encoding& enc, uint32_t id, const std::string& token, uint32_t type_id) {
  enc.ids.push_back(id);
  enc.type_ids.push_back(type_id);
  enc.tokens.push_back(token);
  enc.offsets.push_back({0, 0});
  enc.special_tokens_mask.push_back(1);
  enc.word_ids.push_back(-1);
}

namespace {

[[noreturn]] void invalid(const std::string& m) {
  throw Error(codes::kTokenizerInvalid, "TemplateProcessing: " + m);
}

std::vector<TemplateProcessing::Piece> parse_template(
    const json::Value& list, const std::map<std::string, TemplateProcessing::SpecialToken>& specials) {
  std::vector<TemplateProcessing::Piece> out;
  for (const json::Value& p : list.as_array("template")) {
    TemplateProcessing::Piece piece;
    if (const json::Value* s = p.find("Sequence")) {
      piece.is_sequence = true;
      const std::string& id = s->at("id").as_string("Sequence.id");
      if (id != "A" && id != "B") invalid("unknown sequence id '" + id + "'");
      piece.sequence = id[0];
      piece.type_id = static_cast<uint32_t>(s->get_int("type_id", 0));
    } else if (const json::Value* t = p.find("SpecialToken")) {
      const std::string& id = t->at("id").as_string("SpecialToken.id");
      auto it = specials.find(id);
      if (it == specials.end()) invalid("missing special token '" + id + "'");
      piece.special = it->second;
      piece.type_id = static_cast<uint32_t>(t->get_int("type_id", 0));
    } else {
      invalid("template piece must be Sequence or SpecialToken");
    }
    out.push_back(std::move(piece));
  }
  return out;
}

}  // namespace

std::unique_ptr<PostProcessor> TemplateProcessing::from_json(const json::Value& v) {
  std::map<std::string, SpecialToken> specials;
  if (const json::Value* st = v.find_non_null("special_tokens")) {
    for (const json::Member& m : st->as_object("special_tokens")) {
      SpecialToken s;
      for (const json::Value& id : m.value.at("ids").as_array("ids"))
        s.ids.push_back(static_cast<uint32_t>(id.as_int("special token id")));
      for (const json::Value& t : m.value.at("tokens").as_array("tokens"))
        s.tokens.push_back(t.as_string("special token"));
      if (s.ids.size() != s.tokens.size()) invalid("special token ids/tokens length mismatch");
      specials[m.value.get_string("id", m.key)] = std::move(s);
    }
  }
  auto p = std::make_unique<TemplateProcessing>();
  p->single_ = parse_template(v.at("single"), specials);
  if (const json::Value* pair = v.find_non_null("pair")) p->pair_ = parse_template(*pair, specials);
  return p;
}

size_t TemplateProcessing::added_tokens(bool pair) const {
  size_t n = 0;
  for (const Piece& p : pair ? pair_ : single_)
    if (!p.is_sequence) n += p.special.ids.size();
  return n;
}

void TemplateProcessing::process(Encoding& enc) const {
  Encoding out;
  out.overflowing = std::move(enc.overflowing);
  out.reserve(enc.size() + added_tokens(false));
  for (const Piece& p : single_) {
    if (p.is_sequence) {
      if (p.sequence != 'A') continue;  // single sequence: $B has nothing to insert
      append_sequence(out, enc, p.type_id);
    } else {
      for (size_t k = 0; k < p.special.ids.size(); ++k)
        push_special_token(out, p.special.ids[k], p.special.tokens[k], p.type_id);
    }
  }
  enc = std::move(out);
}

TOKCLASS_REGISTER_POST_PROCESSOR("TemplateProcessing", TemplateProcessing::from_json)

}  // namespace tokclass
