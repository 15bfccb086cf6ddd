// Encodings -> JS objects for Tokenizer.encode, on the JS thread after the worker has tokenized.
//
// Made through N-API, one encoding cost five ArrayBuffers (each an allocation outside V8's heap
// that the garbage collector tracks), seven property stores and a string per token: ~8.5 us a
// CoNLL sentence, as long as tokenizing it. Here the numbers of many encodings cross in one
// Uint32Array and their tokens in one string, and a compiled JS function makes the typed arrays
// (a small one lives inside V8's heap), the token strings (slices) and the objects: ~2.3 us.
#pragma once
#include <napi.h>

#include <span>

#include "tokenizer/encoding.h"

namespace tokclass::binding {

// One object per encoding, in order: {ids, typeIds, tokens, offsets, specialTokensMask,
// wordIds, overflowing}, each typed array with a buffer of its own (as before: transferring one
// detaches no other), overflowing windows built the same way.
Napi::Array build_encodings(Napi::Env env, std::span<const Encoding> encodings);

}  // namespace tokclass::binding
