#include "binding/js_error.h"

#include <new>

#include "common/error.h"

namespace tokclass::binding {

Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

Napi::Error make_error(Napi::Env env, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Napi::Error& e) {
    return e;  // already a JS error (a RangeError for a string past V8's limit): as it is
  } catch (const Error& e) {
    Napi::Error js = make_error(env, e.code(), e.what());
    if (e.text_index()) js.Set("textIndex", Napi::Number::New(env, static_cast<double>(*e.text_index())));
    return js;
  } catch (const std::bad_alloc&) {
    return make_error(env, codes::kInternal, "out of memory");
  } catch (const std::exception& e) {
    return make_error(env, codes::kInternal, e.what());
  } catch (...) {
    return make_error(env, codes::kInternal, "unknown native error");
  }
}

Napi::Promise rejected(Napi::Env env, const Napi::Error& error) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(error.Value());
  return deferred.Promise();
}

}  // namespace tokclass::binding
