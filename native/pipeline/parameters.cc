#include "pipeline/parameters.h"

#include <string>

#include "common/error.h"

namespace tokclass {

Aggregation parse_aggregation(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (upper == "NONE") return Aggregation::kNone;
  if (upper == "SIMPLE") return Aggregation::kSimple;
  if (upper == "FIRST") return Aggregation::kFirst;
  if (upper == "AVERAGE") return Aggregation::kAverage;
  if (upper == "MAX") return Aggregation::kMax;
  throw Error(codes::kInvalidArgument,
              "aggregation_strategy must be one of \"none\", \"simple\", \"first\", \"average\", "
              "\"max\", received \"" + std::string(name) + "\"");
}

const char* aggregation_name(Aggregation strategy) {
  switch (strategy) {
    case Aggregation::kNone: return "none";
    case Aggregation::kSimple: return "simple";
    case Aggregation::kFirst: return "first";
    case Aggregation::kAverage: return "average";
    case Aggregation::kMax: return "max";
  }
  return "none";
}

void validate_parameters(std::optional<Aggregation> strategy, std::optional<uint32_t> stride,
                         uint32_t model_max_length) {
  if (!stride) return;
  if (*stride >= model_max_length) {
    throw Error(codes::kStrideTooLarge,
                "`stride` must be less than `tokenizer.model_max_length` (or even lower if the "
                "tokenizer adds special tokens)");
  }
  if (strategy == Aggregation::kNone) {
    throw Error(codes::kStrideWithNone,
                "`stride` was provided to process all the text but "
                "`aggregation_strategy=\"AggregationStrategy.NONE\"`, please select another one "
                "instead.");
  }
}

}  // namespace tokclass
