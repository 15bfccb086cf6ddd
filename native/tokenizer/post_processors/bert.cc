#include "tokenizer/post_processors/bert.h"

#include "common/error.h"
#include "tokenizer/post_processors/template.h"
#include "tokenizer/registry.h"

namespace tokclass {

namespace {
void parse_pair(const json::Value& v, const char* key, std::string& tok, uint32_t& id) {
  const json::Array& a = v.at(key).as_array(key);
  if (a.size() != 2)
    throw Error(codes::kTokenizerInvalid, std::string("BertProcessing.") + key + " must be [token, id]");
  tok = a[0].as_string(key);
  id = static_cast<uint32_t>(a[1].as_int(key));
}
}  // namespace

std::unique_ptr<PostProcessor> BertProcessing::from_json(const json::Value& v) {
  auto p = std::make_unique<BertProcessing>();
  parse_pair(v, "cls", p->cls_, p->cls_id_);
  parse_pair(v, "sep", p->sep_, p->sep_id_);
  return p;
}

void BertProcessing::process(Encoding& enc) const {
  Encoding out;
  out.overflowing = std::move(enc.overflowing);
  out.reserve(enc.size() + 2);
  push_special_token(out, cls_id_, cls_, 0);
  append_sequence(out, enc, 0);
  push_special_token(out, sep_id_, sep_, 0);
  enc = std::move(out);
}

TOKCLASS_REGISTER_POST_PROCESSOR("BertProcessing", BertProcessing::from_json)

}  // namespace tokclass
