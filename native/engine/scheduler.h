// Scheduler: the thread that does a Classifier's work, so nothing runs on Node's event loop.
// Requests from concurrent classify() calls are queued; the requests queued when a round
// starts (optionally after a short, bounded wait, batch_wait_us) are tokenized together and
// their windows run in shared, length-sorted batches, so many small requests get batch
// throughput. With parallel runs, each text is post-processed and each request delivered as
// soon as its own batches are done, not when the round ends; with one run at a time (CUDA,
// large models), texts are finished after the round's runs, on every host thread.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/classifier.h"

namespace tokclass {

// Counters for tuning and benchmarks: how requests were grouped into rounds and where the
// time went. Cumulative since the scheduler started. tokenize_ns and infer_ns are wall time of
// a round's stages; texts are post-processed and delivered within infer_ns (between the runs
// with parallel runs, after them otherwise), so postprocess_ns and deliver_ns are thread time
// inside it.
struct SchedulerStats {
  uint64_t rounds = 0;
  uint64_t requests = 0;
  uint64_t texts = 0;
  uint64_t windows = 0;
  uint64_t runs = 0;  // model runs (batches)
  uint64_t tokenize_ns = 0;
  uint64_t infer_ns = 0;
  uint64_t postprocess_ns = 0;
  uint64_t deliver_ns = 0;  // handing results back (the done callbacks)
};

class Scheduler {
 public:
  // Called on the scheduler thread exactly once per request, with entities or an error.
  using Done = std::function<void(std::vector<std::vector<Entity>>&& result, std::exception_ptr error)>;

  explicit Scheduler(const Classifier& classifier);
  ~Scheduler();  // stops after finishing every queued request
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void submit(std::vector<TextInput> texts, ClassifyParams params, Done done);
  // Finishes queued requests, then joins the thread. Idempotent.
  void stop();

  SchedulerStats stats() const;

 private:
  struct Request {
    std::vector<TextInput> texts;
    ClassifyParams params;
    Done done;
  };
  void loop();
  void process(std::vector<Request>& requests);

  const Classifier& classifier_;
  mutable std::mutex mutex_;
  SchedulerStats stats_;  // guarded by mutex_
  std::condition_variable wake_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tokclass
