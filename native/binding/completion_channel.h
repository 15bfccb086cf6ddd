// CompletionChannel: the path from a classifier's scheduler threads to the JS thread, over one
// thread-safe function, whose callback hands each group to DeliverCompletions
// (classifier_handle.cc).
//
// Why a class around the thread-safe function: at an environment's teardown (worker.terminate(),
// a worker's exit) Node finalizes and frees every thread-safe function on its own, and only
// after the last of them finalizes the classifier handles, whose destructors stop the scheduler
// threads. With several classifiers in one environment, the threads of the first ones kept
// calling into their freed function until then (napi_call_threadsafe_function locking a freed
// mutex: the whole process aborted). Every send therefore takes a lock that the finalizer also
// takes, and a send after the finalizer, or after the owner closed the channel, hands the group
// back to its sender instead.
#pragma once
#include <napi.h>

#include <memory>
#include <mutex>

namespace tokclass::binding {

struct CompletionGroup;  // what one send carries (classifier_handle.cc)
// JS thread: delivers `group` and frees it; `env` is null when the group is dropped (the
// channel was closed or finalized with it still queued).
void DeliverCompletions(Napi::Env env, CompletionGroup* group);

class CompletionChannel {
 public:
  // JS thread. The channel starts unreferenced: it holds the event loop open only between
  // Ref() and Unref().
  static std::shared_ptr<CompletionChannel> Open(Napi::Env env, const char* name);

  // Any thread: queues `group` for DeliverCompletions on the JS thread. False once the channel
  // is closed or Node has finalized it; the caller then still owns `group`.
  bool Send(CompletionGroup* group);

  // JS thread.
  void Ref(Napi::Env env);
  void Unref(Napi::Env env);
  // JS thread, by the owner going away: sends fail from now on, and groups still queued reach
  // DeliverCompletions without an environment (freed, never delivered).
  void Close();

 private:
  CompletionChannel() = default;
  // The thread-safe function's callback and finalizer (JS thread).
  static void Received(Napi::Env env, Napi::Function, std::nullptr_t*, CompletionGroup* group);
  static void Finalized(Napi::Env, std::shared_ptr<CompletionChannel>* self, std::nullptr_t*);
  using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, CompletionGroup, &CompletionChannel::Received>;

  std::mutex mutex_;
  bool sending_ = true;     // guarded by mutex_: until Close() or the finalizer
  bool finalized_ = false;  // JS thread: Node has freed tsfn_
  Tsfn tsfn_;
};

}  // namespace tokclass::binding
