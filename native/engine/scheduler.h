// Scheduler: the threads that do a Classifier's work, so nothing runs on Node's event loop.
// Requests from concurrent classify() calls are queued and their windows run in shared,
// length-sorted batches, so many small requests get batch throughput. Two ways to do that:
//
// - Streaming, when batches run side by side (small models on CPU, parallel_runs > 1): one
//   runner thread per parallel run. A free runner takes every queued request into a pool of
//   waiting windows (tokenizing them), or takes the pool's next batch (engine/window_pool.h),
//   runs it, post-processes each text whose windows are all done and delivers each request
//   whose texts are. No rounds: a runner never waits for another, and callers that come back
//   with their next text find it planned together with every window still waiting.
// - Rounds, with one run at a time (CUDA, large models, parallel_runs = 1): the requests queued
//   when a round starts are tokenized together on every host thread, their windows run one
//   batch after another, and texts are finished after the runs, again on every host thread.
//   Small calls that arrive while a round still has batches to run are served between two of
//   its runs, in a round of their own, rather than after all of them.
//
// Both can hold an idle scheduler for a short, bounded wait (batch_wait_us) for more calls.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/classifier.h"
#include "engine/round_progress.h"
#include "engine/window_pool.h"

namespace tokclass {

// Counters for tuning and benchmarks: how requests were grouped and where the time went.
// Cumulative since the scheduler started. Rounds: a round's stages are wall time, texts are
// post-processed and delivered within infer_ns, so postprocess_ns and deliver_ns are thread
// time inside it. Streaming: a "round" is one intake of queued requests into the pool, and
// every time is thread time summed over the runners (infer_ns: batches, with their
// post-processing and delivery).
struct SchedulerStats {
  uint64_t rounds = 0;  // rounds, or intakes when streaming
  uint64_t requests = 0;
  uint64_t texts = 0;
  uint64_t windows = 0;
  uint64_t runs = 0;  // model runs (batches)
  uint64_t tokens = 0;         // tokens of the windows run
  uint64_t padded_tokens = 0;  // rows x padded length over all runs (>= tokens; the rest is padding)
  uint64_t tokenize_ns = 0;
  uint64_t infer_ns = 0;
  uint64_t postprocess_ns = 0;
  uint64_t deliver_ns = 0;  // handing results back (the done callbacks)

  // Adds every counter of `o` (stages report what they counted in a SchedulerStats of their own,
  // the rest left at zero).
  SchedulerStats& operator+=(const SchedulerStats& o) {
    rounds += o.rounds;
    requests += o.requests;
    texts += o.texts;
    windows += o.windows;
    runs += o.runs;
    tokens += o.tokens;
    padded_tokens += o.padded_tokens;
    tokenize_ns += o.tokenize_ns;
    infer_ns += o.infer_ns;
    postprocess_ns += o.postprocess_ns;
    deliver_ns += o.deliver_ns;
    return *this;
  }
};

// Nanoseconds since `since`, for the stage timings in SchedulerStats.
inline uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since).count());
}

class Scheduler {
 public:
  // A request's outcome: entities per text, or an error; `token` is what submit() was given.
  struct Finished {
    void* token = nullptr;
    std::vector<std::vector<Entity>> result;
    std::exception_ptr error;
  };
  // Called on a scheduler thread with finished requests, each request exactly once. Requests
  // that one batch finished come together, so that the caller can hand them over in one go
  // (one wake-up of the JS thread instead of one per request).
  using Deliver = std::function<void(std::vector<Finished>&& finished)>;
  // Set by the caller (the binding, when a call's AbortSignal fires), read by the scheduler's
  // threads: a cancelled request's windows that have not started are dropped (in a round, the
  // batches made only of cancelled requests' windows), and it is delivered with ERR_ABORTED.
  // Runs already under way finish (ONNX Runtime cannot stop one).
  using CancelFlag = std::atomic<bool>;

  Scheduler(const Classifier& classifier, Deliver deliver);
  ~Scheduler();  // stops after finishing every queued request
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void submit(std::vector<TextInput> texts, ClassifyParams params, void* token,
              std::shared_ptr<const CancelFlag> cancel = nullptr);
  // Finishes queued requests, then joins the threads. Idempotent.
  void stop();
  // Finishes queued requests like stop(), but returns at once: the last of the scheduler's
  // threads to return calls `stopped` once every request has been delivered. A later stop(),
  // abandon() or the destructor joins the threads, promptly by then. For an owner that must not
  // hold a thread of its own for the whole queue (dispose() held a libuv thread, and with it
  // unrelated file I/O, process.exit() and worker.terminate(), until the queue was classified).
  // Called at most once; `stopped` must not destroy the scheduler (it runs on its thread).
  void stop_then(std::function<void()> stopped);
  // Drops every window not yet run (queued requests are not tokenized, waiting windows not run;
  // runs under way finish), delivers each request as aborted, then joins the threads: for an
  // owner whose callers are gone (an environment being torn down), who must not wait for the
  // whole queue to be classified for no one.
  void abandon();

  SchedulerStats stats() const;

 private:
  struct Request {
    std::vector<TextInput> texts;
    ClassifyParams params;
    void* token = nullptr;
    std::chrono::steady_clock::time_point queued_at;
    size_t rough_tokens = 0;  // characters / 4, for the optional wait and for serve_arrivals()
    std::shared_ptr<const CancelFlag> cancel;  // null: cannot be cancelled
    const std::atomic<bool>* abandoned = nullptr;  // the scheduler's (abandon())
    bool delivered = false;
    bool cancelled() const {
      return (cancel != nullptr && cancel->load(std::memory_order_relaxed)) ||
             (abandoned != nullptr && abandoned->load(std::memory_order_relaxed));
    }
  };
  static std::exception_ptr aborted();
  void deliver_one(Request& request, std::vector<std::vector<Entity>>&& result, std::exception_ptr error);
  // Rounds (scheduler.cc). `nested`: a round of arrivals served inside another (no deeper).
  void loop();
  void process(std::vector<Request>& requests, bool nested = false);
  void serve_arrivals(size_t batches_left);
  // Streaming (scheduler_stream.cc). A request taken into the pool. Its windows wait in the
  // pool or run; the runner that finishes its last text delivers it, and it is dropped at that
  // runner's next settle().
  struct InFlight {
    Request request;
    RoundRequest prepared;                 // windows, results, error
    std::vector<const Encoding*> windows;  // flat, numbered as RoundProgress numbers them
    BatchLogits logits;                    // this request's windows, laid out when taken in
    std::unique_ptr<RoundProgress> progress;
    std::mutex failure_mutex;              // a failed batch marks texts from any runner
    std::list<std::unique_ptr<InFlight>>::iterator self;  // in in_flight_
  };
  struct PoolItem {
    InFlight* request;
    uint32_t window;
  };
  struct Runner;
  void run_stream();
  bool intake_due(std::chrono::steady_clock::time_point now) const;  // under mutex_
  void take_in(std::unique_lock<std::mutex>& lock, Runner& runner);
  void run_pool_batch(std::unique_lock<std::mutex>& lock, Runner& runner);
  void window_finished(InFlight& request, uint32_t window, Runner& runner);
  // Hands back the runner's finished requests, after `finished` (requests done without a run).
  void deliver_finished(Runner& runner, std::vector<Finished> finished = {});
  // Under mutex_: drops the requests the runner delivered, adds its times to stats_.
  void settle(std::unique_lock<std::mutex>& lock, Runner& runner);

  const Classifier& classifier_;
  const Deliver deliver_;
  mutable std::mutex mutex_;
  SchedulerStats stats_;  // guarded by mutex_
  std::condition_variable wake_;
  std::deque<Request> queue_;
  size_t queued_tokens_ = 0;  // rough token count of the queued texts, for the optional wait
  bool stopping_ = false;
  std::atomic<bool> abandoned_{false};
  size_t threads_running_ = 0;     // guarded by mutex_: threads not yet returned
  std::function<void()> stopped_;  // guarded by mutex_: stop_then()'s callback
  // A scheduler thread returning (under mutex_, which it releases): the last one calls stopped_.
  void thread_returning(std::unique_lock<std::mutex>& lock);
  std::thread thread_;  // rounds
  uint64_t nested_ns_ = 0;  // rounds: time in rounds nested in others (the rounds thread only)

  // Streaming, all guarded by mutex_ (the pool's windows point into in_flight_'s requests,
  // which live until delivered).
  std::vector<std::thread> runners_;
  std::unique_ptr<WindowPool<PoolItem>> pool_;
  std::list<std::unique_ptr<InFlight>> in_flight_;
  uint64_t request_numbers_ = 0;  // for the pool (WindowPool::NewWindow::request)
  size_t busy_runners_ = 0;  // running a batch or taking requests in
  // Runners handing results back, which look at the queue before they sleep (written without
  // the lock, read by submit() under it: a stale 0 costs one needless wake-up, never a lost one).
  std::atomic<size_t> returning_runners_{0};
  bool solo_running_ = false;  // a batch on the solo session has every core: no other run starts
};

}  // namespace tokclass
