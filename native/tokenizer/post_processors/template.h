// TemplateProcessing (HF processors/template.rs): the "single" / "pair" templates list special
// tokens (each possibly several ids) and the sequence slots $A / $B, each with a type id.
// Special tokens get offsets (0,0), special_tokens_mask 1 and no word id.
#pragma once
#include <string>
#include <vector>

#include "common/json.h"
#include "tokenizer/post_processors/post_processor.h"

namespace tokclass {

class TemplateProcessing : public PostProcessor {
 public:
  struct SpecialToken {
    std::vector<uint32_t> ids;
    std::vector<std::string> tokens;
  };
  struct Piece {
    bool is_sequence = false;  // $A / $B slot, else a special token
    char sequence = 'A';
    SpecialToken special;
    uint32_t type_id = 0;
  };

  static std::unique_ptr<PostProcessor> from_json(const json::Value& v);
  size_t added_tokens(bool pair) const override;
  void process(Encoding& enc) const override;

 private:
  std::vector<Piece> single_, pair_;
};

// Shared by the processors, which build a new encoding around the sequence (Encoding::reserve
// it first: growing its six vectors token by token cost ~7% of encode()).
// Appends one special token (offsets 0,0, mask 1, word -1) to enc.
void push_special_token(Encoding& enc, uint32_t id, const std::string& token, uint32_t type_id);
// Appends every token of `seq` (moving its token strings) to enc, with type id `type_id`.
void append_sequence(Encoding& enc, Encoding& seq, uint32_t type_id);

}  // namespace tokclass
