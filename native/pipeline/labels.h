// Label lookups shared by the aggregation steps.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/entity.h"

namespace tokclass {

// id2label[index]; Error(kModelInvalid) when the model predicts a class the config does not name.
const std::string& label_of(const std::vector<std::string>& id2label, size_t index);

// The pipeline's get_tag: "B-X" -> {'B', "X"}, "I-X" -> {'I', "X"}, anything else -> {'I', label}
// (a label without prefix continues an entity of the same label).
struct Tag {
  char bi;
  std::string_view tag;
};
Tag get_tag(std::string_view label);

// A label's role under an opt-in scheme (LabelScheme::kBioes / kBilou), used by grouping
// instead of get_tag. Prefixes are case-sensitive and scheme-specific:
//   kBioes: "B-X" begin, "I-X" inside, "E-X" end, "S-X" single;
//   kBilou: "B-X" begin, "I-X" inside, "L-X" end (last), "U-X" single (unit);
// anything else (O, a label without prefix, or the other scheme's E-/S-/L-/U-) is
// {kInside, label}, as get_tag does. For kBio only B- and I- are prefixes (same as get_tag).
enum class Boundary { kBegin, kInside, kEnd, kSingle };
struct SchemeTag {
  Boundary boundary;
  std::string_view tag;
};
SchemeTag get_scheme_tag(std::string_view label, LabelScheme scheme);

// The entity_group of a group: the label after its first '-' (label.split("-", 1)[-1]).
std::string_view group_name(std::string_view label);

}  // namespace tokclass
