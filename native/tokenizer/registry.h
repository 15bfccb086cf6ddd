// Per-stage registries of tokenizer.json component types, so each component file registers
// itself and no shared switch has to be edited to add one:
//
//   // in normalizers/nfc.cc
//   TOKCLASS_REGISTER_NORMALIZER("NFC", [](const json::Value&) {
//     return std::make_unique<NfcNormalizer>();
//   });
//
// make_*() reads the JSON object's "type" and throws
// Error(kTokenizerUnsupported, "unsupported normalizer type 'X' in tokenizer.json") for types
// nobody registered. The maps are function-local statics, so registration from static
// initializers in other translation units is safe whatever the initialization order; every
// object file that registers must be linked in (the addon and tools link all objects).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "common/json.h"
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/models/model.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/post_processors/post_processor.h"
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tokclass::registry {

template <class T>
using Factory = std::function<std::unique_ptr<T>(const json::Value&)>;

bool register_normalizer(const std::string& type, Factory<Normalizer> f);
bool register_pre_tokenizer(const std::string& type, Factory<PreTokenizer> f);
bool register_model(const std::string& type, Factory<Model> f);
bool register_post_processor(const std::string& type, Factory<PostProcessor> f);
bool register_decoder(const std::string& type, Factory<Decoder> f);

// Build one component from its JSON object (never null; JSON null is the caller's business).
std::unique_ptr<Normalizer> make_normalizer(const json::Value& v);
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json::Value& v);
// Models may omit "type" in old files; it is then inferred from the fields present.
std::unique_ptr<Model> make_model(const json::Value& v);
std::unique_ptr<PostProcessor> make_post_processor(const json::Value& v);
std::unique_ptr<Decoder> make_decoder(const json::Value& v);

}  // namespace tokclass::registry

#define TOKCLASS_REGISTRY_CAT2(a, b) a##b
#define TOKCLASS_REGISTRY_CAT(a, b) TOKCLASS_REGISTRY_CAT2(a, b)
#define TOKCLASS_REGISTER_(kind, TYPE, ...)                                              \
  namespace {                                                                           \
  [[maybe_unused]] const bool TOKCLASS_REGISTRY_CAT(tokclass_registered_, __LINE__) =  \
      ::tokclass::registry::register_##kind(TYPE, __VA_ARGS__);                         \
  }
#define TOKCLASS_REGISTER_NORMALIZER(TYPE, ...) TOKCLASS_REGISTER_(normalizer, TYPE, __VA_ARGS__)
#define TOKCLASS_REGISTER_PRE_TOKENIZER(TYPE, ...) \
  TOKCLASS_REGISTER_(pre_tokenizer, TYPE, __VA_ARGS__)
#define TOKCLASS_REGISTER_MODEL(TYPE, ...) TOKCLASS_REGISTER_(model, TYPE, __VA_ARGS__)
#define TOKCLASS_REGISTER_POST_PROCESSOR(TYPE, ...) \
  TOKCLASS_REGISTER_(post_processor, TYPE, __VA_ARGS__)
#define TOKCLASS_REGISTER_DECODER(TYPE, ...) TOKCLASS_REGISTER_(decoder, TYPE, __VA_ARGS__)
