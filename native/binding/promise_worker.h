// PromiseWorker: an AsyncWorker that settles a promise. Compute() runs on the libuv pool and
// must not touch Napi values; whatever it throws rejects the promise with a coded error.
// Result() runs on the JS thread afterwards and builds the value the promise resolves to.
// Every async method of the addon that is not a classification (those go through the
// scheduler) is one of these.
#pragma once
#include <napi.h>

#include <exception>

#include "binding/js_error.h"

namespace tokclass::binding {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  // Queues the worker and returns its promise. The worker deletes itself after OnOK.
  Napi::Promise Start() {
    Napi::Promise promise = deferred_.Promise();
    Queue();
    return promise;
  }

 protected:
  PromiseWorker(Napi::Env env, const char* name) : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}
  virtual void Compute() = 0;
  // The value to resolve with; an empty Napi::Value when the subclass settles deferred() itself
  // later (a result built over several event-loop turns).
  virtual Napi::Value Result(Napi::Env env) = 0;
  Napi::Promise::Deferred& deferred() { return deferred_; }

 private:
  void Execute() final {
    try {
      Compute();
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  void OnOK() final {
    Napi::Env env = Env();
    if (error_) {
      deferred_.Reject(make_error(env, error_).Value());
      return;
    }
    // Anything Result() throws rejects: escaping OnOK, a non-N-API exception (std::bad_alloc
    // building a large result) would terminate the process.
    try {
      Napi::Value result = Result(env);
      if (!result.IsEmpty()) deferred_.Resolve(result);
    } catch (...) {
      deferred_.Reject(make_error(env, std::current_exception()).Value());
    }
  }

  Napi::Promise::Deferred deferred_;
  std::exception_ptr error_;
};

}  // namespace tokclass::binding
