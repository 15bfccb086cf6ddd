#include "tokenizer/post_processors/roberta.h"

#include "common/error.h"
#include "common/json.h"
#include "tokenizer/post_processors/byte_level.h"
#include "tokenizer/registry.h"

namespace tokclass {

namespace {

// "cls": ["<s>", 0]
SpecialToken parse_special(const json::Value& v, const char* key, SpecialToken def) {
  const json::Value* p = v.find_non_null(key);
  if (!p) return def;
  const std::string what = std::string("post_processor.") + key;
  const auto& a = p->as_array(what);
  if (a.size() != 2) throw Error(codes::kTokenizerInvalid, what + " must be [token, id]");
  int64_t id = a[1].as_int(what);
  if (id < 0 || id > UINT32_MAX) throw Error(codes::kTokenizerInvalid, what + " id is out of range");
  return {a[0].as_string(what), static_cast<uint32_t>(id)};
}

}  // namespace

void RobertaPostProcessor::process(Encoding& enc) const {
  if (trim_offsets_) trim_byte_level_offsets(enc, add_prefix_space_);
  const size_t n = enc.size();
  Encoding out;
  out.ids.reserve(n + 2);
  out.ids.push_back(cls_.id);
  out.ids.insert(out.ids.end(), enc.ids.begin(), enc.ids.end());
  out.ids.push_back(sep_.id);
  out.type_ids.assign(n + 2, 0);  // RoBERTa: every type id is 0
  out.tokens.reserve(n + 2);
  out.tokens.push_back(cls_.token);
  out.tokens.insert(out.tokens.end(), enc.tokens.begin(), enc.tokens.end());
  out.tokens.push_back(sep_.token);
  out.offsets.reserve(n + 2);
  out.offsets.push_back({0, 0});
  out.offsets.insert(out.offsets.end(), enc.offsets.begin(), enc.offsets.end());
  out.offsets.push_back({0, 0});
  out.special_tokens_mask.assign(n + 2, 0);
  out.special_tokens_mask.front() = 1;
  out.special_tokens_mask.back() = 1;
  out.word_ids.reserve(n + 2);
  out.word_ids.push_back(-1);
  out.word_ids.insert(out.word_ids.end(), enc.word_ids.begin(), enc.word_ids.end());
  out.word_ids.push_back(-1);
  out.overflowing = std::move(enc.overflowing);
  enc = std::move(out);
}

TOKCLASS_REGISTER_POST_PROCESSOR("RobertaProcessing", [](const json::Value& v) -> std::unique_ptr<PostProcessor> {
  return std::make_unique<RobertaPostProcessor>(parse_special(v, "cls", {"<s>", 0}),
                                                parse_special(v, "sep", {"</s>", 2}),
                                                v.get_bool("trim_offsets", true),
                                                v.get_bool("add_prefix_space", true));
})

}  // namespace tokclass
