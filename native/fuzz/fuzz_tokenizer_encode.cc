// libFuzzer target for Tokenizer::encode / encode_words / decode_tokens with every tokenizer.json
// of models/ and test/fixtures/models/ (or the files listed, ':'-separated, in
// $TOKCLASS_FUZZ_TOKENIZERS). Input: 3 option bytes, then the text as UTF-8 (bytes that are not
// valid UTF-8 are read as Latin-1, so every input is a text).
//   byte 0: tokenizer index (low 3 bits); 0x08 no special tokens; 0x10 also encode_words;
//           0x20 encode twice and compare (determinism); 0x40 truncation_early_exit off;
//           0x80 encode again with max_window_tokens at the windows' total and one below
//   byte 1: max_length: 0 = none, else special tokens + 1 + (b % 64); 0xFF = exactly the special
//           tokens (must be refused or handled, never crash)
//   byte 2: stride: b % (room) when b < 0x80, else b - 0x80 (may be too large: ERR_STRIDE_TOO_LARGE)
// Properties (every window): field vectors of equal length; at most max_length tokens; offsets
// start <= end <= text length in code points; non-special tokens' starts non-decreasing;
// special tokens at {0, 0}; ids in the vocabulary with the encoding's token string; and the
// windows, minus their shared stride tokens, give exactly the untruncated encoding's tokens
// (with truncation_early_exit, as tokenizers 0.23: a prefix of them, at least max_length long).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/utf8.h"
#include "fuzz/encoding_checks.h"
#include "fuzz/fuzz_check.h"
#include "tokenizer/tokenizer.h"

#ifndef TOKCLASS_SOURCE_ROOT
#define TOKCLASS_SOURCE_ROOT "."
#endif

namespace tokclass {
namespace {

std::vector<std::string> tokenizer_paths() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("TOKCLASS_FUZZ_TOKENIZERS")) {
    std::stringstream ss(env);
    for (std::string p; std::getline(ss, p, ':');)
      if (!p.empty()) paths.push_back(p);
    return paths;
  }
  namespace fs = std::filesystem;
  for (const char* dir : {"models", "test/fixtures/models"}) {
    const fs::path root = fs::path(TOKCLASS_SOURCE_ROOT) / dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& entry : fs::directory_iterator(root))
      if (fs::exists(entry.path() / "tokenizer.json")) paths.push_back((entry.path() / "tokenizer.json").string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The distinct tokenizers (several fixtures share one tokenizer.json), loaded once.
const std::vector<std::unique_ptr<Tokenizer>>& tokenizers() {
  static const auto* all = [] {
    auto* out = new std::vector<std::unique_ptr<Tokenizer>>();
    std::set<std::string> seen;
    for (const std::string& path : tokenizer_paths()) {
      std::ifstream f(path, std::ios::binary);
      std::string doc((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      if (!seen.insert(doc).second) continue;
      try {
        out->push_back(Tokenizer::from_json(doc));
      } catch (const Error& e) {
        std::fprintf(stderr, "fuzz_tokenizer_encode: skipping %s: %s: %s\n", path.c_str(), e.code().c_str(), e.what());
      }
    }
    FUZZ_CHECK(!out->empty(), "no tokenizer could be loaded (TOKCLASS_SOURCE_ROOT=%s)", TOKCLASS_SOURCE_ROOT);
    std::fprintf(stderr, "fuzz_tokenizer_encode: %zu distinct tokenizers\n", out->size());
    return out;
  }();
  return *all;
}

}  // namespace
}  // namespace tokclass

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)tokclass::tokenizers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokclass;
  fuzz::Bytes in(data, size);
  const uint8_t b0 = in.u8(), b1 = in.u8(), b2 = in.u8();
  const auto& all = tokenizers();
  const Tokenizer& tok = *all[(b0 & 7) % all.size()];
  if (std::getenv("TOKCLASS_FUZZ_VERBOSE"))
    std::fprintf(stderr, "tokenizer %zu (%s), options %02x %02x %02x\n", (b0 & 7) % all.size(), tok.model_kind().c_str(), b0, b1, b2);
  const std::u32string text = fuzz::to_text(in.rest());

  EncodeOptions o;
  o.add_special_tokens = !(b0 & 0x08);
  o.truncation_early_exit = !(b0 & 0x40);
  const size_t specials = o.add_special_tokens ? tok.num_special_tokens() : 0;
  if (b1 == 0xFF) o.max_length = specials;
  else if (b1 != 0) o.max_length = specials + 1 + b1 % 64;
  const size_t room = o.max_length > specials ? o.max_length - specials : 0;
  if (o.max_length > 0) {
    o.return_overflowing = true;
    o.stride = b2 < 0x80 ? (room > 1 ? b2 % room : 0) : b2 - 0x80;
  }
  const bool stride_ok = o.stride == 0 || o.stride < room;

  Encoding enc;
  try {
    enc = tok.encode(text, o);
  } catch (const Error& e) {
    const bool expected = (e.code() == codes::kStrideTooLarge && !stride_ok) ||
                          (e.code() == codes::kInvalidArgument && o.max_length > 0 && o.max_length < specials);
    FUZZ_CHECK(expected, "encode threw %s: %s (max_length %zu, stride %zu, specials %zu)", e.code().c_str(), e.what(),
               o.max_length, o.stride, specials);
    return 0;
  }
  FUZZ_CHECK(stride_ok || room == 0, "stride %zu accepted with room %zu", o.stride, room);
  // max_length == the special tokens leaves no room: as HF, everything moves to one overflowing
  // window that then exceeds max_length (the classifier refuses such a max_length at load).
  const size_t window_limit = room > 0 ? o.max_length : 0;
  fuzz::check_encoding(tok, enc, text.size(), window_limit, "window 0");
  for (size_t w = 0; w < enc.overflowing.size(); ++w) {
    FUZZ_CHECK(enc.overflowing[w].overflowing.empty(), "overflowing window %zu has its own overflowing", w);
    fuzz::check_encoding(tok, enc.overflowing[w], text.size(), window_limit, "overflowing window");
  }

  // Windows minus the stride tokens they share = the whole text's tokens.
  if (o.max_length > 0 && room > 0) {
    EncodeOptions whole = o;
    whole.max_length = 0;
    whole.return_overflowing = false;
    whole.stride = 0;
    const Encoding untruncated = tok.encode(text, whole);
    fuzz::dump("truncated", enc);
    fuzz::dump("untruncated", untruncated);
    const std::vector<uint32_t> expected = fuzz::non_special_ids(untruncated);
    std::vector<uint32_t> stitched = fuzz::non_special_ids(enc);
    for (const Encoding& w : enc.overflowing) {
      std::vector<uint32_t> ids = fuzz::non_special_ids(w);
      FUZZ_CHECK(ids.size() > o.stride, "a window of %zu tokens does not go past its %zu stride tokens", ids.size(),
                 o.stride);
      FUZZ_CHECK(std::equal(ids.begin(), ids.begin() + o.stride, stitched.end() - o.stride),
                 "a window does not start with the previous window's last %zu tokens", o.stride);
      stitched.insert(stitched.end(), ids.begin() + o.stride, ids.end());
    }
    if (o.truncation_early_exit) {
      // tokenizers 0.23: tokenizing stops at the first split that reaches max_length tokens,
      // so the windows cover a prefix of the text's tokens, at least max_length of them.
      FUZZ_CHECK(stitched.size() <= expected.size() && std::equal(stitched.begin(), stitched.end(), expected.begin()),
                 "windows (%zu tokens) are not a prefix of the untruncated encoding (%zu)", stitched.size(),
                 expected.size());
      FUZZ_CHECK(stitched.size() >= std::min(expected.size(), o.max_length),
                 "windows give %zu tokens, fewer than max_length %zu (untruncated %zu)", stitched.size(), o.max_length,
                 expected.size());
    } else {
      FUZZ_CHECK(stitched == expected, "windows give %zu tokens, the untruncated encoding %zu", stitched.size(),
                 expected.size());
    }
  }

  // The window limit counts exactly what the windows hold: at their total they are made as
  // without a limit; one token below, none is made and WindowLimitError gives that total.
  if ((b0 & 0x80) && !enc.overflowing.empty()) {
    size_t total = enc.size();
    for (const Encoding& w : enc.overflowing) total += w.size();
    EncodeOptions limited = o;
    limited.max_window_tokens = total;
    const Encoding same = tok.encode(text, limited);
    FUZZ_CHECK(same.ids == enc.ids && same.overflowing.size() == enc.overflowing.size(),
               "a limit equal to the windows' %zu tokens changed them", total);
    limited.max_window_tokens = total - 1;
    try {
      (void)tok.encode(text, limited);
      FUZZ_CHECK(false, "windows of %zu tokens made under a limit of %zu", total, total - 1);
    } catch (const WindowLimitError& e) {
      FUZZ_CHECK(e.window_tokens == total && e.windows == 1 + enc.overflowing.size(),
                 "WindowLimitError counts %zu tokens in %zu windows; they hold %zu in %zu", e.window_tokens, e.windows,
                 total, 1 + enc.overflowing.size());
    }
  }

  if (b0 & 0x20) {
    Encoding again = tok.encode(text, o);
    FUZZ_CHECK(again.ids == enc.ids && again.offsets == enc.offsets && again.tokens == enc.tokens,
               "encode is not deterministic");
  }

  // The decoder on the encoding's tokens (the pipeline's `word`): a string or an Error.
  try {
    (void)tok.decode_tokens(enc.tokens);
  } catch (const Error& e) {
    FUZZ_CHECK(false, "decode_tokens threw %s: %s", e.code().c_str(), e.what());
  }

  if (b0 & 0x10) {
    // Pre-split words: offsets are relative to each word.
    std::vector<std::u32string> words;
    std::u32string cur;
    for (char32_t c : text) {
      if (c == U' ') {
        words.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    words.push_back(cur);
    EncodeOptions wo;
    wo.add_special_tokens = o.add_special_tokens;
    Encoding we = tok.encode_words(words, wo);
    size_t longest = 0;
    for (const auto& w : words) longest = std::max(longest, w.size());
    fuzz::check_encoding(tok, we, longest, 0, "encode_words", {.per_word = true});
    for (size_t i = 0; i < we.size(); ++i) {
      const int32_t w = we.word_ids[i];
      if (we.special_tokens_mask[i]) continue;
      FUZZ_CHECK(w >= 0 && static_cast<size_t>(w) < words.size(), "encode_words: token %zu has word id %d of %zu", i,
                 w, words.size());
      FUZZ_CHECK(we.offsets[i].end <= words[w].size(), "encode_words: token %zu ends at %u past word %d (%zu)", i,
                 we.offsets[i].end, w, words[w].size());
    }
  }
  return 0;
}
