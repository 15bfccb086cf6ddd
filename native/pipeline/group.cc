#include "pipeline/group.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "pipeline/labels.h"
#include "pipeline/numeric.h"
#include "tokenizer/token_decoder.h"

namespace tokclass {
namespace {

// np.nanmean over float32 scores: NaNs are left out of the pairwise sum and of the count.
float nanmean(const std::vector<float>& scores) {
  std::vector<float> kept;
  kept.reserve(scores.size());
  for (float s : scores) kept.push_back(std::isnan(s) ? 0.0f : s);
  size_t count = 0;
  for (float s : scores) count += !std::isnan(s);
  if (count == 0) return NAN;
  const float total = 0.0f + numeric::pairwise_sum(kept.data(), kept.size());
  return static_cast<float>(static_cast<double>(total) / static_cast<double>(count));
}

Entity group_sub_entities(const Entity* first, const Entity* last, const TokenDecoder& decoder) {
  std::vector<float> scores;
  std::vector<std::string> words;
  for (const Entity* e = first; e <= last; ++e) {
    scores.push_back(e->score);
    words.push_back(e->word);
  }
  Entity g;
  g.label = std::string(group_name(first->label));
  g.score = nanmean(scores);
  g.word = decoder.decode_tokens(words);
  g.start = first->start;
  g.end = last->end;
  return g;
}

// Collects the groups [first, last] that are kept (see `dropped` in group.h).
class Groups {
 public:
  Groups(const TokenDecoder& decoder, const std::vector<std::string>* dropped)
      : decoder_(decoder), dropped_(dropped) {}
  void add(const Entity* first, const Entity* last) {
    if (dropped_) {
      const std::string_view label = group_name(first->label);
      if (std::find(dropped_->begin(), dropped_->end(), label) != dropped_->end()) return;
    }
    groups_.push_back(group_sub_entities(first, last, decoder_));
  }
  std::vector<Entity> take() { return std::move(groups_); }

 private:
  const TokenDecoder& decoder_;
  const std::vector<std::string>* dropped_;
  std::vector<Entity> groups_;
};

// kBioes / kBilou (rules in group.h). [begin, i) is the pending group: open while `open`,
// empty otherwise (an end or single label emits its group at once).
std::vector<Entity> group_with_boundaries(const std::vector<Entity>& entities, LabelScheme scheme,
                                          Groups& groups) {
  size_t begin = 0;
  bool open = false;
  std::string_view open_tag;
  for (size_t i = 0; i < entities.size(); ++i) {
    const SchemeTag t = get_scheme_tag(entities[i].label, scheme);
    const bool joins = open && t.tag == open_tag &&
                       (t.boundary == Boundary::kInside || t.boundary == Boundary::kEnd);
    if (!joins) {
      if (i > begin) groups.add(&entities[begin], &entities[i - 1]);
      begin = i;
    }
    if (t.boundary == Boundary::kEnd || t.boundary == Boundary::kSingle) {
      groups.add(&entities[begin], &entities[i]);
      begin = i + 1;
      open = false;
    } else {
      open = true;
      open_tag = t.tag;
    }
  }
  if (begin < entities.size()) groups.add(&entities[begin], &entities.back());
  return groups.take();
}

}  // namespace

std::vector<Entity> group_entities(const std::vector<Entity>& entities, const TokenDecoder& decoder,
                                   LabelScheme scheme, const std::vector<std::string>* dropped) {
  Groups groups(decoder, dropped);
  if (scheme != LabelScheme::kBio) return group_with_boundaries(entities, scheme, groups);
  if (entities.empty()) return {};
  size_t begin = 0;
  for (size_t i = 1; i < entities.size(); ++i) {
    const Tag tag = get_tag(entities[i].label);
    const Tag last = get_tag(entities[i - 1].label);
    if (tag.tag == last.tag && tag.bi != 'B') continue;
    groups.add(&entities[begin], &entities[i - 1]);
    begin = i;
  }
  groups.add(&entities[begin], &entities.back());
  return groups.take();
}

}  // namespace tokclass
