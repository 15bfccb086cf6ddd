// libFuzzer target for Tokenizer::from_json on whole (mutated) tokenizer.json documents: it must
// build a tokenizer or throw tokclass::Error with ERR_TOKENIZER_INVALID / ERR_TOKENIZER_UNSUPPORTED
// (never crash, never another exception). A tokenizer that loads must then encode a few texts
// with the properties of fuzz_tokenizer_encode (except vocabulary consistency, token order and
// window size, which a mutated document need not keep), and decode its tokens.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "fuzz/encoding_checks.h"
#include "fuzz/fuzz_check.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokclass;
  const std::string_view doc(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<Tokenizer> tok;
  try {
    tok = Tokenizer::from_json(doc);
  } catch (const Error& e) {
    FUZZ_CHECK(e.code() == codes::kTokenizerInvalid || e.code() == codes::kTokenizerUnsupported,
               "from_json threw %s: %s", e.code().c_str(), e.what());
    return 0;
  }
  static const std::u32string kTexts[] = {
      U"",
      U"Hello world, this is Sarah from New York.",
      U"  h\u00e9llo\tw\u00f6rld \U0001F600 [CLS] <s> ## \u2581x\u3000\u4e2d\u6587 don't 12.5%",
  };
  for (const std::u32string& text : kTexts) {
    for (int variant = 0; variant < 3; ++variant) {
      EncodeOptions o;
      if (variant > 0) {
        o.max_length = tok->num_special_tokens() + 4;
        o.stride = variant == 2 ? 1 : 0;
        o.return_overflowing = true;
      }
      Encoding enc;
      try {
        enc = tok->encode(text, o);
      } catch (const Error& e) {
        // A loaded tokenizer may still refuse options (its post-processor adds many tokens),
        // and a model may lack an unk token for an unknown char (HF errors the same way).
        FUZZ_CHECK(e.code() != codes::kInternal, "encode threw %s: %s", e.code().c_str(), e.what());
        continue;
      }
      fuzz::dump("encode", enc);
      // No window-size check: a mutated TemplateProcessing may repeat $A ("single": [$A, $A]),
      // which doubles the text in every window past max_length, as HF does too.
      const size_t limit = 0;
      fuzz::check_encoding(*tok, enc, text.size(), limit, "encode", {.vocab = false, .order = false});
      for (const Encoding& w : enc.overflowing) fuzz::check_encoding(*tok, w, text.size(), limit, "overflowing", {.vocab = false, .order = false});
      try {
        (void)tok->decode_tokens(enc.tokens);
      } catch (const Error& e) {
        FUZZ_CHECK(e.code() != codes::kInternal, "decode_tokens threw %s: %s", e.code().c_str(), e.what());
      }
    }
  }
  for (uint32_t id : {0u, 1u, 100u, 0xFFFFFFFFu}) (void)tok->id_to_token(id);
  (void)tok->token_to_id("[UNK]");
  (void)tok->model_kind();
  (void)tok->continuing_subword_prefix();
  return 0;
}
