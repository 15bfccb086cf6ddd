// A read-only (left id, right id) -> (rank, merged id) table for BPE's merge loop, which looks a
// pair up for every neighbouring pair of symbols and again for every candidate it pops (a third
// of encoding with byte-level BPE went to std::unordered_map's node-per-entry lookups). Here a
// lookup reads one open-addressed 16-byte slot, rarely two: at most half the slots are used.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tokclass {

class MergeTable {
 public:
  struct Target {
    uint32_t rank;
    uint32_t new_id;
  };

  // Sized for `expected` pairs (more still fit: the table grows).
  explicit MergeTable(size_t expected = 0);

  // Adds the pair, or re-points one already present (a repeated merge keeps the later rank, as
  // Hugging Face's HashMap collect does). Throws Error(kTokenizerInvalid) for a rank of 2^32 - 1.
  void set(uint32_t left, uint32_t right, Target target);
  // nullptr when the pair has no merge.
  const Target* find(uint32_t left, uint32_t right) const;
  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;  // a rank no merge list reaches
  struct Slot {
    uint64_t key = 0;
    Target target{kEmpty, 0};
  };
  static uint64_t key_of(uint32_t left, uint32_t right) { return (uint64_t{left} << 32) | right; }
  // The slot holding `key`, or the empty slot where it would go.
  size_t probe(uint64_t key) const;
  void grow();

  std::vector<Slot> slots_;  // a power of two in size, at most half full
  unsigned shift_ = 0;       // 64 - log2(slots_.size()): the hash's top bits pick the slot
  size_t size_ = 0;
};

}  // namespace tokclass
