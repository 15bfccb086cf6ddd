// Unigram segmentation, following `tokenizers` models/unigram/model.rs (encode_optimized +
// tokenize). Positions are code points instead of UTF-8 bytes; since both walk character
// starts in the same order and compare the same f64 sums, the chosen path is identical.
#include "tokenizer/models/unigram.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/byte_tokens.h"
#include "tokenizer/models/open_addressing.h"

namespace tokclass {

namespace {

// HF's K_UNK_PENALTY: an unknown character scores this much below the worst piece.
constexpr double kUnkPenalty = 10.0;

}  // namespace

UnigramModel::UnigramModel(UnigramConfig config)
    : pieces_(std::move(config.vocab)),
      unk_id_(config.unk_id),
      byte_fallback_(config.byte_fallback),
      min_score_(std::numeric_limits<double>::infinity()) {
  if (unk_id_ && *unk_id_ >= pieces_.size()) {
    throw Error(codes::kTokenizerInvalid, "Unigram unk_id " + std::to_string(*unk_id_) + " is outside the vocab");
  }
  for (const auto& piece : pieces_) min_score_ = std::min(min_score_, piece.second);
  build_trie();
}

void UnigramModel::build_trie() {
  // Decode every piece once into one flat buffer, sort by code points (ties by id, so among
  // repeated pieces the last id is written last and wins, as in HF), copy the keys into sorted
  // order for sequential access, then build depth-first, giving each node's children one
  // contiguous, label-sorted block.
  std::u32string flat;
  std::vector<std::pair<uint32_t, uint32_t>> spans;  // (offset, length) per piece id
  spans.reserve(pieces_.size());
  for (const auto& piece : pieces_) {
    std::u32string k = utf8::decode(piece.first);
    spans.emplace_back(static_cast<uint32_t>(flat.size()), static_cast<uint32_t>(k.size()));
    flat += k;
  }
  auto key = [&](uint32_t id) { return std::u32string_view(flat).substr(spans[id].first, spans[id].second); };
  std::vector<uint32_t> order(pieces_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    int c = key(a).compare(key(b));
    return c != 0 ? c < 0 : a < b;
  });
  std::u32string sorted;
  sorted.reserve(flat.size());
  std::vector<std::pair<uint32_t, uint32_t>> sorted_spans;
  sorted_spans.reserve(order.size());
  for (uint32_t id : order) {
    sorted_spans.emplace_back(static_cast<uint32_t>(sorted.size()), spans[id].second);
    sorted += key(id);
  }
  flat.clear();
  flat.shrink_to_fit();
  auto at = [&](uint32_t i, uint32_t depth) { return sorted[sorted_spans[i].first + depth]; };
  auto len = [&](uint32_t i) { return sorted_spans[i].second; };

  trie_.assign(1, TrieNode{});
  struct Frame {
    uint32_t node, lo, hi, depth;
  };
  std::vector<Frame> stack{{0, 0, static_cast<uint32_t>(order.size()), 0}};
  while (!stack.empty()) {
    const Frame cur = stack.back();
    stack.pop_back();
    uint32_t i = cur.lo;
    while (i < cur.hi && len(i) == cur.depth) {  // pieces ending here sort first
      if (cur.depth > 0) trie_[cur.node].piece = static_cast<int32_t>(order[i]);
      ++i;
    }
    const uint32_t first = static_cast<uint32_t>(trie_.size());
    std::vector<Frame> kids;
    while (i < cur.hi) {
      const char32_t cp = at(i, cur.depth);
      uint32_t j = i;
      while (j < cur.hi && at(j, cur.depth) == cp) ++j;
      TrieNode n;
      n.label = cp;
      kids.push_back({static_cast<uint32_t>(trie_.size()), i, j, cur.depth + 1});
      trie_.push_back(n);
      i = j;
    }
    trie_[cur.node].first_child = first;
    trie_[cur.node].child_count = static_cast<uint32_t>(kids.size());
    stack.insert(stack.end(), kids.rbegin(), kids.rend());
  }
  trie_.shrink_to_fit();
  build_root_index();
}

void UnigramModel::build_root_index() {
  const TrieNode& root = trie_[0];
  const size_t slots = half_full_slots(root.child_count);
  root_index_.assign(slots, RootSlot{});
  root_shift_ = 32 - static_cast<unsigned>(std::countr_zero(slots));
  for (uint32_t i = root.first_child; i < root.first_child + root.child_count; ++i)
    root_index_[root_slot(trie_[i].label)] = RootSlot{trie_[i].label, i};
}

size_t UnigramModel::root_slot(char32_t cp) const {
  // Fibonacci hashing spreads neighbouring code points (a script's letters) over the table.
  const size_t mask = root_index_.size() - 1;
  for (size_t i = static_cast<uint32_t>(cp * 0x9E3779B9u) >> root_shift_;; i = (i + 1) & mask) {
    const char32_t label = root_index_[i].label;
    if (label == kNoLabel || label == cp) return i;
  }
}

int64_t UnigramModel::child(uint32_t node, char32_t cp) const {
  if (node == 0) {
    const RootSlot& slot = root_index_[root_slot(cp)];
    return slot.label == kNoLabel ? -1 : static_cast<int64_t>(slot.node);
  }
  const TrieNode& n = trie_[node];
  uint32_t lo = n.first_child, hi = n.first_child + n.child_count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (trie_[mid].label < cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo < n.first_child + n.child_count && trie_[lo].label == cp) return lo;
  return -1;
}

int64_t UnigramModel::find_piece(std::u32string_view text) const {
  if (text.empty()) return -1;
  uint32_t node = 0;
  for (char32_t cp : text) {
    int64_t next = child(node, cp);
    if (next < 0) return -1;
    node = static_cast<uint32_t>(next);
  }
  return trie_[node].piece;
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
      int64_t next = child(node, piece[end]);
      if (next < 0) break;
      node = static_cast<uint32_t>(next);
      int64_t id = trie_[node].piece;
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
    int64_t id = find_piece(piece.substr(start, end - start));
    if (id >= 0) {
      out.push_back({static_cast<uint32_t>(id), std::move(value), start, end});
      continue;
    }
    if (byte_fallback_) {
      std::vector<Token> bytes;
      for (unsigned char b : value) {
        std::string name = byte_fallback_token(b);
        int64_t bid = token_to_id(name) ? static_cast<int64_t>(*token_to_id(name)) : -1;
        if (bid < 0) break;
        bytes.push_back({static_cast<uint32_t>(bid), std::move(name), start, end});
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
  std::u32string cps;
  try {
    cps = utf8::decode(token);
  } catch (const Error&) {
    return std::nullopt;
  }
  int64_t id = find_piece(cps);
  if (id < 0) return std::nullopt;
  return static_cast<uint32_t>(id);
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
