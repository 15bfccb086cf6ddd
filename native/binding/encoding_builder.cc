#include "binding/encoding_builder.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "binding/js_builder.h"
#include "binding/per_env.h"

namespace tokclass::binding {
namespace {

// Per encoding, in pre-order (an encoding, then its overflowing windows), `nums` starts with a
// header of kHeader fields: token count, overflowing count, which string holds its tokens, and
// whether its arrays were made natively. Then, per encoding not made natively, its data: ids,
// type ids, offsets (start, end pairs), word ids (int32 bits) and where each token ends in its
// string (UTF-16 units), n values each (offsets 2n); its special-token mask goes to `masks`.
constexpr size_t kHeader = 4;
constexpr size_t kDataPerToken = 6;
// An encoding this long gets its typed arrays straight from N-API: their fixed cost is nothing
// beside its tokens, and copying it through the flat arrays would hold its numbers twice.
constexpr size_t kDirectTokens = 4096;
// Top-level encodings are built in groups of about this many flat-array tokens, so the flat
// arrays of a large call stay small (each group's become garbage as the next is built).
constexpr size_t kGroupTokens = size_t{1} << 16;
// A token string is started anew past this many UTF-16 units (V8's limit is ~2^29).
constexpr size_t kStringUnits = size_t{1} << 26;

// Compiled once per environment. Like the entity builder it reads no global and calls no method
// that user code could replace later: constructors and String.prototype.slice are bound when it
// is compiled, arrays are literals, typed arrays are filled by index (no species lookup).
constexpr const char* kBuilderSource = R"JS((function () {
  const U32 = Uint32Array, I32 = Int32Array, U8 = Uint8Array;
  const sliceString = Function.prototype.call.bind(String.prototype.slice);
  return function buildEncodings(out, first, tops, total, nums, signed, masks, strings, direct) {
    let e = 0, d = 4 * total, m = 0, x = 0, s = -1, text = "", from = 0;
    const one = () => {
      const h = 4 * e++, n = nums[h], kids = nums[h + 1];
      if (nums[h + 2] !== s) { s = nums[h + 2]; text = strings[s]; from = 0; }
      let ids, typeIds, offsets, wordIds, specialTokensMask, ends, at;
      if (nums[h + 3] === 1) {
        const a = direct[x++];
        ids = a[0]; typeIds = a[1]; offsets = a[2]; wordIds = a[3]; specialTokensMask = a[4]; ends = a[5]; at = 0;
      } else {
        ids = new U32(n); typeIds = new U32(n); offsets = new U32(2 * n); wordIds = new I32(n); specialTokensMask = new U8(n);
        for (let k = 0; k < n; k++) ids[k] = nums[d + k];
        d += n;
        for (let k = 0; k < n; k++) typeIds[k] = nums[d + k];
        d += n;
        for (let k = 0; k < 2 * n; k++) offsets[k] = nums[d + k];
        d += 2 * n;
        for (let k = 0; k < n; k++) wordIds[k] = signed[d + k];
        d += n;
        ends = nums; at = d;
        d += n;
        for (let k = 0; k < n; k++) specialTokensMask[k] = masks[m + k];
        m += n;
      }
      const tokens = [];
      for (let k = 0; k < n; k++) {
        const to = ends[at + k];
        tokens[k] = sliceString(text, from, to);
        from = to;
      }
      const overflowing = [];
      for (let k = 0; k < kids; k++) overflowing[k] = one();
      return { ids: ids, typeIds: typeIds, tokens: tokens, offsets: offsets, specialTokensMask: specialTokensMask, wordIds: wordIds, overflowing: overflowing };
    };
    for (let i = 0; i < tops; i++) out[first + i] = one();
  };
})())JS";

template <typename T, typename Array>
Array typed_copy(Napi::Env env, const T* values, size_t n) {
  Array out = Array::New(env, n);
  if (n > 0) std::memcpy(out.Data(), values, n * sizeof(T));
  return out;
}

// Pre-order walk of an encoding and its windows.
template <typename Fn>
void each_encoding(const Encoding& e, Fn&& fn) {
  fn(e);
  for (const Encoding& w : e.overflowing) each_encoding(w, fn);
}

bool direct(const Encoding& e) { return e.size() >= kDirectTokens; }

// One group of top-level encodings [begin, end) into out[begin, end).
void build_group(Napi::Env env, Napi::Array out, std::span<const Encoding> encodings, size_t begin, size_t end) {
  size_t total = 0, flat_tokens = 0, directs = 0;
  for (size_t i = begin; i < end; ++i) {
    each_encoding(encodings[i], [&](const Encoding& e) {
      ++total;
      if (direct(e)) ++directs;
      else flat_tokens += e.size();
    });
  }
  const size_t words = kHeader * total + kDataPerToken * flat_tokens;
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, words * sizeof(uint32_t));
  Napi::Uint32Array nums = Napi::Uint32Array::New(env, words, buffer, 0);
  Napi::Int32Array signed_nums = Napi::Int32Array::New(env, words, buffer, 0);
  Napi::Uint8Array masks = Napi::Uint8Array::New(env, flat_tokens);
  Napi::Array strings = Napi::Array::New(env);
  Napi::Array direct_arrays = Napi::Array::New(env, directs);

  uint32_t* header = nums.Data();
  uint32_t* data = header + kHeader * total;
  uint8_t* mask = masks.Data();
  std::u16string text;
  uint32_t string_index = 0, direct_index = 0;
  auto flush_text = [&]() {
    strings.Set(string_index++, Napi::String::New(env, text));
    text.clear();
  };
  std::vector<uint32_t> ends;
  for (size_t i = begin; i < end; ++i) {
    each_encoding(encodings[i], [&](const Encoding& e) {
      if (text.size() >= kStringUnits) flush_text();
      const size_t n = e.size();
      ends.resize(n);
      for (size_t k = 0; k < n; ++k) {
        append_utf16(env, text, e.tokens[k]);
        ends[k] = static_cast<uint32_t>(text.size());
      }
      *header++ = static_cast<uint32_t>(n);
      *header++ = static_cast<uint32_t>(e.overflowing.size());
      *header++ = string_index;
      *header++ = direct(e) ? 1 : 0;
      if (direct(e)) {
        Napi::Uint32Array offsets = Napi::Uint32Array::New(env, 2 * n);
        uint32_t* pairs = offsets.Data();
        for (const Offsets& o : e.offsets) {
          *pairs++ = o.start;
          *pairs++ = o.end;
        }
        Napi::Array arrays = Napi::Array::New(env, 6);
        arrays.Set(0u, typed_copy<uint32_t, Napi::Uint32Array>(env, e.ids.data(), n));
        arrays.Set(1u, typed_copy<uint32_t, Napi::Uint32Array>(env, e.type_ids.data(), n));
        arrays.Set(2u, offsets);
        arrays.Set(3u, typed_copy<int32_t, Napi::Int32Array>(env, e.word_ids.data(), n));
        arrays.Set(4u, typed_copy<uint8_t, Napi::Uint8Array>(env, e.special_tokens_mask.data(), n));
        arrays.Set(5u, typed_copy<uint32_t, Napi::Uint32Array>(env, ends.data(), n));
        direct_arrays.Set(direct_index++, arrays);
        return;
      }
      std::memcpy(data, e.ids.data(), n * sizeof(uint32_t));
      data += n;
      std::memcpy(data, e.type_ids.data(), n * sizeof(uint32_t));
      data += n;
      for (const Offsets& o : e.offsets) {
        *data++ = o.start;
        *data++ = o.end;
      }
      for (int32_t w : e.word_ids) *data++ = static_cast<uint32_t>(w);
      std::memcpy(data, ends.data(), n * sizeof(uint32_t));
      data += n;
      std::memcpy(mask, e.special_tokens_mask.data(), n);
      mask += n;
    });
  }
  flush_text();
  compiled_builder(env, PerEnv::Get(env).encoding_builder, kBuilderSource)
      .Call({out, Napi::Number::New(env, static_cast<double>(begin)), Napi::Number::New(env, static_cast<double>(end - begin)),
             Napi::Number::New(env, static_cast<double>(total)), nums, signed_nums, masks, strings, direct_arrays});
}

}  // namespace

Napi::Array build_encodings(Napi::Env env, std::span<const Encoding> encodings) {
  Napi::Array out = Napi::Array::New(env, encodings.size());
  size_t begin = 0, tokens = 0;
  for (size_t i = 0; i < encodings.size(); ++i) {
    each_encoding(encodings[i], [&](const Encoding& e) {
      if (!direct(e)) tokens += e.size();
    });
    if (tokens >= kGroupTokens) {
      build_group(env, out, encodings, begin, i + 1);
      begin = i + 1;
      tokens = 0;
    }
  }
  if (begin < encodings.size()) build_group(env, out, encodings, begin, encodings.size());
  return out;
}

}  // namespace tokclass::binding
