// Loads ONNX Runtime at run time. The addon is compiled with ORT_API_MANUAL_INIT and does not
// link libonnxruntime, so the library that JavaScript resolves (or TOKCLASS_ORT_LIBRARY names,
// e.g. a CUDA build) can be swapped in without rebuilding. Every other runtime/ file includes
// ONNX Runtime through this header so the macro is always defined consistently.
#pragma once
#ifndef ORT_API_MANUAL_INIT
#define ORT_API_MANUAL_INIT
#endif
#include <onnxruntime_cxx_api.h>

#include <string>
#include <vector>

namespace tokclass::runtime {

// What was loaded; stable for the life of the process once LoadOrt succeeded.
struct OrtInfo {
  std::string library_path;  // canonical path of the loaded libonnxruntime
  std::string version;       // the library's own version string, e.g. "1.30.0"
  uint32_t api_version = 0;  // the OrtApi version we asked for (the headers' ORT_API_VERSION)
};

// Name of the environment variable consulted when LoadOrt is given an empty path.
inline constexpr const char* kOrtLibraryEnvVar = "TOKCLASS_ORT_LIBRARY";

// Loads libonnxruntime from `library_path` once per process and initializes the C++ API.
// An empty path falls back to $TOKCLASS_ORT_LIBRARY, and when that is unset too, to the
// library already loaded (if any). Calling again with the same library (any
// path that resolves to the same file) is a cheap no-op; a different library is refused,
// because ONNX Runtime's global state (API table, Env) cannot be switched in a live process.
// A failed load leaves nothing behind, so the caller may retry with another path.
// Throws Error(kRuntimeLoad). Thread-safe.
const OrtInfo& LoadOrt(const std::string& library_path);

// True once LoadOrt has succeeded.
bool OrtLoaded() noexcept;

// The loaded library's description. Throws Error(kRuntimeLoad) if nothing is loaded yet.
const OrtInfo& LoadedOrt();

// The process-wide ONNX Runtime environment, created on first use (requires LoadOrt).
// It lives until the process exits and is never destroyed: tearing down ORT's Env during
// static destruction races with its thread pools and with other addons (onnxruntime-node)
// that share the same library instance. Its logger records instead of printing (see below).
Ort::Env& SharedEnv();

// ONNX Runtime's log messages at warning level and above are kept here (the most recent few)
// instead of being written to stderr, since library code never prints. Errors that ORT only
// explains through its log (a provider library that failed to load, for example) can quote
// them. Returns oldest first.
std::vector<std::string> RecentOrtLog();

// Execution providers compiled into the loaded library ("CPUExecutionProvider", ...).
std::vector<std::string> AvailableProviders();

}  // namespace tokclass::runtime
