#include "binding/completion_channel.h"

namespace tokclass::binding {

void CompletionChannel::Received(Napi::Env env, Napi::Function, std::nullptr_t*, CompletionGroup* group) {
  DeliverCompletions(env, group);
}

std::shared_ptr<CompletionChannel> CompletionChannel::Open(Napi::Env env, const char* name) {
  std::shared_ptr<CompletionChannel> channel(new CompletionChannel());
  // The finalizer holds the channel too: it may run after the owner has let go of it.
  channel->tsfn_ = Tsfn::New(env, name, 0, 1, nullptr, &CompletionChannel::Finalized,
                             new std::shared_ptr<CompletionChannel>(channel));
  channel->tsfn_.Unref(env);
  return channel;
}

void CompletionChannel::Finalized(Napi::Env, std::shared_ptr<CompletionChannel>* self, std::nullptr_t*) {
  {
    // Waits for a send under way; none starts after this, and Node frees the function next.
    std::lock_guard<std::mutex> lock((*self)->mutex_);
    (*self)->sending_ = false;
  }
  (*self)->finalized_ = true;
  delete self;
}

bool CompletionChannel::Send(CompletionGroup* group) {
  std::lock_guard<std::mutex> lock(mutex_);
  // The queue is unbounded (size 0), so this never waits while holding the lock.
  return sending_ && tsfn_.NonBlockingCall(group) == napi_ok;
}

void CompletionChannel::Ref(Napi::Env env) {
  if (!finalized_) tsfn_.Ref(env);
}

void CompletionChannel::Unref(Napi::Env env) {
  if (!finalized_) tsfn_.Unref(env);
}

void CompletionChannel::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sending_ = false;
  }
  // Abort rather than release: whatever is still queued must not be delivered to an owner that
  // is gone (Node passes it to DeliverCompletions without an environment).
  if (!finalized_) tsfn_.Abort();
}

}  // namespace tokclass::binding
