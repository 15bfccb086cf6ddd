// Classifier: one loaded model — tokenizer, ONNX Runtime session, labels — and the whole
// text -> entities path. Immutable after load; classify() may run on any thread, and many at once.
#pragma once
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/worker_pool.h"
#include "pipeline/entity.h"
#include "runtime/batcher.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace tokclass {

struct ClassifierConfig {
  std::string runtime_library;   // path of libonnxruntime.so.1
  std::string model_path;        // .onnx file
  std::string tokenizer_path;    // tokenizer.json
  std::vector<std::string> labels;  // id2label by class index
  size_t max_length = 512;       // window size in tokens, special tokens included
  // Where max_length came from when the caller did not choose it: the model file and field
  // ("model_max_length 2 in .../tokenizer_config.json"), named in the error when it is too small
  // (a broken model, not a bad argument). Empty: the caller's maxLength option.
  std::string max_length_origin;
  std::string unk_token;         // tokenizer_config's unk_token ("" = none)
  std::string pad_token;         // tokenizer_config's pad_token ("" = id 0)
  size_t token_budget = 8192;    // rows * padded length per model run
  size_t max_batch_rows = 64;
  // A model whose logits depend on its batch mates (dynamically quantized int8) runs one text
  // per run unless this is false: batched, it is faster, but a text's scores then move a little
  // with the texts it happens to share a run with.
  bool require_batch_invariance = true;
  size_t parallel_runs = 1;      // batches run side by side (see runtime/batcher.h)
  // The price of one model run in tokens, for the batch planner (runtime/batcher.h). 0: measured
  // at load on CPU (runtime/run_cost_probe.h); on CUDA, where tiny probe runs say nothing about
  // the sizes that fill a GPU, runtime::kDefaultRunCostTokens.
  size_t run_cost_tokens = 0;
  // Threads for the per-text host stages (tokenizing, post-processing). They never overlap a
  // model run of the same round, so on CUDA (one run at a time, the host work is what is left
  // on the CPU) and for large CPU models they can be every core.
  size_t host_threads = 1;
  // >0: also load a second session with this many intra-op threads, used when a round is a
  // single batch (a lone text gets every core; the main session then has 1 thread per run).
  int solo_intra_op_threads = 0;
  size_t batch_wait_us = 0;  // optional wait for more concurrent calls (0: greedy batching only)
  // The most tokens the stride windows of one text may hold, special tokens included (0: no
  // limit). Each window token costs ~140 bytes until the text is finished (its encoding, logits,
  // scores and pre-entities), and a stride close to the window repeats every token up to
  // max_length times: a text over the limit fails alone (ERR_INVALID_TEXT) before its windows
  // are built, instead of exhausting memory.
  size_t max_window_tokens = 0;
  runtime::SessionConfig session;
};

// One input: a text, or pre-split words (is_split_into_words) with the text they make when
// joined by the delimiter, which is what offsets then index.
struct TextInput {
  std::u32string text;
  std::vector<std::u32string> words;  // non-empty: pre-split input
  std::vector<uint32_t> word_starts;  // code-point start of each word in `text`
  // A plain text as it came from JavaScript, not yet decoded: Classifier::prepare_round turns
  // it into `text` on worker threads (see common/utf16.h).
  std::u16string utf16;

  static TextInput plain(std::u32string text);
  static TextInput plain_utf16(std::u16string units);
  static TextInput split(std::vector<std::u32string> words, std::u32string_view delimiter);
  bool is_split() const { return !word_starts.empty() || !words.empty(); }
};

// One request: many texts sharing the same parameters.
struct ClassifyParams {
  Aggregation strategy = Aggregation::kSimple;
  std::vector<std::string> ignore_labels{"O"};
  std::optional<size_t> stride;  // set = process the text in overlapping windows
  LabelScheme label_scheme = LabelScheme::kBio;
  // tokenizers 0.23 stops tokenizing at max_length even with a stride, so the pipeline's
  // windows cover only the start of a long text. false reproduces that exactly (default);
  // true windows the whole text.
  bool full_text = false;
  // Entity offsets in UTF-16 code units (JavaScript string indices) instead of code points.
  bool utf16_offsets = false;
};

struct ClassifierInfo {
  std::string tokenizer_kind;
  std::string execution_provider;
  std::string runtime_version;
  size_t num_labels = 0;
  bool batch_invariant = true;  // the load probe: a text's logits do not depend on its batch mates
  bool batched = true;  // false: one text per run (not batch-invariant, and invariance required)
  size_t run_cost_tokens = 0;  // what the batch planner uses (configured or measured)
};

// A request after tokenization: each text's windows (one unless a stride split it).
struct PreparedRequest {
  std::vector<std::vector<Encoding>> windows;  // per text
  void collect_windows(std::vector<const Encoding*>& out) const;
};

// Logits of many windows in one buffer, in window order (runtime/batcher.h).
using BatchLogits = runtime::SequenceLogits;

// One request of a scheduler round: its texts and parameters, and what the round's stages
// make of them. A request that fails (bad parameters, invalid Unicode, a failed run) carries
// its error and takes no further part; the others go on.
struct RoundRequest {
  std::vector<TextInput>* texts = nullptr;
  const ClassifyParams* params = nullptr;
  PreparedRequest prepared;
  std::vector<std::vector<Entity>> result;  // per text
  std::exception_ptr error;
};

class Classifier {
 public:
  // The run cost where it is not measured (on CUDA, see ClassifierConfig::run_cost_tokens, and
  // for a tokenizer that gives the probe fewer than 2 ids) is runtime::kDefaultRunCostTokens.
  static constexpr size_t kMaxRunCostTokens = 1'000'000;  // as options.runCostTokens allows

  // Throws Error (model not found / invalid, tokenizer invalid / unsupported, runtime load).
  static std::unique_ptr<Classifier> load(const ClassifierConfig& config);
  ~Classifier();

  // Checks params against this model (stride vs window, stride with "none"); throws Error.
  void validate(const ClassifyParams& params) const;

  // The three stages of a scheduler round, so that the windows of many concurrent requests
  // share batches. The per-text stages run in parallel over every text of every request (a
  // round of 64 one-text calls is as parallel as one 64-text call).
  //
  // prepare_round: checks parameters, decodes the texts still in UTF-16 (TextInput::plain_utf16)
  // and tokenizes them into windows. A request whose texts fail gets the error of its
  // lowest-index bad text (invalid Unicode is reported before tokenizer errors). The per-text
  // work runs on the host threads, or through `for_each` (which must call fn(i) once for each
  // i in [0, n), on any threads, and return when all calls have; fn catches its own errors).
  using ForEach = std::function<void(size_t n, const std::function<void(size_t)>& fn)>;
  void prepare_round(std::span<RoundRequest> round) const;
  void prepare_round(std::span<RoundRequest> round, const ForEach& for_each) const;
  // The windows of every request without an error, in request order, as infer takes them.
  static std::vector<const Encoding*> round_windows(std::span<const RoundRequest> round);
  // Runs the windows in shared, length-sorted batches. `on_done`, if set, is called on the
  // runner's thread after each batch with the indices of the windows whose logits are now in
  // place (runtime::BatcherConfig::on_stored), so texts can be finished while others run.
  using WindowsDone = std::function<void(const BatchLogits& logits, std::span<const uint32_t> windows)>;
  // `skip` (optional): asked before each batch with its windows; true leaves it unrun and
  // reports them to `on_skipped` (see runtime::BatcherConfig::skip).
  using WindowsSkip = std::function<bool(std::span<const uint32_t> windows)>;
  using WindowsSkipped = std::function<void(std::span<const uint32_t> windows)>;
  // `before_batch` (optional): with one run at a time, called between runs with the number of
  // batches left (see runtime::BatcherConfig::before_batch).
  using BeforeBatch = std::function<void(size_t batches_left)>;
  BatchLogits infer(const std::vector<const Encoding*>& windows, const WindowsDone& on_done = {},
                    const WindowsSkip& skip = {}, const WindowsSkipped& on_skipped = {},
                    const BeforeBatch& before_batch = {}) const;
  // For the stream scheduler (engine/scheduler.h), which plans batches itself across requests
  // as they arrive: the planner's settings (token budget, row cap, run cost, pad id) as infer
  // uses them, whether batches may mix lengths (not without an attention mask), the label
  // count (0: only known after a run) and one batch's run. run_batch pads the windows to the
  // longest and runs them on the solo session when `solo` (and there is one), else the main
  // session; rows of `result` follow `windows`. Throws Error(kInference).
  runtime::BatcherConfig planning() const;
  bool equal_lengths_only() const;
  size_t known_num_labels() const;
  bool has_solo_session() const { return solo_session_ != nullptr; }
  void run_batch(std::span<const Encoding* const> windows, bool solo, runtime::BatchScratch& scratch,
                 runtime::BatchResult& result) const;

  // Scores and aggregation for one text whose windows' logits start at `first_window`.
  // Thread-safe. Throws Error (kModelInvalid when the model's label count is not config.json's).
  std::vector<Entity> finish_text(const TextInput& text, const std::vector<Encoding>& windows,
                                  const BatchLogits& logits, size_t first_window, const ClassifyParams& params) const;

  // Runs fn(i) for i in [0, n) on the host threads (the classifier's pool and the caller), for
  // per-text work; errors must be caught inside fn.
  void for_each_text(size_t n, const std::function<void(size_t)>& fn) const;

  ClassifierInfo info() const;
  // Rough native memory held: the model file's size per session (weights dominate).
  size_t memory_bytes() const;
  const ClassifierConfig& config() const { return config_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  EncodeOptions encode_options(const ClassifyParams& params) const;
  // A text over max_window_tokens, worded for the caller: its index, the load option to raise.
  Error window_limit_error(const WindowLimitError& e, size_t text, const ClassifyParams& params) const;

  Classifier(ClassifierConfig config, std::unique_ptr<Tokenizer> tokenizer,
             std::unique_ptr<runtime::Session> session);
  ClassifierConfig config_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<runtime::Session> session_;
  std::unique_ptr<runtime::Session> solo_session_;
  // The host threads beside the caller: max(parallel_runs, host_threads) - 1, shared by all
  // stages of the round scheduler. Started on first use: the streaming scheduler never uses
  // them (its runner threads do all the work), so a classifier it serves holds no idle thread.
  WorkerPool* host_pool() const;
  mutable std::once_flag pool_once_;
  mutable std::unique_ptr<WorkerPool> pool_;
  std::optional<uint32_t> unk_id_;
  uint32_t pad_id_ = 0;
  size_t max_batch_rows_ = 1;  // config's cap, or 1 for models whose logits depend on batch mates
  bool batch_invariant_ = true;  // what the load probe found
  size_t run_cost_tokens_ = runtime::kDefaultRunCostTokens;
};

}  // namespace tokclass
