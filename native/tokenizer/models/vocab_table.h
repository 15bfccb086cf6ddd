// A read-only token -> id table for the lookups on WordPiece's hot path. Greedy longest-match
// tries every candidate piece of a word from the longest down, so most lookups miss, and a
// lone text is tokenized right after a model run has flushed the caches. std::unordered_map
// reads about three scattered cache lines per lookup (bucket, the node before, the node); here
// the keys live in one arena and a lookup reads one open-addressed slot (16 bytes: a tag of the
// hash, the id, where the key lies), plus the key itself only when the tags match.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tokclass {

class VocabTable {
 public:
  // Sized for `expected` distinct keys (more still fit: the table grows).
  explicit VocabTable(size_t expected = 0);

  // Adds or (for a key already present) re-points key -> id, as assigning into a map does.
  void set(std::string_view key, uint32_t id);
  std::optional<uint32_t> find(std::string_view key) const;
  size_t size() const { return size_; }
  // The longest key in bytes: a longer candidate cannot be in the table.
  size_t max_key_bytes() const { return max_key_bytes_; }

  // id -> key for ids that some key maps to now (an id whose key was re-pointed has none).
  // Valid until the next set().
  std::vector<std::optional<std::string_view>> keys_by_id() const;

 private:
  struct Slot {
    uint32_t tag = 0;  // 0: empty; else the hash's high half, with the lowest bit set
    uint32_t id = 0;
    uint32_t offset = 0;  // the key in arena_
    uint32_t length = 0;
  };
  static uint64_t hash(std::string_view key);
  // The slot holding `key`, or the empty slot where it would go.
  size_t probe(std::string_view key, uint64_t h) const;
  void grow();

  std::vector<Slot> slots_;  // a power of two in size, at most half full
  std::string arena_;
  size_t size_ = 0;
  size_t max_key_bytes_ = 0;
};

}  // namespace tokclass
