// BPE merge loop, following `tokenizers` models/bpe/{model,word}.rs so that ties and unknown
// characters come out exactly as Hugging Face gives them. Offsets are code points within the
// piece (the Model contract); byte-fallback tokens of one character all cover that character,
// which is what HF reports once its byte offsets are mapped back to characters.
#include "tokenizer/models/bpe.h"

#include <algorithm>
#include <queue>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"
#include "tokenizer/byte_tokens.h"

namespace tokclass {

namespace {

// One symbol of the word being merged: a vocabulary id covering [start, end) code points,
// linked to its live neighbours (-1 = none). A merged-away symbol gets `alive = false`.
struct Symbol {
  uint32_t id;
  uint32_t start;
  uint32_t end;
  int prev;
  int next;
  bool alive;
};

struct Candidate {
  uint32_t rank;
  uint32_t pos;
  uint32_t new_id;
};

// std::priority_queue pops the "largest": make that the lowest rank, then the leftmost position,
// the order of HF's `Merge` Ord implementation.
struct CandidateAfter {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.rank != b.rank) return a.rank > b.rank;
    return a.pos > b.pos;
  }
};

std::optional<std::string> optional_string(const json::Value& obj, std::string_view key) {
  const json::Value* v = obj.find_non_null(key);
  if (!v) return std::nullopt;
  return v->as_string(key);
}

}  // namespace

BpeModel::BpeModel(BpeConfig config)
    : unk_token_(std::move(config.unk_token)),
      prefix_(std::move(config.continuing_subword_prefix)),
      suffix_(std::move(config.end_of_word_suffix)),
      fuse_unk_(config.fuse_unk),
      byte_fallback_(config.byte_fallback),
      ignore_merges_(config.ignore_merges) {
  vocab_ = VocabTable(config.vocab.size());
  uint32_t max_id = 0;
  for (const auto& entry : config.vocab) max_id = std::max(max_id, entry.second);
  check_vocab_ids_dense(config.vocab.size(), max_id, "BPE");
  vocab_r_.resize(config.vocab.empty() ? 0 : static_cast<size_t>(max_id) + 1);
  for (auto& [token, id] : config.vocab) {
    vocab_.set(token, id);
    vocab_r_[id] = std::move(token);
  }
  const size_t prefix_len = prefix_ ? prefix_->size() : 0;
  merges_ = MergeTable(config.merges.size());
  for (size_t rank = 0; rank < config.merges.size(); ++rank) {
    const auto& [a, b] = config.merges[rank];
    const std::optional<uint32_t> ia = vocab_.find(a);
    const std::optional<uint32_t> ib = vocab_.find(b);
    if (!ia || !ib) {
      throw Error(codes::kTokenizerInvalid,
                  "BPE merge '" + a + " " + b + "' uses a token missing from the vocab");
    }
    // The merged token drops the right part's continuing_subword_prefix ("a" + "##b" -> "ab"),
    // as HF does (it strips prefix_len bytes whether or not b carries the prefix).
    std::string merged = a + (b.size() >= prefix_len ? b.substr(prefix_len) : std::string());
    const std::optional<uint32_t> im = vocab_.find(merged);
    if (!im) {
      throw Error(codes::kTokenizerInvalid, "BPE merge result '" + merged + "' is missing from the vocab");
    }
    // A repeated pair keeps the later rank, like HF's HashMap collect.
    merges_.set(*ia, *ib, {static_cast<uint32_t>(rank), *im});
  }
}

std::unique_ptr<BpeModel> BpeModel::from_json(const json::Value& model) {
  BpeConfig config;
  for (const auto& m : model.at("vocab").as_object("model.vocab")) {
    config.vocab.emplace_back(m.key, static_cast<uint32_t>(m.value.as_int("model.vocab value")));
  }
  if (const json::Value* merges = model.find_non_null("merges")) {
    for (const auto& m : merges->as_array("model.merges")) {
      if (m.is_string()) {
        // Legacy "a b" form: exactly one space, as HF's convert_merges_to_hashmap requires.
        const std::string& line = m.as_string();
        size_t sp = line.find(' ');
        if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos) {
          throw Error(codes::kTokenizerInvalid, "BPE merge '" + line + "' is not two tokens");
        }
        config.merges.emplace_back(line.substr(0, sp), line.substr(sp + 1));
      } else {
        const auto& pair = m.as_array("model.merges entry");
        if (pair.size() != 2) throw Error(codes::kTokenizerInvalid, "BPE merge entry must hold two tokens");
        config.merges.emplace_back(pair[0].as_string("model.merges entry"),
                                   pair[1].as_string("model.merges entry"));
      }
    }
  }
  config.unk_token = optional_string(model, "unk_token");
  config.continuing_subword_prefix = optional_string(model, "continuing_subword_prefix");
  config.end_of_word_suffix = optional_string(model, "end_of_word_suffix");
  config.fuse_unk = model.get_bool("fuse_unk", false);
  config.byte_fallback = model.get_bool("byte_fallback", false);
  config.ignore_merges = model.get_bool("ignore_merges", false);
  // "dropout" only randomizes merges during training; inference runs without it.
  return std::make_unique<BpeModel>(std::move(config));
}

std::vector<Token> BpeModel::tokenize(std::u32string_view piece) const {
  std::vector<Token> out;
  if (piece.empty()) return out;
  const uint32_t n = static_cast<uint32_t>(piece.size());

  if (ignore_merges_) {
    const std::string whole = utf8::encode(piece);
    if (const std::optional<uint32_t> id = vocab_.find(whole)) {
      out.push_back({*id, whole, 0, n});
      return out;
    }
  }

  // 1. Characters -> initial symbols (with prefix/suffix, byte fallback, unknowns).
  std::vector<Symbol> symbols;
  symbols.reserve(piece.size());
  auto add = [&symbols](uint32_t id, uint32_t start, uint32_t end) {
    int idx = static_cast<int>(symbols.size());
    symbols.push_back({id, start, end, idx - 1, -1, true});
    if (idx > 0) symbols[idx - 1].next = idx;
  };
  std::optional<Symbol> unk;  // pending unknown run (id, start, end)
  auto flush_unk = [&]() {
    if (unk) add(unk->id, unk->start, unk->end);
    unk.reset();
  };
  std::string s;
  for (uint32_t i = 0; i < n; ++i) {
    s.clear();
    if (i > 0 && prefix_) s += *prefix_;
    utf8::append(s, piece[i]);
    if (i + 1 == n && suffix_) s += *suffix_;

    if (const std::optional<uint32_t> id = vocab_.find(s)) {
      flush_unk();
      add(*id, i, i + 1);
      continue;
    }
    if (byte_fallback_) {
      // All bytes of `s` (prefix/suffix included, as HF) must exist as <0xAB> tokens.
      std::vector<uint32_t> ids;
      for (unsigned char b : s) {
        const std::optional<uint32_t> id = vocab_.find(byte_fallback_token(b));
        if (!id) break;
        ids.push_back(*id);
      }
      if (ids.size() == s.size()) {
        // HF does not flush a pending unknown here; it is emitted later, after these bytes.
        for (uint32_t id : ids) add(id, i, i + 1);
        continue;
      }
    }
    if (unk_token_) {
      const std::optional<uint32_t> unk_id = vocab_.find(*unk_token_);
      if (!unk_id) {
        throw Error(codes::kTokenizerInvalid, "BPE unk_token '" + *unk_token_ + "' is not in the vocab");
      }
      if (unk && fuse_unk_) {
        unk->end = i + 1;
      } else {
        flush_unk();
        unk = Symbol{*unk_id, i, i + 1, -1, -1, true};
      }
    }
    // Without an unk_token an unknown character is dropped, as in HF.
  }
  flush_unk();

  // 2. Merge by rank.
  std::priority_queue<Candidate, std::vector<Candidate>, CandidateAfter> queue;
  auto push_pair = [&](int left) {
    int right = symbols[left].next;
    if (right < 0) return;
    if (const MergeTable::Target* merge = merges_.find(symbols[left].id, symbols[right].id))
      queue.push({merge->rank, static_cast<uint32_t>(left), merge->new_id});
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) push_pair(static_cast<int>(i));
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.pos];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    // Skip entries made stale by an earlier merge of one of the two symbols.
    const MergeTable::Target* merge = merges_.find(left.id, right.id);
    if (!merge || merge->new_id != top.new_id) continue;
    left.id = top.new_id;
    left.end = right.end;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = static_cast<int>(top.pos);
    if (left.prev >= 0) push_pair(left.prev);
    push_pair(static_cast<int>(top.pos));
  }

  out.reserve(symbols.size());
  for (const Symbol& sym : symbols) {
    if (!sym.alive) continue;
    const auto& value = sym.id < vocab_r_.size() ? vocab_r_[sym.id] : std::nullopt;
    out.push_back({sym.id, value.value_or(std::string()), sym.start, sym.end});
  }
  return out;
}

std::optional<uint32_t> BpeModel::token_to_id(std::string_view token) const {
  return vocab_.find(token);
}

std::optional<std::string> BpeModel::id_to_token(uint32_t id) const {
  if (id >= vocab_r_.size()) return std::nullopt;
  return vocab_r_[id];
}

std::optional<std::string> BpeModel::continuing_subword_prefix() const {
  if (prefix_ && !prefix_->empty()) return prefix_;
  return std::nullopt;
}

}  // namespace tokclass

#include "tokenizer/registry.h"

namespace tokclass {
TOKCLASS_REGISTER_MODEL("BPE", [](const json::Value& v) -> std::unique_ptr<Model> {
  return BpeModel::from_json(v);
})
}  // namespace tokclass
