// WindowPool: the windows of in-flight requests that wait for a model run, kept planned as
// candidate batches, from which a free runner takes the next batch to run.
//
// Why a pool and not rounds: with many concurrent callers each waiting for its own text, a
// round can only sort the few dozen texts queued when it starts, and its runners wait for each
// other at its end. A pool keeps every waiting window, plans them all together whenever new
// ones arrive (runtime::PlanBatches: length-sorted, runs x run cost + padded tokens at least)
// and hands out the cheapest batch per real token first. A window whose length has no partner
// yet waits for the next arrivals instead of running with padding or alone; one passed over by
// kMaxPassedOver takes goes next, so nothing waits long. Modelled on CoNLL lengths with 64
// callers and two runners, this runs ~4% fewer token-equivalents than rounds of the same
// callers (model-only; the barrier at round ends comes on top).
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
  // A window passed over by this many takes is in the next batch taken. Small enough that a
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

  // A window joining the pool. `arrival` orders requests: among overdue windows, the earliest
  // goes first.
  struct NewWindow {
    Item item;
    size_t length = 0;  // > 0: a zero-length window has nothing to run
    uint64_t arrival = 0;
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
    for (const NewWindow& w : windows) all.push_back(Waiting{w.item, w.length, w.arrival, takes_});
    replan(std::move(all));
  }

  // The next batch to run: an overdue window's (earliest arrival first), else the one with the
  // fewest token-equivalents per real token (ties: the longer batch, so long runs go first and
  // short ones fill the gaps at the end of a large call). Requires !empty().
  Batch take() {
    size_t pick = 0;
    bool overdue = false;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      const Candidate& c = candidates_[i];
      const bool late = takes_ - c.oldest_take >= kMaxPassedOver;
      if (late != overdue) {
        if (late) overdue = true, pick = i;
        continue;
      }
      if (i == pick) continue;
      const Candidate& p = candidates_[pick];
      if (overdue ? c.earliest_arrival < p.earliest_arrival : cheaper(c, p)) pick = i;
    }
    Candidate chosen = std::move(candidates_[pick]);
    candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(pick));
    ++takes_;
    windows_ -= chosen.rows.size();
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
    uint64_t arrival = 0;
    uint64_t added_at = 0;  // takes_ when it joined the pool
  };
  struct Candidate {
    std::vector<Waiting> rows;
    size_t padded_len = 0;
    uint64_t cost = 0;  // run cost + rows x padded length, in token-equivalents
    uint64_t real = 0;  // tokens of the windows themselves
    uint64_t oldest_take = UINT64_MAX;
    uint64_t earliest_arrival = UINT64_MAX;
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
        c.oldest_take = std::min(c.oldest_take, w.added_at);
        c.earliest_arrival = std::min(c.earliest_arrival, w.arrival);
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
