#include "binding/encoding_builder.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "binding/js_builder.h"
#include "binding/next_turn.h"
#include "binding/per_env.h"
#include "engine/encode_texts.h"
#include "engine/parallel_for.h"

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
// Top-level encodings are laid out and built in groups of about this many flat-array tokens:
// groups are laid out side by side, and a large call's flat arrays stay small (each group's
// become garbage as the next is built).
constexpr size_t kGroupTokens = size_t{1} << 13;
// A result of several groups is built this long per event-loop turn (at least one group: ~1.5 ms
// of JS-thread time for 8,192 tokens of CoNLL sentences), the rest in later turns.
constexpr std::chrono::microseconds kTurnTime{1000};
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
Array typed_copy(Napi::Env env, const std::vector<T>& values) {
  Array out = Array::New(env, values.size());
  if (!values.empty()) std::memcpy(out.Data(), values.data(), values.size() * sizeof(T));
  return out;
}

// Tokens laid out flat per encoding, counting its windows.
size_t flat_tokens(const Encoding& e) {
  size_t n = e.size() >= kDirectTokens ? 0 : e.size();
  for (const Encoding& w : e.overflowing) n += flat_tokens(w);
  return n;
}

size_t count_with_windows(const Encoding& e) {
  size_t n = 1;
  for (const Encoding& w : e.overflowing) n += count_with_windows(w);
  return n;
}

}  // namespace

EncodingLayout::EncodingLayout(std::vector<Encoding> encodings) : encodings_(encodings.size()) {
  // Groups of top-level encodings, each about kGroupTokens flat tokens (at least one encoding),
  // laid out side by side on the encode pool, each freeing its encodings as it goes.
  for (size_t i = 0; i < encodings.size();) {
    Group& group = groups_.emplace_back();
    group.first = i;
    for (; i < encodings.size() && (i == group.first || group.flat_tokens < kGroupTokens); ++i) {
      group.flat_tokens += flat_tokens(encodings[i]);
      group.total += count_with_windows(encodings[i]);
    }
    group.count = i - group.first;
  }
  parallel_for(encode_pool(), groups_.size(), [&](size_t g) {
    Group& group = groups_[g];
    group.nums.resize(kHeader * group.total);
    group.nums.reserve(kHeader * group.total + kDataPerToken * group.flat_tokens);
    group.masks.reserve(group.flat_tokens);
    group.strings.emplace_back();
    size_t header = 0;
    for (size_t i = group.first; i < group.first + group.count; ++i) {
      lay_out(group, encodings[i], header);
      encodings[i] = Encoding();  // freed here, not on the JS thread
    }
  }, 1);
}

void EncodingLayout::lay_out(Group& group, Encoding& e, size_t& header) {
  if (group.strings.back().size() >= kStringUnits) group.strings.emplace_back();
  std::u16string& text = group.strings.back();
  const size_t n = e.size();
  uint32_t* h = group.nums.data() + kHeader * header++;
  h[0] = static_cast<uint32_t>(n);
  h[1] = static_cast<uint32_t>(e.overflowing.size());
  h[2] = static_cast<uint32_t>(group.strings.size() - 1);
  h[3] = n >= kDirectTokens ? 1 : 0;
  if (n >= kDirectTokens) {
    LongEncoding& whole = group.long_encodings.emplace_back();
    whole.token_ends.resize(n);
    for (size_t k = 0; k < n; ++k) {
      append_utf16(text, e.tokens[k]);
      whole.token_ends[k] = static_cast<uint32_t>(text.size());
    }
    whole.offsets.resize(2 * n);
    for (size_t k = 0; k < n; ++k) {
      whole.offsets[2 * k] = e.offsets[k].start;
      whole.offsets[2 * k + 1] = e.offsets[k].end;
    }
    whole.ids = std::move(e.ids);
    whole.type_ids = std::move(e.type_ids);
    whole.word_ids = std::move(e.word_ids);
    whole.special_tokens_mask = std::move(e.special_tokens_mask);
  } else {
    std::vector<uint32_t>& nums = group.nums;
    nums.insert(nums.end(), e.ids.begin(), e.ids.end());
    nums.insert(nums.end(), e.type_ids.begin(), e.type_ids.end());
    for (const Offsets& o : e.offsets) {
      nums.push_back(o.start);
      nums.push_back(o.end);
    }
    for (int32_t w : e.word_ids) nums.push_back(static_cast<uint32_t>(w));
    for (const std::string& token : e.tokens) {
      append_utf16(text, token);
      nums.push_back(static_cast<uint32_t>(text.size()));
    }
    group.masks.insert(group.masks.end(), e.special_tokens_mask.begin(), e.special_tokens_mask.end());
  }
  for (Encoding& w : e.overflowing) lay_out(group, w, header);
}

void EncodingLayout::build_group(Napi::Env env, Napi::Array out, size_t g) {
  Group& group = groups_[g];
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, group.nums.size() * sizeof(uint32_t));
  if (!group.nums.empty()) std::memcpy(buffer.Data(), group.nums.data(), group.nums.size() * sizeof(uint32_t));
  Napi::Uint32Array nums = Napi::Uint32Array::New(env, group.nums.size(), buffer, 0);
  Napi::Int32Array signed_nums = Napi::Int32Array::New(env, group.nums.size(), buffer, 0);
  Napi::Uint8Array masks = typed_copy<uint8_t, Napi::Uint8Array>(env, group.masks);
  Napi::Array strings = Napi::Array::New(env, group.strings.size());
  for (size_t s = 0; s < group.strings.size(); ++s) strings.Set(static_cast<uint32_t>(s), Napi::String::New(env, group.strings[s]));
  Napi::Array long_arrays = Napi::Array::New(env, group.long_encodings.size());
  for (size_t l = 0; l < group.long_encodings.size(); ++l) {
    const LongEncoding& whole = group.long_encodings[l];
    Napi::Array arrays = Napi::Array::New(env, 6);
    arrays.Set(0u, typed_copy<uint32_t, Napi::Uint32Array>(env, whole.ids));
    arrays.Set(1u, typed_copy<uint32_t, Napi::Uint32Array>(env, whole.type_ids));
    arrays.Set(2u, typed_copy<uint32_t, Napi::Uint32Array>(env, whole.offsets));
    arrays.Set(3u, typed_copy<int32_t, Napi::Int32Array>(env, whole.word_ids));
    arrays.Set(4u, typed_copy<uint8_t, Napi::Uint8Array>(env, whole.special_tokens_mask));
    arrays.Set(5u, typed_copy<uint32_t, Napi::Uint32Array>(env, whole.token_ends));
    long_arrays.Set(static_cast<uint32_t>(l), arrays);
  }
  compiled_builder(env, PerEnv::Get(env).encoding_builder, kBuilderSource)
      .Call({out, Napi::Number::New(env, static_cast<double>(group.first)), Napi::Number::New(env, static_cast<double>(group.count)),
             Napi::Number::New(env, static_cast<double>(group.total)), nums, signed_nums, masks, strings, long_arrays});
  group = Group();  // its numbers now live in JS
}

void EncodingLayout::build(Napi::Env env, std::shared_ptr<EncodingLayout> layout,
                           std::function<void(Napi::Env, Napi::Value, std::exception_ptr)> done) {
  struct Building {
    std::shared_ptr<EncodingLayout> layout;
    std::function<void(Napi::Env, Napi::Value, std::exception_ptr)> done;
    Napi::Reference<Napi::Array> out;
    size_t next = 0;
  };
  if (layout->groups_.empty()) {  // no texts: nothing to build
    done(env, Napi::Array::New(env, 0), nullptr);
    return;
  }
  auto building = std::make_shared<Building>();
  building->out = Napi::Persistent(Napi::Array::New(env, layout->encodings_));
  building->layout = std::move(layout);
  building->done = std::move(done);
  // One turn's share: groups until kTurnTime has passed (at least one), then the rest later.
  auto turn = [building](Napi::Env turn_env, const auto& self) -> void {
    Napi::HandleScope scope(turn_env);
    try {
      EncodingLayout& l = *building->layout;
      const auto start = std::chrono::steady_clock::now();
      do {
        l.build_group(turn_env, building->out.Value(), building->next++);
      } while (building->next < l.groups_.size() && std::chrono::steady_clock::now() - start < kTurnTime);
      if (building->next == l.groups_.size() ||
          !on_next_turn(turn_env, [self](Napi::Env next_env) { self(next_env, self); })) {
        // Done, or no later turn to be had: the rest now.
        while (building->next < l.groups_.size()) l.build_group(turn_env, building->out.Value(), building->next++);
        building->done(turn_env, building->out.Value(), nullptr);
      }
    } catch (...) {
      building->done(turn_env, Napi::Value(), std::current_exception());
    }
  };
  turn(env, turn);
}

}  // namespace tokclass::binding
