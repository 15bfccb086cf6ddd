// ClassifierHandle: the JS object that owns one loaded Classifier and its Scheduler.
//   load(config)                      [async] -> Promise<ClassifierHandle>
//   classify(texts, params, utf16)    [async] -> Promise<Entity[][]>
//   info()                            [sync]  -> object
//   dispose()                         [async] -> Promise<void>; waits for calls in flight
// Work never runs on the JS thread: loading runs on the libuv pool, classification on the
// scheduler's own thread, and results come back through a thread-safe function.
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>

#include "engine/classifier.h"
#include "engine/scheduler.h"

namespace tokclass::binding {

class ClassifierHandle : public Napi::ObjectWrap<ClassifierHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Value Load(const Napi::CallbackInfo& info);

  explicit ClassifierHandle(const Napi::CallbackInfo& info);
  ~ClassifierHandle() override;

  // Called by the load worker on the JS thread to hand over the loaded classifier.
  void Adopt(std::unique_ptr<Classifier> classifier);

 private:
  Napi::Value Classify(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  std::unique_ptr<Classifier> classifier_;
  std::unique_ptr<Scheduler> scheduler_;
  bool disposed_ = false;
};

}  // namespace tokclass::binding
