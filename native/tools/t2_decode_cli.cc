// t2_decode_cli <tokenizer.json>: stdin one {"ids": [...]} per line; stdout the decoded text
// (ids -> tokens -> the tokenizer.json decoder, as HF's decode(ids, skip_special_tokens=False))
// as a JSON string per line. Used by t2_hf_crosscheck.
#include <iostream>
#include <string>

#include "common/error.h"
#include "common/json.h"
#include "tokenizer/tokenizer.h"

using namespace tokclass;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: t2_decode_cli <tokenizer.json>\n";
    return 2;
  }
  try {
    auto tok = Tokenizer::from_file(argv[1]);
    std::string line;
    while (std::getline(std::cin, line)) {
      std::string out;
      try {
        json::Value v = json::parse(line);
        std::vector<std::string> tokens;
        for (const json::Value& id : v.at("ids").as_array("ids")) {
          tokens.push_back(tok->id_to_token(static_cast<uint32_t>(id.as_int("id"))).value_or(""));
        }
        out = json::quoted(tok->decode_tokens(tokens));
      } catch (const Error& e) {
        out = json::quoted(std::string("ERR ") + e.what());
      }
      std::cout << out << "\n";
    }
  } catch (const Error& e) {
    std::cerr << e.code() << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
