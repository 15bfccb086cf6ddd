// Conformance driver for native/pipeline/: reads the file make_cases.mjs writes (golden
// encodings + ORT logits + expected pipeline output), runs postprocess with a test-double
// decoder and compares: labels, word, index, start, end, count and order exact; score within
// 1e-4. Prints one line per failing case and a summary; exit status 1 if any case fails.
//
//   pipeline_check <cases.txt> [-v]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/utf8.h"
#include "pipeline/parameters.h"
#include "pipeline/postprocess.h"
#include "test_decoders.h"

using namespace tokclass;

namespace {

class Reader {
 public:
  explicit Reader(std::istream& in) : in_(in) {}
  std::string word() {
    std::string w;
    if (!(in_ >> w)) throw std::runtime_error("unexpected end of input");
    return w;
  }
  void expect(const std::string& w) {
    const std::string got = word();
    if (got != w) throw std::runtime_error("expected '" + w + "', got '" + got + "'");
  }
  long long integer() { return std::stoll(word()); }
  double number() { return std::strtod(word().c_str(), nullptr); }
  // Percent-encoded UTF-8; "%" alone is the empty string.
  std::string str() {
    const std::string w = word();
    if (w == "%") return "";
    std::string out;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == '%' && i + 2 < w.size()) {
        out += static_cast<char>(std::stoi(w.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += w[i];
      }
    }
    return out;
  }

 private:
  std::istream& in_;
};

struct Expected {
  std::string label, word;
  double score;
  long long index, start, end;
};

std::string show(const Entity& e) {
  std::ostringstream s;
  s << "{" << e.label << " " << e.score << " i" << e.index << " '" << e.word << "' " << e.start << "-"
    << e.end << "}";
  return s.str();
}
std::string show(const Expected& e) {
  std::ostringstream s;
  s << "{" << e.label << " " << e.score << " i" << e.index << " '" << e.word << "' " << e.start << "-"
    << e.end << "}";
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: pipeline_check <cases.txt> [-v]\n";
    return 2;
  }
  const bool verbose = argc > 2 && std::string(argv[2]) == "-v";
  std::ifstream file(argv[1]);
  if (!file) {
    std::cerr << "cannot open " << argv[1] << "\n";
    return 2;
  }
  Reader r(file);
  r.expect("pipecheck");
  r.expect("1");
  r.expect("model");
  const std::string model = r.str();
  r.expect("labels");
  std::vector<std::string> labels(r.integer());
  for (auto& l : labels) l = r.str();
  r.expect("unk");
  const long long unk = r.integer();
  r.expect("decoder");
  const std::string kind = r.word();
  std::string dec_a, dec_b;
  if (kind == "wordpiece") {
    dec_a = r.str();
    dec_b = r.word();
  } else if (kind == "metaspace") {
    dec_a = r.str();
    dec_b = r.word();
  }
  r.expect("subword_prefix");
  const std::string sp = r.word();
  std::optional<std::string> subword_prefix;
  if (sp != "-") {
    std::istringstream one(sp);
    Reader rr(one);
    subword_prefix = rr.str();
  }
  std::unique_ptr<TokenDecoder> decoder;
  if (kind == "wordpiece") decoder = std::make_unique<check::WordPieceDecoder>(dec_a, dec_b == "1", subword_prefix);
  else if (kind == "bytelevel") decoder = std::make_unique<check::ByteLevelDecoder>(subword_prefix);
  else decoder = std::make_unique<check::MetaspaceDecoder>(utf8::decode(dec_a), dec_b != "never", subword_prefix);

  r.expect("cases");
  const long long n_cases = r.integer();
  int passed = 0, failed = 0;
  double max_diff = 0;
  for (long long ci = 0; ci < n_cases; ++ci) {
    r.expect("case");
    const std::string id = r.str();
    const std::string strategy_name = r.word();
    const long long stride = r.integer();
    const long long mml = r.integer();
    r.expect("ignore");
    const long long n_ignore = r.integer();
    std::vector<std::string> ignore;
    for (long long k = 0; k < n_ignore; ++k) ignore.push_back(r.str());
    r.expect("error");
    const std::string err_word = r.word();
    std::string expected_error;
    if (err_word != "-") {
      std::istringstream one(err_word);
      Reader rr(one);
      expected_error = rr.str();
    }
    std::vector<std::string> problems;

    std::optional<Aggregation> strategy;
    if (strategy_name != "-") strategy = parse_aggregation(strategy_name);
    std::optional<uint32_t> stride_opt;
    if (stride >= 0) stride_opt = static_cast<uint32_t>(stride);
    try {
      validate_parameters(strategy, stride_opt, static_cast<uint32_t>(mml));
      if (!expected_error.empty()) problems.push_back("expected error not raised: " + expected_error);
    } catch (const Error& e) {
      const std::string prefix = "ValueError: ";
      std::string want = expected_error.starts_with(prefix) ? expected_error.substr(prefix.size()) : expected_error;
      if (expected_error.empty()) problems.push_back(std::string("unexpected error: ") + e.what());
      else if (want != e.what()) problems.push_back(std::string("error message differs: ") + e.what());
      else if (e.code() != codes::kStrideWithNone && e.code() != codes::kStrideTooLarge)
        problems.push_back("unexpected error code " + e.code());
    }

    PostprocessConfig config;
    config.id2label = &labels;
    config.strategy = strategy.value_or(Aggregation::kNone);
    config.ignore_labels = n_ignore >= 0 ? &ignore : nullptr;
    if (unk >= 0) config.unk_token_id = static_cast<uint32_t>(unk);

    r.expect("texts");
    const long long n_texts = r.integer();
    for (long long ti = 0; ti < n_texts; ++ti) {
      r.expect("text");
      const std::u32string text = utf8::decode(r.str());
      r.expect("wordstarts");
      const long long n_starts = r.integer();
      std::vector<uint32_t> word_starts;
      for (long long k = 0; k < n_starts; ++k) word_starts.push_back(static_cast<uint32_t>(r.integer()));
      config.word_starts = n_starts >= 0 ? &word_starts : nullptr;
      r.expect("windows");
      const long long n_windows = r.integer();
      std::vector<Encoding> encodings(n_windows);
      std::vector<std::vector<float>> logits(n_windows);
      std::vector<WindowLogits> windows(n_windows);
      for (long long wi = 0; wi < n_windows; ++wi) {
        r.expect("window");
        const long long n_tok = r.integer();
        const long long n_lab = r.integer();
        Encoding& e = encodings[wi];
        for (long long t = 0; t < n_tok; ++t) {
          e.ids.push_back(static_cast<uint32_t>(r.integer()));
          e.tokens.push_back(r.str());
          const uint32_t s = static_cast<uint32_t>(r.integer());
          const uint32_t en = static_cast<uint32_t>(r.integer());
          e.offsets.push_back({s, en});
          e.special_tokens_mask.push_back(static_cast<uint8_t>(r.integer()));
          e.word_ids.push_back(static_cast<int32_t>(r.integer()));
          e.type_ids.push_back(0);
        }
        for (long long k = 0; k < n_tok * n_lab; ++k) logits[wi].push_back(static_cast<float>(r.number()));
        windows[wi] = {&encodings[wi], logits[wi].data(), static_cast<size_t>(n_lab)};
      }
      r.expect("expected");
      std::vector<Expected> expected(r.integer());
      for (auto& x : expected) {
        x.label = r.str();
        x.score = r.number();
        x.index = r.integer();
        x.word = r.str();
        x.start = r.integer();
        x.end = r.integer();
      }
      if (!expected_error.empty()) continue;
      std::vector<Entity> got;
      try {
        got = postprocess(text, windows, *decoder, config);
      } catch (const std::exception& e) {
        problems.push_back(std::string("postprocess threw: ") + e.what());
        continue;
      }
      const std::string where = n_texts > 1 ? "[text " + std::to_string(ti) + "] " : "";
      if (got.size() != expected.size()) {
        problems.push_back(where + "count " + std::to_string(got.size()) + " != " + std::to_string(expected.size()));
      }
      for (size_t k = 0; k < std::min(got.size(), expected.size()); ++k) {
        const Entity& g = got[k];
        const Expected& x = expected[k];
        const double diff = std::fabs(g.score - x.score);
        max_diff = std::max(max_diff, diff);
        if (g.label != x.label || g.word != x.word || g.index != x.index || g.start != x.start ||
            g.end != x.end || !(diff < 1e-4)) {
          problems.push_back(where + "#" + std::to_string(k) + " got " + show(g) + " want " + show(x));
        }
      }
      if (verbose && got.size() != expected.size()) {
        for (const auto& g : got) problems.push_back("  got " + show(g));
        for (const auto& x : expected) problems.push_back("  want " + show(x));
      }
    }
    if (problems.empty()) {
      ++passed;
    } else {
      ++failed;
      std::cout << "FAIL " << id << "\n";
      for (const auto& p : problems) std::cout << "    " << p << "\n";
    }
  }
  std::cout << model << ": " << passed << "/" << n_cases << " cases pass, " << failed
            << " fail; max |score diff| " << max_diff << "\n";
  return failed ? 1 : 0;
}
