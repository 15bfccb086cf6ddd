// Unit checks of native/pipeline/ for what the goldens do not reach: float32 sums bit-exact
// with numpy (expected bits computed with numpy 2.4), overlap-merge corner cases, pre-split
// offsets, parameter errors, unknown class indices.
//
//   unit_check   (exit status 1 on any failure)
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "pipeline/numeric.h"
#include "pipeline/overlap.h"
#include "pipeline/parameters.h"
#include "pipeline/postprocess.h"
#include "pipeline/scores.h"
#include "test_decoders.h"

using namespace tokclass;

namespace {

int failures = 0;
void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::cout << "FAIL " << what << "\n";
  }
}
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

}  // namespace

int main() {
  sums_match_numpy();
  softmax_matches_numpy();
  argmax_ties_take_lowest_index();
  overlap_rules();
  parameters();
  pre_split_offsets_and_unknown_class();
  std::cout << (failures ? "unit_check: FAILED " + std::to_string(failures) : std::string("unit_check: all pass"))
            << "\n";
  return failures ? 1 : 0;
}
