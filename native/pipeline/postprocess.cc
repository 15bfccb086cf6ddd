#include "pipeline/postprocess.h"

#include <algorithm>

#include "common/error.h"
#include "pipeline/aggregate.h"
#include "pipeline/group.h"
#include "pipeline/overlap.h"
#include "pipeline/pre_entities.h"
#include "pipeline/scores.h"
#include "tokenizer/token_decoder.h"

namespace tokclass {
namespace {

const std::vector<std::string>& ignored_labels(const std::vector<std::string>* ignore_labels) {
  static const std::vector<std::string> kDefaultIgnore{"O"};
  return ignore_labels ? *ignore_labels : kDefaultIgnore;
}

// The pipeline drops entities whose `entity` (none) or `entity_group` (others) is ignored.
bool ignored(const Entity& e, const std::vector<std::string>& labels) {
  return std::find(labels.begin(), labels.end(), e.label) != labels.end();
}

}  // namespace

std::vector<Entity> postprocess(std::u32string_view text, const std::vector<WindowLogits>& windows,
                                const TokenDecoder& decoder, const PostprocessConfig& config) {
  if (!config.id2label) throw Error(codes::kInternal, "postprocess: id2label is missing");
  PreEntityOptions options;
  options.continuing_subword_prefix = decoder.continuing_subword_prefix();
  options.unk_token_id = config.unk_token_id;
  options.word_starts = config.word_starts;
  const std::vector<std::string>& ignore = ignored_labels(config.ignore_labels);

  std::vector<Entity> all;
  for (const WindowLogits& window : windows) {
    if (!window.encoding || (!window.logits && window.encoding->size() > 0)) {
      throw Error(codes::kInternal, "postprocess: window without encoding or logits");
    }
    if (window.num_labels == 0) {
      throw Error(codes::kModelInvalid, "the model's logits have no classes");
    }
    const Encoding& encoding = *window.encoding;
    const std::vector<float> scores =
        softmax_rows(window.logits, encoding.size(), window.num_labels);
    const std::vector<PreEntity> pre =
        gather_pre_entities(text, encoding, scores.data(), window.num_labels, options);

    std::vector<Entity> entities;
    if (config.strategy == Aggregation::kNone || config.strategy == Aggregation::kSimple) {
      entities = classify_tokens(pre, window.num_labels, *config.id2label);
    } else {
      entities = aggregate_words(pre, config.strategy, window.num_labels, *config.id2label, decoder);
    }
    if (config.strategy != Aggregation::kNone) {
      // Ignored groups are left out as they are formed, so their words are never decoded.
      entities = group_entities(entities, decoder, config.label_scheme, &ignore);
    }
    for (Entity& e : entities) {
      if (!ignored(e, ignore)) all.push_back(std::move(e));
    }
  }
  if (windows.size() > 1) all = merge_overlapping(std::move(all));
  return all;
}

}  // namespace tokclass
