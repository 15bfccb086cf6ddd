// callers_bench: the scheduler alone, without node, serving 64 single-text callers, against
// one request with every text. It tells apart what the engine costs concurrent callers from
// what handing results to JavaScript and back costs them: bench/paired.js measures both
// together ("conc64" against "all").
//
//   callers_bench <libonnxruntime.so.1> <model folder> <conll file> [rounds] [texts]
//
// Modes, each over the same texts, their order rotated every round:
//   all         one request with every text
//   separate    every text its own request, all submitted at once: the pool plans as many texts
//               as "all" does, so what this costs over "all" is the engine's price per request
//   direct      64 callers, each submitting its next text as soon as its result is delivered,
//               on the scheduler thread that delivers it
//   handoff     the same, except that delivered results go to one "event loop" thread, as the
//               addon's thread-safe function hands them to JavaScript, which submits the
//               callers' next texts
//   handoff+W   that thread also spends W us of CPU per call, standing in for the JS thread's
//               own work per call (result objects, promises, the caller's code)
// CALLERS_ONLY (a comma-separated list of modes) keeps those besides "all". CALLERS_TRACE=1
// prints each pass's mode, start and end (CLOCK_MONOTONIC seconds) on stderr, so that samples of
// `perf record -k CLOCK_MONOTONIC` can be told apart by mode (bench/README, "CPU per mode").
// Prints per mode the median texts/s and the median of its ratio to "all" in the same round.
// Threading as the addon picks it for a small model: one single-threaded run per core.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/classifier.h"
#include "engine/scheduler.h"
#include "tools/engine_inputs.h"

using namespace tokclass;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kCallers = 64;

// Hands delivered results to one thread, like the addon's thread-safe function, and runs
// `on_results(count)` there.
class EventLoop {
 public:
  explicit EventLoop(std::function<void(size_t)> on_results) : on_results_(std::move(on_results)) {
    thread_ = std::thread([this] { run(); });
  }
  ~EventLoop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  void post(size_t count) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pending_.push_back(count);
    }
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      std::vector<size_t> batch;
      batch.swap(pending_);
      lock.unlock();
      for (size_t count : batch) on_results_(count);
      lock.lock();
    }
  }

  std::function<void(size_t)> on_results_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<size_t> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

// CLOCK_MONOTONIC, the clock `perf record -k CLOCK_MONOTONIC` stamps its samples with.
double monotonic_seconds() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void spin_for(std::chrono::microseconds us) {
  const auto until = Clock::now() + us;
  while (Clock::now() < until) {
  }
}

struct Mode {
  std::string name;
  size_t callers = 0;  // closed-loop callers; 0: one request with every text
  bool handoff = false;
  int work_us = 0;
};

class Bench {
 public:
  Bench(const Classifier& classifier, std::vector<std::u16string> texts)
      : texts_(std::move(texts)),
        loop_([this](size_t count) { on_loop(count); }),
        scheduler_(classifier, [this](std::vector<Scheduler::Finished>&& finished) { on_delivered(finished.size()); }) {}

  // Seconds for one pass of `mode` over every text.
  double pass(const Mode& mode) {
    mode_ = mode;
    delivered_ = 0;
    next_ = 0;
    expected_ = mode.callers ? texts_.size() : 1;
    const double traced_start = monotonic_seconds();
    const auto start = Clock::now();
    if (mode.callers) {
      for (size_t c = 0; c < mode.callers && c < texts_.size(); ++c) submit_next();
    } else {
      std::vector<TextInput> inputs;
      for (const std::u16string& t : texts_) inputs.push_back(TextInput::plain_utf16(t));
      scheduler_.submit(std::move(inputs), params_, nullptr);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return delivered_ == expected_; });
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (trace_) std::fprintf(stderr, "pass %s %.6f %.6f\n", mode.name.c_str(), traced_start, monotonic_seconds());
    return seconds;
  }

  SchedulerStats stats() const { return scheduler_.stats(); }

 private:
  void submit_next() {
    const size_t i = next_.fetch_add(1);
    if (i >= texts_.size()) return;
    std::vector<TextInput> input;
    input.push_back(TextInput::plain_utf16(texts_[i]));
    scheduler_.submit(std::move(input), params_, nullptr);
  }
  // Scheduler thread.
  void on_delivered(size_t count) {
    if (mode_.handoff) {
      loop_.post(count);
      return;
    }
    for (size_t k = 0; k < count && mode_.callers > 0; ++k) submit_next();
    settle(count);
  }
  // Event-loop thread.
  void on_loop(size_t count) {
    for (size_t k = 0; k < count; ++k) {
      if (mode_.work_us > 0) spin_for(std::chrono::microseconds(mode_.work_us));
      submit_next();
    }
    settle(count);
  }
  void settle(size_t count) {
    std::lock_guard<std::mutex> lock(mutex_);
    delivered_ += count;
    if (delivered_ == expected_) done_.notify_all();
  }

  const std::vector<std::u16string> texts_;
  const bool trace_ = std::getenv("CALLERS_TRACE") != nullptr;
  const ClassifyParams params_;  // aggregation simple, ignore "O": the benchmarks' parameters
  Mode mode_;
  std::atomic<size_t> next_{0};
  std::mutex mutex_;
  std::condition_variable done_;
  size_t delivered_ = 0, expected_ = 0;
  EventLoop loop_;
  Scheduler scheduler_;  // last: its threads stop before the rest goes
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: callers_bench <libonnxruntime.so.1> <model folder> <conll file> [rounds] [texts]\n");
    return 2;
  }
  const size_t rounds = argc > 4 ? std::stoul(argv[4]) : 10;
  const size_t count = argc > 5 ? std::stoul(argv[5]) : 1000;
  try {
    ClassifierConfig config = tools::model_config(argv[1], argv[2]);
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    config.max_batch_rows = 16;  // the addon's CPU defaults (src/options.ts)
    config.token_budget = 8192;
    config.parallel_runs = cores;
    config.host_threads = cores;
    config.session.intra_op_threads = 1;
    config.solo_intra_op_threads = static_cast<int>(cores);
    // CALLERS_RUN_COST: the planner's run cost in tokens instead of the one measured at load.
    if (const char* cost = std::getenv("CALLERS_RUN_COST")) config.run_cost_tokens = std::stoul(cost);
    const std::unique_ptr<Classifier> classifier = Classifier::load(config);
    std::vector<std::u16string> texts;
    for (const std::string& s : tools::conll_sentences(argv[3], count)) texts.push_back(tools::utf16_of(s));

    std::vector<Mode> modes = {{"all", 0, false, 0},
                                     {"separate", texts.size(), false, 0},
                                     {"direct", kCallers, false, 0},
                                     {"handoff", kCallers, true, 0},
                                     {"handoff+5us", kCallers, true, 5},
                                     {"handoff+10us", kCallers, true, 10},
                                     {"handoff+15us", kCallers, true, 15}};
    // CALLERS_ONLY=direct,handoff: those modes alone besides "all" (each ratio needs it), e.g.
    // to profile one mode's threads.
    if (const char* only = std::getenv("CALLERS_ONLY")) {
      const std::string list = std::string(",") + only + ",";
      std::erase_if(modes, [&](const Mode& m) { return m.name != "all" && list.find("," + m.name + ",") == std::string::npos; });
    }
    Bench bench(*classifier, texts);
    for (const Mode& m : modes) bench.pass(m);  // warm-up
    std::vector<std::vector<double>> rate(modes.size()), ratio(modes.size());
    std::vector<uint64_t> runs(modes.size()), padded(modes.size()), tokens(modes.size());
    for (size_t r = 0; r < rounds; ++r) {
      std::vector<double> seconds(modes.size());
      for (size_t k = 0; k < modes.size(); ++k) {
        const size_t m = (k + r) % modes.size();
        const SchedulerStats before = bench.stats();
        seconds[m] = bench.pass(modes[m]);
        const SchedulerStats after = bench.stats();
        runs[m] += after.runs - before.runs;
        padded[m] += after.padded_tokens - before.padded_tokens;
        tokens[m] += after.tokens - before.tokens;
      }
      for (size_t m = 0; m < modes.size(); ++m) {
        rate[m].push_back(static_cast<double>(texts.size()) / seconds[m]);
        ratio[m].push_back(seconds[0] / seconds[m]);
      }
    }
    std::printf("%zu CoNLL sentences, %zu rounds, %zu cores (one single-threaded run per core)\n", texts.size(), rounds, cores);
    std::printf("%-14s %10s %12s %14s %12s\n", "mode", "texts/s", "/ all", "runs/1000", "padding");
    for (size_t m = 0; m < modes.size(); ++m) {
      std::printf("%-14s %10.0f %11.3fx %14.1f %11.1f%%\n", modes[m].name.c_str(), median(rate[m]), median(ratio[m]),
                  1000.0 * static_cast<double>(runs[m]) / static_cast<double>(rounds * texts.size()),
                  100.0 * (static_cast<double>(padded[m]) / static_cast<double>(tokens[m]) - 1.0));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callers_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
