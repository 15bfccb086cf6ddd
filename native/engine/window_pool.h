// WindowPool: the windows of in-flight requests that wait for a model run, kept planned as
// candidate batches, from which a free runner takes the next batch to run.
//
// Why a pool and not rounds: with many concurrent callers each waiting for its own text, a
// round can only sort the few dozen texts queued when it starts, and its runners wait for each
// other at its end. A pool keeps every waiting window, plans them together whenever new ones
// arrive (runtime::PlanBatches: length-sorted, runs x run cost + padded tokens at least) and
// hands out the cheapest batch per real token first. A window whose length has no partner yet
// waits for the next arrivals instead of running with padding or alone. Measured with 64
// callers on CoNLL sentences and two runners: 6.4% token-equivalents (runs x run cost + padded
// tokens) over the real tokens, against 7.8% for rounds of the same callers and 2.5% for one
// sorted 1,000-text call; the barrier at round ends, which a pool does not have, comes on top.
//
// Nothing waits long: a request none of whose windows was in the last kMaxPassedOver batches,
// or in batches of a token budget's worth of padded tokens in all (while it had windows
// waiting), goes next, the longest-starved first. Counting per request, not per window, keeps
// a large call that is served batch after batch from starving the small calls that arrive
// during it. The count in tokens is for large batches: 16 full batches of a long strided text
// held a short call 4-8 s on two cores; the count in batches is for small ones, where a few
// more runs let the next callers' texts pair up with a waiting window.
//
// Cost: a take is O(log requests) (O(batches) when a request is starved); an arrival replans
// the whole pool while it holds at most kReplanLimit windows, and beyond that plans only the
// newcomers among themselves and merges them in (a pool that large already has full batches of every common
// length), so a million-text call never makes any step quadratic.
//
// Not thread-safe: the scheduler calls it under its lock. `Item` identifies a window to the
// caller (which request, which window).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <set>
#include <span>
#include <unordered_map>
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
  // Largest pool replanned whole on an arrival (~30 us of planning under the scheduler's lock).
  static constexpr size_t kReplanLimit = 1024;

  struct Batch {
    std::vector<Item> items;  // in row order, longest first
    std::vector<size_t> lengths;
    size_t padded_len = 0;
  };

  // A window joining the pool; `request` tells whose (a number per request).
  struct NewWindow {
    Item item;
    size_t length = 0;  // > 0: a zero-length window has nothing to run
    uint64_t request = 0;
  };

  // `planning`: token_budget, max_rows, run_cost_tokens as for runtime::PlanBatches.
  WindowPool(const runtime::BatcherConfig& planning, bool equal_lengths_only)
      : planning_(planning), equal_lengths_only_(equal_lengths_only) {
    planning_.on_stored = nullptr;
  }

  bool empty() const { return candidates_.empty(); }
  size_t batches() const { return candidates_.size(); }

  // Adds windows and replans (see Cost above).
  void add(std::span<const NewWindow> windows) {
    if (windows.empty()) return;
    std::vector<Waiting> joining;
    joining.reserve(windows.size() + (windows_ + windows.size() <= kReplanLimit ? windows_ : 0));
    for (const NewWindow& w : windows) {
      auto [it, added] = requests_.try_emplace(w.request, RequestState{takes_, taken_tokens_, 0});
      if (added) by_since_.insert({takes_, w.request});
      ++it->second.waiting;
      joining.push_back(Waiting{w.item, w.length, w.request});
    }
    if (windows_ + windows.size() <= kReplanLimit) {
      for (Candidate& c : candidates_)
        for (Waiting& w : c.rows) joining.push_back(std::move(w));
      candidates_.clear();
      windows_ = 0;
    }
    std::vector<Candidate> planned = plan(std::move(joining));
    for (const Candidate& c : planned) windows_ += c.rows.size();
    // Kept in order, the cheapest last: a take without starvation is a pop_back. Sorted, then
    // merged in one pass (stable both times, so equals keep their arrival order): inserting
    // each new batch in place moved the rest of the list every time, 57 ms under the
    // scheduler's lock for a 100,000-text call.
    const auto dearer = [](const Candidate& a, const Candidate& b) { return cheaper(b, a); };
    std::stable_sort(planned.begin(), planned.end(), dearer);
    std::vector<Candidate> merged;
    merged.reserve(candidates_.size() + planned.size());
    std::merge(std::make_move_iterator(candidates_.begin()), std::make_move_iterator(candidates_.end()),
               std::make_move_iterator(planned.begin()), std::make_move_iterator(planned.end()),
               std::back_inserter(merged), dearer);
    candidates_ = std::move(merged);
  }

  // The next batch to run: a starved request's (the longest-starved first), else the one with
  // the fewest token-equivalents per real token (ties: the longer batch, so long runs go first
  // and short ones fill the gaps at the end of a large call). Requires !empty().
  Batch take() {
    size_t pick = candidates_.size() - 1;
    if (!by_since_.empty() && starved(requests_.at(by_since_.begin()->second))) {
      const uint64_t oldest = by_since_.begin()->second;
      for (size_t i = candidates_.size(); i-- > 0;) {
        const auto& rows = candidates_[i].rows;
        if (std::any_of(rows.begin(), rows.end(), [&](const Waiting& w) { return w.request == oldest; })) {
          pick = i;
          break;
        }
      }
    }
    Candidate chosen = std::move(candidates_[pick]);
    candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(pick));
    ++takes_;
    taken_tokens_ += chosen.rows.size() * chosen.padded_len;
    windows_ -= chosen.rows.size();
    // The requests this batch serves stop starving: their other waiting windows count from now.
    for (const Waiting& w : chosen.rows) {
      auto it = requests_.find(w.request);
      RequestState& state = it->second;
      by_since_.erase({state.since, w.request});
      if (--state.waiting == 0) {
        requests_.erase(it);
      } else {
        state.since = takes_;
        state.since_tokens = taken_tokens_;
        by_since_.insert({takes_, w.request});
      }
    }
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
  };
  struct Candidate {
    std::vector<Waiting> rows;
    size_t padded_len = 0;
    uint64_t cost = 0;  // run cost + rows x padded length, in token-equivalents
    uint64_t real = 0;  // tokens of the windows themselves
  };
  struct RequestState {
    uint64_t since = 0;         // takes_ when the request joined or was last served
    uint64_t since_tokens = 0;  // taken_tokens_ then
    size_t waiting = 0;         // its windows in the pool
  };

  // Passed over by enough batches, or by enough tokens run, to go next. Both counters only
  // grow, so the request waiting since the fewest takes has also waited the most tokens.
  bool starved(const RequestState& state) const {
    return takes_ - state.since >= kMaxPassedOver || taken_tokens_ - state.since_tokens >= planning_.token_budget;
  }

  // cost/real of a below b's, by cross-multiplication (exact); ties to the longer batch.
  static bool cheaper(const Candidate& a, const Candidate& b) {
    const unsigned __int128 lhs = static_cast<unsigned __int128>(a.cost) * b.real;
    const unsigned __int128 rhs = static_cast<unsigned __int128>(b.cost) * a.real;
    if (lhs != rhs) return lhs < rhs;
    return a.padded_len > b.padded_len;
  }

  std::vector<Candidate> plan(std::vector<Waiting> all) const {
    std::vector<size_t> lengths(all.size());
    for (size_t i = 0; i < all.size(); ++i) lengths[i] = all[i].length;
    const std::vector<runtime::BatchPlan> plans = runtime::PlanBatches(lengths, planning_, equal_lengths_only_);
    std::vector<Candidate> out;
    out.reserve(plans.size());
    for (const runtime::BatchPlan& plan : plans) {
      Candidate c;
      c.padded_len = plan.padded_len;
      c.cost = planning_.run_cost_tokens + plan.rows.size() * plan.padded_len;
      c.rows.reserve(plan.rows.size());
      for (uint32_t row : plan.rows) {
        c.real += all[row].length;
        c.rows.push_back(std::move(all[row]));
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  runtime::BatcherConfig planning_;
  bool equal_lengths_only_ = false;
  std::vector<Candidate> candidates_;  // ordered by cost per real token, the cheapest last
  size_t windows_ = 0;
  uint64_t takes_ = 0;
  uint64_t taken_tokens_ = 0;  // rows x padded length of every batch taken
  std::unordered_map<uint64_t, RequestState> requests_;     // requests with windows waiting
  std::set<std::pair<uint64_t, uint64_t>> by_since_;       // (since, request) of those
};

}  // namespace tokclass
