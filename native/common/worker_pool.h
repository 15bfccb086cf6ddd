// A fixed set of threads that run the same job side by side: `run(n, job)` calls job() on the
// calling thread and on n-1 pool threads and returns when all have returned. The engine uses
// it for the per-text stages and for parallel model runs of one round, so no thread is created
// per request (thread start-up costs tens of microseconds, and every new thread can claim a
// fresh malloc arena, which made RSS creep over long runs).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tokclass {

class WorkerPool {
 public:
  // `threads` pool threads (the caller of run() is one more worker).
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t size() const { return threads_.size(); }
  // Runs `job` on min(n, size() + 1) workers at once, the caller included. `job` must not
  // throw (callers catch inside and report through their own state). Safe to call from
  // several threads; their jobs then share the pool.
  void run(size_t n, const std::function<void()>& job);

 private:
  void loop();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tokclass
