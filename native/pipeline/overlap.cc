#include "pipeline/overlap.h"

#include <algorithm>
#include <cstdint>

namespace tokclass {

std::vector<Entity> merge_overlapping(std::vector<Entity> entities) {
  if (entities.empty()) return entities;
  std::stable_sort(entities.begin(), entities.end(),
                   [](const Entity& a, const Entity& b) { return a.start < b.start; });
  std::vector<Entity> out;
  // Same walk as the Python loop, which starts by comparing the first entity with itself:
  // an empty first entity (start == end) is therefore emitted twice there, and here too.
  Entity previous = entities[0];
  for (const Entity& e : entities) {
    if (previous.start <= e.start && e.start < previous.end) {
      const int64_t length = static_cast<int64_t>(e.end) - e.start;
      const int64_t previous_length = static_cast<int64_t>(previous.end) - previous.start;
      if (length > previous_length || (length == previous_length && e.score > previous.score)) {
        previous = e;
      }
    } else {
      out.push_back(std::move(previous));
      previous = e;
    }
  }
  out.push_back(std::move(previous));
  return out;
}

}  // namespace tokclass
