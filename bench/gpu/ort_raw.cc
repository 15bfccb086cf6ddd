// The bare ONNX Runtime baseline for bench/gpu/throughput.js: the same library, session
// options and padded batches tokclass runs, timed without anything else around them.
//
// Reads token ids (as tokclass's tokenizer made them), plans batches with tokclass's own
// PlanBatches (longest first, token budget, row cap), pads every batch BEFORE the clock starts,
// then times Session::run over all batches: inputs copied to the device, the model, logits
// copied back (float16 logits converted to float32, as tokclass needs them). No tokenization,
// no softmax, no entities, no JavaScript.
//
// ids file: little-endian uint32 count, then per sequence uint32 length and that many uint32 ids.
// usage: ort_raw --ort LIB --model FILE --ids FILE [--device cpu|cuda] [--device-id N]
//          [--budget 65536] [--max-rows 256] [--pad-id 0] [--threads N] [--tf32 0|1]
//          [--warmup 1] [--repeat 5]
// Prints one JSON object on stdout; errors go to stderr with exit status 1.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.h"
#include "runtime/batcher.h"
#include "runtime/ort_api.h"
#include "runtime/session.h"

using namespace tokclass;
using namespace tokclass::runtime;

namespace {

std::vector<std::vector<uint32_t>> ReadIds(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  auto u32 = [&]() {
    uint32_t v = 0;
    in.read(reinterpret_cast<char*>(&v), 4);
    if (!in) throw std::runtime_error("truncated ids file " + path);
    return v;
  };
  const uint32_t count = u32();
  std::vector<std::vector<uint32_t>> seqs(count);
  for (auto& s : seqs) {
    s.resize(u32());
    in.read(reinterpret_cast<char*>(s.data()), static_cast<std::streamsize>(s.size() * 4));
    if (!in) throw std::runtime_error("truncated ids file " + path);
  }
  return seqs;
}

struct Padded {
  size_t rows = 0, width = 0;
  std::vector<int64_t> ids, mask, types;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0 : (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> a = {{"device", "cpu"}, {"device-id", "0"}, {"budget", "65536"},
                                          {"max-rows", "256"}, {"pad-id", "0"}, {"threads", "0"},
                                          {"tf32", "0"}, {"warmup", "1"}, {"repeat", "5"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strncmp(argv[i], "--", 2) != 0) {
      std::fprintf(stderr, "unexpected argument %s\n", argv[i]);
      return 1;
    }
    a[argv[i] + 2] = argv[i + 1];
  }
  for (const char* need : {"ort", "model", "ids"}) {
    if (!a.count(need)) {
      std::fprintf(stderr, "usage: ort_raw --ort LIB --model FILE --ids FILE [--device cpu|cuda] ...\n");
      return 1;
    }
  }
  try {
    const OrtInfo& info = LoadOrt(a["ort"]);
    SessionConfig config;
    config.device = a["device"];
    config.device_id = std::stoi(a["device-id"]);
    config.intra_op_threads = std::stoi(a["threads"]);
    config.inter_op_threads = 1;
    config.cuda.use_tf32 = a["tf32"] == "1";
    auto t_load = std::chrono::steady_clock::now();
    Session session(a["model"], config);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();

    const auto seqs = ReadIds(a["ids"]);
    std::vector<size_t> lengths;
    size_t tokens = 0;
    for (const auto& s : seqs) {
      lengths.push_back(s.size());
      tokens += s.size();
    }
    BatcherConfig batcher;
    batcher.token_budget = std::stoul(a["budget"]);
    batcher.max_rows = std::stoul(a["max-rows"]);
    batcher.pad_id = std::stoll(a["pad-id"]);
    const auto plans = PlanBatches(lengths, batcher, !session.has_attention_mask());

    // Untimed: every batch padded once, as RunBatch would pad it.
    std::vector<Padded> batches;
    size_t padded_tokens = 0;
    for (const BatchPlan& plan : plans) {
      Padded p;
      p.rows = plan.rows.size();
      p.width = plan.padded_len;
      p.ids.assign(p.rows * p.width, batcher.pad_id);
      p.mask.assign(p.rows * p.width, 0);
      if (session.has_token_type_ids()) p.types.assign(p.rows * p.width, 0);
      for (size_t r = 0; r < p.rows; ++r) {
        const auto& s = seqs[plan.rows[r]];
        std::copy(s.begin(), s.end(), p.ids.begin() + r * p.width);
        std::fill_n(p.mask.begin() + r * p.width, s.size(), 1);
      }
      padded_tokens += p.rows * p.width;
      batches.push_back(std::move(p));
    }

    std::vector<float> logits;
    size_t non_o = 0;  // tokens whose argmax is not label 0: a cheap check that runs agree
    auto run_all = [&](bool count) {
      for (const Padded& p : batches) {
        BatchInput in{p.rows, p.width, p.ids, p.mask, p.types};
        session.run(in, logits);
        if (!count) continue;
        const size_t labels = session.num_labels();
        for (size_t r = 0; r < p.rows; ++r) {
          for (size_t t = 0; t < p.width; ++t) {
            if (p.mask[r * p.width + t] == 0) continue;
            const float* row = logits.data() + (r * p.width + t) * labels;
            if (std::max_element(row, row + labels) != row) ++non_o;
          }
        }
      }
    };
    const int warmup = std::stoi(a["warmup"]);
    const int repeat = std::max(1, std::stoi(a["repeat"]));
    auto t_warm = std::chrono::steady_clock::now();
    for (int i = 0; i < warmup; ++i) run_all(i == 0);
    const double warmup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_warm).count();
    if (warmup == 0) run_all(true);  // the argmax count is taken outside the timed passes
    std::vector<double> passes;
    for (int i = 0; i < repeat; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      run_all(false);
      passes.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    const double best = *std::min_element(passes.begin(), passes.end());
    const double median = Median(passes);
    std::printf(
        "{\"ort\":\"%s\",\"ortVersion\":\"%s\",\"provider\":\"%s\",\"model\":\"%s\",\"loadSeconds\":%.3f,"
        "\"texts\":%zu,\"tokens\":%zu,\"paddedTokens\":%zu,\"batches\":%zu,\"budget\":%zu,\"maxRows\":%zu,"
        "\"warmupSeconds\":%.4f,\"passSeconds\":[",
        info.library_path.c_str(), info.version.c_str(), session.execution_provider().c_str(),
        a["model"].c_str(), load_s, seqs.size(), tokens, padded_tokens, batches.size(),
        batcher.token_budget, batcher.max_rows, warmup_s);
    for (size_t i = 0; i < passes.size(); ++i) std::printf("%s%.5f", i ? "," : "", passes[i]);
    std::printf("],\"bestSeconds\":%.5f,\"medianSeconds\":%.5f,\"textsPerSec\":%.1f,\"medianTextsPerSec\":%.1f,"
                "\"tokensPerSec\":%.1f,\"nonOTokens\":%zu}\n",
                best, median, seqs.size() / best, seqs.size() / median, tokens / best, non_o);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "ort_raw: %s: %s\n", e.code().c_str(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ort_raw: %s\n", e.what());
  }
  return 1;
}
