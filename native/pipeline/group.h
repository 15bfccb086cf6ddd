// The pipeline's group_entities: adjacent token/word entities with the same tag are merged
// unless the newcomer is a B- tag. A group's label is the first member's label after its first
// '-', its score the mean of the members' scores (float32, as np.nanmean), its word the
// decoder applied to the members' words, its span first.start..last.end.
#pragma once
#include <vector>

#include "pipeline/entity.h"

namespace tokclass {

class TokenDecoder;

std::vector<Entity> group_entities(const std::vector<Entity>& entities, const TokenDecoder& decoder);

}  // namespace tokclass
