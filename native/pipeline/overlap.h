// The pipeline's aggregate_overlapping_entities, applied when a text was split into several
// stride windows: entities are sorted by start (stably), and of two entities where the later
// one starts inside the earlier one, the longer one is kept (the higher score on equal
// lengths, the earlier one on equal scores).
#pragma once
#include <vector>

#include "pipeline/entity.h"

namespace tokclass {

std::vector<Entity> merge_overlapping(std::vector<Entity> entities);

}  // namespace tokclass
