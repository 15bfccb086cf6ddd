// Declarations of the generated tables (unicode_tables.cc, from gen_unicode_tables.py).
// Only unicode.cc reads them; everything else goes through unicode.h.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tokclass::unicode::tables {

extern const char* const kUnicodeVersion;
// category(cp) = kCategoryStage2[kCategoryStage1[cp >> 8] * 256 + (cp & 255)]
extern const uint16_t kCategoryStage1[];
extern const uint8_t kCategoryStage2[];

// Mappings: sorted keys; index entry = (pool offset << 8) | length.
#define TOKCLASS_MAPPING_TABLE(Name)        \
  extern const uint32_t k##Name##Keys[];    \
  extern const size_t k##Name##Keys_size;   \
  extern const uint32_t k##Name##Index[];   \
  extern const size_t k##Name##Index_size;  \
  extern const uint32_t k##Name##Pool[];    \
  extern const size_t k##Name##Pool_size;
TOKCLASS_MAPPING_TABLE(Lower)
TOKCLASS_MAPPING_TABLE(Upper)
TOKCLASS_MAPPING_TABLE(Canonical)
TOKCLASS_MAPPING_TABLE(Compat)
#undef TOKCLASS_MAPPING_TABLE

// (first, last, class) triples, sorted.
extern const uint32_t kCccRanges[];
extern const size_t kCccRanges_size;

// Sorted (a << 32 | b) keys and their composites.
extern const uint64_t kComposeKeys[];
extern const uint32_t kComposeValues[];
extern const size_t kComposeValues_size;

}  // namespace tokclass::unicode::tables
