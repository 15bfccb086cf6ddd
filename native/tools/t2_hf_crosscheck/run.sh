#!/bin/bash
# Cross-checks the native tokenizer against Hugging Face tokenizers 0.23.2 (see README.md).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NATIVE=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-/tmp/t2-hf-crosscheck}
BUILD=${BUILD:-/tmp/t2-hf-crosscheck/build}
HF=${HF_TOKENIZERS_DIR:-/tmp/t2-hf-crosscheck/hf}
mkdir -p "$OUT" "$BUILD"

if [ ! -d "$HF/node_modules/tokenizers" ]; then
  mkdir -p "$HF"
  (cd "$HF" && npm install --no-save --no-audit --no-fund tokenizers@0.23.2 >/dev/null)
fi
# Build tokenize_cli (its Makefile) and the decode driver against the same objects.
rm -f "$BUILD/tokenize_cli"
make -s -C "$NATIVE/tools" -j2 BUILD="$BUILD" "$BUILD/tokenize_cli"
g++ -std=c++20 -O2 -I"$NATIVE" "$HERE/../t2_decode_cli.cc" \
  $(find "$BUILD/obj/common" "$BUILD/obj/unicode" "$BUILD/obj/tokenizer" -name '*.o') -o "$BUILD/t2_decode_cli"

python3 "$HERE/gen_texts.py" "$OUT"
python3 "$HERE/make_configs.py" "$OUT"
python3 "$HERE/mkcharsmap.py" "$OUT"
status=0
for conf in "$OUT"/conf_*.json; do
  name=$(basename "$conf" .json); name=${name#conf_}
  node "$HERE/hf_ref.mjs" "$HF/node_modules" "$conf" "$OUT/texts.json" "$OUT/ref_$name.jsonl"
  "$BUILD/tokenize_cli" "$conf" < "$OUT/cli_in.jsonl" > "$OUT/mine_$name.jsonl" || true
  python3 "$HERE/compare.py" "$name" "$OUT" "$conf" "$BUILD/t2_decode_cli" || status=1
done
for name in roberta xlmr rob_prefix xl_first; do
  conf="$OUT/conf_$name.json"
  node "$HERE/hf_ref_trunc.mjs" "$HF/node_modules" "$conf" "$OUT/trunc_in.jsonl" "$OUT/ref_trunc_$name.jsonl"
  "$BUILD/tokenize_cli" "$conf" < "$OUT/trunc_in.jsonl" > "$OUT/mine_trunc_$name.jsonl" || true
  python3 "$HERE/compare_trunc.py" "$name" "$OUT" || status=1
done
exit $status
