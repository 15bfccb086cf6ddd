#include "engine/scheduler.h"

#include "common/error.h"
#include "engine/round_progress.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <span>

namespace tokclass {

Scheduler::Scheduler(const Classifier& classifier, Deliver deliver)
    : classifier_(classifier), deliver_(std::move(deliver)) {
  // Streaming needs batches side by side and the label count up front (each request's logits
  // are laid out when it is taken in); a model that reveals it only after a run uses rounds.
  const size_t runners = classifier.config().parallel_runs;
  const bool stream = runners > 1 && classifier.known_num_labels() > 0;
  if (!stream) {
    threads_running_ = 1;
    thread_ = std::thread([this] { loop(); });
    return;
  }
  pool_ = std::make_unique<WindowPool<PoolItem>>(classifier.planning(), classifier.equal_lengths_only());
  threads_running_ = runners;
  for (size_t i = 0; i < runners; ++i) runners_.emplace_back([this] { run_stream(); });
}

Scheduler::~Scheduler() { stop(); }

std::exception_ptr Scheduler::aborted() {
  // One error for every dropped window and request (an exception_ptr is safe to share between
  // threads), rather than one allocation per window of a large aborted call.
  static const std::exception_ptr error = std::make_exception_ptr(Error(codes::kAborted, "the call was aborted"));
  return error;
}

void Scheduler::submit(std::vector<TextInput> texts, ClassifyParams params, void* token,
                       std::shared_ptr<const CancelFlag> cancel) {
  size_t tokens = 0;  // rough count for the optional wait: characters / 4
  for (const TextInput& t : texts) tokens += (t.text.size() + t.utf16.size()) / 4 + 2;  // either form
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool first = queue_.empty();
    queued_tokens_ += tokens;
    queue_.push_back(Request{std::move(texts), std::move(params), token, std::chrono::steady_clock::now(), tokens, std::move(cancel), &abandoned_});
    // A streaming runner that is handing results back takes this in next (scheduler_stream.cc).
    if (returning_runners_.load(std::memory_order_relaxed) > 0) return;
    // Streaming, during the optional wait: the runner woken by the first queued call already
    // sleeps until its deadline, and only a full round's worth of text ends the wait early.
    // (The round loop's waits also count queued calls, so it hears of every one.)
    if (!runners_.empty() && classifier_.config().batch_wait_us > 0 && !first &&
        queued_tokens_ < classifier_.config().token_budget)
      return;
  }
  wake_.notify_one();
}

void Scheduler::abandon() {
  abandoned_.store(true, std::memory_order_relaxed);
  stop();
}

void Scheduler::stop_then(std::function<void()> stopped) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (threads_running_ > 0) {
      stopped_ = std::move(stopped);
      stopped = nullptr;
    }
  }
  wake_.notify_all();
  if (stopped) stopped();  // the threads had already returned (a stop() before)
}

void Scheduler::thread_returning(std::unique_lock<std::mutex>& lock) {
  std::function<void()> stopped;
  if (--threads_running_ == 0) stopped = std::move(stopped_);
  lock.unlock();
  // After this thread's last delivery, and outside the lock. The owner may join this thread
  // (and destroy the scheduler) as soon as it hears, so nothing here touches `this` after.
  if (stopped) stopped();
}

void Scheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (std::thread& runner : runners_)
    if (runner.joinable()) runner.join();
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
      if (queue_.empty()) {  // stopping and nothing left
        thread_returning(lock);
        return;
      }
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
      const auto now = std::chrono::steady_clock::now();
      if (last_round_requests > 1 && !stopping_) {
        const size_t enough = last_round_requests * 3 / 4;
        const auto deadline = now + kRegroupWait;
        while (!stopping_ && queue_.size() < enough && queued_tokens_ < budget &&
               wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
        }
      }
      if (wait.count() > 0 && !stopping_) {
        const auto deadline = now + wait;
        while (!stopping_ && queued_tokens_ < budget &&
               wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
        }
      }
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_tokens_ = 0;
    }
    last_round_requests = batch.size();
    process(batch);
  }
}

void Scheduler::deliver_one(Request& request, std::vector<std::vector<Entity>>&& result, std::exception_ptr error) {
  std::vector<Finished> finished(1);
  finished[0].token = request.token;
  finished[0].result = std::move(result);
  finished[0].error = std::move(error);
  request.delivered = true;
  deliver_(std::move(finished));
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

// Between two runs of a round (one run at a time) with at least this many batches left, the
// small calls queued meanwhile are served at once (serve_arrivals). With fewer left they would
// wait no longer than a batch or so anyway, and the next round takes them with the rest.
constexpr size_t kServeArrivalsMinBatches = 2;

// Without this, a call made while a round runs waits for every batch of that round: behind a
// long strided text on the BERT-base shape, a lone sentence waited for the whole round. Calls of
// at most a token budget's worth of text (rough count) are taken out of the queue and run as a
// round of their own before the current round's next batch; larger ones wait for the next round
// as before, so that a second long call does not hold up the first. The current round's
// requests are not touched. A round of arrivals does not serve further arrivals.
void Scheduler::serve_arrivals(size_t batches_left) {
  if (batches_left < kServeArrivalsMinBatches) return;
  std::vector<Request> arrivals;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t budget = classifier_.config().token_budget;
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->rough_tokens > budget) {
        ++it;
        continue;
      }
      queued_tokens_ -= std::min(queued_tokens_, it->rough_tokens);
      arrivals.push_back(std::move(*it));
      it = queue_.erase(it);
    }
  }
  if (arrivals.empty()) return;
  const auto start = std::chrono::steady_clock::now();
  process(arrivals, /*nested=*/true);
  nested_ns_ += elapsed_ns(start);
}

void Scheduler::process(std::vector<Request>& requests, bool nested) {
  const uint64_t nested_before = nested_ns_;
  SchedulerStats round_stats;
  round_stats.rounds = 1;
  round_stats.requests = requests.size();
  std::vector<RoundRequest> round(requests.size());
  for (size_t r = 0; r < requests.size(); ++r) {
    round[r].texts = &requests[r].texts;
    round[r].params = &requests[r].params;
    if (requests[r].cancelled()) round[r].error = aborted();  // not tokenized, delivered below
  }

  // Stage 1: decode (UTF-16 from JS) and tokenize every text of every request. A request that
  // fails hears so at once; the rest of the round goes on without it.
  auto t = std::chrono::steady_clock::now();
  classifier_.prepare_round(round);
  const std::vector<const Encoding*> windows = Classifier::round_windows(round);
  for (const RoundRequest& request : round)
    if (!request.error) round_stats.texts += request.texts->size();
  round_stats.windows = windows.size();
  round_stats.tokenize_ns = elapsed_ns(t);
  {
    // Counted before any result goes out, so that stats() read after a call resolves includes
    // its round (the timings of the later stages are added when the round ends).
    std::lock_guard<std::mutex> lock(mutex_);
    stats_ += round_stats;
  }
  for (size_t r = 0; r < requests.size(); ++r) {
    if (!round[r].error) continue;
    deliver_one(requests[r], {}, round[r].error);
  }

  // Stages 2 and 3: the windows of every request in shared, length-sorted batches; each text
  // is post-processed as soon as its windows are done and each request delivered as soon as
  // its texts are, while the rest of the round still runs. Early callers can so come back with
  // their next text before the round ends, and post-processing fills the gaps between runs.
  RoundProgress progress(round, windows.size());
  std::atomic<uint64_t> postprocess_ns{0}, deliver_ns{0};
  auto deliver = [&](uint32_t r) {
    const auto start = std::chrono::steady_clock::now();
    std::exception_ptr error = progress.first_error(r);
    deliver_one(requests[r], error ? std::vector<std::vector<Entity>>{} : std::move(round[r].result), error);
    deliver_ns.fetch_add(elapsed_ns(start), std::memory_order_relaxed);
  };
  auto finish = [&](RoundProgress::Text& text, const BatchLogits& logits) {
    if (text.error) {  // a window of it was dropped (its call aborted): nothing to post-process
      if (progress.text_done(text)) deliver(text.request);
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    RoundRequest& request = round[text.request];
    try {
      request.result[text.text] = classifier_.finish_text((*request.texts)[text.text],
                                                          request.prepared.windows[text.text], logits,
                                                          text.first_window, *request.params);
    } catch (...) {
      text.error = std::current_exception();
    }
    postprocess_ns.fetch_add(elapsed_ns(start), std::memory_order_relaxed);
    if (progress.text_done(text)) deliver(text.request);
  };
  for (size_t r = 0; r < requests.size(); ++r) {
    if (!requests[r].delivered && round[r].texts->empty()) deliver(static_cast<uint32_t>(r));
  }

  // With several parallel runs (small models on CPU), each runner finishes texts between its
  // own runs. With one run at a time (CUDA, large models) the runner would post-process alone
  // while the device or the other cores wait; texts done are collected and finished on every
  // host thread, before the next run (before_batch, below) and after the last.
  const bool finish_between_runs = classifier_.config().parallel_runs > 1;
  std::vector<RoundProgress::Text*> done_texts;  // single runner only: no lock needed
  t = std::chrono::steady_clock::now();
  BatchLogits logits;
  const BatchLogits* running_logits = nullptr;  // the logits being filled, while infer runs
  std::exception_ptr failure;
  // A call aborted while the round runs: batches made only of its windows (or of aborted calls'
  // windows) are not run. A batch shared with a live call runs whole.
  std::mutex dropped_mutex;  // texts marked from several runners
  auto skip = [&](std::span<const uint32_t> batch) {
    return std::all_of(batch.begin(), batch.end(), [&](uint32_t w) { return requests[progress.text_of(w).request].cancelled(); });
  };
  auto on_skipped = [&](std::span<const uint32_t> batch) {
    for (uint32_t w : batch) {
      RoundProgress::Text& text = progress.text_of(w);
      {
        std::lock_guard<std::mutex> guard(dropped_mutex);
        if (!text.error) text.error = aborted();  // before the decrement, so the finisher sees it
      }
      if (RoundProgress::Text* last = progress.window_done(w)) {
        if (finish_between_runs) finish(*last, logits);
        else done_texts.push_back(last);
      }
    }
  };
  try {
    // One run at a time, between two runs: the texts whose windows are all done are finished and
    // their calls delivered now (batches run shortest first after the longest: runtime/batcher.h),
    // so a short call that shares a round with a long one does not wait for every run of it;
    // then the small calls that arrived meanwhile are served (serve_arrivals).
    auto before_batch = [&](size_t batches_left) {
      if (!done_texts.empty() && running_logits != nullptr) {
        classifier_.for_each_text(done_texts.size(), [&](size_t i) { finish(*done_texts[i], *running_logits); });
        done_texts.clear();
      }
      if (!nested) serve_arrivals(batches_left);
    };
    logits = classifier_.infer(windows, [&](const BatchLogits& stored, std::span<const uint32_t> done) {
      running_logits = &stored;
      size_t longest = 0, sum = 0;
      for (uint32_t w : done) longest = std::max(longest, windows[w]->ids.size()), sum += windows[w]->ids.size();
      {
        // Counted before the batch's texts are finished, so that stats() read after a call
        // resolves includes its runs (as with its round above).
        std::lock_guard<std::mutex> lock(mutex_);
        ++stats_.runs;
        stats_.tokens += sum;
        stats_.padded_tokens += longest * done.size();
      }
      for (uint32_t w : done) {
        RoundProgress::Text* text = progress.window_done(w);
        if (text == nullptr) continue;
        if (finish_between_runs) finish(*text, stored);
        else done_texts.push_back(text);
      }
    }, skip, on_skipped, before_batch);
    // Windows without tokens are in no batch (nothing to run); they finish now.
    for (uint32_t w = 0; w < windows.size(); ++w) {
      if (windows[w]->ids.empty())
        if (RoundProgress::Text* text = progress.window_done(w)) done_texts.push_back(text);
    }
    classifier_.for_each_text(done_texts.size(), [&](size_t i) { finish(*done_texts[i], logits); });
  } catch (...) {
    failure = std::current_exception();
  }
  SchedulerStats later;  // the stages after tokenizing, less the rounds nested in them
  later.infer_ns = elapsed_ns(t) - (nested_ns_ - nested_before);
  if (failure) {
    // Every runner has stopped: the requests not yet delivered all share the failure.
    for (size_t r = 0; r < requests.size(); ++r) {
      if (requests[r].delivered) continue;
      deliver_one(requests[r], {}, failure);
    }
  }
  later.postprocess_ns = postprocess_ns.load();
  later.deliver_ns = deliver_ns.load();

  std::lock_guard<std::mutex> lock(mutex_);
  stats_ += later;
}

}  // namespace tokclass
