#include "tokenizer/pre_tokenized_string.h"

#include <algorithm>

#include "common/error.h"
#include "common/utf8.h"

namespace tokclass {

PreTokenizedString::PreTokenizedString(std::u32string text)
    : PreTokenizedString(NormalizedString(std::move(text))) {}

PreTokenizedString::PreTokenizedString(NormalizedString normalized) {
  splits_.push_back(Split{std::move(normalized), std::nullopt});
}

namespace {

Split as_split(Split&& piece) { return std::move(piece); }
Split as_split(NormalizedString&& piece) { return Split{std::move(piece), std::nullopt}; }
const NormalizedString& normalized_of(const Split& piece) { return piece.normalized; }
const NormalizedString& normalized_of(const NormalizedString& piece) { return piece; }

// Replaces every split not yet tokenized by the non-empty pieces `make` cuts it into (HF
// PreTokenizedString::split); tokenized splits stay as they are.
template <typename MakePieces>
void resplit(std::vector<Split>& splits, const MakePieces& make) {
  std::vector<Split> out;
  out.reserve(splits.size());
  for (size_t i = 0; i < splits.size(); ++i) {
    Split& s = splits[i];
    if (s.tokens) {
      out.push_back(std::move(s));
      continue;
    }
    auto pieces = make(i, std::move(s.normalized));
    // Room for these pieces and one per split left, grown geometrically (an exact reserve per
    // split would reallocate at every one).
    const size_t needed = out.size() + pieces.size() + (splits.size() - i - 1);
    if (needed > out.capacity()) out.reserve(std::max(needed, 2 * out.capacity()));
    for (auto& piece : pieces) {
      if (!normalized_of(piece).empty()) out.push_back(as_split(std::move(piece)));
    }
  }
  splits = std::move(out);
}

}  // namespace

void PreTokenizedString::split(
    const std::function<std::vector<Split>(size_t, NormalizedString&&)>& fn) {
  resplit(splits_, fn);
}

void PreTokenizedString::split_normalized(
    const std::function<std::vector<NormalizedString>(size_t, NormalizedString&&)>& fn) {
  resplit(splits_, fn);  // pieces become Splits directly, without a list of Splits in between
}

void PreTokenizedString::normalize(const std::function<void(NormalizedString&)>& fn) {
  for (Split& s : splits_)
    if (!s.tokens) fn(s.normalized);
}

void PreTokenizedString::tokenize(const Model& model, size_t limit) {
  size_t total = 0;
  for (size_t i = 0; i < splits_.size(); ++i) {
    Split& s = splits_[i];
    if (s.tokens) {
      // Already-tokenized splits count but do not trigger the stop themselves (as HF).
      total += s.tokens->size();
      continue;
    }
    s.tokens = model.tokenize(s.normalized.get());
    total += s.tokens->size();
    if (limit > 0 && total >= limit) {
      splits_.resize(i + 1);
      break;
    }
  }
}

Encoding PreTokenizedString::into_encoding(std::optional<int32_t> word_idx,
                                           uint32_t type_id) const {
  Encoding enc;
  size_t total = 0;
  for (const Split& s : splits_) total += s.tokens ? s.tokens->size() : 0;
  enc.reserve(total);
  for (size_t idx = 0; idx < splits_.size(); ++idx) {
    const Split& s = splits_[idx];
    if (!s.tokens) throw Error(codes::kInternal, "split has not been tokenized");
    const uint32_t shift = s.normalized.original_shift();
    for (const Token& t : *s.tokens) {
      Offsets off{t.start, t.end};
      if (auto o = s.normalized.normalized_to_original(t.start, t.end))
        off = Offsets{shift + o->start, shift + o->end};
      enc.ids.push_back(t.id);
      enc.type_ids.push_back(type_id);
      enc.tokens.push_back(t.value);
      enc.offsets.push_back(off);
      enc.special_tokens_mask.push_back(0);
      enc.word_ids.push_back(word_idx ? *word_idx : static_cast<int32_t>(idx));
    }
  }
  return enc;
}

}  // namespace tokclass
