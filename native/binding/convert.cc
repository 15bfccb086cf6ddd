#include "binding/convert.h"

#include "common/error.h"
#include "common/utf16.h"

namespace tokclass::binding {

namespace {

std::string get_string(const Napi::Object& o, const char* key, const std::string& fallback = "") {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsString()) throw Error(codes::kInvalidArgument, std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

double get_number(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsNumber()) throw Error(codes::kInvalidArgument, std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

size_t get_size(const Napi::Object& o, const char* key, size_t fallback) {
  double d = get_number(o, key, static_cast<double>(fallback));
  if (!(d >= 0) || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d))) {
    throw Error(codes::kInvalidArgument, std::string(key) + " must be a non-negative integer");
  }
  return static_cast<size_t>(d);
}

bool get_bool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsBoolean()) throw Error(codes::kInvalidArgument, std::string(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::vector<std::string> get_strings(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) throw Error(codes::kInvalidArgument, std::string(key) + " must be an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value item = a.Get(i);
    if (!item.IsString()) throw Error(codes::kInvalidArgument, std::string(key) + " must be an array of strings");
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

Aggregation to_aggregation(const std::string& name) {
  if (name == "none") return Aggregation::kNone;
  if (name == "simple") return Aggregation::kSimple;
  if (name == "first") return Aggregation::kFirst;
  if (name == "average") return Aggregation::kAverage;
  if (name == "max") return Aggregation::kMax;
  throw Error("ERR_UNKNOWN_STRATEGY", "unknown aggregation strategy '" + name + "'");
}

}  // namespace

std::u16string to_utf16(const Napi::Value& value, size_t index) {
  if (!value.IsString()) {
    throw Error::for_text(codes::kInvalidArgument, index, "is not a string");
  }
  // One length query and one copy straight into the string's buffer (Napi's Utf16Value would
  // copy twice); this runs on the JS thread for every text of a call.
  napi_env env = value.Env();
  size_t length = 0;
  if (napi_get_value_string_utf16(env, value, nullptr, 0, &length) != napi_ok) {
    throw Error::for_text(codes::kInvalidArgument, index, "could not be read");
  }
  std::u16string units(length, u'\0');
  if (length > 0 && napi_get_value_string_utf16(env, value, units.data(), length + 1, &length) != napi_ok) {
    throw Error::for_text(codes::kInvalidArgument, index, "could not be read");
  }
  return units;
}

std::u32string to_code_points(const Napi::Value& value, size_t index) {
  return utf16::decode(to_utf16(value, index), index);
}

std::vector<std::u16string> to_utf16_texts(const Napi::Value& value) {
  if (!value.IsArray()) throw Error(codes::kInvalidArgument, "texts must be an array of strings");
  Napi::Array a = value.As<Napi::Array>();
  std::vector<std::u16string> texts;
  texts.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) texts.push_back(to_utf16(a.Get(i), i));
  return texts;
}

std::vector<std::vector<std::u16string>> to_utf16_word_lists(const Napi::Value& value) {
  if (!value.IsArray()) throw Error(codes::kInvalidArgument, "word lists must be an array of arrays of strings");
  Napi::Array lists = value.As<Napi::Array>();
  std::vector<std::vector<std::u16string>> out(lists.Length());
  for (uint32_t i = 0; i < lists.Length(); ++i) {
    Napi::Value list = lists.Get(i);
    if (!list.IsArray()) throw Error(codes::kInvalidArgument, "word list " + std::to_string(i) + " is not an array");
    Napi::Array words = list.As<Napi::Array>();
    out[i].reserve(words.Length());
    for (uint32_t w = 0; w < words.Length(); ++w) out[i].push_back(to_utf16(words.Get(w), i));
  }
  return out;
}

std::vector<TextInput> to_inputs(const Napi::Value& value, bool split, const std::u32string& delimiter) {
  if (!split) {
    // Decoded on a worker thread (Classifier::prepare_round).
    std::vector<TextInput> inputs;
    for (std::u16string& units : to_utf16_texts(value)) inputs.push_back(TextInput::plain_utf16(std::move(units)));
    return inputs;
  }
  std::vector<std::vector<std::u16string>> lists = to_utf16_word_lists(value);
  std::vector<TextInput> inputs;
  inputs.reserve(lists.size());
  for (size_t i = 0; i < lists.size(); ++i) {
    std::vector<std::u32string> converted;
    converted.reserve(lists[i].size());
    for (size_t w = 0; w < lists[i].size(); ++w) {
      // The position is in the word: say which word (it read as an index into the text).
      converted.push_back(utf16::decode(lists[i][w], i, " of word " + std::to_string(w)));
    }
    inputs.push_back(TextInput::split(std::move(converted), delimiter));
  }
  return inputs;
}

bool is_split_into_words(const Napi::Object& o) { return get_bool(o, "isSplitIntoWords", false); }

std::u32string delimiter_of(const Napi::Object& o) {
  Napi::Value v = o.Get("delimiter");
  if (v.IsUndefined() || v.IsNull()) return U" ";
  return to_code_points(v, 0);
}

uint32_t to_cancel_id(const Napi::Value& value) {
  if (value.IsUndefined()) return 0;
  const double d = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : 0;
  if (!(d >= 1) || d > 4294967295.0 || d != static_cast<double>(static_cast<uint32_t>(d))) {
    throw Error(codes::kInvalidArgument, "a cancel id must be a whole number from 1 to 4294967295");
  }
  return static_cast<uint32_t>(d);
}

ClassifierConfig to_classifier_config(const Napi::Object& o) {
  ClassifierConfig c;
  c.runtime_library = get_string(o, "runtimeLibrary");
  c.model_path = get_string(o, "modelPath");
  c.tokenizer_path = get_string(o, "tokenizerPath");
  c.labels = get_strings(o, "labels");
  c.max_length = get_size(o, "maxLength", c.max_length);
  c.max_length_origin = get_string(o, "maxLengthOrigin");
  c.unk_token = get_string(o, "unkToken");
  c.pad_token = get_string(o, "padToken");
  c.token_budget = get_size(o, "tokenBudget", c.token_budget);
  c.max_batch_rows = get_size(o, "maxBatchSize", c.max_batch_rows);
  c.require_batch_invariance = get_bool(o, "requireBatchInvariance", c.require_batch_invariance);
  c.run_cost_tokens = get_size(o, "runCostTokens", c.run_cost_tokens);
  c.parallel_runs = std::max<size_t>(1, get_size(o, "parallelRuns", c.parallel_runs));
  c.host_threads = std::max<size_t>(1, get_size(o, "hostThreads", c.host_threads));
  c.solo_intra_op_threads = static_cast<int>(get_size(o, "soloIntraOpThreads", 0));
  c.batch_wait_us = get_size(o, "batchWaitUs", c.batch_wait_us);
  c.max_window_tokens = get_size(o, "maxWindowTokens", c.max_window_tokens);
  runtime::SessionConfig& s = c.session;
  s.device = get_string(o, "device", "cpu");
  s.device_id = static_cast<int>(get_size(o, "deviceId", 0));
  s.intra_op_threads = static_cast<int>(get_size(o, "intraOpThreads", 0));
  s.inter_op_threads = static_cast<int>(get_size(o, "interOpThreads", 0));
  switch (get_size(o, "graphOptimizationLevel", 99)) {
    case 0: s.graph_optimization = runtime::GraphOptimization::kDisabled; break;
    case 1: s.graph_optimization = runtime::GraphOptimization::kBasic; break;
    case 2: s.graph_optimization = runtime::GraphOptimization::kExtended; break;
    default: s.graph_optimization = runtime::GraphOptimization::kAll; break;
  }
  s.enable_cpu_mem_arena = get_bool(o, "memoryArena", true);
  s.allow_spinning = get_bool(o, "spinning", s.allow_spinning);
  s.cuda.use_tf32 = get_bool(o, "cudaTf32", false);
  s.cuda.gpu_mem_limit = get_size(o, "cudaMemLimit", 0);
  return c;
}

EncodeOptions to_encode_options(const Napi::Object& o) {
  EncodeOptions e;
  // Whole numbers and real booleans are required (src/options.ts checks them first): casting
  // NaN or infinities to size_t is undefined behaviour, and a misread flag a silent wrong answer.
  e.max_length = get_size(o, "maxLength", e.max_length);
  e.stride = get_size(o, "stride", e.stride);
  e.return_overflowing = get_bool(o, "returnOverflowing", e.return_overflowing);
  e.add_special_tokens = get_bool(o, "addSpecialTokens", e.add_special_tokens);
  e.max_window_tokens = get_size(o, "maxWindowTokens", e.max_window_tokens);
  return e;
}

ClassifyParams to_classify_params(const Napi::Object& o) {
  ClassifyParams p;
  p.strategy = to_aggregation(get_string(o, "aggregationStrategy", "simple"));
  Napi::Value ignore = o.Get("ignoreLabels");
  if (!ignore.IsUndefined() && !ignore.IsNull()) p.ignore_labels = get_strings(o, "ignoreLabels");
  Napi::Value stride = o.Get("stride");
  if (!stride.IsUndefined() && !stride.IsNull()) p.stride = get_size(o, "stride", 0);
  const std::string scheme = get_string(o, "labelScheme", "bio");
  if (scheme == "bio") p.label_scheme = LabelScheme::kBio;
  else if (scheme == "bioes") p.label_scheme = LabelScheme::kBioes;
  else if (scheme == "bilou") p.label_scheme = LabelScheme::kBilou;
  else throw Error(codes::kInvalidArgument, "unknown label scheme '" + scheme + "'");
  p.full_text = get_bool(o, "fullText", false);
  return p;
}

}  // namespace tokclass::binding
