// libFuzzer target for pipeline/postprocess: random windows (encodings with offsets, special
// tokens, [UNK] ids), random logits (NaN and infinities included), random label sets and every
// aggregation strategy. In "contract" mode the encodings keep the tokenizer's guarantees
// (offsets inside the text, start <= end, non-decreasing starts, specials at {0,0}) and the
// entities are checked; in "garbage" mode anything goes and only "no crash, only
// tokclass::Error" is checked.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/utf8.h"
#include "fuzz/fuzz_check.h"
#include "pipeline/postprocess.h"
#include "tokenizer/token_decoder.h"

namespace tokclass {
namespace {

// A stand-in for the tokenizer's decoder: WordPiece-like ("##" continuation, " " between
// words) or plain concatenation.
class FuzzDecoder : public TokenDecoder {
 public:
  explicit FuzzDecoder(bool wordpiece) : wordpiece_(wordpiece) {}
  std::string decode_tokens(const std::vector<std::string>& tokens) const override {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string& t = tokens[i];
      if (wordpiece_ && t.rfind("##", 0) == 0) out += t.substr(2);
      else {
        if (wordpiece_ && i > 0) out += ' ';
        out += t;
      }
    }
    return out;
  }
  std::optional<std::string> continuing_subword_prefix() const override {
    return wordpiece_ ? std::optional<std::string>("##") : std::nullopt;
  }

 private:
  bool wordpiece_;
};

const char32_t kAlphabet[] = {U'a', U'B', U' ', U'\u00e9', U'\U0001F600', U'#', U'.', U'\u3000', U'x', U'\0'};
const char* const kLabels[] = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "MISC", "B-", "-", "", "I-X-Y", "B-MISC", "I-MISC"};

}  // namespace
}  // namespace tokclass

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokclass;
  fuzz::Bytes in(data, size);
  const uint8_t strategy_byte = in.u8();
  const uint8_t labels_byte = in.u8();
  const uint8_t flags = in.u8();
  const bool garbage = flags & 1;
  const bool wordpiece = flags & 2;
  const bool with_unk = flags & 4;
  const bool raw_floats = flags & 8;
  const bool short_labels = (flags & 0x30) == 0x30;  // id2label smaller than the logits
  const int ignore_mode = (flags >> 6) & 3;

  const Aggregation strategy = static_cast<Aggregation>(strategy_byte % 5);
  const size_t num_labels = 1 + labels_byte % 12;
  std::vector<std::string> id2label;
  for (size_t i = 0; i < num_labels; ++i) id2label.push_back(kLabels[(labels_byte / 12 + i) % 12]);
  if (short_labels) id2label.resize(num_labels - 1);

  std::u32string text;
  const size_t text_len = in.u8() % 64;
  for (size_t i = 0; i < text_len; ++i) text.push_back(kAlphabet[in.u8() % 10]);

  const size_t num_windows = 1 + in.u8() % 4;
  std::vector<Encoding> encodings(num_windows);
  std::vector<std::vector<float>> logits(num_windows);
  for (size_t w = 0; w < num_windows; ++w) {
    Encoding& e = encodings[w];
    const size_t n = in.u8() % 40;
    uint32_t start = 0;
    for (size_t t = 0; t < n; ++t) {
      const uint8_t kind = in.u8();
      const bool special = kind % 7 == 0;
      Offsets o;
      if (garbage) {
        o.start = in.u8();
        o.end = in.u8();
      } else if (!special && !text.empty()) {
        start = std::min<uint32_t>(start + in.u8() % 3, static_cast<uint32_t>(text.size()));
        o.start = start;
        o.end = std::min<uint32_t>(start + in.u8() % 4, static_cast<uint32_t>(text.size()));
      }
      std::string token;
      if (kind & 8) token = "##";
      const size_t len = kind >> 6;
      for (size_t k = 0; k < len; ++k) utf8::append(token, kAlphabet[(kind + k) % 9]);
      e.ids.push_back(in.u8() % 8);  // id 0 is [UNK] when with_unk
      e.type_ids.push_back(0);
      e.tokens.push_back(std::move(token));
      e.offsets.push_back(o);
      e.special_tokens_mask.push_back(special ? 1 : 0);
      e.word_ids.push_back(special ? -1 : static_cast<int32_t>(t));
    }
    if (garbage && (in.u8() & 1) && !e.tokens.empty()) e.tokens.pop_back();  // ragged fields
    std::vector<float>& l = logits[w];
    l.resize(n * num_labels);
    for (float& f : l) f = raw_floats ? in.f32() : static_cast<float>(static_cast<int8_t>(in.u8())) / 8.0f;
  }

  std::vector<WindowLogits> windows;
  for (size_t w = 0; w < num_windows; ++w) windows.push_back({&encodings[w], logits[w].data(), num_labels});

  std::vector<std::string> ignore;
  if (ignore_mode == 1) ignore = {};
  if (ignore_mode == 2) ignore = {"O", "PER", "B-LOC", ""};
  PostprocessConfig config;
  config.id2label = &id2label;
  config.strategy = strategy;
  config.ignore_labels = ignore_mode == 0 ? nullptr : &ignore;
  if (with_unk) config.unk_token_id = 0;

  // Pre-split words (is_split_into_words): token offsets are shifted by their word's start.
  // Only in garbage mode, where word ids may also point past the list.
  std::vector<uint32_t> word_starts;
  if (garbage && (in.u8() & 1)) {
    const size_t n = in.u8() % 8;
    for (size_t i = 0; i < n; ++i) word_starts.push_back(in.u8());
    config.word_starts = &word_starts;
  }

  const FuzzDecoder decoder(wordpiece);
  std::vector<Entity> entities;
  try {
    entities = postprocess(text, windows, decoder, config);
  } catch (const Error& e) {
    // Contract-keeping input can only fail for a class without a label.
    FUZZ_CHECK(garbage || (short_labels && e.code() == codes::kModelInvalid), "unexpected %s: %s",
               e.code().c_str(), e.what());
    return 0;
  }
  if (garbage) return 0;

  bool finite = true;
  for (const auto& l : logits)
    for (float f : l) finite = finite && std::isfinite(f);
  const std::vector<std::string> default_ignore{"O"};
  const std::vector<std::string>& ignored = ignore_mode == 0 ? default_ignore : ignore;
  for (size_t i = 0; i < entities.size(); ++i) {
    const Entity& e = entities[i];
    FUZZ_CHECK(e.start <= e.end && e.end <= text.size(), "entity %zu span [%u, %u) outside text of %zu", i, e.start,
               e.end, text.size());
    for (const std::string& l : ignored) FUZZ_CHECK(e.label != l, "ignored label '%s' in output", l.c_str());
    if (finite) FUZZ_CHECK(e.score >= 0.0f && e.score <= 1.0001f, "score %f out of [0, 1]", e.score);
    if (strategy == Aggregation::kNone) {
      FUZZ_CHECK(e.index >= 0, "strategy none without index");
      if (num_windows == 1) {
        const Encoding& enc = encodings[0];
        FUZZ_CHECK(static_cast<size_t>(e.index) < enc.size() && !enc.special_tokens_mask[e.index],
                   "index %d is not a non-special token", e.index);
        const Offsets o = enc.offsets[e.index];
        FUZZ_CHECK(e.start == o.start && e.end == o.end, "none: span differs from the token's offsets");
        const std::string unk_text = utf8::encode(text.substr(o.start, o.end - o.start));
        FUZZ_CHECK(e.word == enc.tokens[e.index] || (with_unk && enc.ids[e.index] == 0 && e.word == unk_text),
                   "none: word '%s' is neither the token nor the [UNK] text", e.word.c_str());
      }
    } else {
      FUZZ_CHECK(e.index == -1, "grouped entity with index %d", e.index);
    }
    if (num_windows > 1 && i > 0) FUZZ_CHECK(entities[i - 1].start <= e.start, "merged entities not sorted by start");
  }
  return 0;
}
