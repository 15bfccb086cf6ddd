// Sizing shared by the models' open-addressed lookup tables (VocabTable, MergeTable, Unigram's
// root index): linear probing stays a read or two per lookup while at most half the slots are
// used, and a power-of-two size lets a hash's bits pick the slot.
#pragma once
#include <cstddef>

namespace tokclass {

// Slots for `keys` entries: a power of two, at least 16, at least twice `keys`.
inline size_t half_full_slots(size_t keys) {
  size_t n = 16;
  while (n < 2 * keys) n *= 2;
  return n;
}

}  // namespace tokclass
