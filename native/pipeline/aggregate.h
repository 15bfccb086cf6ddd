// From pre-entities to per-token or per-word entities (the pipeline's aggregate /
// aggregate_words / aggregate_word), before grouping.
#pragma once
#include <string>
#include <vector>

#include "pipeline/entity.h"
#include "pipeline/pre_entities.h"

namespace tokclass {

class TokenDecoder;

// "none" and "simple": each token takes its argmax label; `index` is the token's position.
std::vector<Entity> classify_tokens(const std::vector<PreEntity>& pre, size_t num_labels,
                                    const std::vector<std::string>& id2label);

// "first", "average", "max": tokens are gathered into words (a word starts at every token that
// is not a subword, and at the first token) and each word gets one label:
//   first   - the argmax of the word's first token;
//   max     - the argmax of the token whose best score is highest (first such token);
//   average - the argmax of the nan-mean of the tokens' score rows.
// `word` is decoder.decode_tokens(token strings of the word); `index` stays -1.
std::vector<Entity> aggregate_words(const std::vector<PreEntity>& pre, Aggregation strategy,
                                    size_t num_labels, const std::vector<std::string>& id2label,
                                    const TokenDecoder& decoder);

}  // namespace tokclass
