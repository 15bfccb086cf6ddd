#include "binding/entity_builder.h"

#include <string>
#include <string_view>

#include "binding/js_builder.h"
#include "binding/per_env.h"

namespace tokclass::binding {
namespace {

// `nums` holds, per slice, its first text and text count; then per text its entity count; then
// per entity: score, start, end, index (-1: grouped), label (into `labels`), end of its word in
// `words` (UTF-16 units). The builder below reads this layout (its "e += 6").
constexpr size_t kSliceFields = 2;
constexpr size_t kFields = 6;
// Numbers a delivery may hold in the environment's reusable array (32 KB): ~680 entities.
constexpr size_t kScratchNumbers = 4096;

// Compiled once per environment. It calls no method and reads no global that user code could
// replace later: String.prototype.slice is bound when it is compiled, and arrays are made with
// literals (not `new Array`), so a monkey-patched prototype or global cannot change results (as
// it could not when the addon set each property itself).
constexpr const char* kBuilderSource = R"JS((function () {
  const sliceString = Function.prototype.call.bind(String.prototype.slice);
  return function buildEntities(outs, nums, words, labels) {
    const slices = outs.length;
    let texts = 0;
    for (let s = 0; s < slices; s++) texts += nums[2 * s + 1];
    let t = 2 * slices, e = t + texts, wordStart = 0;
    for (let s = 0, h = 0; s < slices; s++, h += 2) {
      // A new array is filled from its first text on (later slices of the same result come
      // with the array), so it grows in order and needs no preset length.
      let out = outs[s];
      if (out === undefined) outs[s] = out = [];
      for (let i = nums[h], end = i + nums[h + 1]; i < end; i++, t++) {
        const list = [];
        for (let k = 0, n = nums[t]; k < n; k++, e += 6) {
          const word = sliceString(words, wordStart, nums[e + 5]);
          wordStart = nums[e + 5];
          const index = nums[e + 3];
          list[k] = index >= 0
            ? { entity: labels[nums[e + 4]], score: nums[e], index: index, word: word, start: nums[e + 1], end: nums[e + 2] }
            : { entity_group: labels[nums[e + 4]], score: nums[e], word: word, start: nums[e + 1], end: nums[e + 2] };
        }
        out[i] = list;
      }
    }
  };
})())JS";

}  // namespace

Napi::Array build_entities(Napi::Env env, std::span<const EntitySlice> slices) {
  size_t texts = 0, count = 0;
  for (const EntitySlice& slice : slices) {
    texts += slice.texts.size();
    for (const std::vector<Entity>& entities : slice.texts) count += entities.size();
  }
  // A small delivery (a lone text's: most of a server's) reuses one array per environment: a
  // new ArrayBuffer is an allocation outside V8's heap that its collector then tracks, ~1.4 us of
  // the ~5.7 a lone text's entities took. Safe to share: the builder reads it synchronously and
  // runs no user code.
  const size_t needed = kSliceFields * slices.size() + texts + kFields * count;
  Napi::Reference<Napi::Float64Array>& scratch = PerEnv::Get(env).entity_numbers;
  Napi::Float64Array nums;
  if (needed <= kScratchNumbers) {
    if (scratch.IsEmpty()) scratch = Napi::Persistent(Napi::Float64Array::New(env, kScratchNumbers));
    nums = scratch.Value();
  } else {
    nums = Napi::Float64Array::New(env, needed);
  }
  double* n = nums.Data();
  Napi::Array outs = Napi::Array::New(env, slices.size());
  for (size_t s = 0; s < slices.size(); ++s) {
    const EntitySlice& slice = slices[s];
    *n++ = slice.first;
    *n++ = static_cast<double>(slice.texts.size());
    if (!slice.out.IsEmpty()) outs.Set(static_cast<uint32_t>(s), slice.out);
  }
  for (const EntitySlice& slice : slices)
    for (const std::vector<Entity>& entities : slice.texts) *n++ = static_cast<double>(entities.size());
  std::u16string words;
  std::vector<std::string_view> labels;  // a model has a handful
  for (const EntitySlice& slice : slices) {
    for (const std::vector<Entity>& entities : slice.texts) {
      for (const Entity& e : entities) {
        size_t label = 0;
        while (label < labels.size() && labels[label] != e.label) ++label;
        if (label == labels.size()) labels.push_back(e.label);
        append_utf16(words, e.word);
        *n++ = static_cast<double>(e.score);
        *n++ = e.start;
        *n++ = e.end;
        *n++ = e.index;
        *n++ = static_cast<double>(label);
        *n++ = static_cast<double>(words.size());
      }
    }
  }
  Napi::Array label_values = Napi::Array::New(env, labels.size());
  for (size_t i = 0; i < labels.size(); ++i)
    label_values.Set(static_cast<uint32_t>(i), Napi::String::New(env, labels[i].data(), labels[i].size()));
  compiled_builder(env, PerEnv::Get(env).entity_builder, kBuilderSource).Call({outs, nums, Napi::String::New(env, words), label_values});
  return outs;
}

}  // namespace tokclass::binding
