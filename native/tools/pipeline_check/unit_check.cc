// Unit checks of native/pipeline/ for what the goldens do not reach: float32 sums bit-exact
// with numpy (expected bits computed with numpy 2.4), overlap-merge corner cases, pre-split
// offsets, parameter errors, unknown class indices, label schemes (BIOES / BILOU grouping).
//
//   unit_check   (exit status 1 on any failure)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "pipeline/group.h"
#include "pipeline/numeric.h"
#include "pipeline/overlap.h"
#include "pipeline/parameters.h"
#include "pipeline/postprocess.h"
#include "pipeline/scores.h"
#include "test_decoders.h"
#include "tools/check.h"

using namespace tokclass;

namespace {

using tools::check;
using tools::failures;
uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
template <typename F>
std::string error_code_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

void sums_match_numpy() {
  // a[i] = 1/(i+3) * (1 + i%5) in float32; np.sum and np.nanmean bits.
  struct Row { size_t n; uint32_t sum, mean; };
  const Row rows[] = {{1, 1051372203, 1051372203},    {7, 1078613542, 1055342050},
                      {8, 1079871832, 1054706008},    {9, 1081397034, 1054448564},
                      {15, 1084658985, 1051832364},   {16, 1084775496, 1051221064},
                      {17, 1084996249, 1050779792},   {31, 1088506580, 1047039822},
                      {127, 1093757168, 1035128461},  {128, 1093781364, 1035061108},
                      {129, 1093813382, 1035002560},  {257, 1095947712, 1028785084},
                      {300, 1096440996, 1027233249},  {1000, 1099556460, 1015887278}};
  for (const Row& r : rows) {
    std::vector<float> a(r.n);
    for (size_t i = 0; i < r.n; ++i) {
      a[i] = 1.0f / static_cast<float>(i + 3) * static_cast<float>(1 + i % 5);
    }
    check(bits(numeric::pairwise_sum(a.data(), r.n)) == r.sum, "np.sum n=" + std::to_string(r.n));
    check(bits(numeric::mean(a.data(), r.n)) == r.mean, "np.mean n=" + std::to_string(r.n));
  }
}

void softmax_matches_numpy() {
  const float logits[] = {-4.513027667999268f, 2.4203970432281494f, 0.9991081357002258f,
                          3.531125545501709f,  -0.584858238697052f, 1.3433737754821777f,
                          -0.019872743636369705f, 7.962637424468994f, 1.9646190404891968f};
  const uint32_t want[] = {914027485, 997945718, 980601814, 1010753940, 960970620,
                           984303997, 967788509, 1065006251, 991913808};
  const std::vector<float> got = softmax_rows(logits, 1, 9);
  for (size_t j = 0; j < 9; ++j) {
    // numpy's SIMD exp and libm's expf may differ in the last bit.
    const int64_t d = static_cast<int64_t>(bits(got[j])) - static_cast<int64_t>(want[j]);
    check(d >= -2 && d <= 2, "softmax label " + std::to_string(j));
  }
}

void argmax_ties_take_lowest_index() {
  const float v[] = {0.25f, 0.5f, 0.5f, 0.1f};
  check(numeric::argmax(v, 4) == 1, "argmax tie");
}

Entity ent(const char* label, float score, uint32_t start, uint32_t end) {
  Entity e;
  e.label = label;
  e.score = score;
  e.start = start;
  e.end = end;
  return e;
}

void overlap_rules() {
  // Longer wins; equal length -> higher score; equal score -> the earlier (stable sort).
  auto out = merge_overlapping({ent("A", 0.9f, 0, 5), ent("B", 0.5f, 2, 10), ent("C", 0.7f, 20, 25),
                                ent("D", 0.8f, 20, 25), ent("E", 0.8f, 20, 25)});
  check(out.size() == 2 && out[0].label == "B" && out[1].label == "D", "overlap keep longer / higher");
  // Python compares the first entity with itself: an empty first entity comes out twice.
  out = merge_overlapping({ent("Z", 0.9f, 3, 3), ent("A", 0.9f, 4, 6)});
  check(out.size() == 3 && out[0].label == "Z" && out[1].label == "Z", "overlap empty first entity");
  out = merge_overlapping({});
  check(out.empty(), "overlap empty");
}

void parameters() {
  check(error_code_of([] { validate_parameters(Aggregation::kSimple, 512, 512); }) == codes::kStrideTooLarge,
        "stride >= model_max_length");
  check(error_code_of([] { validate_parameters(Aggregation::kNone, 0, 512); }) == codes::kStrideWithNone,
        "stride with none");
  check(error_code_of([] { validate_parameters(std::nullopt, 4, 512); }).empty(),
        "stride without an explicit strategy is accepted");
  check(error_code_of([] { validate_parameters(Aggregation::kNone, std::nullopt, 512); }).empty(),
        "none without stride");
  check(error_code_of([] { parse_aggregation("Average"); }).empty(), "parse Average");
  check(error_code_of([] { parse_aggregation("mean"); }) == codes::kInvalidArgument, "parse mean");
}

// "Hello world" as pre-split words ["Hello", "world"]: offsets are relative to each word.
void pre_split_offsets_and_unknown_class() {
  Encoding enc;
  enc.ids = {2, 10, 11, 12, 3};
  enc.tokens = {"[CLS]", "Hel", "##lo", "world", "[SEP]"};
  enc.offsets = {{0, 0}, {0, 3}, {3, 5}, {0, 5}, {0, 0}};
  enc.special_tokens_mask = {1, 0, 0, 0, 1};
  enc.word_ids = {-1, 0, 0, 1, -1};
  enc.type_ids = {0, 0, 0, 0, 0};
  const std::vector<std::string> labels{"O", "B-PER"};
  // token rows: O, B-PER, O(higher), B-PER
  const std::vector<float> logits{5, 0, 0, 5, 5, 0, 0, 5, 5, 0};
  const std::vector<uint32_t> word_starts{0, 6};
  check::WordPieceDecoder decoder("##", true, std::string("##"));
  PostprocessConfig config;
  config.id2label = &labels;
  config.strategy = Aggregation::kFirst;
  config.word_starts = &word_starts;
  const std::u32string text = U"Hello world";
  const std::vector<WindowLogits> windows{{&enc, logits.data(), 2}};
  const auto out = postprocess(text, windows, decoder, config);
  check(out.size() == 2 && out[0].word == "Hello" && out[0].start == 0 && out[0].end == 5 &&
            out[1].word == "world" && out[1].start == 6 && out[1].end == 11,
        "pre-split offsets / first strategy");
  check(out.size() == 2 && out[0].label == "PER" && out[1].label == "PER", "B-PER twice -> two groups");

  const std::vector<std::string> one_label{"O"};
  config.id2label = &one_label;
  check(error_code_of([&] { postprocess(text, windows, decoder, config); }) == codes::kModelInvalid,
        "class without label");
}

// Groups words "a", "b", ... labelled `labels` under `scheme`; "<entity_group>:<word>|...".
// With `dropped`, the groups so labelled are left out (group_entities' own `dropped`, or,
// `filter_after`, the full grouping filtered afterwards: the two must agree).
std::string grouped(const std::vector<std::string>& labels, LabelScheme scheme,
                    const std::vector<std::string>* dropped = nullptr, bool filter_after = false) {
  check::WordPieceDecoder decoder("##", true, std::string("##"));
  std::vector<Entity> entities;
  for (size_t i = 0; i < labels.size(); ++i) {
    Entity e = ent(labels[i].c_str(), 0.5f, static_cast<uint32_t>(2 * i), static_cast<uint32_t>(2 * i + 1));
    e.word = std::string(1, static_cast<char>('a' + i));
    entities.push_back(e);
  }
  std::string out;
  for (const Entity& g : group_entities(entities, decoder, scheme, filter_after ? nullptr : dropped)) {
    if (filter_after && std::find(dropped->begin(), dropped->end(), g.label) != dropped->end()) continue;
    out += (out.empty() ? "" : "|") + g.label + ":" + g.word;
  }
  return out;
}

void label_schemes() {
  struct Case { LabelScheme scheme; std::vector<std::string> labels; const char* want; const char* what; };
  const LabelScheme bio = LabelScheme::kBio, bioes = LabelScheme::kBioes, bilou = LabelScheme::kBilou;
  const Case cases[] = {
      // kBio is Hugging Face's get_tag: E-/S- are whole-label tags continuing like I-.
      {bio, {"B-LOC", "I-LOC", "E-LOC", "S-LOC", "S-LOC"}, "LOC:a b|LOC:c|LOC:d e", "bio: E-/S- are plain labels"},
      {bio, {"B-PER", "B-PER", "I-PER", "O", "I-PER"}, "PER:a|PER:b c|O:d|PER:e", "bio: B- B-, I- after O"},
      {bioes, {"B-LOC", "I-LOC", "E-LOC", "S-LOC", "S-LOC"}, "LOC:a b c|LOC:d|LOC:e", "bioes: B I E, adjacent S"},
      {bioes, {"O", "I-PER", "E-PER", "O"}, "O:a|PER:b c|O:d", "bioes: I- after O starts a group"},
      {bioes, {"O", "E-PER", "I-PER"}, "O:a|PER:b|PER:c", "bioes: E- without B- is its own group"},
      {bioes, {"B-PER", "B-PER"}, "PER:a|PER:b", "bioes: B- B-"},
      {bioes, {"B-PER", "S-PER", "I-PER", "E-PER"}, "PER:a|PER:b|PER:c d", "bioes: S- inside a group splits it"},
      {bioes, {"B-PER", "I-LOC", "E-LOC"}, "PER:a|LOC:b c", "bioes: I- of another tag starts a group"},
      {bioes, {"B-PER", "E-LOC", "E-LOC"}, "PER:a|LOC:b|LOC:c", "bioes: E- of another tag, E- after E-"},
      {bioes, {"B-PER", "E-PER", "I-PER", "E-PER"}, "PER:a b|PER:c d", "bioes: I- after a closed group"},
      {bioes, {"MISC", "MISC", "E-MISC"}, "MISC:a b c", "bioes: labels without prefix continue as I-"},
      {bioes, {"B-LOC", "L-LOC", "U-LOC"}, "LOC:a|LOC:b|LOC:c", "bioes: L-/U- are plain labels"},
      {bioes, {"B-LOC"}, "LOC:a", "bioes: unclosed group at the end"},
      {bioes, {}, "", "bioes: no entities"},
      {bilou, {"B-LOC", "I-LOC", "L-LOC", "U-LOC", "U-LOC", "O", "O"}, "LOC:a b c|LOC:d|LOC:e|O:f g", "bilou: B I L, adjacent U"},
      {bilou, {"B-LOC", "E-LOC", "S-LOC", "S-LOC"}, "LOC:a|LOC:b|LOC:c d", "bilou: E-/S- are plain labels"},
      {bilou, {"I-ORG", "L-ORG", "L-ORG", "U-ORG", "I-ORG"}, "ORG:a b|ORG:c|ORG:d|ORG:e", "bilou: malformed"},
  };
  for (const Case& c : cases) {
    const std::string got = grouped(c.labels, c.scheme);
    check(got == c.want, std::string(c.what) + ": got " + got + ", want " + c.want);
    // Leaving ignored groups out while grouping gives the filtered full grouping.
    for (const std::vector<std::string>& dropped : {std::vector<std::string>{"O"}, {"LOC", "PER"}, {"O", "MISC", "ORG"}}) {
      const std::string kept = grouped(c.labels, c.scheme, &dropped);
      const std::string filtered = grouped(c.labels, c.scheme, &dropped, true);
      check(kept == filtered, std::string(c.what) + " (groups dropped while grouping): got " + kept + ", want " + filtered);
    }
  }

  // Score, word and span of a BIOES group are the kBio ones of the same members.
  check::WordPieceDecoder decoder("##", true, std::string("##"));
  std::vector<Entity> members{ent("B-LOC", 0.31f, 0, 3), ent("I-LOC", 0.77f, 4, 8), ent("E-LOC", 0.9f, 9, 13)};
  members[0].word = "New";
  members[1].word = "York";
  members[2].word = "Ci";
  members.push_back(ent("S-LOC", 0.6f, 14, 19));
  members[3].word = "Paris";
  const auto g = group_entities(members, decoder, LabelScheme::kBioes);
  std::vector<Entity> as_bio(members.begin(), members.begin() + 3);
  as_bio[2].label = "I-LOC";
  const auto b = group_entities(as_bio, decoder, LabelScheme::kBio);
  check(g.size() == 2 && b.size() == 1 && bits(g[0].score) == bits(b[0].score) && g[0].word == "New York Ci" &&
            g[0].start == 0 && g[0].end == 13 && g[1].word == "Paris" && g[1].start == 14 && g[1].end == 19 &&
            bits(g[1].score) == bits(0.6f) && g[0].index == -1,
        "bioes group score/word/span as bio");

  // Through postprocess(): config.label_scheme reaches grouping.
  Encoding enc;
  enc.ids = {2, 10, 11, 12, 3};
  enc.tokens = {"[CLS]", "New", "York", "Paris", "[SEP]"};
  enc.offsets = {{0, 0}, {0, 3}, {4, 8}, {9, 14}, {0, 0}};
  enc.special_tokens_mask = {1, 0, 0, 0, 1};
  enc.word_ids = {-1, 0, 1, 2, -1};
  enc.type_ids = {0, 0, 0, 0, 0};
  const std::vector<std::string> labels{"O", "B-LOC", "E-LOC", "S-LOC"};
  const std::vector<float> logits{5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 5, 0, 0, 0};
  PostprocessConfig config;
  config.id2label = &labels;
  const std::u32string text = U"New York Paris";
  const std::vector<WindowLogits> windows{{&enc, logits.data(), 4}};
  for (Aggregation strategy : {Aggregation::kSimple, Aggregation::kFirst}) {
    config.strategy = strategy;
    config.label_scheme = LabelScheme::kBioes;
    auto out = postprocess(text, windows, decoder, config);
    check(out.size() == 2 && out[0].word == "New York" && out[1].word == "Paris",
          "postprocess bioes: New York | Paris");
    config.label_scheme = LabelScheme::kBio;
    out = postprocess(text, windows, decoder, config);
    check(out.size() == 3 && out[0].word == "New" && out[1].word == "York" && out[2].word == "Paris",
          "postprocess bio: New | York | Paris");
  }
  config.strategy = Aggregation::kNone;
  config.label_scheme = LabelScheme::kBioes;
  const auto none = postprocess(text, windows, decoder, config);
  check(none.size() == 3 && none[2].label == "S-LOC" && none[2].index == 3, "postprocess bioes none: no grouping");
}

}  // namespace

int main() {
  sums_match_numpy();
  softmax_matches_numpy();
  argmax_ties_take_lowest_index();
  overlap_rules();
  parameters();
  pre_split_offsets_and_unknown_class();
  label_schemes();
  std::cout << (failures() ? "unit_check: FAILED " + std::to_string(failures()) : std::string("unit_check: all pass"))
            << "\n";
  return failures() ? 1 : 0;
}
