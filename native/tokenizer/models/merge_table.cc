#include "tokenizer/models/merge_table.h"

#include <bit>

#include "common/error.h"
#include "tokenizer/models/open_addressing.h"

namespace tokclass {

MergeTable::MergeTable(size_t expected)
    : slots_(half_full_slots(expected)), shift_(64 - static_cast<unsigned>(std::countr_zero(slots_.size()))) {}

size_t MergeTable::probe(uint64_t key) const {
  // Fibonacci hashing: ids are small and dense, so their bits must be spread before masking.
  const size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.target.rank == kEmpty || s.key == key) return i;
  }
}

void MergeTable::set(uint32_t left, uint32_t right, Target target) {
  if (target.rank == kEmpty) throw Error(codes::kTokenizerInvalid, "too many BPE merges");
  if (2 * (size_ + 1) > slots_.size()) grow();
  const uint64_t key = key_of(left, right);
  Slot& s = slots_[probe(key)];
  if (s.target.rank == kEmpty) {
    s.key = key;
    ++size_;
  }
  s.target = target;
}

const MergeTable::Target* MergeTable::find(uint32_t left, uint32_t right) const {
  const Slot& s = slots_[probe(key_of(left, right))];
  return s.target.rank == kEmpty ? nullptr : &s.target;
}

void MergeTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  --shift_;
  for (const Slot& s : old)
    if (s.target.rank != kEmpty) slots_[probe(s.key)] = s;
}

}  // namespace tokclass
