// A tokenizer.json "normalizer": edits a NormalizedString in place (alignments kept by
// NormalizedString's transform). One class per type, registered in registry.h.
#pragma once
#include <memory>
#include "tokenizer/normalized_string.h"

namespace tokclass {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& s) const = 0;
};

}  // namespace tokclass
