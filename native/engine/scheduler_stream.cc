// Streaming scheduling (see scheduler.h): runner threads that take queued requests into a pool
// of waiting windows and run the pool's batches, each on its own, without rounds.
#include <algorithm>
#include <iterator>

#include "engine/round_progress.h"
#include "engine/scheduler.h"

namespace tokclass {

namespace {
constexpr uint32_t kNotRun = UINT32_MAX;  // a batch item whose call was aborted
}  // namespace

// What one runner thread keeps between batches: buffers it reuses, and what it has to tell
// the scheduler at its next settle() (delivered requests, time spent).
struct Scheduler::Runner {
  runtime::BatchScratch scratch;
  runtime::BatchResult result;
  std::vector<InFlight*> finished;   // every text done, to deliver together
  std::vector<InFlight*> delivered;  // to drop at the next settle()
  uint64_t tokenize_ns = 0, infer_ns = 0, postprocess_ns = 0, deliver_ns = 0;
};

bool Scheduler::intake_due(std::chrono::steady_clock::time_point now) const {
  if (queue_.empty()) return false;
  const auto wait = std::chrono::microseconds(classifier_.config().batch_wait_us);
  return stopping_ || wait.count() == 0 || now >= queue_.front().queued_at + wait ||
         queued_tokens_ >= classifier_.config().token_budget;
}

void Scheduler::run_stream() {
  Runner runner;
  const auto wait = std::chrono::microseconds(classifier_.config().batch_wait_us);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    // New requests first, so that their windows are planned with those already waiting.
    if (intake_due(std::chrono::steady_clock::now())) {
      take_in(lock, runner);
      continue;
    }
    if (!pool_->empty() && !solo_running_) {
      run_pool_batch(lock, runner);
      continue;
    }
    if (stopping_ && queue_.empty() && pool_->empty()) {  // busy runners finish their own
      thread_returning(lock);
      return;
    }
    if (!queue_.empty()) wake_.wait_until(lock, queue_.front().queued_at + wait);  // the optional wait
    else wake_.wait(lock);
  }
}

void Scheduler::take_in(std::unique_lock<std::mutex>& lock, Runner& runner) {
  std::vector<std::unique_ptr<InFlight>> requests;
  requests.reserve(queue_.size());
  for (Request& queued : queue_) {
    requests.push_back(std::make_unique<InFlight>());
    requests.back()->request = std::move(queued);
  }
  queue_.clear();
  queued_tokens_ = 0;
  ++busy_runners_;
  lock.unlock();

  // Decode and tokenize every text of every request together (a request that fails hears so
  // below; the others go on), then lay out each request's logits.
  const auto start = std::chrono::steady_clock::now();
  std::vector<RoundRequest> round(requests.size());
  for (size_t r = 0; r < requests.size(); ++r) {
    round[r].texts = &requests[r]->request.texts;
    round[r].params = &requests[r]->request.params;
    if (requests[r]->request.cancelled()) round[r].error = aborted();  // not tokenized, delivered below
  }
  // On this runner alone, even with the others idle. Measured on 1,000-text calls: sharing the
  // work with the classifier's pool thread, or with idle runners, halves this stage (12 -> 6 ms
  // per call) yet moved throughput by nothing beyond +-1% in in-process A/B runs, while every
  // further thread allocating the calls' encodings raised the RSS drift of a 100,000-text soak
  // (glibc keeps a heap per thread): 3.6-5.8% with the pool thread, 1.0-5.1% with the runners,
  // -0.2-2.0% alone.
  classifier_.prepare_round(round, [](size_t n, const std::function<void(size_t)>& fn) {
    for (size_t i = 0; i < n; ++i) fn(i);
  });
  SchedulerStats counted;
  counted.rounds = 1;
  counted.requests = requests.size();
  const size_t num_labels = classifier_.known_num_labels();
  std::vector<WindowPool<PoolItem>::NewWindow> joining;
  for (size_t r = 0; r < requests.size(); ++r) {
    InFlight& f = *requests[r];
    f.prepared = std::move(round[r]);
    if (f.prepared.error) continue;
    try {
      f.prepared.prepared.collect_windows(f.windows);
      f.progress = std::make_unique<RoundProgress>(std::span<RoundRequest>(&f.prepared, 1), f.windows.size());
      f.logits.num_labels = num_labels;
      f.logits.offsets.resize(f.windows.size() + 1, 0);
      for (size_t w = 0; w < f.windows.size(); ++w)
        f.logits.offsets[w + 1] = f.logits.offsets[w] + f.windows[w]->ids.size() * num_labels;
      f.logits.data.resize(f.logits.offsets.back());
    } catch (...) {
      // A request whose windows' logits do not fit in memory (a long text with a small stride)
      // fails alone, delivered below: std::bad_alloc leaving a runner thread ends the process.
      f.prepared.error = std::current_exception();
      f.windows = {};
      f.logits = {};
      continue;
    }
    counted.texts += f.request.texts.size();
    counted.windows += f.windows.size();
  }
  runner.tokenize_ns += elapsed_ns(start);

  lock.lock();
  // Counted before any result goes out, so that stats() read after a call resolves includes it.
  stats_ += counted;
  std::vector<std::pair<InFlight*, uint32_t>> tokenless;  // listed before any of their windows can run
  for (std::unique_ptr<InFlight>& request : requests) {
    InFlight& f = *request;
    if (f.prepared.error || f.request.texts.empty()) continue;  // done without a run, below
    const uint64_t number = request_numbers_++;
    for (uint32_t w = 0; w < f.windows.size(); ++w) {
      const size_t length = f.windows[w]->ids.size();
      if (length > 0) joining.push_back({PoolItem{&f, w}, length, number});
      else tokenless.emplace_back(&f, w);
    }
    in_flight_.push_back(std::move(request));
    f.self = std::prev(in_flight_.end());
  }
  pool_->add(joining);
  // This runner takes a batch next; wake the others only if there is more than one.
  if (pool_->batches() > 1) wake_.notify_all();
  lock.unlock();

  // Requests done without a run (failed ones, ones without texts) go back together with those
  // whose windows all lack tokens (a tokenizer without special tokens, an empty text: in no
  // batch, so done now). A request is not touched after its last such window, since another
  // runner may then deliver it.
  std::vector<Finished> done_now;
  for (std::unique_ptr<InFlight>& request : requests) {
    if (request == nullptr) continue;  // moved into in_flight_
    done_now.push_back(Finished{request->request.token, {}, request->prepared.error});
  }
  for (const auto& [f, w] : tokenless) window_finished(*f, w, runner);
  deliver_finished(runner, std::move(done_now));

  lock.lock();
  --busy_runners_;
  settle(lock, runner);
}

void Scheduler::run_pool_batch(std::unique_lock<std::mutex>& lock, Runner& runner) {
  WindowPool<PoolItem>::Batch batch = pool_->take();
  // Windows of calls aborted since they joined the pool are not run; the rest run as planned.
  std::vector<const Encoding*> windows;
  windows.reserve(batch.items.size());
  std::vector<uint32_t> rows(batch.items.size(), kNotRun);  // item -> row of the run
  size_t longest = 0;
  for (size_t i = 0; i < batch.items.size(); ++i) {
    if (batch.items[i].request->request.cancelled()) continue;
    rows[i] = static_cast<uint32_t>(windows.size());
    windows.push_back(batch.items[i].request->windows[batch.items[i].window]);
    longest = std::max(longest, batch.lengths[i]);
    stats_.tokens += batch.lengths[i];  // before any result goes out, as above
  }
  // The whole pool in one batch with every other runner idle (a lone caller's text): the solo
  // session, whose intra-op threads use every core; no other run starts until it is done.
  const bool solo = !windows.empty() && classifier_.has_solo_session() && pool_->empty() && queue_.empty() && busy_runners_ == 0;
  if (solo) solo_running_ = true;
  ++busy_runners_;
  if (!windows.empty()) {
    ++stats_.runs;
    stats_.padded_tokens += windows.size() * longest;
  }
  lock.unlock();

  const auto start = std::chrono::steady_clock::now();
  std::exception_ptr failure;
  if (!windows.empty()) {
    try {
      classifier_.run_batch(windows, solo, runner.scratch, runner.result);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  for (size_t i = 0; i < batch.items.size(); ++i) {
    InFlight& f = *batch.items[i].request;
    const uint32_t w = batch.items[i].window;
    const std::exception_ptr error = rows[i] == kNotRun ? aborted() : failure;
    if (!error) {
      const std::span<const float> row = runner.result.row(rows[i], windows[rows[i]]->ids.size());
      std::copy(row.begin(), row.end(), f.logits.data.begin() + static_cast<std::ptrdiff_t>(f.logits.offsets[w]));
    } else {
      // The text fails with the batch (or is dropped); marked before its window counts as
      // done, so whichever runner finishes the text sees it.
      RoundProgress::Text& text = f.progress->text_of(w);
      std::lock_guard<std::mutex> guard(f.failure_mutex);
      if (!text.error) text.error = error;
    }
    window_finished(f, w, runner);
  }
  // Callers hear back now and often call again at once; this runner looks at the queue before
  // it sleeps, so those calls need not wake another runner (which would only find them taken).
  const bool returning = !runner.finished.empty();
  if (returning) returning_runners_.fetch_add(1, std::memory_order_relaxed);
  deliver_finished(runner);
  runner.infer_ns += elapsed_ns(start);

  lock.lock();
  if (returning) returning_runners_.fetch_sub(1, std::memory_order_relaxed);
  --busy_runners_;
  if (solo) {
    solo_running_ = false;
    if (!pool_->empty()) wake_.notify_all();  // runners held back by the solo run
  }
  settle(lock, runner);
}

void Scheduler::window_finished(InFlight& f, uint32_t window, Runner& runner) {
  RoundProgress::Text* text = f.progress->window_done(window);
  if (text == nullptr) return;
  if (!text->error) {
    const auto start = std::chrono::steady_clock::now();
    try {
      f.prepared.result[text->text] = classifier_.finish_text(f.request.texts[text->text], f.prepared.prepared.windows[text->text],
                                                              f.logits, text->first_window, f.request.params);
    } catch (...) {
      text->error = std::current_exception();
    }
    runner.postprocess_ns += elapsed_ns(start);
  }
  if (f.progress->text_done(*text)) runner.finished.push_back(&f);
}

// The requests a batch finished are handed back together, after its texts are post-processed,
// so that the JS thread wakes once for all of them rather than once per request.
void Scheduler::deliver_finished(Runner& runner, std::vector<Finished> finished) {
  if (runner.finished.empty() && finished.empty()) return;
  const auto start = std::chrono::steady_clock::now();
  finished.reserve(finished.size() + runner.finished.size());
  for (InFlight* f : runner.finished) {
    Finished& done = finished.emplace_back();
    done.token = f->request.token;
    done.error = f->progress->first_error(0);
    if (!done.error) done.result = std::move(f->prepared.result);
    f->request.delivered = true;
    runner.delivered.push_back(f);
  }
  runner.finished.clear();
  deliver_(std::move(finished));
  runner.deliver_ns += elapsed_ns(start);
}

void Scheduler::settle(std::unique_lock<std::mutex>& lock, Runner& runner) {
  stats_.tokenize_ns += std::exchange(runner.tokenize_ns, 0);
  stats_.infer_ns += std::exchange(runner.infer_ns, 0);
  stats_.postprocess_ns += std::exchange(runner.postprocess_ns, 0);
  stats_.deliver_ns += std::exchange(runner.deliver_ns, 0);
  if (runner.delivered.empty()) return;
  // Unlinked here, freed outside the lock (a large request's texts and logits take a while).
  std::list<std::unique_ptr<InFlight>> done;
  for (InFlight* f : runner.delivered) done.splice(done.end(), in_flight_, f->self);
  runner.delivered.clear();
  lock.unlock();
  done.clear();
  lock.lock();
}

}  // namespace tokclass
