// tokenize_cli <tokenizer.json>: conformance driver for the native tokenizer.
// stdin: one JSON object per line, {"text": "...", "max_length": 24, "stride": 4} (the last two
// optional; with max_length the overflowing windows are returned too) or {"words": [...]} for
// pre-tokenized input; optional "add_special_tokens" and "early_exit" (see EncodeOptions). stdout: one JSON line per input with ids, tokens, offsets,
// special_tokens_mask, word_ids (null for none) and overflowing (same fields), or
// {"error": {"code", "message"}}.
#include <iostream>
#include <string>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/tokenizer.h"

using namespace tokclass;

namespace {

void write_encoding(std::string& out, const Encoding& e, bool with_overflow) {
  out += "{\"ids\":[";
  for (size_t i = 0; i < e.size(); ++i) out += (i ? "," : "") + std::to_string(e.ids[i]);
  out += "],\"type_ids\":[";
  for (size_t i = 0; i < e.size(); ++i) out += (i ? "," : "") + std::to_string(e.type_ids[i]);
  out += "],\"tokens\":[";
  for (size_t i = 0; i < e.size(); ++i) {
    if (i) out += ",";
    json::append_quoted(out, e.tokens[i]);
  }
  out += "],\"offsets\":[";
  for (size_t i = 0; i < e.size(); ++i)
    out += std::string(i ? "," : "") + "[" + std::to_string(e.offsets[i].start) + "," +
           std::to_string(e.offsets[i].end) + "]";
  out += "],\"special_tokens_mask\":[";
  for (size_t i = 0; i < e.size(); ++i)
    out += (i ? "," : "") + std::to_string(e.special_tokens_mask[i]);
  out += "],\"word_ids\":[";
  for (size_t i = 0; i < e.size(); ++i)
    out += std::string(i ? "," : "") + (e.word_ids[i] < 0 ? "null" : std::to_string(e.word_ids[i]));
  out += "]";
  if (with_overflow) {
    out += ",\"overflowing\":[";
    for (size_t i = 0; i < e.overflowing.size(); ++i) {
      if (i) out += ",";
      write_encoding(out, e.overflowing[i], false);
    }
    out += "]";
  }
  out += "}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tokenize_cli <tokenizer.json>\n";
    return 2;
  }
  std::unique_ptr<Tokenizer> tok;
  try {
    tok = Tokenizer::from_file(argv[1]);
  } catch (const Error& e) {
    std::cerr << e.code() << ": " << e.what() << "\n";
    return 1;
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::string out;
    try {
      json::Value req = json::parse(line);
      EncodeOptions opt;
      opt.max_length = static_cast<size_t>(req.get_int("max_length", 0));
      opt.stride = static_cast<size_t>(req.get_int("stride", 0));
      opt.return_overflowing = opt.max_length > 0;
      opt.add_special_tokens = req.get_bool("add_special_tokens", true);
      opt.truncation_early_exit = req.get_bool("early_exit", true);
      Encoding enc;
      if (const json::Value* words = req.find_non_null("words")) {
        std::vector<std::u32string> w;
        for (const json::Value& x : words->as_array("words")) w.push_back(utf8::decode(x.as_string()));
        enc = tok->encode_words(w, opt);
      } else {
        enc = tok->encode(utf8::decode(req.at("text").as_string("text")), opt);
      }
      write_encoding(out, enc, true);
    } catch (const Error& e) {
      out = "{\"error\":{\"code\":";
      json::append_quoted(out, e.code());
      out += ",\"message\":";
      json::append_quoted(out, e.what());
      out += "}}";
    }
    std::cout << out << "\n";
  }
  return 0;
}
