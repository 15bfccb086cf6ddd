// Turning native failures into JS errors. The JS side (src/binding.ts) re-wraps any error that
// carries a `code` into TokClassError, so C++ only has to set `code`, `message` and, for an error
// about one text, `textIndex`.
#pragma once
#include <napi.h>

#include <exception>
#include <string>

namespace tokclass::binding {

Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message);
// Maps tokclass::Error to its code (and an error about one text to its `textIndex` as well),
// std::bad_alloc to ERR_INTERNAL "out of memory", anything else to ERR_INTERNAL; a Napi::Error
// (JS's own error, thrown on the JS thread) stays itself.
Napi::Error make_error(Napi::Env env, std::exception_ptr error);

// A promise already rejected with `error`: async methods reject, never throw.
Napi::Promise rejected(Napi::Env env, const Napi::Error& error);

}  // namespace tokclass::binding
