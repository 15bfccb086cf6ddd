// What the token-classification pipeline returns, one element per entity. `index` is set only
// for aggregation "none" (-1 otherwise); `label` is `entity` (none) or `entity_group` (others).
// start/end are code-point offsets into the input text.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tokclass {

enum class Aggregation { kNone, kSimple, kFirst, kAverage, kMax };

// How labels mark entity boundaries when grouping. kBio is exactly the Hugging Face pipeline
// (B- starts, I- continues, a label without prefix is treated as I-<label>). kBioes / kBilou
// also end a group at E-/L- (end) and make S-/U- (single) a group of its own.
enum class LabelScheme { kBio, kBioes, kBilou };

struct Entity {
  std::string label;
  float score = 0.0f;
  int32_t index = -1;
  std::string word;
  uint32_t start = 0;
  uint32_t end = 0;
};

}  // namespace tokclass
