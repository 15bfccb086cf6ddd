// The pipeline's group_entities: adjacent token/word entities with the same tag are merged
// unless the newcomer is a B- tag. A group's label is the first member's label after its first
// '-', its score the mean of the members' scores (float32, as np.nanmean), its word the
// decoder applied to the members' words, its span first.start..last.end.
//
// `scheme` kBio (the default) is exactly the above (Hugging Face). kBioes / kBilou also honour
// end (E-/L-) and single (S-/U-) labels; members, label, score, word and span of a group are
// computed as for kBio. Walking the entities left to right, with at most one open group:
//   B-X  closes any group and opens a group X;
//   I-X  (or a label without a scheme prefix, tag = the whole label, e.g. O) joins the open
//        group if its tag is X; otherwise closes any group and opens a group X (so I- after O,
//        after a closed group or after another tag starts a group, as in BIO);
//   E-X / L-X  joins the open group if its tag is X and closes it; otherwise closes any group
//        and forms a one-member group of its own (E- without B-, E- of another tag);
//   S-X / U-X  closes any group and forms a one-member group of its own (so adjacent singles
//        stay apart, and an S- inside a group splits it: what follows starts a new group).
#pragma once
#include <string>
#include <vector>

#include "pipeline/entity.h"

namespace tokclass {

class TokenDecoder;

// Groups whose label is in `dropped` (when given) are left out: the pipeline drops them right
// after grouping (ignore_labels), and leaving them out skips decoding their words (the long
// runs of "O" tokens, mostly).
std::vector<Entity> group_entities(const std::vector<Entity>& entities, const TokenDecoder& decoder,
                                   LabelScheme scheme = LabelScheme::kBio,
                                   const std::vector<std::string>* dropped = nullptr);

}  // namespace tokclass
