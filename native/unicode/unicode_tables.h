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

// (first, last) pairs, sorted: code points of a P*, Cc, Cf, Co or Mn category here that
// Unicode 8.0 had not assigned yet (unicode.h: the Unicode 8.0 view).
extern const uint32_t kAssignedAfterUnicode8Ranges[];
extern const size_t kAssignedAfterUnicode8Ranges_size;

// (first, last) pairs, sorted: code points of an M* category here that Unicode 9.0 had not
// assigned yet (unicode.h: is_combining_mark).
extern const uint32_t kMarksAfterUnicode9Ranges[];
extern const size_t kMarksAfterUnicode9Ranges_size;

// Sorted (a << 32 | b) keys and their composites.
extern const uint64_t kComposeKeys[];
extern const uint32_t kComposeValues[];
extern const size_t kComposeValues_size;

}  // namespace tokclass::unicode::tables
