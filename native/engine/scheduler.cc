#include "engine/scheduler.h"

#include <chrono>

namespace tokclass {

Scheduler::Scheduler(const Classifier& classifier) : classifier_(classifier) {
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::submit(std::vector<TextInput> texts, ClassifyParams params, Done done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(Request{std::move(texts), std::move(params), std::move(done)});
  }
  wake_.notify_one();
}

void Scheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::loop() {
  const auto wait = std::chrono::microseconds(classifier_.config().batch_wait_us);
  const size_t budget = classifier_.config().token_budget;
  // How long a round may be held back for the callers of the previous round (below).
  constexpr auto kRegroupWait = std::chrono::microseconds(2000);
  size_t last_round_requests = 0;
  for (;;) {
    std::vector<Request> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      // Requests that arrive while a round runs queue up and form the next round together, so
      // concurrent callers share batches without any waiting ("greedy" batching): an idle
      // scheduler starts at once, which keeps single-call latency at its minimum.
      //
      // One refinement: when the previous round served many callers, they come back one by
      // one as JS resolves their promises. Starting on the first alone would split them into a
      // tiny round and a big one; instead wait (at most kRegroupWait) until most of them are
      // back. A lone sequential caller (previous round: 1 request) never waits.
      //
      // An optional wait (batch_wait_us > 0) also holds an idle scheduler for more calls; it
      // ends early once a round's worth of text (rough count: characters / 4) is queued.
      auto queued_tokens = [this] {
        size_t tokens = 0;
        for (const Request& r : queue_)
          for (const auto& t : r.texts) tokens += t.text.size() / 4 + 2;
        return tokens;
      };
      const auto now = std::chrono::steady_clock::now();
      if (last_round_requests > 1 && !stopping_) {
        const size_t enough = last_round_requests * 3 / 4;
        const auto deadline = now + kRegroupWait;
        while (!stopping_ && queue_.size() < enough && queued_tokens() < budget &&
               wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
        }
      }
      if (wait.count() > 0 && !stopping_) {
        const auto deadline = now + wait;
        while (!stopping_ && queued_tokens() < budget &&
               wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
        }
      }
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    last_round_requests = batch.size();
    process(batch);
  }
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

namespace {
uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since).count());
}
}  // namespace

void Scheduler::process(std::vector<Request>& requests) {
  SchedulerStats round;
  round.rounds = 1;
  round.requests = requests.size();
  auto t = std::chrono::steady_clock::now();
  // Stage 1: decode (UTF-16 from JS) and tokenize every request; a bad request fails alone.
  std::vector<PreparedRequest> prepared(requests.size());
  std::vector<bool> ok(requests.size(), false);
  std::vector<const Encoding*> windows;
  for (size_t r = 0; r < requests.size(); ++r) {
    try {
      classifier_.validate(requests[r].params);
      classifier_.decode_inputs(requests[r].texts);
      prepared[r] = classifier_.prepare(requests[r].texts, requests[r].params);
      ok[r] = true;
    } catch (...) {
      requests[r].done({}, std::current_exception());
    }
  }
  for (size_t r = 0; r < requests.size(); ++r) {
    if (!ok[r]) continue;
    prepared[r].collect_windows(windows);
    round.texts += requests[r].texts.size();
  }
  round.windows = windows.size();
  round.tokenize_ns = elapsed_ns(t);

  // Stage 2: every window of every request in shared, length-sorted batches.
  t = std::chrono::steady_clock::now();
  BatchLogits logits;
  try {
    logits = classifier_.infer(windows);
  } catch (...) {
    auto error = std::current_exception();
    for (size_t r = 0; r < requests.size(); ++r)
      if (ok[r]) requests[r].done({}, error);
    return;
  }
  round.infer_ns = elapsed_ns(t);

  // Stage 3: scores and aggregation per text, then hand each request its result.
  size_t first_window = 0;
  std::vector<std::vector<std::vector<Entity>>> results(requests.size());
  std::vector<std::exception_ptr> errors(requests.size());
  t = std::chrono::steady_clock::now();
  for (size_t r = 0; r < requests.size(); ++r) {
    if (!ok[r]) continue;
    try {
      results[r] = classifier_.finish(requests[r].texts, prepared[r], logits, first_window, requests[r].params);
    } catch (...) {
      errors[r] = std::current_exception();
    }
    first_window += prepared[r].window_count();
  }
  round.postprocess_ns = elapsed_ns(t);
  t = std::chrono::steady_clock::now();
  for (size_t r = 0; r < requests.size(); ++r) {
    if (ok[r]) requests[r].done(std::move(results[r]), errors[r]);
  }
  round.deliver_ns = elapsed_ns(t);

  std::lock_guard<std::mutex> lock(mutex_);
  stats_.rounds += round.rounds;
  stats_.requests += round.requests;
  stats_.texts += round.texts;
  stats_.windows += round.windows;
  stats_.tokenize_ns += round.tokenize_ns;
  stats_.infer_ns += round.infer_ns;
  stats_.postprocess_ns += round.postprocess_ns;
  stats_.deliver_ns += round.deliver_ns;
}

}  // namespace tokclass
