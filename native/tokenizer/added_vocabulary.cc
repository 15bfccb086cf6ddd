#include "tokenizer/added_vocabulary.h"

#include "common/error.h"
#include "common/utf8.h"
#include "unicode/unicode.h"

namespace tokclass {

namespace {

// Rust regex \w (Unicode): letters, marks, decimal digits, connector punctuation, joiners.
bool is_word_char(char32_t c) {
  using unicode::Category;
  Category k = unicode::category(c);
  return unicode::is_letter(c) || k == Category::Mn || k == Category::Mc || k == Category::Me ||
         k == Category::Nd || k == Category::Pc || c == 0x200C || c == 0x200D;
}

}  // namespace

void AddedVocabulary::Trie::insert(std::u32string_view s, int32_t token) {
  if (!s.empty()) {
    if (s[0] < 128) ascii_starts[s[0]] = true;
    else non_ascii_starts = true;
  }
  uint32_t n = 0;
  for (char32_t c : s) {
    auto it = nodes[n].next.find(c);
    if (it == nodes[n].next.end()) {
      nodes.push_back(Node{});
      uint32_t id = static_cast<uint32_t>(nodes.size() - 1);
      nodes[n].next.emplace(c, id);
      n = id;
    } else {
      n = it->second;
    }
  }
  // First registration wins for duplicate contents.
  if (nodes[n].token < 0) nodes[n].token = token;
}

std::vector<AddedToken> AddedVocabulary::parse(const json::Value& added_tokens) {
  std::vector<AddedToken> out;
  if (added_tokens.is_null()) return out;
  for (const json::Value& t : added_tokens.as_array("added_tokens")) {
    AddedToken a;
    a.content = t.at("content").as_string("added_tokens.content");
    int64_t id = t.at("id").as_int("added_tokens.id");
    if (id < 0 || id > 0x7FFFFFFF) throw Error(codes::kTokenizerInvalid, "added token id out of range");
    a.id = static_cast<uint32_t>(id);
    a.single_word = t.get_bool("single_word", false);
    a.lstrip = t.get_bool("lstrip", false);
    a.rstrip = t.get_bool("rstrip", false);
    a.special = t.get_bool("special", false);
    // HF's default: special tokens are not normalized, others are.
    a.normalized = t.get_bool("normalized", !a.special);
    out.push_back(std::move(a));
  }
  return out;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& t = tokens_[i];
    by_content_.emplace(t.content, t.id);
    by_id_.emplace(t.id, i);
    id_tokens_.push_back(t.content);
    if (t.content.empty()) continue;
    std::u32string content = utf8::decode(t.content);
    if (t.normalized) {
      if (normalizer) {
        NormalizedString n(content);
        normalizer->normalize(n);
        content = n.get();
        id_tokens_.back() = utf8::encode(content);
      }
      if (!content.empty()) normalized_trie_.insert(content, static_cast<int32_t>(i));
    } else {
      raw_trie_.insert(content, static_cast<int32_t>(i));
    }
  }
}

std::vector<Split> AddedVocabulary::split_with_tokens(NormalizedString&& s, const Trie& trie) const {
  std::vector<Split> out;
  const std::u32string& text = s.get();
  const size_t n = text.size();
  if (n == 0) return out;  // HF: one empty piece, which the caller drops
  auto piece = [&](size_t a, size_t b) {
    auto sl = s.slice(a, b);
    if (!sl) throw Error(codes::kInternal, "AddedVocabulary: bad split");
    return std::move(*sl);
  };
  size_t start_offset = 0;  // end of the last emitted piece
  size_t i = 0;             // matching resumes here (matches never overlap)
  while (i < n && !trie.empty()) {
    if (!trie.may_start(text[i])) {
      ++i;
      continue;
    }
    // Longest token starting at i.
    uint32_t node = 0;
    int32_t best = -1;
    size_t best_end = 0;
    for (size_t j = i; j < n; ++j) {
      auto it = trie.nodes[node].next.find(text[j]);
      if (it == trie.nodes[node].next.end()) break;
      node = it->second;
      if (trie.nodes[node].token >= 0) {
        best = trie.nodes[node].token;
        best_end = j + 1;
      }
    }
    if (best < 0) {
      ++i;
      continue;
    }
    size_t start = i, stop = best_end;
    i = best_end;
    const AddedToken& tok = tokens_[static_cast<size_t>(best)];
    if (start < start_offset) continue;  // swallowed by a previous rstrip
    if (tok.single_word) {
      bool start_space = start == 0 || !is_word_char(text[start - 1]);
      bool stop_space = stop == n || !is_word_char(text[stop]);
      if (!start_space || !stop_space) continue;
    }
    if (tok.lstrip) {
      size_t ns = start;
      while (ns > 0 && unicode::is_whitespace(text[ns - 1])) --ns;
      start = std::max(ns, start_offset);
    }
    if (tok.rstrip) {
      while (stop < n && unicode::is_whitespace(text[stop])) ++stop;
      i = std::max(i, stop);
    }
    if (start_offset < start) out.push_back(Split{piece(start_offset, start), std::nullopt});
    NormalizedString tok_piece = piece(start, stop);
    std::vector<Token> toks{Token{tok.id, utf8::encode(tok_piece.get()), 0,
                                  static_cast<uint32_t>(tok_piece.len())}};
    out.push_back(Split{std::move(tok_piece), std::move(toks)});
    start_offset = stop;
  }
  if (start_offset == 0) {
    // No added token here (the usual case). Slicing [0, n) copies the string; when the slice
    // would cover the whole original anyway, the string itself is that slice.
    const std::optional<Offsets> whole = s.normalized_to_original(0, n);
    if (whole && whole->start == 0 && whole->end == s.len_original()) {
      out.push_back(Split{std::move(s), std::nullopt});
      return out;
    }
  }
  if (start_offset != n) out.push_back(Split{piece(start_offset, n), std::nullopt});
  return out;
}

PreTokenizedString AddedVocabulary::extract_and_normalize(const Normalizer* normalizer,
                                                          std::u32string_view text) const {
  PreTokenizedString pts{std::u32string(text)};
  pts.split([&](size_t, NormalizedString&& s) { return split_with_tokens(std::move(s), raw_trie_); });
  pts.split([&](size_t, NormalizedString&& s) {
    if (normalizer) normalizer->normalize(s);
    return split_with_tokens(std::move(s), normalized_trie_);
  });
  return pts;
}

std::optional<uint32_t> AddedVocabulary::token_to_id(std::string_view token) const {
  auto it = by_content_.find(std::string(token));
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> AddedVocabulary::id_to_token(uint32_t id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return id_tokens_[it->second];
}

bool AddedVocabulary::is_special_id(uint32_t id) const {
  auto it = by_id_.find(id);
  return it != by_id_.end() && tokens_[it->second].special;
}

}  // namespace tokclass
