// Groups token sequences into padded batches and runs them through a Session.
//
// Sequences are sorted by length (longest first, stable, so equal lengths keep input order)
// and cut into batches whose padded size rows * padded_len stays within a token budget, with
// a cap on rows. Each batch is padded only to its own longest row, so sorting keeps padding
// (wasted compute) small. Results come back per batch through a callback, letting the caller
// post-process one batch while it schedules the next, or all at once in input order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/worker_pool.h"
#include "runtime/session.h"

namespace tokclass::runtime {

struct Sequence {
  std::span<const uint32_t> ids;
  std::span<const uint32_t> type_ids;  // same length as ids, or empty for all zeros
};

struct SequenceLogits;  // below

// The run cost (BatcherConfig::run_cost_tokens) where nothing better is known: on CUDA, whose
// cost is not measured (engine/classifier.h), and for callers that set none.
inline constexpr size_t kDefaultRunCostTokens = 48;

struct BatcherConfig {
  size_t token_budget = 8192;  // max rows * padded_len per batch (one longer row runs alone)
  size_t max_rows = 64;
  int64_t pad_id = 0;          // the tokenizer's pad token id; masked out, so any valid id works
  int64_t pad_type_id = 0;
  // The fixed cost of one model run, in token-equivalents: batches are cut from the
  // length-sorted rows to minimise (runs x run_cost_tokens + padded tokens). Without a run
  // cost, a round of unsorted concurrent requests would either pad every short text to the
  // longest one or be split into many tiny runs.
  size_t run_cost_tokens = kDefaultRunCostTokens;
  // When the whole input is one batch, run it on this session instead (if set): one built
  // with several intra-op threads, so a lone text still gets every core. Must be a session of
  // the same model.
  const Session* solo_session = nullptr;
  // RunAll runs batches side by side on the pool's threads and the caller's, each calling
  // Session::run; without a pool, one after another. For models small enough that one run
  // cannot keep every core busy, several single-threaded runs (intra_op_threads = 1) beat one
  // run spread over all cores. The pool may be larger than parallel_runs (it also serves the
  // per-text host stages); at most parallel_runs batches run at once.
  WorkerPool* pool = nullptr;
  size_t parallel_runs = 1;
  // RunAll only: called on the runner's thread after each batch, with the rows (input
  // indices) whose logits are now in place. Lets the caller post-process a text as soon as
  // its windows are done, while other batches still run. Rows of other batches may be written
  // concurrently, so it must read only rows it was told about (or learned of through its own
  // synchronisation). Must not throw.
  std::function<void(const SequenceLogits& logits, std::span<const uint32_t> rows)> on_stored;
  // RunAll only: asked on the runner's thread before each batch that runs in turn (not a first
  // batch run alone); true leaves the batch unrun and reports its rows to on_skipped instead of
  // on_stored, their logits left unset. For dropping the rows of calls aborted while the round
  // runs. Neither may throw.
  std::function<bool(std::span<const uint32_t> rows)> skip;
  std::function<void(std::span<const uint32_t> rows)> on_skipped;
  // RunAll only, when its batches run one after another on the calling thread (one run at a
  // time): called there before each batch after the first, with the number of batches left,
  // this one included. Lets the caller do other work between two runs of a long call (the
  // round scheduler serves the calls that arrived meanwhile). Must not throw.
  std::function<void(size_t batches_left)> before_batch;
};

// One planned batch: which input sequences, in row order, and the padded length.
struct BatchPlan {
  std::vector<uint32_t> rows;  // indices into the input sequences
  size_t padded_len = 0;
};

// Plans batches for sequences of the given lengths, longest first. Zero-length sequences are
// left out (there is nothing to run). With `equal_lengths_only` a batch never mixes lengths,
// for models without an attention_mask input, where padding would change the results. Throws
// kInvalidArgument for a zero budget or row cap.
std::vector<BatchPlan> PlanBatches(std::span<const size_t> lengths, const BatcherConfig& config,
                                   bool equal_lengths_only = false);

// Logits of one finished batch, row-major [rows.size(), padded_len, num_labels].
struct BatchResult {
  size_t batch_index = 0;  // position in the plan
  size_t batch_count = 0;
  std::vector<uint32_t> rows;  // input index of each row
  size_t padded_len = 0;
  size_t num_labels = 0;
  std::vector<float> logits;

  // The first `length` positions of row `r` (the sequence's own tokens, without padding).
  std::span<const float> row(size_t r, size_t length) const {
    return {logits.data() + r * padded_len * num_labels, length * num_labels};
  }
};

// Reusable per-thread buffers for building padded batches; keeping one across calls avoids
// reallocating them for every batch.
struct BatchScratch {
  std::vector<int64_t> ids, mask, type_ids;
};

// Pads and runs one planned batch into `result` (its vectors are reused when they have
// capacity). Throws Error(kInference) from the session, kInvalidArgument for mismatched
// type_ids.
void RunBatch(const Session& session, std::span<const Sequence> sequences, const BatchPlan& plan,
              const BatcherConfig& config, BatchScratch& scratch, BatchResult& result);

// Plans and runs every batch in order, calling `on_batch` after each one. The callback may
// move data out of the result (e.g. hand the logits to another thread); whatever it leaves is
// reused for the next batch. Zero-length sequences never appear in any batch. An exception
// from the callback stops the run and propagates.
using BatchCallback = std::function<void(BatchResult&)>;
void RunBatches(const Session& session, std::span<const Sequence> sequences,
                const BatcherConfig& config, const BatchCallback& on_batch);

// All logits in input order, in one buffer: sequence i's [length_i, num_labels] logits are
// data[offsets[i], offsets[i + 1]).
struct SequenceLogits {
  size_t num_labels = 0;
  std::vector<float> data;
  std::vector<size_t> offsets;  // size sequences + 1, in floats

  size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::span<const float> of(size_t i) const {
    return {data.data() + offsets[i], offsets[i + 1] - offsets[i]};
  }
};

// With config.pool, batches run side by side (see BatcherConfig::pool).
SequenceLogits RunAll(const Session& session, std::span<const Sequence> sequences,
                      const BatcherConfig& config);

}  // namespace tokclass::runtime
