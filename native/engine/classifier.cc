#include "engine/classifier.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "common/error.h"
#include "common/utf16.h"
#include "engine/parallel_for.h"
#include "pipeline/parameters.h"
#include "pipeline/postprocess.h"
#include "runtime/batch_probe.h"
#include "runtime/ort_api.h"
#include "runtime/run_cost_probe.h"

namespace tokclass {

TextInput TextInput::plain(std::u32string text) {
  TextInput input;
  input.text = std::move(text);
  return input;
}

TextInput TextInput::plain_utf16(std::u16string units) {
  TextInput input;
  input.utf16 = std::move(units);
  return input;
}

TextInput TextInput::split(std::vector<std::u32string> words, std::u32string_view delimiter) {
  TextInput input;
  input.word_starts.reserve(words.size());
  for (size_t w = 0; w < words.size(); ++w) {
    if (w > 0) input.text.append(delimiter);
    input.word_starts.push_back(static_cast<uint32_t>(input.text.size()));
    input.text.append(words[w]);
  }
  input.words = std::move(words);
  return input;
}

void PreparedRequest::collect_windows(std::vector<const Encoding*>& out) const {
  for (const auto& text_windows : windows)
    for (const Encoding& w : text_windows) out.push_back(&w);
}

std::unique_ptr<Classifier> Classifier::load(const ClassifierConfig& config) {
  if (config.labels.empty()) throw Error(codes::kModelInvalid, "the model has no labels (config.json id2label)");
  if (config.token_budget == 0 || config.max_batch_rows == 0) {
    throw Error(codes::kInvalidArgument, "tokenBudget and maxBatchSize must be at least 1");
  }
  runtime::LoadOrt(config.runtime_library);
  auto tokenizer = Tokenizer::from_file(config.tokenizer_path);
  // The window must hold the special tokens plus at least one token of text.
  if (config.max_length <= tokenizer->num_special_tokens()) {
    const std::string no_room =
        " leaves no room for text after the " + std::to_string(tokenizer->num_special_tokens()) + " special tokens";
    if (config.max_length_origin.empty()) {
      throw Error(codes::kInvalidArgument, "maxLength " + std::to_string(config.max_length) + no_room);
    }
    throw Error(codes::kModelInvalid, "a window of " + std::to_string(config.max_length) + " tokens (from " +
                                          config.max_length_origin + ")" + no_room);
  }
  auto session = std::make_unique<runtime::Session>(config.model_path, config.session);
  std::unique_ptr<runtime::Session> solo;
  if (config.solo_intra_op_threads > 0) {
    runtime::SessionConfig solo_config = config.session;
    solo_config.intra_op_threads = config.solo_intra_op_threads;
    // Its threads spin briefly after a run, so a caller sending texts one after another finds
    // them awake, but not long enough to steal the cores from the next round of the main session.
    solo_config.allow_spinning = true;
    solo_config.spin_duration_us = 300;
    solo = std::make_unique<runtime::Session>(config.model_path, solo_config);
  }
  const size_t n = session->num_labels();
  if (n != 0 && n != config.labels.size()) {
    throw Error(codes::kModelInvalid, "the model outputs " + std::to_string(n) + " classes but config.json id2label has " +
                                          std::to_string(config.labels.size()) + " labels");
  }
  auto classifier = std::unique_ptr<Classifier>(new Classifier(config, std::move(tokenizer), std::move(session)));
  classifier->solo_session_ = std::move(solo);
  return classifier;
}

Classifier::Classifier(ClassifierConfig config, std::unique_ptr<Tokenizer> tokenizer,
                       std::unique_ptr<runtime::Session> session)
    : config_(std::move(config)), tokenizer_(std::move(tokenizer)), session_(std::move(session)) {
  if (!config_.unk_token.empty()) unk_id_ = tokenizer_->token_to_id(config_.unk_token);
  if (!config_.pad_token.empty()) pad_id_ = tokenizer_->token_to_id(config_.pad_token).value_or(0);
  max_batch_rows_ = config_.max_batch_rows;
  // Dynamically quantized (int8) graphs pick one scale over the whole batch, padding
  // included, so a text's logits would depend on its batch mates; the pipeline runs one text
  // at a time. Two tiny runs tell whether this model is such a graph; if so, never batch
  // (unless the caller traded that for speed: require_batch_invariance false).
  EncodeOptions sample_options;
  sample_options.max_length = config_.max_length;
  const Encoding sample = tokenizer_->encode(U"Hugging Face Inc. is a company based in New York City.", sample_options);
  if (sample.ids.size() >= 2) {
    // On CUDA, kernels are picked per shape and fp16 logits are rounded to ~1e-3, so batch
    // mates move logits a little without changing results; int8 dynamic quantization moves
    // them by 0.1-0.4, which the looser GPU tolerance still catches.
    const float tolerance = config_.session.device == "cuda" ? 5e-2f : 1e-4f;
    runtime::BatchProbeResult probe = runtime::ProbeBatchInvariance(*session_, sample.ids, pad_id_, tolerance);
    batch_invariant_ = probe.batch_invariant;
    if (!batch_invariant_ && config_.require_batch_invariance) max_batch_rows_ = 1;
  }
  if (config_.run_cost_tokens > 0) {
    // Capped so that the planner's sums (runs x cost) cannot overflow, whatever a raw caller passes.
    run_cost_tokens_ = std::min<size_t>(config_.run_cost_tokens, kMaxRunCostTokens);
  } else if (config_.session.device == "cuda") {
    run_cost_tokens_ = runtime::kDefaultRunCostTokens;
  } else if (max_batch_rows_ > 1 && sample.ids.size() >= 2) {
    // Unbatched models (above) never plan a batch of more than one row: nothing to measure.
    run_cost_tokens_ = runtime::MeasureRunCost(*session_, sample.ids).tokens;
  }
}

Classifier::~Classifier() = default;

void Classifier::validate(const ClassifyParams& params) const {
  std::optional<uint32_t> stride;
  if (params.stride) stride = static_cast<uint32_t>(std::min<size_t>(*params.stride, UINT32_MAX));
  validate_parameters(params.strategy, stride, static_cast<uint32_t>(config_.max_length));
  // The tokenizer's own limit (the window minus special tokens), checked here so that a
  // request fails before any work instead of per text.
  tokenizer_->check_options(encode_options(params));
}

namespace {

// Code-point offsets -> UTF-16 indices. Entities are sorted by start (the overlap merge keeps
// that too), so one forward walk usually suffices; it restarts when an offset goes back.
void to_utf16_offsets(const std::u32string& text, std::vector<Entity>& entities) {
  if (std::none_of(text.begin(), text.end(), [](char32_t c) { return c >= 0x10000; })) return;
  size_t cp = 0, unit = 0;
  auto to_unit = [&](uint32_t target) -> uint32_t {
    if (target < cp) cp = 0, unit = 0;
    for (; cp < target && cp < text.size(); ++cp) unit += text[cp] >= 0x10000 ? 2 : 1;
    return static_cast<uint32_t>(unit);
  };
  for (Entity& e : entities) {
    e.start = to_unit(e.start);
    e.end = to_unit(e.end);
  }
}

// Every text of every request in a round, as (request, text) pairs, for the per-text stages.
struct TextRef {
  uint32_t request;
  uint32_t text;
};

std::vector<TextRef> round_texts(std::span<const RoundRequest> round) {
  std::vector<TextRef> refs;
  for (size_t r = 0; r < round.size(); ++r) {
    if (round[r].error) continue;
    for (size_t i = 0; i < round[r].texts->size(); ++i)
      refs.push_back(TextRef{static_cast<uint32_t>(r), static_cast<uint32_t>(i)});
  }
  return refs;
}

// The first failure of each request by text index (not by time, which varies between runs),
// so that the same bad input always gets the same message.
class LowestFailure {
 public:
  explicit LowestFailure(size_t requests) : index_(requests, SIZE_MAX), error_(requests) {}
  void record(const TextRef& ref, std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ref.text < index_[ref.request]) index_[ref.request] = ref.text, error_[ref.request] = std::move(error);
  }
  // Hands each failure to its request.
  void apply(std::span<RoundRequest> round) {
    for (size_t r = 0; r < round.size(); ++r)
      if (error_[r]) round[r].error = error_[r];
  }

 private:
  std::mutex mutex_;
  std::vector<size_t> index_;
  std::vector<std::exception_ptr> error_;
};

// Below this many texts per thread, waking a pool thread costs more than it saves (one short
// text tokenizes or post-processes in 10-20 microseconds).
constexpr size_t kMinTextsPerThread = 8;

}  // namespace

void Classifier::prepare_round(std::span<RoundRequest> round) const {
  prepare_round(round, [this](size_t n, const std::function<void(size_t)>& fn) {
    parallel_for(host_pool(), n, fn, kMinTextsPerThread);
  });
}

void Classifier::prepare_round(std::span<RoundRequest> round, const ForEach& for_each) const {
  for (RoundRequest& request : round) {
    try {
      validate(*request.params);
    } catch (...) {
      request.error = std::current_exception();
    }
  }
  std::vector<TextRef> refs = round_texts(round);
  LowestFailure decode_failure(round.size());
  for_each(refs.size(), [&](size_t k) {
    TextInput& input = (*round[refs[k].request].texts)[refs[k].text];
    if (input.utf16.empty()) return;
    try {
      input.text = utf16::decode(input.utf16, refs[k].text);
    } catch (...) {
      decode_failure.record(refs[k], std::current_exception());
    }
    std::u16string().swap(input.utf16);
  });
  decode_failure.apply(round);

  for (RoundRequest& request : round) {
    if (!request.error) request.prepared.windows.resize(request.texts->size());
  }
  refs = round_texts(round);
  LowestFailure tokenize_failure(round.size());
  for_each(refs.size(), [&](size_t k) {
    RoundRequest& request = round[refs[k].request];
    const TextInput& input = (*request.texts)[refs[k].text];
    try {
      const EncodeOptions options = encode_options(*request.params);
      Encoding first = input.is_split() ? tokenizer_->encode_words(input.words, options)
                                        : tokenizer_->encode(input.text, options);
      std::vector<Encoding> overflow = std::move(first.overflowing);
      first.overflowing.clear();
      auto& windows = request.prepared.windows[refs[k].text];
      windows.reserve(1 + overflow.size());
      windows.push_back(std::move(first));
      for (Encoding& w : overflow) windows.push_back(std::move(w));
    } catch (const WindowLimitError& e) {
      tokenize_failure.record(refs[k], std::make_exception_ptr(window_limit_error(e, refs[k].text, *request.params)));
    } catch (...) {
      tokenize_failure.record(refs[k], std::current_exception());
    }
  });
  tokenize_failure.apply(round);
}

std::vector<const Encoding*> Classifier::round_windows(std::span<const RoundRequest> round) {
  std::vector<const Encoding*> windows;
  for (const RoundRequest& request : round)
    if (!request.error) request.prepared.collect_windows(windows);
  return windows;
}

EncodeOptions Classifier::encode_options(const ClassifyParams& params) const {
  EncodeOptions options;
  options.max_length = config_.max_length;  // the pipeline always truncates to the window
  options.stride = params.stride.value_or(0);
  options.return_overflowing = params.stride.has_value();
  options.truncation_early_exit = !params.full_text;
  options.max_window_tokens = config_.max_window_tokens;
  return options;
}

Error Classifier::window_limit_error(const WindowLimitError& e, size_t text, const ClassifyParams& params) const {
  const double times = static_cast<double>(e.window_tokens) / static_cast<double>(std::max<size_t>(e.text_tokens, 1));
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.1f", times);
  return Error::for_text(codes::kInvalidText, text,
                         "needs " + std::to_string(e.windows) + " windows of up to " + std::to_string(config_.max_length) +
                             " tokens at stride " + std::to_string(params.stride.value_or(0)) + ", " +
                             std::to_string(e.window_tokens) + " tokens in all (" + ratio + " times the text's " +
                             std::to_string(e.text_tokens) + " tokens), more than the load option maxWindowTokens (" +
                             std::to_string(e.limit) + ") allows: use a smaller stride, or split the text");
}

runtime::BatcherConfig Classifier::planning() const {
  runtime::BatcherConfig batcher;
  batcher.token_budget = config_.token_budget;
  batcher.max_rows = max_batch_rows_;
  batcher.pad_id = pad_id_;
  batcher.run_cost_tokens = run_cost_tokens_;
  return batcher;
}

bool Classifier::equal_lengths_only() const { return !session_->has_attention_mask(); }

size_t Classifier::known_num_labels() const { return session_->num_labels(); }

namespace {
// The model's view of windows: their ids and type ids, in order.
std::vector<runtime::Sequence> sequences_of(std::span<const Encoding* const> windows) {
  std::vector<runtime::Sequence> sequences;
  sequences.reserve(windows.size());
  for (const Encoding* w : windows) sequences.push_back(runtime::Sequence{w->ids, w->type_ids});
  return sequences;
}
}  // namespace

void Classifier::run_batch(std::span<const Encoding* const> windows, bool solo, runtime::BatchScratch& scratch,
                           runtime::BatchResult& result) const {
  const std::vector<runtime::Sequence> sequences = sequences_of(windows);
  runtime::BatchPlan plan;
  plan.rows.resize(windows.size());
  for (uint32_t row = 0; row < windows.size(); ++row) {
    plan.rows[row] = row;
    plan.padded_len = std::max(plan.padded_len, windows[row]->ids.size());
  }
  const runtime::Session& session = solo && solo_session_ ? *solo_session_ : *session_;
  runtime::RunBatch(session, sequences, plan, planning(), scratch, result);
}

BatchLogits Classifier::infer(const std::vector<const Encoding*>& windows, const WindowsDone& on_done,
                              const WindowsSkip& skip, const WindowsSkipped& on_skipped,
                              const BeforeBatch& before_batch) const {
  const std::vector<runtime::Sequence> sequences = sequences_of(windows);
  runtime::BatcherConfig batcher = planning();
  batcher.solo_session = solo_session_.get();
  batcher.pool = host_pool();
  batcher.parallel_runs = config_.parallel_runs;
  batcher.on_stored = on_done;
  batcher.skip = skip;
  batcher.on_skipped = on_skipped;
  batcher.before_batch = before_batch;
  return runtime::RunAll(*session_, sequences, batcher);
}

std::vector<Entity> Classifier::finish_text(const TextInput& text, const std::vector<Encoding>& windows,
                                            const BatchLogits& logits, size_t first_window,
                                            const ClassifyParams& params) const {
  if (logits.num_labels != 0 && logits.num_labels != config_.labels.size()) {
    throw Error(codes::kModelInvalid, "the model outputs " + std::to_string(logits.num_labels) +
                                          " classes but config.json id2label has " +
                                          std::to_string(config_.labels.size()) + " labels");
  }
  PostprocessConfig post;
  post.id2label = &config_.labels;
  post.strategy = params.strategy;
  post.ignore_labels = &params.ignore_labels;
  post.unk_token_id = unk_id_;
  post.label_scheme = params.label_scheme;
  post.word_starts = text.is_split() ? &text.word_starts : nullptr;
  std::vector<WindowLogits> text_windows;
  text_windows.reserve(windows.size());
  for (size_t w = 0; w < windows.size(); ++w) {
    text_windows.push_back(WindowLogits{&windows[w], logits.of(first_window + w).data(), logits.num_labels});
  }
  std::vector<Entity> entities = postprocess(text.text, text_windows, *tokenizer_, post);
  if (params.utf16_offsets) to_utf16_offsets(text.text, entities);
  return entities;
}

WorkerPool* Classifier::host_pool() const {
  // One pool serves both the parallel runs and the host stages: they take turns within a round.
  std::call_once(pool_once_, [this] {
    const size_t threads = std::max(config_.parallel_runs, config_.host_threads);
    if (threads > 1) pool_ = std::make_unique<WorkerPool>(threads - 1);
  });
  return pool_.get();
}

void Classifier::for_each_text(size_t n, const std::function<void(size_t)>& fn) const {
  parallel_for(host_pool(), n, fn, kMinTextsPerThread);
}

size_t Classifier::memory_bytes() const {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(config_.model_path, ec);
  return ec ? 0 : static_cast<size_t>(bytes) * (solo_session_ ? 2 : 1);
}

ClassifierInfo Classifier::info() const {
  ClassifierInfo i;
  i.tokenizer_kind = tokenizer_->model_kind();
  i.execution_provider = session_->execution_provider();
  i.runtime_version = session_->ort_version();
  i.num_labels = config_.labels.size();
  i.batch_invariant = batch_invariant_;
  i.batched = max_batch_rows_ > 1;
  i.run_cost_tokens = run_cost_tokens_;
  return i;
}

}  // namespace tokclass
