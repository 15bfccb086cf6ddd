#!/usr/bin/env bash
# Builds native/tools/callers_bench and runs it on the embedded model and the CoNLL-2003 test
# sentences: the scheduler without node, 64 closed-loop single-text callers against one call
# with every text, with and without a hand-over to an "event loop" thread (see the tool's
# header). It separates the engine's share of bench/paired.js's conc64 ratio from JavaScript's.
#
#   bash bench/callers.sh [rounds] [texts]        (npm run bench:callers -- [rounds] [texts])
#
# Run it on a quiet machine, without a build or another benchmark beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${CALLERS_BUILD:-/tmp/tokclass-callers}
ORT_INCLUDE=$(node scripts/ort-paths.cjs include)
ORT_LIBRARY=$(node scripts/ort-paths.cjs library)
# Objects from another checkout name its sources in their dependency files (see test-tsan.sh).
if [[ ! -f $BUILD/.source-root || $(cat "$BUILD/.source-root") != "$PWD" ]]; then rm -rf "$BUILD"; fi
mkdir -p "$BUILD" && echo "$PWD" >"$BUILD/.source-root"
make -C native/tools -j 2 BUILD="$BUILD" LIB_DIRS="common unicode tokenizer pipeline runtime engine" \
  EXTRA_CXXFLAGS="-I$ORT_INCLUDE -DORT_API_MANUAL_INIT" "$BUILD/callers_bench" >"$BUILD.build.log" 2>&1 || {
  tail -30 "$BUILD.build.log"
  echo "bench/callers.sh: build failed (log: $BUILD.build.log)" >&2
  exit 1
}
"$BUILD/callers_bench" "$ORT_LIBRARY" models/bert-cased-conll bench/data/conll2003/test.txt "${1:-10}" "${2:-1000}"
