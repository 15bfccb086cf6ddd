#include "tokenizer/decoders/strip.h"

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/registry.h"

namespace tokclass {

std::vector<std::string> StripDecoder::decode_chain(std::vector<std::string> tokens) const {
  for (std::string& t : tokens) {
    std::u32string cps = utf8::decode(t);
    size_t begin = 0, end = cps.size();
    while (begin < start_ && begin < end && cps[begin] == content_) ++begin;
    size_t cut = 0;
    while (cut < stop_ && end > begin && cps[end - 1] == content_) { --end; ++cut; }
    t = utf8::encode(std::u32string_view(cps).substr(begin, end - begin));
  }
  return tokens;
}

TOKCLASS_REGISTER_DECODER("Strip", [](const json::Value& v) -> std::unique_ptr<Decoder> {
  std::u32string content = utf8::decode(v.get_string("content", " "));
  if (content.size() != 1) throw Error(codes::kTokenizerInvalid, "decoder.content of Strip must be one character");
  int64_t start = v.get_int("start", 0), stop = v.get_int("stop", 0);
  if (start < 0 || stop < 0) throw Error(codes::kTokenizerInvalid, "decoder Strip start/stop must not be negative");
  return std::make_unique<StripDecoder>(content[0], static_cast<size_t>(start), static_cast<size_t>(stop));
})

}  // namespace tokclass
