// Unigram segmentation, following `tokenizers` models/unigram/model.rs (encode_optimized +
// tokenize). Positions are code points instead of UTF-8 bytes; since both walk character
// starts in the same order and compare the same f64 sums, the chosen path is identical.
#include "tokenizer/models/unigram.h"

#include <limits>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"

namespace tokclass {

namespace {

// HF's K_UNK_PENALTY: an unknown character scores this much below the worst piece.
constexpr double kUnkPenalty = 10.0;

std::string byte_token(unsigned char b) {
  static const char* hex = "0123456789ABCDEF";
  std::string s = "<0x";
  s += hex[b >> 4];
  s += hex[b & 15];
  s += '>';
  return s;
}

}  // namespace

UnigramModel::UnigramModel(UnigramConfig config)
    : pieces_(std::move(config.vocab)),
      unk_id_(config.unk_id),
      byte_fallback_(config.byte_fallback),
      min_score_(std::numeric_limits<double>::infinity()) {
  if (unk_id_ && *unk_id_ >= pieces_.size()) {
    throw Error(codes::kTokenizerInvalid, "Unigram unk_id " + std::to_string(*unk_id_) + " is outside the vocab");
  }
  node_piece_.push_back(-1);  // root
  piece_ids_.reserve(pieces_.size());
  for (uint32_t id = 0; id < pieces_.size(); ++id) {
    const auto& [piece, score] = pieces_[id];
    piece_ids_[piece] = id;  // a repeated piece keeps its last id, like HF's map insert
    if (score < min_score_) min_score_ = score;
    if (piece.empty()) continue;
    uint32_t node = 0;
    for (char32_t cp : utf8::decode(piece)) {
      auto [it, inserted] = edges_.try_emplace(edge_key(node, cp), static_cast<uint32_t>(node_piece_.size()));
      if (inserted) node_piece_.push_back(-1);
      node = it->second;
    }
    node_piece_[node] = id;
  }
}

std::unique_ptr<UnigramModel> UnigramModel::from_json(const json::Value& model) {
  UnigramConfig config;
  for (const auto& entry : model.at("vocab").as_array("model.vocab")) {
    const auto& pair = entry.as_array("model.vocab entry");
    if (pair.size() != 2) throw Error(codes::kTokenizerInvalid, "Unigram vocab entries must be [piece, score]");
    config.vocab.emplace_back(pair[0].as_string("model.vocab piece"), pair[1].as_double("model.vocab score"));
  }
  if (const json::Value* unk = model.find_non_null("unk_id")) {
    int64_t id = unk->as_int("model.unk_id");
    if (id < 0) throw Error(codes::kTokenizerInvalid, "Unigram unk_id must not be negative");
    config.unk_id = static_cast<uint32_t>(id);
  }
  config.byte_fallback = model.get_bool("byte_fallback", false);
  return std::make_unique<UnigramModel>(std::move(config));
}

std::vector<std::pair<uint32_t, uint32_t>> UnigramModel::segment(std::u32string_view piece) const {
  struct Best {
    uint32_t id = 0;
    double score = 0;
    int64_t starts_at = -1;  // -1: no path ends here yet
  };
  const uint32_t n = static_cast<uint32_t>(piece.size());
  const double unk_score = min_score_ - kUnkPenalty;
  std::vector<Best> best(n + 1);

  // Relax a path [start, end) with `id`/`score`; strict '>' keeps the first candidate on ties.
  auto relax = [&](uint32_t start, uint32_t end, uint32_t id, double score) {
    Best& target = best[end];
    double candidate = score + best[start].score;
    if (target.starts_at < 0 || candidate > target.score) {
      target = {id, candidate, start};
    }
  };

  for (uint32_t start = 0; start < n; ++start) {
    bool has_single = false;
    uint32_t node = 0;
    // Common-prefix search, shortest first (the order HF's trie yields them).
    for (uint32_t end = start; end < n; ++end) {
      auto it = edges_.find(edge_key(node, piece[end]));
      if (it == edges_.end()) break;
      node = it->second;
      int64_t id = node_piece_[node];
      if (id < 0) continue;
      relax(start, end + 1, static_cast<uint32_t>(id), pieces_[id].second);
      if (end == start) has_single = true;
    }
    if (!has_single) {
      if (!unk_id_) {
        throw Error(codes::kTokenizerInvalid, "Unigram model has no unk_id but the text has a character missing from the vocab");
      }
      relax(start, start + 1, *unk_id_, unk_score);
    }
  }

  // Walk back; consecutive unknowns fuse into one span (HF's Unigram always has fuse_unk).
  std::vector<std::pair<uint32_t, uint32_t>> spans;
  uint32_t end = n;
  int64_t unk_end = -1;  // end of the unknown run being fused
  while (end > 0) {
    const Best& node = best[end];
    uint32_t start = static_cast<uint32_t>(node.starts_at);
    if (unk_id_ && node.id == *unk_id_) {
      if (unk_end < 0) unk_end = end;
    } else {
      if (unk_end >= 0) spans.emplace_back(end, static_cast<uint32_t>(unk_end));
      unk_end = -1;
      spans.emplace_back(start, end);
    }
    end = start;
  }
  if (unk_end >= 0) spans.emplace_back(0, static_cast<uint32_t>(unk_end));
  return {spans.rbegin(), spans.rend()};
}

std::vector<Token> UnigramModel::tokenize(std::u32string_view piece) const {
  std::vector<Token> out;
  if (piece.empty()) return out;
  for (auto [start, end] : segment(piece)) {
    // The token string is the text itself, also for unknowns (HF reports e.g. "東京", not
    // "<unk>"); its id is looked up again, so a fused run that happens to be a piece gets it.
    std::string value = utf8::encode(piece.substr(start, end - start));
    auto it = piece_ids_.find(value);
    if (it != piece_ids_.end()) {
      out.push_back({it->second, std::move(value), start, end});
      continue;
    }
    if (byte_fallback_) {
      std::vector<Token> bytes;
      for (unsigned char b : value) {
        auto bt = piece_ids_.find(byte_token(b));
        if (bt == piece_ids_.end()) break;
        bytes.push_back({bt->second, bt->first, start, end});
      }
      if (bytes.size() == value.size()) {
        out.insert(out.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    if (!unk_id_) {
      throw Error(codes::kTokenizerInvalid, "Unigram model has no unk_id for '" + value + "'");
    }
    out.push_back({*unk_id_, std::move(value), start, end});
  }
  return out;
}

std::optional<uint32_t> UnigramModel::token_to_id(std::string_view token) const {
  auto it = piece_ids_.find(std::string(token));
  if (it == piece_ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> UnigramModel::id_to_token(uint32_t id) const {
  if (id >= pieces_.size()) return std::nullopt;
  return pieces_[id].first;
}

}  // namespace tokclass

#include "tokenizer/registry.h"

namespace tokclass {
TOKCLASS_REGISTER_MODEL("Unigram", [](const json::Value& v) -> std::unique_ptr<Model> {
  return UnigramModel::from_json(v);
})
}  // namespace tokclass
