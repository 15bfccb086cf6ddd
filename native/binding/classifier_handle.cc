#include "binding/classifier_handle.h"

#include "binding/convert.h"
#include "binding/entity_builder.h"
#include "binding/js_error.h"
#include "binding/next_turn.h"
#include "binding/per_env.h"
#include "binding/promise_worker.h"
#include "common/error.h"

namespace tokclass::binding {

namespace {

// ---- load: builds the Classifier on the libuv pool --------------------------------------
class LoadWorker : public PromiseWorker {
 public:
  LoadWorker(Napi::Env env, ClassifierConfig config) : PromiseWorker(env, "tokclass:load"), config_(std::move(config)) {}

 private:
  void Compute() override { classifier_ = Classifier::load(config_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object handle = PerEnv::Get(env).classifier_constructor.New({});
    ClassifierHandle::Unwrap(handle)->Adopt(env, std::move(classifier_));
    return handle;
  }

  ClassifierConfig config_;
  std::unique_ptr<Classifier> classifier_;
};

}  // namespace

// ---- classify: one request's baton, carried from a scheduler thread back to JS -----------
struct Completion {
  Napi::Promise::Deferred deferred;
  std::vector<std::vector<Entity>> result;
  std::exception_ptr error;
  ClassifierHandle* owner = nullptr;  // Ref()'d while in flight
  uint32_t cancel_id = 0;             // in owner->cancels_ while in flight; 0: none
  Napi::Reference<Napi::Array> partial;  // the JS result, built over several loop turns
  size_t next = 0;                       // first text not yet converted
};

// Converting a large result into JS objects is the one part of a call that must run on the
// JS thread. Doing it in slices of about this many entities per call, one slice per event-loop
// turn (ClassifierHandle::Requeue), keeps timers and I/O responsive while a 100,000-text result
// is delivered.
static constexpr size_t kEntitiesPerTurn = 1024;

struct CompletionGroup {
  std::vector<Completion*> completions;
  ClassifierHandle* drained = nullptr;  // its scheduler, stopped by dispose(), has delivered all
};

namespace {

void Settle(Napi::Env env, Completion* c) {
  c->owner->Settled(env, c->cancel_id);
  delete c;
}

// Builds every slice in one call into JS; per slice, its result array, or the error to reject
// its call with. Should the shared build fail, the slices are built again one by one, so that
// only a call whose own result cannot be built is rejected: the calls of one delivery share a
// string of words and an array of numbers, which can pass a limit that no call alone does.
// Nothing here may throw: this runs in a thread-safe function's callback, where an exception
// would be an uncaught one and leave the delivery's promises pending.
std::vector<Napi::Value> BuildSlices(Napi::Env env, std::span<const EntitySlice> slices) {
  std::vector<Napi::Value> outs(slices.size());
  try {
    Napi::Array built = build_entities(env, slices);
    for (size_t k = 0; k < slices.size(); ++k) outs[k] = built.Get(static_cast<uint32_t>(k));
    return outs;
  } catch (...) {
    if (slices.size() == 1) {
      outs[0] = make_error(env, std::current_exception()).Value();
      return outs;
    }
  }
  for (size_t k = 0; k < slices.size(); ++k) {
    try {
      outs[k] = build_entities(env, slices.subspan(k, 1)).Get(0u);
    } catch (...) {
      outs[k] = make_error(env, std::current_exception()).Value();
    }
  }
  return outs;
}

// Delivers the next slice of each completion, all in one call into JS (build_entities): the
// calls one batch finished usually each take a single slice and settle here. A completion with
// more to deliver is requeued for a later turn, or finished now where it cannot be.
void Deliver(Napi::Env env, std::span<Completion* const> completions) {
  Napi::HandleScope scope(env);
  std::vector<Completion*> building;
  std::vector<EntitySlice> slices;
  building.reserve(completions.size());
  slices.reserve(completions.size());
  for (Completion* c : completions) {
    if (c->error) {
      c->deferred.Reject(make_error(env, c->error).Value());
      Settle(env, c);
      continue;
    }
    // One slice: texts up to about kEntitiesPerTurn entities (a text counts one more).
    size_t end = c->next, cost = 0;
    while (end < c->result.size() && cost < kEntitiesPerTurn) cost += c->result[end++].size() + 1;
    EntitySlice slice;
    if (!c->partial.IsEmpty()) slice.out = c->partial.Value();
    slice.first = static_cast<uint32_t>(c->next);
    slice.texts = std::span<const std::vector<Entity>>(c->result).subspan(c->next, end - c->next);
    building.push_back(c);
    slices.push_back(slice);
  }
  if (building.empty()) return;
  std::vector<Napi::Value> outs = BuildSlices(env, slices);
  for (size_t k = 0; k < building.size(); ++k) {
    Completion* c = building[k];
    if (!outs[k].IsArray()) {  // its result could not be built: the error
      c->deferred.Reject(outs[k]);
      Settle(env, c);
      continue;
    }
    Napi::Array out = outs[k].As<Napi::Array>();
    c->next += slices[k].texts.size();
    if (c->next < c->result.size()) {
      // The array lives across turns (a persistent reference) only when the result takes more
      // than one slice; most calls' results take one.
      if (c->partial.IsEmpty()) c->partial = Napi::Persistent(out);
      if (c->owner->Requeue(env, c)) continue;  // continue on a later turn
      // Cannot requeue: finish now, in one slice.
      try {
        EntitySlice rest{out, static_cast<uint32_t>(c->next),
                         std::span<const std::vector<Entity>>(c->result).subspan(c->next)};
        build_entities(env, std::span<const EntitySlice>(&rest, 1));
      } catch (...) {
        c->deferred.Reject(make_error(env, std::current_exception()).Value());
        Settle(env, c);
        continue;
      }
    }
    c->deferred.Resolve(out);
    Settle(env, c);
  }
}

}  // namespace

void DeliverCompletions(Napi::Env env, CompletionGroup* group) {
  if (env == nullptr) {  // environment shutting down: nothing to resolve
    for (Completion* c : group->completions) delete c;
  } else {
    Deliver(env, group->completions);
    if (group->drained != nullptr) group->drained->Drained(env);
  }
  delete group;
}


Napi::Function ClassifierHandle::Define(Napi::Env env) {
  return DefineClass(env, "ClassifierHandle",
                     {
                         StaticMethod<&ClassifierHandle::Load>("load"),
                         InstanceMethod<&ClassifierHandle::Classify>("classify"),
                         InstanceMethod<&ClassifierHandle::Cancel>("cancel"),
                         InstanceMethod<&ClassifierHandle::Info>("info"),
                         InstanceMethod<&ClassifierHandle::Stats>("stats"),
                         InstanceMethod<&ClassifierHandle::Dispose>("dispose"),
                     });
}

Napi::Value ClassifierHandle::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    return rejected(env, make_error(env, codes::kInvalidArgument, "load expects a config object"));
  }
  ClassifierConfig config;
  try {
    config = to_classifier_config(info[0].As<Napi::Object>());
  } catch (...) {
    return rejected(env, make_error(env, std::current_exception()));
  }
  return (new LoadWorker(env, std::move(config)))->Start();
}

ClassifierHandle::ClassifierHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClassifierHandle>(info) {}

ClassifierHandle::~ClassifierHandle() {
  // The channel first: what the scheduler's threads finish from here on is freed on their side,
  // never queued for a handle that is gone.
  if (channel_) channel_->Close();
  // Scheduler next: its threads read the classifier. Every call Ref()s this handle until it
  // settles, so a handle finalized with calls still queued belongs to an environment being torn
  // down (process exit, worker.terminate()): nobody can receive those results, and classifying
  // the whole queue first held the exit for seconds. Runs under way finish; the rest is dropped.
  if (scheduler_) scheduler_->abandon();
  scheduler_.reset();
  classifier_.reset();
  ReleaseExternalMemory(Env());
}

void ClassifierHandle::Adopt(Napi::Env env, std::unique_ptr<Classifier> classifier) {
  classifier_ = std::move(classifier);
  // One channel per classifier carries every result back; it holds the event loop open only
  // while calls are in flight (Ref/Unref in Classify/Settled).
  channel_ = CompletionChannel::Open(env, "tokclass:classify");
  // Scheduler threads hold the channel, never `this`.
  scheduler_ = std::make_unique<Scheduler>(*classifier_, [channel = channel_](std::vector<Scheduler::Finished>&& finished) {
    auto* group = new CompletionGroup;
    group->completions.reserve(finished.size());
    for (Scheduler::Finished& f : finished) {
      auto* completion = static_cast<Completion*>(f.token);
      completion->result = std::move(f.result);
      completion->error = std::move(f.error);
      group->completions.push_back(completion);
    }
    if (!channel->Send(group)) {  // the handle or its environment is going away
      for (Completion* c : group->completions) delete c;
      delete group;
    }
  });
  external_bytes_ = static_cast<int64_t>(classifier_->memory_bytes());
  Napi::MemoryManagement::AdjustExternalMemory(env, external_bytes_);
}

void ClassifierHandle::ReleaseExternalMemory(Napi::Env env) {
  if (external_bytes_ == 0) return;
  Napi::MemoryManagement::AdjustExternalMemory(env, -external_bytes_);
  external_bytes_ = 0;
}

bool ClassifierHandle::Requeue(Napi::Env env, Completion* completion) {
  // The next slice in a later turn, after due timers and I/O (binding/next_turn.h).
  return on_next_turn(env, [completion](Napi::Env turn_env) { Deliver(turn_env, std::span<Completion* const>(&completion, 1)); });
}

void ClassifierHandle::Settled(Napi::Env env, uint32_t cancel_id) {
  if (cancel_id != 0) cancels_.erase(cancel_id);
  if (--in_flight_ == 0) channel_->Unref(env);
  Unref();
}

Napi::Value ClassifierHandle::Classify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (disposed_ || !scheduler_) {
    return rejected(env, make_error(env, codes::kDisposed, "the classifier has been disposed"));
  }
  std::vector<TextInput> inputs;
  ClassifyParams params;
  uint32_t cancel_id = 0;
  try {
    if (!info[1].IsObject()) throw Error(codes::kInvalidArgument, "classify expects a params object");
    const ConvertedParams& converted = ConvertParams(info[1].As<Napi::Object>());
    params = converted.params;
    inputs = to_inputs(info[0], converted.split, converted.delimiter);
    params.utf16_offsets = info[2].IsBoolean() ? info[2].As<Napi::Boolean>().Value() : true;
    cancel_id = to_cancel_id(info[3]);
    if (cancel_id != 0 && cancels_.count(cancel_id) != 0) {
      throw Error(codes::kInvalidArgument, "classify: cancel id " + std::to_string(cancel_id) + " is already in use");
    }
  } catch (...) {
    return rejected(env, make_error(env, std::current_exception()));
  }

  auto deferred = Napi::Promise::Deferred::New(env);
  auto* completion = new Completion{deferred, {}, nullptr, this, cancel_id, {}, 0};
  std::shared_ptr<Scheduler::CancelFlag> cancel;
  if (cancel_id != 0) cancels_.emplace(cancel_id, cancel = std::make_shared<Scheduler::CancelFlag>(false));
  Ref();  // keep this handle (and so the classifier) alive until the result is delivered
  if (in_flight_++ == 0) channel_->Ref(env);
  scheduler_->submit(std::move(inputs), std::move(params), completion, std::move(cancel));
  return deferred.Promise();
}

Napi::Value ClassifierHandle::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (info[0].IsUndefined()) throw Error(codes::kInvalidArgument, "cancel expects a cancel id");
    const uint32_t id = to_cancel_id(info[0]);
    auto found = cancels_.find(id);
    // A call already settled (or never given this id) has nothing left to cancel.
    if (found != cancels_.end()) found->second->store(true, std::memory_order_relaxed);
  } catch (...) {
    make_error(env, std::current_exception()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

const ClassifierHandle::ConvertedParams& ClassifierHandle::ConvertParams(const Napi::Object& param_object) {
  for (const ConvertedParams& kept : converted_params_)
    if (kept.object.Value().StrictEquals(param_object)) return kept;
  ConvertedParams converted;
  converted.params = to_classify_params(param_object);
  converted.split = is_split_into_words(param_object);
  converted.delimiter = delimiter_of(param_object);
  classifier_->validate(converted.params);  // fail fast, on the caller's stack
  converted.object = Napi::Persistent(param_object);
  if (converted_params_.size() < kConvertedParamsKept) {
    converted_params_.push_back(std::move(converted));
    return converted_params_.back();
  }
  ConvertedParams& slot = converted_params_[next_replaced_];
  next_replaced_ = (next_replaced_ + 1) % kConvertedParamsKept;
  slot = std::move(converted);
  return slot;
}

Napi::Value ClassifierHandle::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (disposed_ || !classifier_) {
    make_error(env, codes::kDisposed, "the classifier has been disposed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ClassifierInfo i = classifier_->info();
  Napi::Object o = Napi::Object::New(env);
  o.Set("tokenizer", i.tokenizer_kind);
  o.Set("executionProvider", i.execution_provider);
  o.Set("onnxRuntimeVersion", i.runtime_version);
  o.Set("numLabels", Napi::Number::New(env, static_cast<double>(i.num_labels)));
  o.Set("batchInvariant", Napi::Boolean::New(env, i.batch_invariant));
  o.Set("batched", Napi::Boolean::New(env, i.batched));
  o.Set("runCostTokens", Napi::Number::New(env, static_cast<double>(i.run_cost_tokens)));
  return o;
}

Napi::Value ClassifierHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (disposed_ || !scheduler_) {
    make_error(env, codes::kDisposed, "the classifier has been disposed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const SchedulerStats s = scheduler_->stats();
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* key, double v) { o.Set(key, Napi::Number::New(env, v)); };
  num("rounds", static_cast<double>(s.rounds));
  num("requests", static_cast<double>(s.requests));
  num("texts", static_cast<double>(s.texts));
  num("windows", static_cast<double>(s.windows));
  num("runs", static_cast<double>(s.runs));
  num("tokens", static_cast<double>(s.tokens));
  num("paddedTokens", static_cast<double>(s.padded_tokens));
  num("tokenizeMs", s.tokenize_ns / 1e6);
  num("inferMs", s.infer_ns / 1e6);
  num("postprocessMs", s.postprocess_ns / 1e6);
  num("deliverMs", s.deliver_ns / 1e6);
  return o;
}

Napi::Value ClassifierHandle::Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  if (!scheduler_) {  // drained already (or never loaded)
    deferred.Resolve(env.Undefined());
    return deferred.Promise();
  }
  dispose_waiting_.push_back(deferred);
  if (disposed_) return deferred.Promise();  // the drain is under way
  disposed_ = true;
  ReleaseExternalMemory(env);
  // Counted as a call in flight: this handle stays alive, and the event loop open, until the
  // drain ends. The scheduler's last thread says so through the channel, after every result;
  // the scheduler stays here meanwhile, so that an environment torn down during the drain
  // abandons it in ~ClassifierHandle (a libuv thread held for the drain kept process.exit()
  // and worker.terminate() waiting for the whole queue).
  Ref();
  if (in_flight_++ == 0) channel_->Ref(env);
  scheduler_->stop_then([channel = channel_, self = this] {
    auto* group = new CompletionGroup{{}, self};
    if (!channel->Send(group)) delete group;  // the environment is going away
  });
  return deferred.Promise();
}

void ClassifierHandle::Drained(Napi::Env env) {
  scheduler_.reset();  // its threads have returned: joined at once
  classifier_.reset();
  for (Napi::Promise::Deferred& deferred : dispose_waiting_) deferred.Resolve(env.Undefined());
  dispose_waiting_.clear();
  Settled(env, 0);
}

}  // namespace tokclass::binding
