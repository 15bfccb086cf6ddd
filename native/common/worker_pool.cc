#include "common/worker_pool.h"

#include <algorithm>

namespace tokclass {

WorkerPool::WorkerPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void WorkerPool::run(size_t n, const std::function<void()>& job) {
  const size_t helpers = std::min(n, threads_.size() + 1) - (n > 0 ? 1 : 0);
  if (helpers == 0) {
    if (n > 0) job();
    return;
  }
  // Completion is counted under its own lock; the helper tasks only reference stack state
  // that outlives them because run() waits for every one.
  std::mutex done_mutex;
  std::condition_variable done_cv;
  size_t remaining = helpers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < helpers; ++i) {
      tasks_.emplace_back([&] {
        job();
        std::lock_guard<std::mutex> done_lock(done_mutex);
        if (--remaining == 0) done_cv.notify_one();
      });
    }
  }
  wake_.notify_all();
  job();
  std::unique_lock<std::mutex> lock(done_mutex);
  done_cv.wait(lock, [&] { return remaining == 0; });
}

}  // namespace tokclass
