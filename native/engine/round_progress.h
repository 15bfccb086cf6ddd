// RoundProgress: where a group of requests' texts stand while their windows run in shared
// batches. A text is post-processed by the runner that stores its last window, and a request
// is delivered by the one that finishes its last text. The counters are atomics
// (acquire-release): the thread that takes one to zero sees every write made before the other
// decrements, logits, entities and errors included.
//
// The round scheduler keeps one for a whole round; the stream scheduler one per request.
#pragma once
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <vector>

#include "engine/classifier.h"

namespace tokclass {

class RoundProgress {
 public:
  struct Text {
    uint32_t request = 0, text = 0;
    size_t first_window = 0;
    std::atomic<size_t> windows_left{0};
    // Set by whoever finishes the text when post-processing fails, or by a runner whose batch
    // with one of the text's windows failed (before its decrement, so the finisher sees it).
    std::exception_ptr error;
  };

  // Requests with an error take no part; window indices follow round_windows() order.
  RoundProgress(std::span<RoundRequest> round, size_t window_count)
      : texts_left_(std::make_unique<std::atomic<size_t>[]>(round.size())), first_text_(round.size(), 0) {
    for (const RoundRequest& request : round)
      if (!request.error) text_count_ += request.texts->size();
    texts_ = std::make_unique<Text[]>(text_count_);
    window_text_.resize(window_count);
    size_t k = 0, window = 0;
    for (size_t r = 0; r < round.size(); ++r) {
      first_text_[r] = k;
      if (round[r].error) continue;
      round[r].result.resize(round[r].texts->size());
      texts_left_[r].store(round[r].texts->size(), std::memory_order_relaxed);
      for (size_t i = 0; i < round[r].texts->size(); ++i, ++k) {
        const size_t count = round[r].prepared.windows[i].size();
        Text& t = texts_[k];
        t.request = static_cast<uint32_t>(r);
        t.text = static_cast<uint32_t>(i);
        t.first_window = window;
        t.windows_left.store(count, std::memory_order_relaxed);
        for (size_t w = 0; w < count; ++w) window_text_[window + w] = static_cast<uint32_t>(k);
        window += count;
      }
    }
  }

  // The text a window belongs to.
  Text& text_of(uint32_t window) { return texts_[window_text_[window]]; }
  // The window is done; returns its text if that was the text's last window.
  Text* window_done(uint32_t window) {
    Text& t = text_of(window);
    return t.windows_left.fetch_sub(1, std::memory_order_acq_rel) == 1 ? &t : nullptr;
  }
  // The text is done; true if it was its request's last.
  bool text_done(const Text& t) { return texts_left_[t.request].fetch_sub(1, std::memory_order_acq_rel) == 1; }
  // The lowest-index error among a finished request's texts.
  std::exception_ptr first_error(uint32_t request) const {
    for (size_t k = first_text_[request]; k < text_count_ && texts_[k].request == request; ++k)
      if (texts_[k].error) return texts_[k].error;
    return nullptr;
  }

 private:
  size_t text_count_ = 0;
  std::unique_ptr<Text[]> texts_;                      // every text of the round, in window order
  std::vector<uint32_t> window_text_;                  // window index -> index into texts_
  std::unique_ptr<std::atomic<size_t>[]> texts_left_;  // per request
  std::vector<size_t> first_text_;                     // per request: its first entry in texts_
};

}  // namespace tokclass
