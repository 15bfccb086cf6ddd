#include "runtime/session.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "common/error.h"

namespace tokclass::runtime {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCpuProvider = "CPUExecutionProvider";
constexpr const char* kCudaProvider = "CUDAExecutionProvider";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Contains(const std::string& haystack, const char* needle) {
  return Lower(haystack).find(needle) != std::string::npos;
}

GraphOptimizationLevel ToOrt(GraphOptimization level) {
  switch (level) {
    case GraphOptimization::kDisabled: return ORT_DISABLE_ALL;
    case GraphOptimization::kBasic: return ORT_ENABLE_BASIC;
    case GraphOptimization::kExtended: return ORT_ENABLE_EXTENDED;
    case GraphOptimization::kAll: return ORT_ENABLE_ALL;
  }
  return ORT_ENABLE_ALL;
}

// ORT's messages carry C++ internals: "/onnxruntime_src/<file>:<line> <signature> <text>" and
// "[ONNXRuntimeError] : <n> : <CODE> : <text>". Keep the text, which is what a user can act
// on; anything that does not parse as expected is left as it was.
std::string CleanOrtMessage(std::string message) {
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  const size_t source = message.find("/onnxruntime_src/");
  const std::string tag = "[ONNXRuntimeError] : ";
  size_t cut_from = std::string::npos, cut_to = std::string::npos;
  if (size_t at = message.find(tag); at != std::string::npos) {
    size_t p = at + tag.size();
    for (int i = 0; i < 2 && p != std::string::npos; ++i) {  // skip "<n> : <CODE> : "
      p = message.find(" : ", p);
      if (p != std::string::npos) p += 3;
    }
    if (p != std::string::npos) {
      cut_from = source < at ? source : at;
      cut_to = p;
    }
  } else if (source != std::string::npos) {
    // The signature ends where its parameter list's parentheses balance.
    size_t p = message.find('(', source);
    int depth = 0;
    for (; p < message.size(); ++p) {
      if (message[p] == '(') ++depth;
      if (message[p] == ')' && --depth == 0) break;
    }
    if (p < message.size()) {
      ++p;
      if (message.compare(p, 6, " const") == 0) p += 6;
      while (p < message.size() && message[p] == ' ') ++p;
      cut_from = source;
      cut_to = p;
    }
  }
  if (cut_from != std::string::npos && cut_to < message.size()) {
    message.erase(cut_from, cut_to - cut_from);
    if (cut_from > 0 && message[cut_from - 1] == ':') message.insert(cut_from, " ");
  }
  return message;
}

// What the user has to do to get CUDA, appended to every CUDA failure. `missing` lists the
// provider libraries absent beside the loaded core library, which is where ORT looks for them.
std::string CudaHowTo(const std::vector<std::string>& missing) {
  const std::string core = LoadedOrt().library_path;
  const std::string dir = fs::path(core).parent_path().string();
  if (missing.empty()) {
    // The provider libraries are in place: what fails is CUDA itself.
    return " The CUDA provider libraries are present beside " + core +
           "; what is missing is CUDA: the CUDA runtime, cuBLAS/cuBLASLt, cuRAND and cuDNN 9 "
           "libraries on the loader path (LD_LIBRARY_PATH), a driver providing libcuda.so.1, "
           "and a visible NVIDIA GPU (check CUDA_VISIBLE_DEVICES).";
  }
  std::string text = " Missing beside " + core + ": ";
  for (size_t i = 0; i < missing.size(); ++i) text += (i ? ", " : "") + missing[i];
  text += ".";
  text +=
      " To use CUDA: install onnxruntime-node with its CUDA provider (do not set "
      "onnxruntime-node-install=skip; --onnxruntime-node-install=cuda12 forces it), or place "
      "libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so in " +
      dir + ", or set " + kOrtLibraryEnvVar +
      " to a libonnxruntime.so.1 built with CUDA that has them beside it. The CUDA provider "
      "also needs the CUDA runtime, cuBLAS and cuDNN libraries on the loader path "
      "(LD_LIBRARY_PATH) and a visible NVIDIA GPU.";
  return text;
}

std::vector<std::string> MissingCudaLibraries() {
  const fs::path dir = fs::path(LoadedOrt().library_path).parent_path();
  std::vector<std::string> missing;
  for (const char* name : {"libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"}) {
    std::error_code ec;
    if (!fs::exists(dir / name, ec)) missing.push_back(name);
  }
  return missing;
}

[[noreturn]] void ThrowCudaUnavailable(const std::string& why) {
  throw Error(codes::kDeviceUnavailable,
              "CUDA was requested but ONNX Runtime " + LoadedOrt().version +
                  " cannot use it: " + why + "." + CudaHowTo(MissingCudaLibraries()));
}

// ORT reports a provider library that failed to load partly in its return status and partly
// in its log; quote the log lines that explain it.
std::string WithRecentErrors(std::string message) {
  for (const std::string& line : RecentOrtLog()) {
    if (line.rfind("error:", 0) == 0 && Contains(line, "cuda") && message.find(line) == std::string::npos) {
      message += " [" + line + "]";
    }
  }
  return message;
}

void AppendCuda(Ort::SessionOptions& options, const SessionConfig& config) {
  std::vector<std::string> providers;
  try {
    providers = AvailableProviders();
  } catch (const Error&) {
    // Leave the decision to the append call below.
  }
  if (!providers.empty() &&
      std::find(providers.begin(), providers.end(), kCudaProvider) == providers.end()) {
    ThrowCudaUnavailable("this ONNX Runtime build (" + LoadedOrt().library_path +
                         ") was compiled without the CUDA execution provider");
  }

  const OrtApi& api = Ort::GetApi();
  auto check = [&](OrtStatus* status, const char* step) {
    if (status == nullptr) return;
    std::string message = CleanOrtMessage(api.GetErrorMessage(status));
    api.ReleaseStatus(status);
    ThrowCudaUnavailable(WithRecentErrors(std::string(step) + ": " + message));
  };

  OrtCUDAProviderOptionsV2* raw = nullptr;
  check(api.CreateCUDAProviderOptions(&raw), "CreateCUDAProviderOptions");
  std::unique_ptr<OrtCUDAProviderOptionsV2, void (*)(OrtCUDAProviderOptionsV2*)> cuda(
      raw, [](OrtCUDAProviderOptionsV2* p) { Ort::GetApi().ReleaseCUDAProviderOptions(p); });

  const CudaConfig& c = config.cuda;
  std::vector<std::pair<std::string, std::string>> entries = {
      {"device_id", std::to_string(config.device_id)},
      {"use_tf32", c.use_tf32 ? "1" : "0"},
      {"cudnn_conv_algo_search", c.cudnn_conv_algo_search},
      {"arena_extend_strategy", c.arena_extend_strategy},
      {"do_copy_in_default_stream", c.do_copy_in_default_stream ? "1" : "0"},
  };
  if (c.gpu_mem_limit > 0) entries.emplace_back("gpu_mem_limit", std::to_string(c.gpu_mem_limit));
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : entries) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  // This call loads the CUDA provider library and parses the options there; parsing device_id
  // asks CUDA for the device count. So it fails for a missing provider library, for no usable
  // GPU or driver, and for a device id past the visible GPUs. ORT reports only empty keys or
  // values as ORT_INVALID_ARGUMENT; a value it cannot parse comes back as a runtime exception,
  // like the device failures (our values are fixed strings and numbers, so that cannot happen).
  OrtStatus* status = api.UpdateCUDAProviderOptions(cuda.get(), keys.data(), values.data(), keys.size());
  if (status != nullptr) {
    const OrtErrorCode code = api.GetErrorCode(status);
    std::string message = CleanOrtMessage(api.GetErrorMessage(status));
    api.ReleaseStatus(status);
    if (code == ORT_INVALID_ARGUMENT) throw Error(codes::kInvalidArgument, "invalid CUDA option: " + message);
    if (message.find("Invalid device ID") != std::string::npos) {
      // The provider works; only this GPU is absent. The install advice would mislead here.
      throw Error(codes::kDeviceUnavailable,
                  "CUDA device " + std::to_string(config.device_id) + " is not available: " + message +
                      ". deviceId counts from 0 over the GPUs this process can see (CUDA_VISIBLE_DEVICES "
                      "narrows them; nvidia-smi lists them).");
    }
    ThrowCudaUnavailable(WithRecentErrors("UpdateCUDAProviderOptions: " + message));
  }
  check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(options, cuda.get()),
        "SessionOptionsAppendExecutionProvider_CUDA_V2");
}

Ort::SessionOptions MakeOptions(const SessionConfig& config) {
  if (config.intra_op_threads < 0 || config.inter_op_threads < 0) {
    throw Error(codes::kInvalidArgument, "thread counts must be >= 0");
  }
  if (config.device != "cpu" && config.device != "cuda") {
    throw Error(codes::kInvalidArgument,
                "device must be \"cpu\" or \"cuda\", received \"" + config.device + "\"");
  }
  if (config.device_id < 0) throw Error(codes::kInvalidArgument, "device_id must be >= 0");

  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(config.intra_op_threads);
  options.SetInterOpNumThreads(config.inter_op_threads);
  options.SetGraphOptimizationLevel(ToOrt(config.graph_optimization));
  options.SetExecutionMode(ORT_SEQUENTIAL);
  if (config.enable_cpu_mem_arena) options.EnableCpuMemArena(); else options.DisableCpuMemArena();
  if (config.enable_mem_pattern) options.EnableMemPattern(); else options.DisableMemPattern();
  options.AddConfigEntry("session.intra_op.allow_spinning", config.allow_spinning ? "1" : "0");
  if (config.force_spinning_stop) options.AddConfigEntry("session.force_spinning_stop", "1");
  if (config.spin_duration_us > 0) {
    options.AddConfigEntry("session.intra_op.spin_duration_us", std::to_string(config.spin_duration_us).c_str());
  }
  if (config.device == "cuda") AppendCuda(options, config);
  return options;
}

const char* ElementTypeName(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16: return "bfloat16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: return "float64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: return "bool";
    default: return "another type";
  }
}

}  // namespace

GraphOptimization ParseGraphOptimization(const std::string& name) {
  if (name == "disabled") return GraphOptimization::kDisabled;
  if (name == "basic") return GraphOptimization::kBasic;
  if (name == "extended") return GraphOptimization::kExtended;
  if (name == "all") return GraphOptimization::kAll;
  throw Error(codes::kInvalidArgument,
              "graph optimization level must be \"disabled\", \"basic\", \"extended\" or "
              "\"all\", received \"" + name + "\"");
}

Session::Session(const std::string& model_path, const SessionConfig& config) {
  std::error_code ec;
  const auto status = fs::status(model_path, ec);
  if (ec || !fs::exists(status)) {
    throw Error(codes::kModelNotFound, "model file not found: " + model_path);
  }
  if (fs::is_directory(status)) {
    throw Error(codes::kModelNotFound,
                "model path is a directory, expected an .onnx file: " + model_path);
  }
  Create(nullptr, 0, model_path, config);
}

Session::Session(std::span<const uint8_t> model_bytes, const std::string& name,
                 const SessionConfig& config) {
  if (model_bytes.empty()) throw Error(codes::kModelInvalid, "model " + name + " is empty");
  Create(model_bytes.data(), model_bytes.size(), name, config);
}

Session::~Session() = default;

void Session::Create(const void* bytes, size_t size, const std::string& name,
                     const SessionConfig& config) {
  model_name_ = name;
  Ort::Env& env = SharedEnv();
  ort_version_ = LoadedOrt().version;
  Ort::SessionOptions options = [&] {
    try {
      return MakeOptions(config);
    } catch (const Ort::Exception& e) {
      throw Error(codes::kInvalidArgument, std::string("invalid session options: ") + e.what());
    }
  }();

  try {
    if (bytes != nullptr) {
      session_ = std::make_unique<Ort::Session>(env, bytes, size, options);
    } else {
      session_ = std::make_unique<Ort::Session>(env, name.c_str(), options);
    }
  } catch (const Ort::Exception& e) {
    const std::string message = CleanOrtMessage(e.what());
    const OrtErrorCode code = e.GetOrtErrorCode();
    const bool model_problem = code == ORT_INVALID_PROTOBUF || code == ORT_INVALID_GRAPH ||
                               code == ORT_NO_MODEL || code == ORT_NO_SUCHFILE ||
                               code == ORT_NOT_IMPLEMENTED;
    // With CUDA appended, a failure that is not about the model itself is almost always the
    // device (no GPU, driver too old, cuDNN missing, out of memory).
    if (config.device == "cuda" && !model_problem) {
      ThrowCudaUnavailable(WithRecentErrors("creating the session failed: " + message));
    }
    if (code == ORT_NO_SUCHFILE) {
      throw Error(codes::kModelNotFound, "model file not found: " + name + " (" + message + ")");
    }
    throw Error(codes::kModelInvalid, "cannot load model " + name + ": " + message);
  }

  provider_ = config.device == "cuda" ? kCudaProvider : kCpuProvider;
  cpu_memory_ = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  try {
    InspectGraph();
  } catch (const Ort::Exception& e) {
    throw Error(codes::kModelInvalid,
                "cannot inspect the inputs/outputs of model " + name + ": " + e.what());
  }
}

void Session::InspectGraph() {
  Ort::AllocatorWithDefaultOptions allocator;
  std::vector<std::string> unknown;
  bool has_ids = false;

  const size_t input_count = session_->GetInputCount();
  for (size_t i = 0; i < input_count; ++i) {
    std::string name = session_->GetInputNameAllocated(i, allocator).get();
    Feed feed;
    if (name == "input_ids") {
      feed = Feed::kIds;
      has_ids = true;
    } else if (name == "attention_mask") {
      feed = Feed::kMask;
      attention_mask_index_ = static_cast<int>(inputs_.size());
    } else if (name == "token_type_ids") {
      feed = Feed::kTypeIds;
      token_type_index_ = static_cast<int>(inputs_.size());
    } else {
      unknown.push_back(name);
      continue;
    }
    Ort::TypeInfo type = session_->GetInputTypeInfo(i);
    const auto tensor = type.GetTensorTypeAndShapeInfo();
    const ONNXTensorElementDataType element = tensor.GetElementType();
    if (element != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 &&
        element != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32) {
      throw Error(codes::kModelInvalid, "model " + model_name_ + ": input '" + name + "' is " +
                                            ElementTypeName(element) +
                                            ", expected int64 or int32");
    }
    const size_t rank = tensor.GetDimensionsCount();
    if (rank != 2) {
      throw Error(codes::kModelInvalid, "model " + model_name_ + ": input '" + name +
                                            "' has rank " + std::to_string(rank) +
                                            ", expected [batch, sequence]");
    }
    inputs_.push_back({std::move(name), feed, element == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32});
  }
  if (!unknown.empty()) {
    std::string list;
    for (size_t i = 0; i < unknown.size(); ++i) list += (i ? "', '" : "'") + unknown[i];
    throw Error(codes::kModelInvalid,
                "model " + model_name_ + " requires inputs this library cannot provide: " + list +
                    "' (supported: input_ids, attention_mask, token_type_ids)");
  }
  if (!has_ids) {
    throw Error(codes::kModelInvalid, "model " + model_name_ + " has no 'input_ids' input");
  }
  for (const InputSlot& slot : inputs_) input_names_.push_back(slot.name.c_str());

  const size_t output_count = session_->GetOutputCount();
  if (output_count == 0) throw Error(codes::kModelInvalid, "model " + model_name_ + " has no outputs");
  size_t out_index = 0;
  for (size_t i = 0; i < output_count; ++i) {
    if (std::string(session_->GetOutputNameAllocated(i, allocator).get()) == "logits") {
      out_index = i;
      break;
    }
  }
  output_name_ = session_->GetOutputNameAllocated(out_index, allocator).get();
  Ort::TypeInfo type = session_->GetOutputTypeInfo(out_index);
  const auto tensor = type.GetTensorTypeAndShapeInfo();
  const ONNXTensorElementDataType element = tensor.GetElementType();
  if (element == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
    output_fp16_ = true;
  } else if (element != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
    throw Error(codes::kModelInvalid, "model " + model_name_ + ": output '" + output_name_ +
                                          "' is " + ElementTypeName(element) +
                                          ", expected float32 or float16 logits");
  }
  const std::vector<int64_t> shape = tensor.GetShape();
  if (shape.size() != 3) {
    throw Error(codes::kModelInvalid, "model " + model_name_ + ": output '" + output_name_ +
                                          "' has rank " + std::to_string(shape.size()) +
                                          ", expected [batch, sequence, labels]");
  }
  if (shape[2] > 0) num_labels_.store(static_cast<size_t>(shape[2]), std::memory_order_release);
}

void Session::run(const BatchInput& in, std::vector<float>& logits_out) const {
  const size_t cells = in.batch * in.seq_len;
  if (in.batch == 0 || in.seq_len == 0) {
    throw Error(codes::kInvalidArgument, "a batch needs at least one row and one column");
  }
  if (in.input_ids.size() != cells ||
      (attention_mask_index_ >= 0 && in.attention_mask.size() != cells) ||
      (!in.token_type_ids.empty() && in.token_type_ids.size() != cells)) {
    throw Error(codes::kInvalidArgument,
                "batch buffers do not match its shape [" + std::to_string(in.batch) + ", " +
                    std::to_string(in.seq_len) + "]");
  }

  const std::array<int64_t, 2> shape = {static_cast<int64_t>(in.batch),
                                        static_cast<int64_t>(in.seq_len)};
  // Only filled for int32 models or a missing token_type_ids buffer; int64 data is borrowed.
  std::vector<std::vector<int32_t>> narrowed;
  std::vector<int64_t> zeros;
  narrowed.reserve(inputs_.size());
  std::vector<Ort::Value> values;
  values.reserve(inputs_.size());
  for (const InputSlot& slot : inputs_) {
    std::span<const int64_t> data;
    switch (slot.feed) {
      case Feed::kIds: data = in.input_ids; break;
      case Feed::kMask: data = in.attention_mask; break;
      case Feed::kTypeIds:
        if (in.token_type_ids.empty()) {
          zeros.assign(cells, 0);
          data = zeros;
        } else {
          data = in.token_type_ids;
        }
        break;
    }
    if (slot.int32) {
      auto& buf = narrowed.emplace_back(data.begin(), data.end());
      values.push_back(Ort::Value::CreateTensor<int32_t>(cpu_memory_, buf.data(), buf.size(),
                                                         shape.data(), shape.size()));
    } else {
      // ORT does not write to inputs; the const_cast is required by the C API's signature.
      values.push_back(Ort::Value::CreateTensor<int64_t>(
          cpu_memory_, const_cast<int64_t*>(data.data()), data.size(), shape.data(), shape.size()));
    }
  }

  const char* output_names[] = {output_name_.c_str()};
  const size_t labels = num_labels();
  try {
    if (!output_fp16_ && labels > 0) {
      // Known shape: let ORT write the logits straight into the caller's (reused) buffer.
      logits_out.resize(cells * labels);
      const std::array<int64_t, 3> out_shape = {shape[0], shape[1], static_cast<int64_t>(labels)};
      Ort::Value out = Ort::Value::CreateTensor<float>(cpu_memory_, logits_out.data(),
                                                       logits_out.size(), out_shape.data(), 3);
      session_->Run(Ort::RunOptions{nullptr}, input_names_.data(), values.data(), values.size(),
                    output_names, &out, 1);
      return;
    }
    std::vector<Ort::Value> outputs =
        session_->Run(Ort::RunOptions{nullptr}, input_names_.data(), values.data(),
                      values.size(), output_names, 1);
    const auto info = outputs[0].GetTensorTypeAndShapeInfo();
    const std::vector<int64_t> out_shape = info.GetShape();
    if (out_shape.size() != 3 || out_shape[0] != shape[0] || out_shape[1] != shape[1] ||
        out_shape[2] <= 0) {
      throw Error(codes::kInference, "model " + model_name_ + " returned logits of an "
                                     "unexpected shape for a [" + std::to_string(in.batch) +
                                     ", " + std::to_string(in.seq_len) + "] batch");
    }
    const size_t got = static_cast<size_t>(out_shape[2]);
    size_t expected = 0;
    if (!num_labels_.compare_exchange_strong(expected, got) && expected != got) {
      throw Error(codes::kInference, "model " + model_name_ + " changed its label count from " +
                                         std::to_string(expected) + " to " + std::to_string(got));
    }
    const size_t n = cells * got;
    logits_out.resize(n);
    if (output_fp16_) {
      const Ort::Float16_t* src = outputs[0].GetTensorData<Ort::Float16_t>();
      for (size_t i = 0; i < n; ++i) logits_out[i] = src[i].ToFloat();
    } else {
      const float* src = outputs[0].GetTensorData<float>();
      std::copy(src, src + n, logits_out.begin());
    }
  } catch (const Ort::Exception& e) {
    throw Error(codes::kInference,
                "inference failed for model " + model_name_ + ": " + CleanOrtMessage(e.what()));
  }
}

}  // namespace tokclass::runtime
