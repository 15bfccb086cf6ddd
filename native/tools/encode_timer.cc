// encode_timer <tokenizer.json> <texts.txt> <passes>: times Tokenizer::encode alone, with no
// JavaScript, no N-API and no threads around it, for bench/tokenize.js --cxx. Reads one text per
// line (UTF-8), decodes them all to code points first (timed once, apart: utf8_decode_ms), then
// encodes every text once per pass and prints one JSON line: the median wall and CPU time of a
// pass, and tokens per second from the median wall time (special tokens included, as
// bench/tokenize.js counts them).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/utf8.h"
#include "tokenizer/tokenizer.h"

using namespace tokclass;

namespace {

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: encode_timer <tokenizer.json> <texts.txt> <passes>\n";
    return 2;
  }
  try {
    const std::unique_ptr<Tokenizer> tokenizer = Tokenizer::from_file(argv[1]);
    std::ifstream in(argv[2]);
    if (!in) throw Error(codes::kInvalidArgument, std::string("cannot read ") + argv[2]);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
    const auto d0 = std::chrono::steady_clock::now();
    std::vector<std::u32string> texts;
    texts.reserve(lines.size());
    for (const std::string& line : lines) texts.push_back(utf8::decode(line));
    const double decode_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - d0).count();
    const int passes = std::max(1, std::stoi(argv[3]));

    std::vector<double> wall, cpu;
    size_t tokens = 0;
    for (int pass = 0; pass <= passes; ++pass) {  // pass 0 warms up, untimed
      size_t counted = 0;
      const double cpu0 = cpu_ms();
      const auto t0 = std::chrono::steady_clock::now();
      for (const std::u32string& text : texts) counted += tokenizer->encode(text, EncodeOptions{}).size();
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (pass == 0) continue;
      wall.push_back(ms);
      cpu.push_back(cpu_ms() - cpu0);
      tokens = counted;
    }
    const double wall_ms = median(wall);
    std::cout << "{\"texts\":" << texts.size() << ",\"tokens\":" << tokens << ",\"passes\":" << passes
              << ",\"encode_ms_median\":" << wall_ms << ",\"encode_cpu_ms_median\":" << median(cpu)
              << ",\"tokens_per_s_median\":" << static_cast<double>(tokens) / (wall_ms / 1e3)
              << ",\"utf8_decode_ms\":" << decode_ms << "}\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "encode_timer: " << e.what() << "\n";
    return 1;
  }
}
