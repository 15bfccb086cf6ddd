// Entities -> JS objects, the one part of a call's result that must run on the JS thread.
//
// Setting properties one by one through N-API costs ~0.3 us each (every Set is a generic
// runtime store that looks up and transitions the object's shape): ~1.7 us per entity, 3.2 ms
// for the ~2,100 entities of 1,000 CoNLL sentences, during which both model threads sit idle.
// So the numbers travel in one Float64Array and the words in one string, and a small JS function
// builds the objects: V8 creates an object literal with a preset shape in a few nanoseconds.
#pragma once
#include <napi.h>

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/entity.h"

namespace tokclass::binding {

// One call's share of a delivery: texts [first, first + texts.size()) of its result array.
// `out` is that array when an earlier event-loop turn created it (a result delivered in
// slices), else empty and `first` 0: the builder creates it.
struct EntitySlice {
  Napi::Array out;
  uint32_t first = 0;
  std::span<const std::vector<Entity>> texts;
};

// Fills every slice in one call into JS and returns the result arrays, one per slice, in order.
// Each array holds, per text, its entity objects: {entity, score, index, word, start, end} for
// entities with an index (strategy none), else {entity_group, score, word, start, end},
// properties in the order the Inference API writes them. The calls that one batch finished
// come together, so a delivery pays for one Float64Array, one string and one call into JS,
// not one of each per call: with 64 single-text callers on CoNLL sentences, 48,000 -> 26,000
// instructions of delivery per call (callgrind, node --jitless; JS-thread time per call
// including the parameter cache of ClassifierHandle::Classify: ~17 -> ~14.5 us).
Napi::Array build_entities(Napi::Env env, std::span<const EntitySlice> slices);

}  // namespace tokclass::binding
