#!/usr/bin/env bash
# Builds native/tools/pool_sim and runs it on the embedded model's tokenizer and the CoNLL-2003
# test sentences: the streaming scheduler's batch planning (the real WindowPool) on a simulated
# clock, 64 closed-loop callers against one call with every text, free of the host's noise (see
# the tool's header for the model it simulates).
#
#   bash bench/pool-sim.sh                           run costs 5 and 13 (the two hosts measured)
#   bash bench/pool-sim.sh RUN_COST [PLAN_COST] [MAX_ROWS] [DELTA] [TEXTS]
#   (npm run bench:pool-sim -- ...)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${CALLERS_BUILD:-/tmp/tokclass-callers}  # shares bench/callers.sh's objects
source scripts/native-tools.sh
fresh_build_dir "$BUILD"
build_engine_tools 0 "$BUILD" "$BUILD.pool-sim.log" pool_sim
run() { "$BUILD/pool_sim" models/bert-cased-conll/tokenizer.json bench/data/conll2003/test.txt "$@"; }
if [[ $# -gt 0 ]]; then
  run "$@"
else
  run 5 && echo && run 13
fi
