// ClassifierHandle: the JS object that owns one loaded Classifier and its Scheduler.
//   load(config)                      [async] -> Promise<ClassifierHandle>
//   classify(texts, params, utf16, cancelId?)  [async] -> Promise<Entity[][]>
//   cancel(cancelId)                  [sync]  -> the call given that id drops its texts not yet
//                                                run and rejects with ERR_ABORTED
//   info()                            [sync]  -> object
//   stats()                           [sync]  -> scheduler counters (rounds, time per stage)
//   dispose()                         [async] -> Promise<void>; waits for calls in flight (the
//                                                scheduler's own threads finish them, never a
//                                                libuv thread; an environment torn down
//                                                meanwhile drops the rest)
// Work never runs on the JS thread: loading runs on the libuv pool, classification on the
// scheduler's own threads, and results come back through a thread-safe function (one call per
// group of requests a batch finished).
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "binding/completion_channel.h"
#include "engine/classifier.h"
#include "engine/scheduler.h"

namespace tokclass::binding {

// One call's result on its way back to JS (defined in the .cc); the calls one batch finished
// travel together, in one send of the CompletionChannel.
struct Completion;

class ClassifierHandle : public Napi::ObjectWrap<ClassifierHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Value Load(const Napi::CallbackInfo& info);

  explicit ClassifierHandle(const Napi::CallbackInfo& info);
  ~ClassifierHandle() override;

  // Called by the load worker on the JS thread to hand over the loaded classifier.
  void Adopt(Napi::Env env, std::unique_ptr<Classifier> classifier);
  // JS thread, while delivering a result in slices: queue the next slice for a later
  // event-loop turn. False if this environment has no setImmediate (the caller then finishes
  // at once).
  bool Requeue(Napi::Env env, Completion* completion);
  // JS thread: a call's promise has settled (`cancel_id` 0: it had none).
  void Settled(Napi::Env env, uint32_t cancel_id);
  // JS thread: the scheduler dispose() stopped has delivered every call; frees the model and
  // resolves dispose()'s promises.
  void Drained(Napi::Env env);

 private:
  Napi::Value Classify(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  std::unique_ptr<Classifier> classifier_;
  std::unique_ptr<Scheduler> scheduler_;
  // Shared with the scheduler's delivery callback (which runs on its threads).
  std::shared_ptr<CompletionChannel> channel_;
  size_t in_flight_ = 0;  // JS thread only
  // The cancel flags of calls in flight that were given an id (an AbortSignal on the JS side),
  // by id; JS thread only. The scheduler's threads hold the flags, never this map.
  std::unordered_map<uint32_t, std::shared_ptr<Scheduler::CancelFlag>> cancels_;
  // Native memory reported to V8 (the model's weights), so that a classifier dropped without
  // dispose() is collected as promptly as its real size deserves; returned on release.
  int64_t external_bytes_ = 0;
  void ReleaseExternalMemory(Napi::Env env);
  bool disposed_ = false;
  // dispose()'s promises while the scheduler finishes the calls in flight (a second dispose()
  // during the drain settles with the first).
  std::vector<Napi::Promise::Deferred> dispose_waiting_;
  // The last few params objects classify() was given and what each converted to (validated):
  // the TypeScript layer passes one frozen object per option set, so calls with the same
  // options convert them once, also when a server's requests alternate between a few sets.
  // Reading ~10 properties by name and copying their strings was three quarters of classify()'s
  // own cost (64 single-text callers: 20,400 -> 5,000 instructions per call, callgrind).
  // Compared by identity; JS thread only.
  struct ConvertedParams {
    Napi::ObjectReference object;
    ClassifyParams params;
    bool split = false;
    std::u32string delimiter;
  };
  static constexpr size_t kConvertedParamsKept = 8;
  std::vector<ConvertedParams> converted_params_;  // up to kConvertedParamsKept
  size_t next_replaced_ = 0;                       // the slot a new set replaces when full
  const ConvertedParams& ConvertParams(const Napi::Object& param_object);
};

}  // namespace tokclass::binding
