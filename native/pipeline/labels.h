// Label lookups shared by the aggregation steps.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

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

// The entity_group of a group: the label after its first '-' (label.split("-", 1)[-1]).
std::string_view group_name(std::string_view label);

}  // namespace tokclass
