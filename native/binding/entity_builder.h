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

// out[first + t] = the entity objects of results[t], for every t: {entity, score, index, word,
// start, end} for entities with an index (strategy none), else {entity_group, score, word,
// start, end}, properties in the order the Inference API writes them.
void build_entities(Napi::Env env, Napi::Array out, uint32_t first,
                    std::span<const std::vector<Entity>> results);

}  // namespace tokclass::binding
