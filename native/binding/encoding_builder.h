// Encodings -> JS objects for Tokenizer.encode.
//
// Made through N-API, one encoding cost five ArrayBuffers (each an allocation outside V8's heap
// that the garbage collector tracks), seven property stores and a string per token, and the JS
// thread then freed the encodings: ~8.5 us a CoNLL sentence, longer than tokenizing it. Here a
// worker thread lays a call's encodings out flat (EncodingLayout: numbers in one array, tokens
// in one string per group, the encodings freed there), and on the JS thread a compiled JS
// function makes the typed arrays (a small one lives inside V8's heap), the token strings
// (slices) and the objects.
#pragma once
#include <napi.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/encoding.h"

namespace tokclass::binding {

class EncodingLayout {
 public:
  // On a worker thread: takes the encodings in and frees them as it lays them out.
  explicit EncodingLayout(std::vector<Encoding> encodings);

  // On the JS thread: one object per encoding, in order: {ids, typeIds, tokens, offsets,
  // specialTokensMask, wordIds, overflowing}, each typed array with a buffer of its own
  // (transferring one detaches no other), overflowing windows built the same way. A result of
  // more than one group is built a group or so per event-loop turn, so the loop keeps ticking
  // however many texts there are; `done` gets the array, or the error that stopped it.
  static void build(Napi::Env env, std::shared_ptr<EncodingLayout> layout,
                    std::function<void(Napi::Env, Napi::Value result, std::exception_ptr error)> done);

 private:
  // An encoding long enough that its typed arrays are made natively, whole.
  struct LongEncoding {
    std::vector<uint32_t> ids, type_ids, offsets, token_ends;
    std::vector<int32_t> word_ids;
    std::vector<uint8_t> special_tokens_mask;
  };
  // Top-level encodings [first, first + count) and their windows (`total` in all), of which
  // `flat_tokens` tokens go through the flat arrays.
  struct Group {
    size_t first = 0, count = 0, total = 0, flat_tokens = 0;
    std::vector<uint32_t> nums;
    std::vector<uint8_t> masks;
    std::vector<std::u16string> strings;
    std::vector<LongEncoding> long_encodings;
  };
  // Appends `encoding` and its windows to the group; `header` is the next header slot.
  static void lay_out(Group& group, Encoding& encoding, size_t& header);
  // Builds group g into `out`, then frees the group's arrays.
  void build_group(Napi::Env env, Napi::Array out, size_t g);

  size_t encodings_ = 0;
  std::vector<Group> groups_;
};

}  // namespace tokclass::binding
