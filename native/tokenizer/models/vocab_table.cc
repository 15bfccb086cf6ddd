#include "tokenizer/models/vocab_table.h"

#include <algorithm>
#include <functional>

#include "common/error.h"
#include "tokenizer/models/open_addressing.h"

namespace tokclass {

VocabTable::VocabTable(size_t expected) : slots_(half_full_slots(expected)) {}

uint64_t VocabTable::hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

size_t VocabTable::probe(std::string_view key, uint64_t h) const {
  const size_t mask = slots_.size() - 1;
  const uint32_t tag = static_cast<uint32_t>(h >> 32) | 1u;
  for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.tag == 0) return i;
    if (s.tag == tag && s.length == key.size() && arena_.compare(s.offset, s.length, key) == 0) return i;
  }
}

void VocabTable::set(std::string_view key, uint32_t id) {
  if (2 * (size_ + 1) > slots_.size()) grow();
  if (arena_.size() + key.size() > UINT32_MAX) throw Error(codes::kTokenizerInvalid, "vocabulary too large");
  const uint64_t h = hash(key);
  Slot& s = slots_[probe(key, h)];
  if (s.tag == 0) {
    s.tag = static_cast<uint32_t>(h >> 32) | 1u;
    s.offset = static_cast<uint32_t>(arena_.size());
    s.length = static_cast<uint32_t>(key.size());
    arena_.append(key);
    ++size_;
    max_key_bytes_ = std::max(max_key_bytes_, key.size());
  }
  s.id = id;
}

std::optional<uint32_t> VocabTable::find(std::string_view key) const {
  if (key.size() > max_key_bytes_) return std::nullopt;
  const Slot& s = slots_[probe(key, hash(key))];
  if (s.tag == 0) return std::nullopt;
  return s.id;
}

void VocabTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  for (const Slot& s : old) {
    if (s.tag == 0) continue;
    const std::string_view key(arena_.data() + s.offset, s.length);
    slots_[probe(key, hash(key))] = s;
  }
}

std::vector<std::optional<std::string_view>> VocabTable::keys_by_id() const {
  uint32_t max_id = 0;
  for (const Slot& s : slots_)
    if (s.tag != 0) max_id = std::max(max_id, s.id);
  std::vector<std::optional<std::string_view>> out(size_ == 0 ? 0 : static_cast<size_t>(max_id) + 1);
  for (const Slot& s : slots_)
    if (s.tag != 0) out[s.id] = std::string_view(arena_.data() + s.offset, s.length);
  return out;
}

}  // namespace tokclass
