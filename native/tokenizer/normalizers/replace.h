// Replace normalizer: every match of the pattern ({"String": ...} or {"Regex": ...}) becomes
// `content`; the new chars are aligned with the last char they replace (HF replace through
// transform_range), so offsets keep pointing into the original text.
#pragma once
#include <string>

#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/pattern.h"

namespace tokclass {

class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(Pattern pattern, std::u32string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void normalize(NormalizedString& s) const override {
    s.replace_matches(pattern_.find_matches(s.get()), content_);
  }

 private:
  Pattern pattern_;
  std::u32string content_;
};

}  // namespace tokclass
