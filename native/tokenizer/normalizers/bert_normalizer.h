// BertNormalizer (HF normalizers/bert.rs): clean_text (drop NUL, U+FFFD and Cc/Cf/Co controls
// other than \t\n\r; every whitespace becomes ' '), handle_chinese_chars (spaces around CJK
// ideographs), strip_accents (NFD then drop Mn; JSON null means "same as lowercase"),
// lowercase. Each step is a NormalizedString edit, so offsets survive.
#pragma once
#include "common/json.h"
#include "tokenizer/normalizers/normalizer.h"

namespace tokclass {

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {}
  static std::unique_ptr<Normalizer> from_json(const json::Value& v);
  void normalize(NormalizedString& s) const override;

  // The CJK ideograph blocks BERT isolates (not Hangul, Hiragana or Katakana).
  static bool is_chinese_char(char32_t c);

 private:
  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
};

}  // namespace tokclass
