// WindowPool: the windows of in-flight requests that wait for a model run, kept planned as
// candidate batches, from which a free runner takes the next batch to run.
//
// Why a pool and not rounds: with many concurrent callers each waiting for its own text, a
// round can only sort the few dozen texts queued when it starts, and its runners wait for each
// other at its end. A pool keeps every waiting window, plans them all together whenever new
// ones arrive (runtime::PlanBatches: length-sorted, runs x run cost + padded tokens at least)
// and hands out the cheapest batch per real token first. A window whose length has no partner
// yet waits for the next arrivals instead of running with padding or alone. Modelled on CoNLL
// lengths with 64 callers and two runners, this runs ~4% fewer token-equivalents than rounds
// of the same callers (model-only; the barrier at round ends comes on top).
//
// Nothing waits long: a request none of whose windows was in the last kMaxPassedOver batches
// (while it had windows waiting) goes next, the longest-starved first. Counting per request,
// not per window, keeps a large call that is served batch after batch from starving the small
// calls that arrive during it.
//
// Not thread-safe: the scheduler calls it under its lock. `Item` identifies a window to the
// caller (which request, which window).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "runtime/batcher.h"

namespace tokclass {

template <typename Item>
class WindowPool {
 public:
  // A request passed over by this many takes is in the next batch taken. Small enough that a
  // window with a rare length waits a few runs, not the whole stream; large enough to let the
  // next callers' texts pair up with it.
  static constexpr uint64_t kMaxPassedOver = 16;

  struct Batch {
    std::vector<Item> items;  // in row order, longest first
    std::vector<size_t> lengths;
    size_t padded_len = 0;
  };

  // `planning`: token_budget, max_rows, run_cost_tokens as for runtime::PlanBatches.
  WindowPool(const runtime::BatcherConfig& planning, bool equal_lengths_only)
      : planning_(planning), equal_lengths_only_(equal_lengths_only) {
    planning_.on_stored = nullptr;
  }

  // A window joining the pool; `request` tells whose (a number per request).
  struct NewWindow {
    Item item;
    size_t length = 0;  // > 0: a zero-length window has nothing to run
    uint64_t request = 0;
  };

  bool empty() const { return candidates_.empty(); }
  size_t windows() const { return windows_; }
  size_t batches() const { return candidates_.size(); }

  // Adds windows and replans the whole pool.
  void add(std::span<const NewWindow> windows) {
    if (windows.empty()) return;
    std::vector<Waiting> all;
    all.reserve(windows_ + windows.size());
    for (Candidate& c : candidates_)
      for (Waiting& w : c.rows) all.push_back(std::move(w));
    for (const NewWindow& w : windows) all.push_back(Waiting{w.item, w.length, w.request, takes_});
    replan(std::move(all));
  }

  // The next batch to run: a starved request's (the longest-starved first), else the one with
  // the fewest token-equivalents per real token (ties: the longer batch, so long runs go first
  // and short ones fill the gaps at the end of a large call). Requires !empty().
  Batch take() {
    // Oldest "waiting since" per candidate: O(windows), small next to a model run.
    size_t pick = 0;
    uint64_t pick_since = UINT64_MAX;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      uint64_t since = UINT64_MAX;
      for (const Waiting& w : candidates_[i].rows) since = std::min(since, w.since);
      if (takes_ - since >= kMaxPassedOver && since < pick_since) pick = i, pick_since = since;
    }
    if (pick_since == UINT64_MAX) {
      for (size_t i = 1; i < candidates_.size(); ++i)
        if (cheaper(candidates_[i], candidates_[pick])) pick = i;
    }
    Candidate chosen = std::move(candidates_[pick]);
    candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(pick));
    ++takes_;
    windows_ -= chosen.rows.size();
    // The requests this batch serves stop starving: their other waiting windows count again
    // from now.
    std::vector<uint64_t> served;
    for (const Waiting& w : chosen.rows) served.push_back(w.request);
    std::sort(served.begin(), served.end());
    served.erase(std::unique(served.begin(), served.end()), served.end());
    for (Candidate& c : candidates_)
      for (Waiting& w : c.rows)
        if (std::binary_search(served.begin(), served.end(), w.request)) w.since = takes_;
    Batch batch;
    batch.padded_len = chosen.padded_len;
    batch.items.reserve(chosen.rows.size());
    batch.lengths.reserve(chosen.rows.size());
    for (Waiting& w : chosen.rows) {
      batch.items.push_back(std::move(w.item));
      batch.lengths.push_back(w.length);
    }
    return batch;
  }

 private:
  struct Waiting {
    Item item;
    size_t length = 0;
    uint64_t request = 0;
    uint64_t since = 0;  // takes_ when its request joined or was last served
  };
  struct Candidate {
    std::vector<Waiting> rows;
    size_t padded_len = 0;
    uint64_t cost = 0;  // run cost + rows x padded length, in token-equivalents
    uint64_t real = 0;  // tokens of the windows themselves
  };

  // cost/real of a below b's, by cross-multiplication (exact); ties to the longer batch.
  static bool cheaper(const Candidate& a, const Candidate& b) {
    const unsigned __int128 lhs = static_cast<unsigned __int128>(a.cost) * b.real;
    const unsigned __int128 rhs = static_cast<unsigned __int128>(b.cost) * a.real;
    if (lhs != rhs) return lhs < rhs;
    return a.padded_len > b.padded_len;
  }

  void replan(std::vector<Waiting> all) {
    std::vector<size_t> lengths(all.size());
    for (size_t i = 0; i < all.size(); ++i) lengths[i] = all[i].length;
    const std::vector<runtime::BatchPlan> plans = runtime::PlanBatches(lengths, planning_, equal_lengths_only_);
    candidates_.clear();
    candidates_.reserve(plans.size());
    windows_ = 0;
    for (const runtime::BatchPlan& plan : plans) {
      Candidate c;
      c.padded_len = plan.padded_len;
      c.cost = planning_.run_cost_tokens + plan.rows.size() * plan.padded_len;
      c.rows.reserve(plan.rows.size());
      for (uint32_t row : plan.rows) {
        Waiting& w = all[row];
        c.real += w.length;
        c.rows.push_back(std::move(w));
      }
      windows_ += c.rows.size();
      candidates_.push_back(std::move(c));
    }
  }

  runtime::BatcherConfig planning_;
  bool equal_lengths_only_ = false;
  std::vector<Candidate> candidates_;
  size_t windows_ = 0;
  uint64_t takes_ = 0;
};

}  // namespace tokclass
