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
ORT_LIBRARY=$(node scripts/ort-paths.cjs library)
source scripts/native-tools.sh
fresh_build_dir "$BUILD"
build_engine_tools 0 "$BUILD" "$BUILD.build.log" callers_bench
"$BUILD/callers_bench" "$ORT_LIBRARY" models/bert-cased-conll bench/data/conll2003/test.txt "${1:-10}" "${2:-1000}"
