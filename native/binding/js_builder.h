// What the result builders (entity_builder.cc, encoding_builder.cc) share: a result's many small
// JS objects are made by a small JS function compiled once per environment, from flat typed
// arrays and one string filled natively, because setting their properties one by one through
// N-API costs far more than V8 creating object literals of a preset shape.
#pragma once
#include <napi.h>

#include <string>
#include <string_view>

namespace tokclass::binding {

// The function `source` evaluates to, compiled on the first call in this environment and kept
// in `ref` (a PerEnv member, freed with the environment).
Napi::Function compiled_builder(Napi::Env env, Napi::FunctionReference& ref, const char* source);

// Appends UTF-8 text (a word or a token) to a UTF-16 string bound for JS; ill-formed bytes (which
// the decoders and vocabularies never produce) as V8 would read them, U+FFFD. Touches no JS: it
// also runs on worker threads.
void append_utf16(std::u16string& out, std::string_view utf8);

}  // namespace tokclass::binding
