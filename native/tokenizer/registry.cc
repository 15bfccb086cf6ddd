#include "tokenizer/registry.h"

#include <map>

#include "common/error.h"

namespace tokclass::registry {

namespace {

template <class T>
std::map<std::string, Factory<T>>& table() {
  static std::map<std::string, Factory<T>> m;  // function-local: safe during static init
  return m;
}

template <class T>
bool add(const std::string& type, Factory<T> f) {
  table<T>()[type] = std::move(f);
  return true;
}

std::string type_of(const json::Value& v, const char* stage) {
  if (!v.is_object()) throw Error(codes::kTokenizerInvalid, std::string(stage) + " must be an object");
  const json::Value* t = v.find("type");
  if (!t) throw Error(codes::kTokenizerInvalid, std::string(stage) + " has no 'type'");
  return t->as_string(std::string(stage) + ".type");
}

template <class T>
std::unique_ptr<T> make(const std::string& type, const json::Value& v, const char* stage) {
  auto& m = table<T>();
  auto it = m.find(type);
  if (it == m.end())
    throw Error(codes::kTokenizerUnsupported,
                "unsupported " + std::string(stage) + " type '" + type + "' in tokenizer.json");
  auto p = it->second(v);
  if (!p) throw Error(codes::kInternal, std::string(stage) + " factory returned null");
  return p;
}

}  // namespace

bool register_normalizer(const std::string& t, Factory<Normalizer> f) { return add(t, std::move(f)); }
bool register_pre_tokenizer(const std::string& t, Factory<PreTokenizer> f) { return add(t, std::move(f)); }
bool register_model(const std::string& t, Factory<Model> f) { return add(t, std::move(f)); }
bool register_post_processor(const std::string& t, Factory<PostProcessor> f) { return add(t, std::move(f)); }
bool register_decoder(const std::string& t, Factory<Decoder> f) { return add(t, std::move(f)); }

std::unique_ptr<Normalizer> make_normalizer(const json::Value& v) {
  return make<Normalizer>(type_of(v, "normalizer"), v, "normalizer");
}
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json::Value& v) {
  return make<PreTokenizer>(type_of(v, "pre_tokenizer"), v, "pre_tokenizer");
}
std::unique_ptr<PostProcessor> make_post_processor(const json::Value& v) {
  return make<PostProcessor>(type_of(v, "post_processor"), v, "post_processor");
}
std::unique_ptr<Decoder> make_decoder(const json::Value& v) {
  return make<Decoder>(type_of(v, "decoder"), v, "decoder");
}

std::unique_ptr<Model> make_model(const json::Value& v) {
  if (!v.is_object()) throw Error(codes::kTokenizerInvalid, "model must be an object");
  std::string type;
  if (const json::Value* t = v.find("type")) {
    type = t->as_string("model.type");
  } else {
    // Old tokenizer.json files leave the model untagged (serde untagged enum): infer it.
    const json::Value* vocab = v.find("vocab");
    if (v.find("merges")) type = "BPE";
    else if (vocab && vocab->is_array()) type = "Unigram";
    else if (v.find("continuing_subword_prefix") || v.find("max_input_chars_per_word")) type = "WordPiece";
    else if (vocab) type = "WordLevel";
    else throw Error(codes::kTokenizerInvalid, "model has no 'type'");
  }
  return make<Model>(type, v, "model");
}

}  // namespace tokclass::registry
