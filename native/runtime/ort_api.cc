#include "runtime/ort_api.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <mutex>

#include "common/error.h"

namespace tokclass::runtime {
namespace {

constexpr size_t kLogCapacity = 32;

struct State {
  std::mutex mu;  // guards loading and the fields below until `loaded` is set
  std::atomic<bool> loaded{false};
  OrtInfo info;
  void* handle = nullptr;
  Ort::Env* env = nullptr;  // created lazily under `mu`; intentionally never deleted

  std::mutex log_mu;
  std::deque<std::string> log;
};

// Leaked on purpose: the state must outlive every static destructor that might still touch a
// session (see SharedEnv in the header).
State& state() {
  static State* s = new State();
  return *s;
}

std::string Canonical(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) != nullptr) return buf;
  return path;
}

const char* SeverityName(OrtLoggingLevel severity) {
  switch (severity) {
    case ORT_LOGGING_LEVEL_VERBOSE: return "verbose";
    case ORT_LOGGING_LEVEL_INFO: return "info";
    case ORT_LOGGING_LEVEL_WARNING: return "warning";
    case ORT_LOGGING_LEVEL_ERROR: return "error";
    case ORT_LOGGING_LEVEL_FATAL: return "fatal";
  }
  return "log";
}

// Called by ORT from any of its threads; must not throw.
void ORT_API_CALL RecordLog(void* /*param*/, OrtLoggingLevel severity, const char* /*category*/,
                            const char* /*logid*/, const char* /*code_location*/,
                            const char* message) {
  try {
    State& s = state();
    std::string line = std::string(SeverityName(severity)) + ": " + (message ? message : "");
    std::lock_guard<std::mutex> lock(s.log_mu);
    if (s.log.size() == kLogCapacity) s.log.pop_front();
    s.log.push_back(std::move(line));
  } catch (...) {
    // Dropping a log line is better than unwinding into ORT.
  }
}

// "1.30.0" -> {1, 30}; false if the string does not look like that.
bool ParseVersion(const char* text, int& major, int& minor) {
  return text != nullptr && std::sscanf(text, "%d.%d", &major, &minor) == 2;
}

}  // namespace

const OrtInfo& LoadOrt(const std::string& requested_path) {
  State& s = state();
  std::string path = requested_path;
  if (path.empty()) {
    const char* env = getenv(kOrtLibraryEnvVar);
    if (env == nullptr || *env == '\0') {
      if (s.loaded.load(std::memory_order_acquire)) return s.info;  // "whatever is loaded"
      throw Error(codes::kRuntimeLoad,
                  std::string("no ONNX Runtime library path was given and ") + kOrtLibraryEnvVar +
                      " is not set");
    }
    path = env;
  }
  const std::string canonical = Canonical(path);

  std::lock_guard<std::mutex> lock(s.mu);
  if (s.loaded.load(std::memory_order_acquire)) {
    if (canonical != s.info.library_path) {
      throw Error(codes::kRuntimeLoad,
                  "ONNX Runtime is already loaded from '" + s.info.library_path +
                      "' in this process; cannot also load '" + path +
                      "' (one ONNX Runtime library per process: restart to switch)");
    }
    return s.info;
  }

  // RTLD_NOW surfaces missing dependencies here rather than at the first call;
  // RTLD_LOCAL keeps ORT's symbols from leaking into (or clashing with) other addons.
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw Error(codes::kRuntimeLoad, "cannot load ONNX Runtime from '" + path +
                                         "': " + (why ? why : "unknown dlopen error"));
  }
  // A failed load must not pin a library we are not going to use.
  auto fail = [&](const std::string& message) {
    dlclose(handle);
    throw Error(codes::kRuntimeLoad, message);
  };

  using GetApiBaseFn = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBaseFn>(dlsym(handle, "OrtGetApiBase"));
  if (get_api_base == nullptr) {
    fail("'" + path + "' is not an ONNX Runtime library (no OrtGetApiBase symbol)");
  }
  const OrtApiBase* base = get_api_base();
  if (base == nullptr) fail("'" + path + "': OrtGetApiBase returned null");
  const char* version = base->GetVersionString ? base->GetVersionString() : nullptr;
  const std::string version_str = version ? version : "unknown";

  // Check the version ourselves first: asking an older library for a newer API table makes
  // ORT print a complaint to stderr before returning null.
  int major = 0, minor = 0;
  if (ParseVersion(version, major, minor) && major == 1 && minor < ORT_API_VERSION) {
    fail("ONNX Runtime at '" + path + "' is version " + version_str +
         ", older than the 1." + std::to_string(ORT_API_VERSION) +
         " this addon was built for (API version " + std::to_string(ORT_API_VERSION) +
         "); install a newer onnxruntime-node or point " + kOrtLibraryEnvVar +
         " at a newer libonnxruntime");
  }
  const OrtApi* api = base->GetApi(ORT_API_VERSION);
  if (api == nullptr) {
    fail("ONNX Runtime at '" + path + "' (version " + version_str +
         ") does not provide API version " + std::to_string(ORT_API_VERSION));
  }

  Ort::InitApi(api);
  s.handle = handle;
  s.info.library_path = canonical;
  s.info.version = version_str;
  s.info.api_version = ORT_API_VERSION;
  s.loaded.store(true, std::memory_order_release);
  return s.info;
}

bool OrtLoaded() noexcept { return state().loaded.load(std::memory_order_acquire); }

const OrtInfo& LoadedOrt() {
  State& s = state();
  if (!s.loaded.load(std::memory_order_acquire)) {
    throw Error(codes::kRuntimeLoad, "ONNX Runtime has not been loaded yet");
  }
  return s.info;  // immutable once `loaded` is set
}

Ort::Env& SharedEnv() {
  State& s = state();
  LoadedOrt();  // throws if not loaded
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.env == nullptr) {
    try {
      s.env = new Ort::Env(ORT_LOGGING_LEVEL_WARNING, "tokclass", RecordLog, nullptr);
    } catch (const Ort::Exception& e) {
      throw Error(codes::kRuntimeLoad,
                  std::string("cannot create the ONNX Runtime environment: ") + e.what());
    }
  }
  return *s.env;
}

std::vector<std::string> RecentOrtLog() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.log_mu);
  return {s.log.begin(), s.log.end()};
}

std::vector<std::string> AvailableProviders() {
  LoadedOrt();
  try {
    return Ort::GetAvailableProviders();
  } catch (const Ort::Exception& e) {
    throw Error(codes::kInternal, std::string("GetAvailableProviders failed: ") + e.what());
  }
}

}  // namespace tokclass::runtime
