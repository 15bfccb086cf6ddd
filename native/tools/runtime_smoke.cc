// Smoke test and micro-benchmark for native/runtime: loads ONNX Runtime by path, checks that
// batched inference (sorted, padded, token-budgeted) gives the same logits as running each
// sequence alone, exercises the error paths (CUDA unavailable, missing/corrupt model, second
// library), and times single-sequence runs against batched throughput.
//
//   runtime_smoke <libonnxruntime.so.1> [repo root] [--quick]
//
// Exit status 0 when every check passes. Not part of the addon.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "runtime/batch_probe.h"
#include "runtime/batcher.h"
#include "runtime/ort_api.h"
#include "runtime/session.h"

using namespace tokclass;
using namespace tokclass::runtime;

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer reports a few bytes that libonnxruntime allocates and never frees (process
// lifetime state of a dlopened library); they are not ours, so leak checking can stay on.
extern "C" const char* __lsan_default_suppressions() { return "leak:libonnxruntime.so\n"; }
#endif

namespace {

int failures = 0;

void Check(bool ok, const std::string& what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Random sequences shaped like a tokenizer's output: [CLS] body [SEP].
std::vector<std::vector<uint32_t>> MakeSequences(size_t count, size_t min_len, size_t max_len,
                                                 uint32_t cls, uint32_t sep, uint32_t vocab,
                                                 uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> len_dist(min_len, max_len);
  std::uniform_int_distribution<uint32_t> id_dist(5, vocab - 1);
  std::vector<std::vector<uint32_t>> out(count);
  for (auto& seq : out) {
    const size_t len = len_dist(rng);
    seq.push_back(cls);
    for (size_t i = 2; i < len; ++i) seq.push_back(id_dist(rng));
    seq.push_back(sep);
  }
  return out;
}

std::vector<Sequence> Views(const std::vector<std::vector<uint32_t>>& seqs) {
  std::vector<Sequence> views;
  for (const auto& s : seqs) views.push_back({s, {}});
  return views;
}

// Runs each sequence alone, unpadded, straight through Session::run.
std::vector<std::vector<float>> OneByOne(const Session& session,
                                         const std::vector<std::vector<uint32_t>>& seqs) {
  std::vector<std::vector<float>> out;
  for (const auto& s : seqs) {
    std::vector<int64_t> ids(s.begin(), s.end()), mask(s.size(), 1), types(s.size(), 0);
    BatchInput in{1, s.size(), ids, mask, session.has_token_type_ids() ? std::span<const int64_t>(types) : std::span<const int64_t>()};
    out.emplace_back();
    session.run(in, out.back());
  }
  return out;
}

float MaxDiff(const SequenceLogits& batched, const std::vector<std::vector<float>>& single) {
  float worst = 0;
  for (size_t i = 0; i < single.size(); ++i) {
    const auto got = batched.of(i);
    if (got.size() != single[i].size()) return INFINITY;
    for (size_t j = 0; j < got.size(); ++j) worst = std::max(worst, std::fabs(got[j] - single[i][j]));
  }
  return worst;
}

// --- Tiny synthetic models -------------------------------------------------------------------
// There is no ONNX tooling here, so the variants the real models do not cover (int32 inputs,
// float16 logits, a dynamic label dimension, an unknown input, a non-float output) are written
// as ONNX protobuf bytes by hand. The graph computes
//   logits[b, s, l] = (input_ids[b, s] + attention_mask[b, s]) * (l + 1)
// so every expected value is known.

struct Proto {
  std::string bytes;
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }
  Proto& Int(int field, uint64_t v) {
    Varint(uint64_t(field) << 3);
    Varint(v);
    return *this;
  }
  Proto& Bytes(int field, const std::string& v) {
    Varint((uint64_t(field) << 3) | 2);
    Varint(v.size());
    bytes += v;
    return *this;
  }
  Proto& Msg(int field, const Proto& m) { return Bytes(field, m.bytes); }
};

enum OnnxType { kFloat = 1, kInt32 = 6, kInt64 = 7, kFloat16 = 10 };

Proto ValueInfo(const std::string& name, int elem, std::vector<std::string> dims) {
  Proto shape;
  for (const auto& d : dims) {
    Proto dim;
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0]))) dim.Int(1, std::stoull(d));
    else dim.Bytes(2, d);
    shape.Msg(1, dim);
  }
  Proto tensor_type;
  tensor_type.Int(1, elem).Msg(2, shape);
  Proto type;
  type.Msg(1, tensor_type);
  Proto info;
  info.Bytes(1, name).Msg(2, type);
  return info;
}

Proto Node(const std::string& op, std::vector<std::string> in, const std::string& out,
           int cast_to = 0) {
  Proto node;
  for (const auto& i : in) node.Bytes(1, i);
  node.Bytes(2, out).Bytes(3, out + "_node").Bytes(4, op);
  if (cast_to) {
    Proto attr;
    attr.Bytes(1, "to").Int(3, cast_to).Int(20, 2 /* INT */);
    node.Msg(5, attr);
  }
  return node;
}

template <typename T>
Proto Initializer(const std::string& name, int elem, const std::vector<T>& values) {
  Proto t;
  t.Int(1, values.size()).Int(2, elem).Bytes(8, name);
  t.Bytes(9, std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
  return t;
}

struct ToyModel {
  int input_type = kInt64;
  int output_type = kFloat;  // kFloat, kFloat16, or anything else to test refusal
  std::string labels_dim = "3";
  std::string output_name = "logits";
  bool extra_input = false;  // a required "position_ids" input the library cannot feed
  // Also list the weights initializer as a graph input of shape ["labels"]: it becomes an
  // overridable initializer (optional, must not count as an unknown input), and the label
  // dimension is then unknown until the first run.
  bool overridable_weights = false;
  bool no_mask = false;  // no attention_mask input: the batcher must not pad
};

std::string BuildToy(const ToyModel& m) {
  Proto graph;
  graph.Bytes(2, "toy");
  graph.Msg(1, Node("Cast", {"input_ids"}, "ids_f", kFloat));
  if (m.no_mask) {
    graph.Msg(5, Initializer<float>("mask_f", kFloat, {1}));  // same values as an all-ones mask
  } else {
    graph.Msg(1, Node("Cast", {"attention_mask"}, "mask_f", kFloat));
  }
  graph.Msg(1, Node("Add", {"ids_f", "mask_f"}, "sum"));
  graph.Msg(1, Node("Unsqueeze", {"sum", "axes"}, "sum3"));
  const std::string product = m.output_type == kFloat ? m.output_name : "product";
  graph.Msg(1, Node("Mul", {"sum3", "weights"}, product));
  if (m.output_type != kFloat) graph.Msg(1, Node("Cast", {"product"}, m.output_name, m.output_type));
  graph.Msg(5, Initializer<int64_t>("axes", kInt64, {2}));
  graph.Msg(5, Initializer<float>("weights", kFloat, {1, 2, 3}));
  graph.Msg(11, ValueInfo("input_ids", m.input_type, {"batch", "seq"}));
  if (!m.no_mask) graph.Msg(11, ValueInfo("attention_mask", m.input_type, {"batch", "seq"}));
  if (m.extra_input) graph.Msg(11, ValueInfo("position_ids", kInt64, {"batch", "seq"}));
  if (m.overridable_weights) graph.Msg(11, ValueInfo("weights", kFloat, {"labels"}));
  graph.Msg(12, ValueInfo(m.output_name, m.output_type, {"batch", "seq", m.labels_dim}));
  Proto opset;
  opset.Bytes(1, "").Int(2, 17);
  Proto model;
  model.Int(1, 8).Bytes(2, "runtime_smoke").Msg(8, opset).Msg(7, graph);
  return model.bytes;
}

std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void CheckToy(const std::string& what, const ToyModel& m) {
  const std::string bytes = BuildToy(m);
  Session session(AsBytes(bytes), "toy(" + what + ")", SessionConfig{});
  const size_t labels_before = session.num_labels();
  const std::vector<std::vector<uint32_t>> seqs = {{5, 6, 7}, {9}, {1, 2, 3, 4, 5, 6}, {8}, {4}};
  const auto views = Views(seqs);
  BatcherConfig bc;
  bc.pad_id = 100;
  bc.max_rows = 2;  // two batches: the second runs after the label count is known
  size_t batches = 0;
  RunBatches(session, views, bc, [&](BatchResult&) { ++batches; });
  const SequenceLogits out = RunAll(session, views, bc);
  bool right = out.num_labels == 3;
  for (size_t i = 0; right && i < seqs.size(); ++i) {
    const auto got = out.of(i);
    right = got.size() == seqs[i].size() * 3;
    for (size_t t = 0; right && t < seqs[i].size(); ++t)
      for (size_t l = 0; l < 3; ++l) right = right && got[t * 3 + l] == float(seqs[i][t] + 1) * float(l + 1);
  }
  Check(right, "toy " + what + ": logits as computed by hand (labels known at load: " +
                   std::to_string(labels_before) + ", after a run: " +
                   std::to_string(session.num_labels()) + ", output '" + session.output_name() +
                   "', " + std::to_string(batches) + " batches)");
}

template <typename F>
void ExpectError(const char* code, const std::string& what, F&& f) {
  try {
    f();
    Check(false, what + ": no error thrown");
  } catch (const Error& e) {
    const bool ok = e.code() == code;
    Check(ok, what + " -> " + e.code());
    std::printf("       message: %s\n", e.what());
  } catch (const std::exception& e) {
    Check(false, what + ": unexpected exception " + e.what());
  }
}

// `batch_invariant`: whether the model's logits are expected not to depend on batch mates
// (false for dynamically quantized models; see runtime/batch_probe.h).
void CheckModel(const std::string& path, uint32_t cls, uint32_t sep, uint32_t vocab,
                int64_t pad_id, const SessionConfig& config, bool batch_invariant = true) {
  std::printf("model %s\n", path.c_str());
  Session session(path, config);
  std::printf("  provider=%s labels=%zu token_type_ids=%d attention_mask=%d output=%s\n",
              session.execution_provider().c_str(), session.num_labels(),
              session.has_token_type_ids(), session.has_attention_mask(),
              session.output_name().c_str());
  // Lengths chosen to give several batches and heavy padding inside each.
  auto seqs = MakeSequences(40, 3, 60, cls, sep, vocab, 7);
  seqs.push_back({});  // an empty sequence must come back empty, not break the batch
  const auto single = OneByOne(session, {seqs.begin(), seqs.end() - 1});
  const auto views = Views(seqs);

  BatcherConfig bc;
  bc.pad_id = pad_id;
  bc.token_budget = 512;
  bc.max_rows = 16;
  const std::vector<uint32_t> sample = {cls, 100, 200, 300, 400, 500, sep};
  const BatchProbeResult probe = ProbeBatchInvariance(session, sample, pad_id);
  Check(probe.batch_invariant == batch_invariant,
        std::string("probe: batch ") + (probe.batch_invariant ? "invariant" : "dependent") +
            " (max abs diff " + std::to_string(probe.max_abs_diff) + ")");
  if (!batch_invariant) {
    // What the engine does for such models: one row per batch, which also means no padding.
    bc.max_rows = 1;
    const SequenceLogits unbatched = RunAll(session, views, bc);
    const float diff = MaxDiff(unbatched, single);
    Check(diff < 1e-4f, "max_rows 1 == one by one (max abs diff " + std::to_string(diff) + ")");
    bc.max_rows = 16;
    std::printf("       for the record, batched: max abs diff %.4f\n",
                MaxDiff(RunAll(session, views, bc), single));
    return;
  }
  const SequenceLogits batched = RunAll(session, views, bc);
  const float diff = MaxDiff(batched, single);
  Check(diff < 1e-4f, "batched == one by one (max abs diff " + std::to_string(diff) + ")");
  Check(batched.of(seqs.size() - 1).empty(), "empty sequence gives empty logits");

  // Padding must be invisible: a different pad id and one big batch (maximal padding).
  bc.pad_id = pad_id == 0 ? 7 : 0;
  bc.token_budget = 1 << 20;
  bc.max_rows = 1000;
  const SequenceLogits padded = RunAll(session, views, bc);
  const float pad_diff = MaxDiff(padded, single);
  Check(pad_diff < 1e-4f, "one batch, other pad id == one by one (max abs diff " +
                              std::to_string(pad_diff) + ")");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <libonnxruntime.so.1> [repo root] [--quick]\n", argv[0]);
    return 2;
  }
  const std::string lib = argv[1];
  const std::string root = argc > 2 && argv[2][0] != '-' ? argv[2] : ".";
  const bool quick = argc > 2 && std::strcmp(argv[argc - 1], "--quick") == 0;
  const std::string bert = root + "/models/bert-cased-conll/model.onnx";
  const std::string fixtures = root + "/test/fixtures/models/";

  try {
    std::printf("== load\n");
    ExpectError(codes::kRuntimeLoad, "load from a missing path",
                [] { LoadOrt("/nonexistent/libonnxruntime.so.1"); });
    ExpectError(codes::kRuntimeLoad, "load a library that is not ONNX Runtime",
                [] { LoadOrt("libm.so.6"); });
    const OrtInfo& info = LoadOrt(lib);
    std::printf("  loaded %s version %s (API %u)\n", info.library_path.c_str(),
                info.version.c_str(), info.api_version);
    std::string providers;
    for (const auto& p : AvailableProviders()) providers += p + " ";
    std::printf("  providers: %s\n", providers.c_str());
    Check(&LoadOrt(lib) == &info, "loading the same library again is a no-op");
    Check(LoadOrt("").library_path == info.library_path,
          "an empty path means the loaded library (or $TOKCLASS_ORT_LIBRARY)");
    ExpectError(codes::kRuntimeLoad, "loading a second, different library",
                [] { LoadOrt("/tmp/other-ort/libonnxruntime.so.1"); });

    std::printf("== errors\n");
    SessionConfig cpu;
    ExpectError(codes::kModelNotFound, "missing model file",
                [&] { Session s("/tmp/does-not-exist/model.onnx", cpu); });
    ExpectError(codes::kModelNotFound, "directory as model", [&] { Session s("/tmp", cpu); });
    const std::string garbage = "/tmp/tokclass-runtime-smoke-garbage.onnx";
    {
      std::ofstream f(garbage, std::ios::binary);
      for (int i = 0; i < 4096; ++i) f.put(static_cast<char>((i * 7919) & 0xff));
    }
    ExpectError(codes::kModelInvalid, "corrupt model file", [&] { Session s(garbage, cpu); });
    {
      std::ofstream f(garbage, std::ios::binary | std::ios::trunc);  // empty file
    }
    ExpectError(codes::kModelInvalid, "empty model file", [&] { Session s(garbage, cpu); });
    std::remove(garbage.c_str());
    ExpectError(codes::kInvalidArgument, "unknown device", [&] {
      SessionConfig c;
      c.device = "tpu";
      Session s(bert, c);
    });
    ExpectError(codes::kDeviceUnavailable, "CUDA requested", [&] {
      SessionConfig c;
      c.device = "cuda";
      Session s(bert, c);
    });
    {
      Session s(bert, cpu);
      ExpectError(codes::kInvalidArgument, "batch buffers of the wrong size", [&] {
        std::vector<int64_t> ids(5, 2), mask(4, 1);
        std::vector<float> out;
        s.run(BatchInput{1, 5, ids, mask, {}}, out);
      });
    }

    std::printf("== batch planning\n");
    {
      const std::vector<size_t> lengths = {5, 0, 12, 7, 12, 3, 30, 7, 7, 1};
      BatcherConfig bc;
      bc.token_budget = 24;
      bc.max_rows = 3;
      const auto plans = PlanBatches(lengths, bc);
      std::vector<uint32_t> seen;
      bool within = true, tight = true, sorted = true;
      for (const auto& p : plans) {
        size_t longest = 0;
        for (uint32_t r : p.rows) longest = std::max(longest, lengths[r]);
        tight = tight && longest == p.padded_len;
        within = within && p.rows.size() <= bc.max_rows &&
                 (p.rows.size() == 1 || p.rows.size() * p.padded_len <= bc.token_budget);
        seen.insert(seen.end(), p.rows.begin(), p.rows.end());
      }
      for (size_t i = 1; i < seen.size(); ++i) {
        const bool longer_first = lengths[seen[i - 1]] > lengths[seen[i]];
        const bool stable_tie = lengths[seen[i - 1]] == lengths[seen[i]] && seen[i - 1] < seen[i];
        sorted = sorted && (longer_first || stable_tie);
      }
      std::string order;
      for (const auto& p : plans) {
        order += "[";
        for (uint32_t r : p.rows) order += std::to_string(r) + (r == p.rows.back() ? "" : " ");
        order += "]";
      }
      Check(within && tight && sorted && seen.size() == 9,
            "budget 24, cap 3: " + order + " (longest first, stable, padded to own longest, "
            "empty one left out, a 30-token row alone)");
      const auto equal = PlanBatches(lengths, BatcherConfig{}, /*equal_lengths_only=*/true);
      bool same_len = true;
      for (const auto& p : equal)
        for (uint32_t r : p.rows) same_len = same_len && lengths[r] == p.padded_len;
      Check(same_len && equal.size() == 6, "equal_lengths_only: no batch mixes lengths");
      ExpectError(codes::kInvalidArgument, "zero token budget", [&] {
        BatcherConfig z;
        z.token_budget = 0;
        PlanBatches(lengths, z);
      });
    }

    std::printf("== synthetic models (input/output variants)\n");
    CheckToy("int64 in, float32 out", ToyModel{});
    CheckToy("int32 inputs", ToyModel{.input_type = kInt32});
    CheckToy("float16 logits", ToyModel{.output_type = kFloat16});
    CheckToy("dynamic label dim", ToyModel{.labels_dim = "labels", .overridable_weights = true});
    CheckToy("output not named logits", ToyModel{.output_name = "scores"});
    CheckToy("no attention_mask (lengths 3,1,6,1,1 -> 4 batches)", ToyModel{.no_mask = true});
    ExpectError(codes::kModelInvalid, "toy with a required position_ids input", [] {
      const std::string b = BuildToy(ToyModel{.extra_input = true});
      Session s(AsBytes(b), "toy", SessionConfig{});
    });
    ExpectError(codes::kModelInvalid, "toy with int64 logits", [] {
      const std::string b = BuildToy(ToyModel{.output_type = kInt64});
      Session s(AsBytes(b), "toy", SessionConfig{});
    });

    std::printf("== batched vs one by one\n");
    CheckModel(bert, 2, 3, 8192, 0, cpu);
    CheckModel(root + "/models/bert-cased-conll/model_quantized.onnx", 2, 3, 8192, 0, cpu,
               /*batch_invariant=*/false);
    CheckModel(fixtures + "distilbert-tiny/model.onnx", 2, 3, 8192, 0, cpu);
    CheckModel(fixtures + "roberta-tiny/model.onnx", 0, 2, 4000, 1, cpu);
    CheckModel(fixtures + "xlmr-tiny/model.onnx", 0, 2, 4000, 1, cpu);
    CheckModel(fixtures + "bert-tiny-pos/model.onnx", 2, 3, 8192, 0, cpu);

    std::printf("== concurrent runs on one session\n");
    {
      Session session(bert, cpu);
      const auto seqs = MakeSequences(200, 5, 40, 2, 3, 8192, 11);
      const auto views = Views(seqs);
      const BatcherConfig bc;
      const SequenceLogits reference = RunAll(session, views, bc);
      std::vector<SequenceLogits> results(3);
      std::vector<std::thread> threads;
      for (auto& r : results) threads.emplace_back([&] { r = RunAll(session, views, bc); });
      for (auto& t : threads) t.join();
      bool same = true;
      for (const auto& r : results) same = same && r.data == reference.data;
      Check(same, "3 threads sharing a session get identical logits");
    }

    std::printf("== timing (bert-cased-conll, %s)\n", quick ? "quick" : "1000 sequences");
    {
      Session session(bert, cpu);
      const size_t n = quick ? 100 : 1000;
      const auto seqs = MakeSequences(n, 15, 35, 2, 3, 8192, 42);  // ~25 tokens on average
      const auto views = Views(seqs);
      size_t tokens = 0;
      for (const auto& s : seqs) tokens += s.size();
      std::printf("  %zu sequences, %.1f tokens on average\n", n, double(tokens) / n);
      OneByOne(session, {seqs.begin(), seqs.begin() + 20});  // warm-up

      auto t0 = std::chrono::steady_clock::now();
      OneByOne(session, seqs);
      const double single_s = Seconds(t0);
      std::printf("  one by one (batch 1, raw Session::run): %8.0f seq/s\n", n / single_s);

      // Best of 3 per configuration: the machine may be shared. "session.run only" times the
      // same padded batches fed straight to Session::run, so the gap to RunAll is the cost of
      // sorting, padding and gathering.
      std::vector<size_t> lengths;
      for (const auto& s : seqs) lengths.push_back(s.size());
      for (size_t rows : {8, 16, 32, 64}) {
        BatcherConfig bc;
        bc.max_rows = rows;
        bc.token_budget = 1 << 20;
        RunAll(session, views, bc);  // warm-up for these shapes
        double best = 1e9;
        for (int rep = 0; rep < 3; ++rep) {
          t0 = std::chrono::steady_clock::now();
          const SequenceLogits out = RunAll(session, views, bc);
          best = std::min(best, Seconds(t0));
        }
        const auto plans = PlanBatches(lengths, bc);
        std::vector<BatchScratch> padded(plans.size());
        std::vector<BatchResult> results(plans.size());
        for (size_t b = 0; b < plans.size(); ++b)  // builds the padded inputs once
          RunBatch(session, views, plans[b], bc, padded[b], results[b]);
        double raw = 1e9;
        for (int rep = 0; rep < 3; ++rep) {
          t0 = std::chrono::steady_clock::now();
          for (size_t b = 0; b < plans.size(); ++b) {
            session.run(BatchInput{plans[b].rows.size(), plans[b].padded_len, padded[b].ids,
                                   padded[b].mask, padded[b].type_ids},
                        results[b].logits);
          }
          raw = std::min(raw, Seconds(t0));
        }
        std::printf("  batched, max_rows %3zu: RunAll %6.0f seq/s (%.2fx batch 1), "
                    "session.run only %6.0f seq/s\n",
                    rows, n / best, single_s / best, n / raw);
      }
      // Thread settings matter on a small, shared machine: spinning intra-op threads hold
      // their cores between batches.
      for (const auto& [threads, spin] : {std::pair{1, true}, std::pair{0, false}}) {
        SessionConfig c;
        c.intra_op_threads = threads;
        c.allow_spinning = spin;
        Session variant(bert, c);
        BatcherConfig bc;
        bc.max_rows = 32;
        RunAll(variant, views, bc);
        double best = 1e9;
        for (int rep = 0; rep < 3; ++rep) {
          t0 = std::chrono::steady_clock::now();
          RunAll(variant, views, bc);
          best = std::min(best, Seconds(t0));
        }
        std::printf("  batched, max_rows  32, intra_op_threads %d%s: %6.0f seq/s\n", threads,
                    spin ? "" : ", no spinning", n / best);
      }
    }
  } catch (const Error& e) {
    std::printf("unexpected error %s: %s\n", e.code().c_str(), e.what());
    return 1;
  }

  std::printf("\n%s (%d failure%s)\n", failures ? "FAILED" : "all checks passed", failures,
              failures == 1 ? "" : "s");
  return failures ? 1 : 0;
}
