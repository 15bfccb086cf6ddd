#include "runtime/batcher.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "common/error.h"

namespace tokclass::runtime {

std::vector<BatchPlan> PlanBatches(std::span<const size_t> lengths, const BatcherConfig& config,
                                   bool equal_lengths_only) {
  if (config.token_budget == 0 || config.max_rows == 0) {
    throw Error(codes::kInvalidArgument, "batch token budget and row cap must be positive");
  }
  std::vector<uint32_t> order;
  order.reserve(lengths.size());
  for (size_t i = 0; i < lengths.size(); ++i) {
    if (lengths[i] > 0) order.push_back(static_cast<uint32_t>(i));
  }
  // Longest first: the padded length of a batch is then its first row, and the largest
  // (most memory-hungry) batch runs first, so an out-of-memory failure shows up early.
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return lengths[a] > lengths[b]; });

  std::vector<BatchPlan> plans;
  if (equal_lengths_only) {
    // Without an attention mask, padding would change the results: equal lengths only.
    for (size_t i = 0; i < order.size();) {
      BatchPlan plan;
      plan.padded_len = lengths[order[i]];
      plan.rows.push_back(order[i++]);
      while (i < order.size() && plan.rows.size() < config.max_rows &&
             (plan.rows.size() + 1) * plan.padded_len <= config.token_budget &&
             lengths[order[i]] == plan.padded_len) {
        plan.rows.push_back(order[i++]);
      }
      plans.push_back(std::move(plan));
    }
    return plans;
  }

  // Cut the sorted rows into contiguous batches of least total cost, where a batch costs
  // run_cost_tokens (the fixed price of one model run, in token-equivalents) plus
  // rows x padded length. Greedy filling either pads short rows to a long one or, with a
  // padding cap, splits small rounds into many tiny runs; this dynamic program weighs both.
  // O(n x max_rows), negligible next to a model run.
  const size_t n = order.size();
  constexpr uint64_t kInf = UINT64_MAX;
  std::vector<uint64_t> best(n + 1, kInf);
  std::vector<size_t> cut(n + 1, 0);
  best[0] = 0;
  for (size_t j = 0; j < n; ++j) {  // a batch starts at sorted row j (its longest)
    if (best[j] == kInf) continue;
    const size_t len = lengths[order[j]];
    for (size_t rows = 1; rows <= config.max_rows && j + rows <= n; ++rows) {
      if (rows > 1 && rows * len > config.token_budget) break;
      const uint64_t cost = best[j] + config.run_cost_tokens + static_cast<uint64_t>(rows) * len;
      if (cost < best[j + rows]) {
        best[j + rows] = cost;
        cut[j + rows] = j;
      }
    }
  }
  std::vector<size_t> starts;
  for (size_t i = n; i > 0; i = cut[i]) starts.push_back(cut[i]);
  std::reverse(starts.begin(), starts.end());
  for (size_t b = 0; b < starts.size(); ++b) {
    const size_t begin = starts[b];
    const size_t end = b + 1 < starts.size() ? starts[b + 1] : n;
    BatchPlan plan;
    plan.padded_len = lengths[order[begin]];
    plan.rows.assign(order.begin() + begin, order.begin() + end);
    plans.push_back(std::move(plan));
  }
  return plans;
}

void RunBatch(const Session& session, std::span<const Sequence> sequences, const BatchPlan& plan,
              const BatcherConfig& config, BatchScratch& scratch, BatchResult& result) {
  const size_t rows = plan.rows.size();
  const size_t width = plan.padded_len;
  const size_t cells = rows * width;
  const bool want_types = session.has_token_type_ids();

  scratch.ids.assign(cells, config.pad_id);
  scratch.mask.assign(cells, 0);
  if (want_types) scratch.type_ids.assign(cells, config.pad_type_id);
  for (size_t r = 0; r < rows; ++r) {
    const Sequence& seq = sequences[plan.rows[r]];
    if (seq.ids.size() > width) {
      throw Error(codes::kInternal, "batch plan does not fit sequence " +
                                        std::to_string(plan.rows[r]));
    }
    if (!seq.type_ids.empty() && seq.type_ids.size() != seq.ids.size()) {
      throw Error(codes::kInvalidArgument,
                  "sequence " + std::to_string(plan.rows[r]) + " has " +
                      std::to_string(seq.ids.size()) + " ids but " +
                      std::to_string(seq.type_ids.size()) + " type ids");
    }
    const size_t base = r * width;
    std::copy(seq.ids.begin(), seq.ids.end(), scratch.ids.begin() + base);
    std::fill_n(scratch.mask.begin() + base, seq.ids.size(), 1);
    if (want_types) {
      if (seq.type_ids.empty()) {
        std::fill_n(scratch.type_ids.begin() + base, seq.ids.size(), 0);
      } else {
        std::copy(seq.type_ids.begin(), seq.type_ids.end(), scratch.type_ids.begin() + base);
      }
    }
  }

  BatchInput input;
  input.batch = rows;
  input.seq_len = width;
  input.input_ids = scratch.ids;
  input.attention_mask = scratch.mask;
  if (want_types) input.token_type_ids = scratch.type_ids;
  session.run(input, result.logits);

  result.rows = plan.rows;
  result.padded_len = width;
  result.num_labels = session.num_labels();
}

void RunBatches(const Session& session, std::span<const Sequence> sequences,
                const BatcherConfig& config, const BatchCallback& on_batch) {
  std::vector<size_t> lengths(sequences.size());
  for (size_t i = 0; i < sequences.size(); ++i) lengths[i] = sequences[i].ids.size();
  const std::vector<BatchPlan> plans = PlanBatches(lengths, config, !session.has_attention_mask());

  BatchScratch scratch;
  BatchResult result;
  for (size_t b = 0; b < plans.size(); ++b) {
    RunBatch(session, sequences, plans[b], config, scratch, result);
    result.batch_index = b;
    result.batch_count = plans.size();
    on_batch(result);
  }
}

SequenceLogits RunAll(const Session& session, std::span<const Sequence> sequences,
                      const BatcherConfig& config) {
  SequenceLogits out;
  std::vector<size_t> token_offsets(sequences.size() + 1, 0);
  for (size_t i = 0; i < sequences.size(); ++i) {
    token_offsets[i + 1] = token_offsets[i] + sequences[i].ids.size();
  }
  std::vector<size_t> lengths(sequences.size());
  for (size_t i = 0; i < sequences.size(); ++i) lengths[i] = sequences[i].ids.size();
  std::vector<BatchPlan> plans = PlanBatches(lengths, config, !session.has_attention_mask());
  // One run at a time: the longest batch first (the most memory-hungry: ONNX Runtime's arena
  // reaches its size at once, and an out-of-memory failure shows early), then the others
  // shortest first. The order costs nothing in throughput when nothing runs side by side, and
  // the texts of a call's shorter windows, finished between runs (before_batch), come back
  // without waiting for every long window of the round. Side by side, longest first throughout,
  // so that the runners end together.
  if ((config.pool == nullptr || config.parallel_runs <= 1) && plans.size() > 2) {
    std::reverse(plans.begin() + 1, plans.end());
  }

  // Each batch writes its rows into their own slots of `out.data`: no two batches share a
  // sequence, so parallel batches never touch the same floats.
  auto store = [&](const BatchResult& batch) {
    for (size_t r = 0; r < batch.rows.size(); ++r) {
      const uint32_t index = batch.rows[r];
      const std::span<const float> src = batch.row(r, sequences[index].ids.size());
      std::copy(src.begin(), src.end(), out.data.begin() + token_offsets[index] * out.num_labels);
    }
  };

  // Offsets (and the buffer) can be laid out once the label count is known: from the model's
  // output shape, or after the first run for a dynamic label dimension.
  auto lay_out = [&](size_t num_labels) {
    out.num_labels = num_labels;
    out.data.resize(token_offsets.back() * num_labels);
    out.offsets.resize(token_offsets.size());
    for (size_t i = 0; i < token_offsets.size(); ++i) out.offsets[i] = token_offsets[i] * num_labels;
  };
  auto stored = [&](const BatchResult& batch) {
    if (config.on_stored) config.on_stored(out, batch.rows);
  };

  if (!plans.empty()) {
    // A model with a dynamic label dimension reveals it only after a run: then the first batch
    // runs alone. Otherwise every batch, the first included, goes to the parallel runners.
    size_t first_parallel = 0;
    if (session.num_labels() == 0 || (plans.size() == 1 && config.solo_session != nullptr)) {
      BatchScratch scratch;
      BatchResult result;
      const Session& first = (plans.size() == 1 && config.solo_session != nullptr) ? *config.solo_session : session;
      RunBatch(first, sequences, plans[0], config, scratch, result);
      lay_out(result.num_labels);
      store(result);
      stored(result);
      first_parallel = 1;
    } else {
      lay_out(session.num_labels());
    }

    const size_t remaining = plans.size() - first_parallel;
    const size_t threads =
        config.pool == nullptr ? 1 : std::min({config.pool->size() + 1, config.parallel_runs, remaining});
    std::atomic<size_t> next{first_parallel};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const bool in_turn = threads <= 1;  // before_batch is called only then
    auto worker = [&] {
      BatchScratch worker_scratch;
      BatchResult worker_result;
      for (size_t b; (b = next.fetch_add(1)) < plans.size();) {
        if (in_turn && b > first_parallel && config.before_batch) config.before_batch(plans.size() - b);
        if (config.skip && config.skip(plans[b].rows)) {
          if (config.on_skipped) config.on_skipped(plans[b].rows);
          continue;
        }
        try {
          RunBatch(session, sequences, plans[b], config, worker_scratch, worker_result);
          store(worker_result);
          stored(worker_result);
        } catch (...) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          next.store(plans.size());  // the others stop after their current batch
        }
      }
    };
    if (threads > 1) config.pool->run(threads, worker);  // this thread is one of the runners
    else if (remaining > 0) worker();
    if (failure) std::rethrow_exception(failure);
  } else {
    lay_out(session.num_labels());
  }
  return out;
}

}  // namespace tokclass::runtime
