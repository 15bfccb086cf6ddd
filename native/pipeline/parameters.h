// Checks of the pipeline parameters that the Python pipeline refuses up front
// (_sanitize_parameters), with its messages, so callers can reject a request before any work.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "pipeline/entity.h"

namespace tokclass {

// Parses "none" | "simple" | "first" | "average" | "max" (case-insensitive, as the pipeline's
// AggregationStrategy[name.upper()]). Throws Error(kInvalidArgument) otherwise.
Aggregation parse_aggregation(std::string_view name);
const char* aggregation_name(Aggregation strategy);

// `strategy` is nullopt when the caller did not pass one (the pipeline then skips the NONE
// check and post-processes with NONE). Throws:
//   Error(kStrideTooLarge) when stride >= model_max_length;
//   Error(kStrideWithNone) when a stride comes with an explicit "none".
void validate_parameters(std::optional<Aggregation> strategy, std::optional<uint32_t> stride,
                         uint32_t model_max_length);

}  // namespace tokclass
