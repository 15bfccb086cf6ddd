// The one error type native code throws. `code` is a stable machine-readable string that the
// binding copies into TokClassError.code; `message` is for people. Every layer throws this (or
// lets std::bad_alloc escape); the binding catches std::exception at each boundary.
#pragma once
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace tokclass {

// Stable codes shared with src/errors.ts. Add, never rename.
namespace codes {
inline constexpr const char* kInvalidArgument = "ERR_INVALID_ARGUMENT";
inline constexpr const char* kInvalidText = "ERR_INVALID_TEXT";
inline constexpr const char* kStrideTooLarge = "ERR_STRIDE_TOO_LARGE";
inline constexpr const char* kStrideWithNone = "ERR_STRIDE_WITH_NONE";
inline constexpr const char* kTokenizerInvalid = "ERR_TOKENIZER_INVALID";
inline constexpr const char* kTokenizerUnsupported = "ERR_TOKENIZER_UNSUPPORTED";
inline constexpr const char* kModelNotFound = "ERR_MODEL_NOT_FOUND";
inline constexpr const char* kModelInvalid = "ERR_MODEL_INVALID";
inline constexpr const char* kRuntimeLoad = "ERR_RUNTIME_LOAD";
inline constexpr const char* kDeviceUnavailable = "ERR_DEVICE_UNAVAILABLE";
inline constexpr const char* kInference = "ERR_INFERENCE";
inline constexpr const char* kDisposed = "ERR_DISPOSED";
inline constexpr const char* kInternal = "ERR_INTERNAL";
inline constexpr const char* kAborted = "ERR_ABORTED";
}  // namespace codes

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

  // An error about one text of a call: its message is "text <index> <detail>", and the binding
  // sets the JS error's `textIndex` to `index`, so that a caller that numbers the texts
  // differently (the server's stream classifies each input as text 0 of its own call) reads
  // the index from a field instead of from the message.
  static Error for_text(std::string code, size_t index, const std::string& detail) {
    Error error(std::move(code), "text " + std::to_string(index) + " " + detail);
    error.text_index_ = index;
    return error;
  }
  const std::optional<size_t>& text_index() const noexcept { return text_index_; }

 private:
  std::string code_;
  std::optional<size_t> text_index_;
};

}  // namespace tokclass
