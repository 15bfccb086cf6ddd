// Runs fn(i) for i in [0, n) on the pool's threads and the caller's (sequentially without a
// pool), in
// contiguous chunks. Used for the per-text stages (tokenizing, post-processing) of a large
// request, which are independent per text and otherwise leave all but one core idle.
// The first exception thrown by fn is rethrown after every thread has stopped.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <vector>

#include "common/worker_pool.h"

namespace tokclass {

template <typename Fn>
void parallel_for(WorkerPool* pool, size_t n, Fn&& fn, size_t min_per_worker = 32) {
  size_t workers = pool == nullptr ? 1 : std::min(pool->size() + 1, n / std::max<size_t>(min_per_worker, 1));
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  const size_t chunk = std::max<size_t>(8, n / (workers * 8));  // small chunks balance uneven texts
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto run = [&] {
    for (size_t begin; (begin = next.fetch_add(chunk)) < n;) {
      const size_t end = std::min(n, begin + chunk);
      try {
        for (size_t i = begin; i < end; ++i) fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next.store(n);
      }
    }
  };
  pool->run(workers, run);
  if (failure) std::rethrow_exception(failure);
}

}  // namespace tokclass
