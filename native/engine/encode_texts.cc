#include "engine/encode_texts.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "common/utf16.h"
#include "common/worker_pool.h"
#include "engine/parallel_for.h"

namespace tokclass {
namespace {

// Below this many texts per thread, waking a pool thread costs more than it saves (a CoNLL
// sentence encodes in ~7 microseconds); a lone text never leaves the calling thread.
constexpr size_t kMinTextsPerThread = 32;

}  // namespace

// Shared by every tokenizer in the process: its threads touch no JS, and a pool per tokenizer
// would start threads for each one loaded. Never destroyed: at exit, joining its threads could
// wait for an encode still running on them.
WorkerPool* encode_pool() {
  static WorkerPool* const pool = [] {
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    return cores > 1 ? new WorkerPool(cores - 1) : nullptr;
  }();
  return pool;
}

std::vector<Encoding> encode_texts(const Tokenizer& tokenizer, std::vector<std::u16string>& texts,
                                   const EncodeOptions& options) {
  tokenizer.check_options(options);  // once, before any text: the same error for every text
  const size_t n = texts.size();
  std::vector<Encoding> encodings(n);
  // The lowest failing index so far: texts past it need not be encoded, texts before it must
  // be, in case one of them fails too.
  std::atomic<size_t> lowest{SIZE_MAX};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto encode_one = [&](size_t i) {
    if (i > lowest.load(std::memory_order_relaxed)) return;
    try {
      const std::u32string text = utf16::decode(texts[i], i);
      std::u16string().swap(texts[i]);
      encodings[i] = tokenizer.encode(text, options);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (i < lowest.load(std::memory_order_relaxed)) {
        lowest.store(i, std::memory_order_relaxed);
        failure = std::current_exception();
      }
    }
  };
  parallel_for(n >= 2 * kMinTextsPerThread ? encode_pool() : nullptr, n, encode_one, kMinTextsPerThread);
  if (failure) std::rethrow_exception(failure);
  return encodings;
}

}  // namespace tokclass
