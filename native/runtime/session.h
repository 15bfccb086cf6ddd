// One ONNX Runtime inference session for a token-classification model: inputs found by name,
// execution provider chosen by configuration, logits returned as float32 [batch, seq, labels].
// Immutable after construction; run() is safe to call from several threads at once (ORT's
// Run is), so one Session serves every worker.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/ort_api.h"

namespace tokclass::runtime {

enum class GraphOptimization { kDisabled, kBasic, kExtended, kAll };

// "disabled" | "basic" | "extended" | "all"; throws Error(kInvalidArgument) otherwise.
GraphOptimization ParseGraphOptimization(const std::string& name);

struct CudaConfig {
  size_t gpu_mem_limit = 0;      // bytes for ORT's CUDA arena; 0 = no limit
  bool use_tf32 = false;         // off by default: TF32 moves logits by ~1e-3, enough to flip
                                 // close scores against the fp32 reference pipeline
  std::string cudnn_conv_algo_search = "EXHAUSTIVE";  // "EXHAUSTIVE" | "HEURISTIC" | "DEFAULT"
  std::string arena_extend_strategy = "kNextPowerOfTwo";  // or "kSameAsRequested"
  bool do_copy_in_default_stream = true;
};

struct SessionConfig {
  std::string device = "cpu";  // "cpu" | "cuda"
  int device_id = 0;
  int intra_op_threads = 0;  // 0 = ORT's default (one per physical core)
  int inter_op_threads = 0;  // only used by parallel execution mode; we run sequential
  GraphOptimization graph_optimization = GraphOptimization::kAll;
  bool enable_cpu_mem_arena = true;
  bool enable_mem_pattern = true;
  // Spinning intra-op threads cut latency but burn cores while idle; turn off when the
  // process shares a small machine with other busy work.
  bool allow_spinning = true;
  // Stop the intra-op threads' spinning as soon as the last concurrent run returns, so a
  // session used now and then (the solo session) does not steal cores from other work.
  bool force_spinning_stop = false;
  // >0: intra-op threads spin at most this long (microseconds) before blocking.
  int spin_duration_us = 0;
  CudaConfig cuda;
};

// A padded batch, row-major [batch, seq_len]. The spans are borrowed for the duration of
// run(); int64 inputs are fed to ORT without copying.
struct BatchInput {
  size_t batch = 0;
  size_t seq_len = 0;
  std::span<const int64_t> input_ids;       // batch * seq_len
  std::span<const int64_t> attention_mask;  // batch * seq_len (ignored if the model has none)
  std::span<const int64_t> token_type_ids;  // batch * seq_len, or empty for all zeros
};

class Session {
 public:
  // Loads `model_path` with the shared Env (LoadOrt must have succeeded).
  // Throws Error with kModelNotFound (no such file), kModelInvalid (ORT cannot parse it, or its
  // inputs/outputs are not those of a token classifier), kDeviceUnavailable (CUDA requested but
  // unusable), kInvalidArgument (bad config), kRuntimeLoad (ORT not loaded).
  Session(const std::string& model_path, const SessionConfig& config);
  // Same, from an in-memory model (e.g. one embedded in the package). `name` is used in
  // messages only.
  Session(std::span<const uint8_t> model_bytes, const std::string& name,
          const SessionConfig& config);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs one batch. `logits_out` is resized to batch * seq_len * num_labels() and filled with
  // float32 logits (float16 models are converted). Reusing the same vector across calls avoids
  // reallocation; when the model's output is float32 and its label count is known, ORT writes
  // straight into it. Throws Error(kInvalidArgument) for malformed input, kInference when ORT
  // fails. Thread-safe.
  void run(const BatchInput& input, std::vector<float>& logits_out) const;

  // Label count: from the output shape when static, else learned from the first run (0 until
  // then).
  size_t num_labels() const noexcept { return num_labels_.load(std::memory_order_acquire); }
  bool has_token_type_ids() const noexcept { return token_type_index_ >= 0; }
  bool has_attention_mask() const noexcept { return attention_mask_index_ >= 0; }
  // "CPUExecutionProvider" or "CUDAExecutionProvider".
  const std::string& execution_provider() const noexcept { return provider_; }
  const std::string& ort_version() const noexcept { return ort_version_; }
  const std::string& output_name() const noexcept { return output_name_; }
  const std::string& model_name() const noexcept { return model_name_; }

 private:
  enum class Feed { kIds, kMask, kTypeIds };
  struct InputSlot {
    std::string name;
    Feed feed;
    bool int32 = false;  // element type int32 instead of int64
  };

  void Create(const void* bytes, size_t size, const std::string& path,
              const SessionConfig& config);
  void InspectGraph();

  std::string model_name_;
  std::string provider_;
  std::string ort_version_;
  std::unique_ptr<Ort::Session> session_;
  Ort::MemoryInfo cpu_memory_{nullptr};

  std::vector<InputSlot> inputs_;              // in the model's input order
  std::vector<const char*> input_names_;       // points into inputs_[i].name
  int attention_mask_index_ = -1;              // index into inputs_, -1 if absent
  int token_type_index_ = -1;
  std::string output_name_;
  bool output_fp16_ = false;
  mutable std::atomic<size_t> num_labels_{0};
};

}  // namespace tokclass::runtime
