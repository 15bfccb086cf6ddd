#include "pipeline/labels.h"

#include "common/error.h"

namespace tokclass {

const std::string& label_of(const std::vector<std::string>& id2label, size_t index) {
  if (index >= id2label.size()) {
    throw Error(codes::kModelInvalid, "the model predicted class " + std::to_string(index) +
                                          " but config.json id2label has only " +
                                          std::to_string(id2label.size()) + " labels");
  }
  return id2label[index];
}

Tag get_tag(std::string_view label) {
  if (label.starts_with("B-")) return {'B', label.substr(2)};
  if (label.starts_with("I-")) return {'I', label.substr(2)};
  return {'I', label};
}

std::string_view group_name(std::string_view label) {
  const size_t dash = label.find('-');
  return dash == std::string_view::npos ? label : label.substr(dash + 1);
}

}  // namespace tokclass
