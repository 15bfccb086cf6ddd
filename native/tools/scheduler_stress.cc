// Stress check of the scheduler (engine/) for ThreadSanitizer: many threads submit requests at
// once to one Scheduler over a real Classifier, and every request must come back exactly once
// with what the same text gave when it was submitted alone. Runs the streaming scheduler
// (parallel runs, a solo session) and the rounds scheduler (one run at a time, host threads),
// each without and with the optional batch wait, then stops a scheduler with requests queued
// (also without waiting, stop_then(), and abandoned meanwhile), and cancels requests at random
// moments. Built and run by scripts/test-tsan.sh; the vitest suite, whose addon runs inside an
// uninstrumented node, cannot host TSan.
//
//   scheduler_stress <libonnxruntime.so.1> <model folder> <conll text file> [requests per thread]
//
// Exit status 0 when every check passes. ONNX Runtime itself is not instrumented (its runs are
// opaque to TSan); what is checked is tokclass's own threads: queue, pool, runners, delivery.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "engine/classifier.h"
#include "engine/scheduler.h"
#include "tools/engine_inputs.h"

using namespace tokclass;
using tools::conll_sentences;
using tools::utf16_of;

namespace {

// Not tools/check.h: failures are reported from several threads here.
int failures = 0;
std::mutex report_mutex;

void fail(const std::string& what) {
  std::lock_guard<std::mutex> lock(report_mutex);
  if (++failures <= 20) std::fprintf(stderr, "  FAIL %s\n", what.c_str());
}

// The parameter sets requests use: a request has one of them for all its texts.
std::vector<ClassifyParams> param_sets() {
  std::vector<ClassifyParams> sets(4);
  sets[0].strategy = Aggregation::kSimple;
  sets[1].strategy = Aggregation::kNone;
  sets[1].ignore_labels = {};
  sets[2].strategy = Aggregation::kFirst;
  sets[2].stride = 16;
  sets[2].full_text = true;  // long texts become several windows
  sets[3].strategy = Aggregation::kMax;
  sets[3].utf16_offsets = true;
  return sets;
}

// One request's outcome, filled on a scheduler thread.
struct Outcome {
  std::vector<std::vector<Entity>> result;
  bool failed = false;
  bool aborted = false;  // failed with ERR_ABORTED
  int deliveries = 0;
};

// Collects outcomes from the scheduler's deliver callback and lets submitters wait for theirs.
class Collector {
 public:
  Scheduler::Deliver deliver() {
    return [this](std::vector<Scheduler::Finished>&& finished) {
      std::lock_guard<std::mutex> lock(mutex_);
      for (Scheduler::Finished& f : finished) {
        auto* outcome = static_cast<Outcome*>(f.token);
        ++outcome->deliveries;
        outcome->failed = f.error != nullptr;
        if (f.error) {
          try {
            std::rethrow_exception(f.error);
          } catch (const Error& e) {
            outcome->aborted = e.code() == codes::kAborted;
          } catch (...) {
          }
        }
        outcome->result = std::move(f.result);
        ++delivered_;
      }
      done_.notify_all();
    };
  }
  void wait_for(const Outcome& outcome) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return outcome.deliveries > 0; });
  }
  size_t delivered() {
    std::lock_guard<std::mutex> lock(mutex_);
    return delivered_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  size_t delivered_ = 0;
};

bool same_entities(const std::vector<Entity>& a, const std::vector<Entity>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].label != b[i].label || a[i].word != b[i].word || a[i].start != b[i].start || a[i].end != b[i].end ||
        a[i].index != b[i].index) {
      return false;
    }
    // Batch mates change the order of float sums inside the model's kernels, not the result
    // beyond rounding (the classifier runs batch-invariant models batched).
    if (std::fabs(a[i].score - b[i].score) > 1e-4f) return false;
  }
  return true;
}

struct Corpus {
  std::vector<std::u16string> texts;
  std::vector<bool> valid;  // false: a lone surrogate, the request must fail
};

Corpus make_corpus(const std::string& conll_path) {
  Corpus c;
  const std::vector<std::string> sentences = conll_sentences(conll_path, 400);
  for (const std::string& s : sentences) c.texts.push_back(utf16_of(s));
  // Long texts (several windows at max_length 64) and edge cases.
  for (size_t i = 0; i + 8 <= sentences.size() && c.texts.size() < sentences.size() + 20; i += 17) {
    std::string joined;
    for (size_t k = i; k < i + 8; ++k) joined += sentences[k] + " ";
    c.texts.push_back(utf16_of(joined));
  }
  c.texts.push_back(u"");
  c.texts.push_back(u"   ");
  c.texts.push_back(utf16_of("Angela Merkel met \xF0\x9F\x98\x80 Emmanuel Macron in Paris."));
  c.valid.assign(c.texts.size(), true);
  c.texts.push_back(std::u16string(u"Berlin ") + char16_t{0xD800} + u" Paris");  // lone surrogate
  c.valid.push_back(false);
  return c;
}

std::vector<TextInput> inputs_of(const Corpus& corpus, const std::vector<size_t>& picks) {
  std::vector<TextInput> inputs;
  for (size_t i : picks) inputs.push_back(TextInput::plain_utf16(corpus.texts[i]));
  return inputs;
}

// reference[set][text]: the text submitted alone, one request at a time.
using Reference = std::vector<std::vector<std::vector<Entity>>>;

Reference reference_of(const Classifier& classifier, const Corpus& corpus, const std::vector<ClassifyParams>& sets) {
  Collector collector;
  Scheduler scheduler(classifier, collector.deliver());
  Reference ref(sets.size(), std::vector<std::vector<Entity>>(corpus.texts.size()));
  for (size_t s = 0; s < sets.size(); ++s) {
    for (size_t t = 0; t < corpus.texts.size(); ++t) {
      Outcome outcome;
      scheduler.submit(inputs_of(corpus, {t}), sets[s], &outcome);
      collector.wait_for(outcome);
      if (outcome.failed != !corpus.valid[t]) fail("reference: text " + std::to_string(t) + " failed unexpectedly");
      if (!outcome.failed) ref[s][t] = std::move(outcome.result[0]);
    }
  }
  return ref;
}

// Threads submitting requests of 1-5 texts (a text with a lone surrogate alone) at once, each
// waiting for its request before the next; outcomes against the reference.
void concurrent_check(const Classifier& classifier, const Corpus& corpus, const std::vector<ClassifyParams>& sets,
                      const Reference& ref, size_t threads, size_t requests_per_thread) {
  Collector collector;
  Scheduler scheduler(classifier, collector.deliver());
  std::atomic<size_t> compared{0}, requests{0}, texts{0};
  std::vector<std::thread> pool;
  for (size_t th = 0; th < threads; ++th) {
    pool.emplace_back([&, th] {
      std::mt19937 rng(static_cast<uint32_t>(1234 + th));
      for (size_t r = 0; r < requests_per_thread; ++r) {
        const size_t set = rng() % sets.size();
        std::vector<size_t> picks;
        const size_t n = 1 + rng() % 5;
        for (size_t k = 0; k < n; ++k) {
          const size_t t = rng() % corpus.texts.size();
          if (!corpus.valid[t] && n > 1) continue;
          picks.push_back(t);
        }
        if (picks.empty()) continue;
        Outcome outcome;
        scheduler.submit(inputs_of(corpus, picks), sets[set], &outcome);
        collector.wait_for(outcome);
        ++requests;
        const bool should_fail = std::any_of(picks.begin(), picks.end(), [&](size_t t) { return !corpus.valid[t]; });
        if (outcome.deliveries != 1) fail("a request was delivered " + std::to_string(outcome.deliveries) + " times");
        if (outcome.failed != should_fail) {
          fail("thread " + std::to_string(th) + " request " + std::to_string(r) + (should_fail ? " did not fail" : " failed"));
          continue;
        }
        if (should_fail) continue;
        texts += picks.size();
        if (outcome.result.size() != picks.size()) {
          fail("a request got " + std::to_string(outcome.result.size()) + " results for " + std::to_string(picks.size()) + " texts");
          continue;
        }
        for (size_t k = 0; k < picks.size(); ++k) {
          if (!same_entities(outcome.result[k], ref[set][picks[k]])) {
            fail("text " + std::to_string(picks[k]) + " (parameter set " + std::to_string(set) + ") differs from its run alone");
          }
          ++compared;
        }
      }
    });
  }
  for (std::thread& t : pool) t.join();
  std::printf("  %zu texts compared with their runs alone (%zu threads)\n", compared.load(), threads);
  if (compared.load() == 0) fail("nothing compared");
  // The counters, added from several threads, against what was submitted (a failed request
  // counts as a request, its texts do not).
  const SchedulerStats stats = scheduler.stats();
  if (stats.requests != requests.load() || stats.texts != texts.load() || stats.windows < stats.texts ||
      stats.runs == 0 || stats.tokens > stats.padded_tokens) {
    fail("stats: " + std::to_string(stats.requests) + " requests, " + std::to_string(stats.texts) + " texts, " +
         std::to_string(stats.windows) + " windows, " + std::to_string(stats.runs) + " runs for " +
         std::to_string(requests.load()) + " requests and " + std::to_string(texts.load()) + " texts submitted");
  }
}

// Starts `threads` threads, thread th calling submit(i) for each i in [th * per_thread,
// (th + 1) * per_thread): requests from several threads at once, none waiting for its outcome.
std::vector<std::thread> submitters(size_t threads, size_t per_thread, const std::function<void(size_t)>& submit) {
  std::vector<std::thread> pool;
  for (size_t th = 0; th < threads; ++th) {
    pool.emplace_back([submit, th, per_thread] {  // a copy: the caller's function is a temporary
      for (size_t r = 0; r < per_thread; ++r) submit(th * per_thread + r);
    });
  }
  return pool;
}

// Requests submitted from several threads without waiting, then the scheduler destroyed: every
// request must still be delivered, exactly once (the destructor finishes queued work).
void stop_check(const Classifier& classifier, const Corpus& corpus, const std::vector<ClassifyParams>& sets) {
  Collector collector;
  constexpr size_t kThreads = 4, kPerThread = 40;
  std::vector<Outcome> outcomes(kThreads * kPerThread);
  {
    Scheduler scheduler(classifier, collector.deliver());
    std::vector<std::thread> pool = submitters(kThreads, kPerThread, [&](size_t i) {
      scheduler.submit(inputs_of(corpus, {i % corpus.texts.size()}), sets[i % sets.size()], &outcomes[i]);
    });
    for (std::thread& t : pool) t.join();
  }  // ~Scheduler: stops after finishing every queued request
  size_t once = 0;
  for (const Outcome& o : outcomes) once += o.deliveries == 1;
  std::printf("  stop with %zu requests submitted: %zu delivered exactly once\n", outcomes.size(), once);
  if (once != outcomes.size() || collector.delivered() != outcomes.size()) fail("stop lost or repeated requests");
}

// stop_then(), as dispose() uses it: requests submitted from several threads, then the scheduler
// told to stop without the caller waiting. `stopped` must come once, on a scheduler thread, after
// every request has been delivered exactly once. With `abandon`, the owner abandons the
// scheduler meanwhile (its environment torn down during dispose()): every request is still
// delivered exactly once (finished or aborted), and `stopped` still comes once.
void stop_then_check(const Classifier& classifier, const Corpus& corpus, const std::vector<ClassifyParams>& sets,
                     bool abandon) {
  Collector collector;
  constexpr size_t kThreads = 4, kPerThread = 40;
  std::vector<Outcome> outcomes(kThreads * kPerThread);
  std::mutex mutex;
  std::condition_variable heard;
  int stopped_calls = 0;
  size_t delivered_before = 0;
  {
    Scheduler scheduler(classifier, collector.deliver());
    std::vector<std::thread> pool = submitters(kThreads, kPerThread, [&](size_t i) {
      scheduler.submit(inputs_of(corpus, {i % corpus.texts.size()}), sets[i % sets.size()], &outcomes[i]);
    });
    for (std::thread& t : pool) t.join();
    scheduler.stop_then([&] {
      const size_t delivered = collector.delivered();
      std::lock_guard<std::mutex> lock(mutex);
      delivered_before = delivered;
      ++stopped_calls;
      heard.notify_all();
    });
    if (abandon) {
      scheduler.abandon();
    } else {
      std::unique_lock<std::mutex> lock(mutex);
      heard.wait(lock, [&] { return stopped_calls > 0; });
    }
  }  // ~Scheduler: joins the threads, which have returned or are returning
  size_t once = 0, aborted = 0;
  for (const Outcome& o : outcomes) once += o.deliveries == 1, aborted += o.aborted;
  std::printf("  stop_then%s with %zu requests submitted: %zu delivered exactly once (%zu aborted), stopped called %d time(s)\n",
              abandon ? " then abandon" : "", outcomes.size(), once, aborted, stopped_calls);
  if (once != outcomes.size() || collector.delivered() != outcomes.size()) fail("stop_then lost or repeated requests");
  if (stopped_calls != 1) fail("stop_then's callback not called exactly once");
  if (delivered_before != outcomes.size()) fail("stop_then's callback came before every request was delivered");
  if (!abandon && aborted != 0) fail("stop_then aborted requests without abandon()");
}

// Requests of 1-12 texts with cancel flags, submitted from several threads without waiting,
// while another thread sets two flags in three at random moments: every request is delivered
// exactly once, either with every text's result (it finished first; each matches its run alone)
// or with ERR_ABORTED, never another error; a request whose flag stays clear always finishes.
void cancel_check(const Classifier& classifier, const Corpus& corpus, const std::vector<ClassifyParams>& sets,
                  const Reference& ref) {
  Collector collector;
  constexpr size_t kThreads = 4, kPerThread = 30, kRequests = kThreads * kPerThread;
  std::vector<Outcome> outcomes(kRequests);
  std::vector<std::vector<size_t>> picks(kRequests);
  std::vector<size_t> set_of(kRequests);
  std::vector<std::shared_ptr<Scheduler::CancelFlag>> flags(kRequests);
  std::mt19937 rng(99);
  for (size_t i = 0; i < kRequests; ++i) {
    const size_t n = 1 + rng() % 12;
    while (picks[i].size() < n) {
      const size_t t = rng() % corpus.texts.size();
      if (corpus.valid[t]) picks[i].push_back(t);
    }
    set_of[i] = rng() % sets.size();
    flags[i] = std::make_shared<Scheduler::CancelFlag>(false);
  }
  {
    Scheduler scheduler(classifier, collector.deliver());
    std::vector<std::thread> pool = submitters(kThreads, kPerThread, [&](size_t i) {
      scheduler.submit(inputs_of(corpus, picks[i]), sets[set_of[i]], &outcomes[i], flags[i]);
    });
    pool.emplace_back([&] {
      std::mt19937 timing(7);
      for (size_t i = 0; i < kRequests; ++i) {
        if (i % 3 == 0) continue;  // never cancelled
        std::this_thread::sleep_for(std::chrono::microseconds(timing() % 400));
        flags[i]->store(true, std::memory_order_relaxed);
      }
    });
    for (std::thread& t : pool) t.join();
    for (const Outcome& o : outcomes) collector.wait_for(o);
  }
  size_t aborted = 0, finished = 0;
  for (size_t i = 0; i < kRequests; ++i) {
    const Outcome& o = outcomes[i];
    if (o.deliveries != 1) fail("cancel: a request was delivered " + std::to_string(o.deliveries) + " times");
    if (o.failed) {
      if (!o.aborted) fail("cancel: request " + std::to_string(i) + " failed with another error than ERR_ABORTED");
      if (i % 3 == 0) fail("cancel: request " + std::to_string(i) + " was aborted without being cancelled");
      ++aborted;
      continue;
    }
    ++finished;
    if (o.result.size() != picks[i].size()) {
      fail("cancel: a request got " + std::to_string(o.result.size()) + " results for " + std::to_string(picks[i].size()) + " texts");
      continue;
    }
    for (size_t k = 0; k < picks[i].size(); ++k)
      if (!same_entities(o.result[k], ref[set_of[i]][picks[i][k]])) fail("cancel: a finished request's text differs from its run alone");
  }
  std::printf("  %zu requests with cancel flags: %zu aborted, %zu finished (%zu never cancelled)\n", kRequests, aborted,
              finished, (kRequests + 2) / 3);
  if (aborted == 0) fail("cancel: no request was aborted (the check cancelled too late to test anything)");
}

ClassifierConfig config_for(const std::string& ort, const std::string& dir) {
  ClassifierConfig config = tools::model_config(ort, dir);
  config.max_length = 64;  // long texts take several windows
  config.max_batch_rows = 16;
  config.token_budget = 4096;
  // Every ONNX Runtime session here runs on its caller's thread (the solo session too, which
  // still takes the solo path): ONNX Runtime's own thread pool is opaque to TSan, and its
  // threads' memcpy calls go through TSan's interceptor, which sees the library's unseen
  // hand-offs as races. Each is suppressed (tsan-suppressions.txt) but only after symbolizing
  // its stacks: with the embedded graph's fused Attention, whose work is split over the pool's
  // threads, the driver had not finished after 17 minutes (the whole TSan stage takes ~2 now).
  // What it checks, tokclass's own threads, does not depend on ONNX Runtime's.
  config.session.intra_op_threads = 1;
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: scheduler_stress <libonnxruntime.so.1> <model folder> <conll file> [requests per thread]\n");
    return 2;
  }
  const size_t per_thread = argc > 4 ? std::stoul(argv[4]) : 60;
  try {
    const Corpus corpus = make_corpus(argv[3]);
    const std::vector<ClassifyParams> sets = param_sets();
    struct Mode {
      const char* name;
      size_t parallel_runs, host_threads;
      bool solo_session;     // a second, single-threaded session for a lone batch
      size_t batch_wait_us;  // the optional wait for more calls (timed waits on the queue)
    };
    for (const Mode& mode : {Mode{"streaming (2 parallel runs, solo session)", 2, 1, true, 0},
                             Mode{"streaming with a 200 us batch wait", 2, 1, true, 200},
                             Mode{"rounds (1 run at a time, 2 host threads)", 1, 2, false, 0},
                             Mode{"rounds with a 200 us batch wait", 1, 2, false, 200}}) {
      std::printf("%s\n", mode.name);
      ClassifierConfig config = config_for(argv[1], argv[2]);
      config.parallel_runs = mode.parallel_runs;
      config.host_threads = mode.host_threads;
      config.solo_intra_op_threads = mode.solo_session ? 1 : 0;
      config.batch_wait_us = mode.batch_wait_us;
      const std::unique_ptr<Classifier> classifier = Classifier::load(config);
      const Reference ref = reference_of(*classifier, corpus, sets);
      concurrent_check(*classifier, corpus, sets, ref, 8, per_thread);
      stop_check(*classifier, corpus, sets);
      stop_then_check(*classifier, corpus, sets, false);
      stop_then_check(*classifier, corpus, sets, true);
      cancel_check(*classifier, corpus, sets, ref);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scheduler_stress: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", failures == 0 ? "scheduler_stress: all checks passed" : "scheduler_stress: FAILED");
  return failures == 0 ? 0 : 1;
}
