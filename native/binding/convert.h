// JS value <-> engine struct conversions. Everything here runs on the JS thread; the structs it
// produces are plain C++ that worker threads may own (the "baton" pattern).
// JavaScript has already validated types and values (src/options.ts); these functions still
// check what they read, so a direct caller of the raw addon gets an error, not a crash.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "engine/classifier.h"

namespace tokclass::binding {

// A JS string's UTF-16 units (a copy); throws Error(kInvalidArgument) if it is not a string.
std::u16string to_utf16(const Napi::Value& value, size_t index);
// UTF-16 JS string -> code points; throws Error(kInvalidText) on a lone surrogate.
std::u32string to_code_points(const Napi::Value& value, size_t index);
// An array of strings, each copied as UTF-16 only (decoded later on a worker thread, so the
// JS thread's share stays a copy); throws Error(kInvalidArgument) for anything else.
std::vector<std::u16string> to_utf16_texts(const Napi::Value& value);
// Word lists (string[][]), each word copied as UTF-16 only, as to_utf16_texts does.
std::vector<std::vector<std::u16string>> to_utf16_word_lists(const Napi::Value& value);
// Plain texts (string[]), left in UTF-16 for Classifier::prepare_round, or, with `split`, word
// lists (string[][]) joined by `delimiter`.
std::vector<TextInput> to_inputs(const Napi::Value& value, bool split, const std::u32string& delimiter);

ClassifierConfig to_classifier_config(const Napi::Object& object);
ClassifyParams to_classify_params(const Napi::Object& object);
// Tokenizer.encode's options (maxLength, stride: whole numbers; returnOverflowing,
// addSpecialTokens: booleans; absent ones keep EncodeOptions' defaults).
EncodeOptions to_encode_options(const Napi::Object& object);
// A call's cancel id: undefined for none (0), else a whole number from 1 to 2^32 - 1.
uint32_t to_cancel_id(const Napi::Value& value);
// isSplitIntoWords / delimiter of a params object (default: false / " ").
bool is_split_into_words(const Napi::Object& object);
std::u32string delimiter_of(const Napi::Object& object);

}  // namespace tokclass::binding
