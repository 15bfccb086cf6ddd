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

SchemeTag get_scheme_tag(std::string_view label, LabelScheme scheme) {
  if (label.size() >= 2 && label[1] == '-') {
    const std::string_view tag = label.substr(2);
    switch (label[0]) {
      case 'B': return {Boundary::kBegin, tag};
      case 'I': return {Boundary::kInside, tag};
      case 'E': if (scheme == LabelScheme::kBioes) return {Boundary::kEnd, tag}; break;
      case 'S': if (scheme == LabelScheme::kBioes) return {Boundary::kSingle, tag}; break;
      case 'L': if (scheme == LabelScheme::kBilou) return {Boundary::kEnd, tag}; break;
      case 'U': if (scheme == LabelScheme::kBilou) return {Boundary::kSingle, tag}; break;
      default: break;
    }
  }
  return {Boundary::kInside, label};
}

std::string_view group_name(std::string_view label) {
  const size_t dash = label.find('-');
  return dash == std::string_view::npos ? label : label.substr(dash + 1);
}

}  // namespace tokclass
