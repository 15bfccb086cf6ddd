#include "engine/encode_texts.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/error.h"
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

namespace {

// encode(i) for every input over the pool, keeping the error of the lowest failing index.
std::vector<Encoding> encode_each(size_t n, const std::function<Encoding(size_t)>& encode) {
  std::vector<Encoding> encodings(n);
  // The lowest failing index so far: inputs past it need not be encoded, inputs before it must
  // be, in case one of them fails too.
  std::atomic<size_t> lowest{SIZE_MAX};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto encode_one = [&](size_t i) {
    if (i > lowest.load(std::memory_order_relaxed)) return;
    try {
      try {
        encodings[i] = encode(i);
      } catch (const WindowLimitError& e) {
        // Which input, and what to change, as the classifier says it.
        throw Error::for_text(codes::kInvalidText, i,
                              "needs " + std::to_string(e.windows) + " windows holding " + std::to_string(e.window_tokens) +
                                  " tokens in all, from its " + std::to_string(e.text_tokens) +
                                  " tokens, more than options.maxWindowTokens (" + std::to_string(e.limit) +
                                  ") allows: use a smaller stride, or split the input");
      }
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

}  // namespace

std::vector<Encoding> encode_texts(const Tokenizer& tokenizer, std::vector<std::u16string>& texts,
                                   const EncodeOptions& options) {
  tokenizer.check_options(options);  // once, before any text: the same error for every text
  return encode_each(texts.size(), [&](size_t i) {
    const std::u32string text = utf16::decode(texts[i], i);
    std::u16string().swap(texts[i]);
    return tokenizer.encode(text, options);
  });
}

std::vector<Encoding> encode_word_lists(const Tokenizer& tokenizer, std::vector<std::vector<std::u16string>>& lists,
                                        const EncodeOptions& options) {
  tokenizer.check_options(options);
  return encode_each(lists.size(), [&](size_t i) {
    std::vector<std::u32string> words(lists[i].size());
    // The position is in the word: say which word (it would read as an index into the text).
    for (size_t w = 0; w < words.size(); ++w) words[w] = utf16::decode(lists[i][w], i, " of word " + std::to_string(w));
    std::vector<std::u16string>().swap(lists[i]);
    return tokenizer.encode_words(words, options);
  });
}

}  // namespace tokclass
