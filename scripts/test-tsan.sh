#!/usr/bin/env bash
# Builds native/tools/scheduler_stress with ThreadSanitizer (with every tokclass layer below the
# binding: common, unicode, tokenizer, pipeline, runtime, engine) and runs it: threads submitting
# to one scheduler at once, streaming and rounds, then a stop with requests queued; then one
# short round of native/tools/callers_bench (closed-loop callers). The vitest suite cannot run
# under TSan (node and V8 are not instrumented, so their synchronization would
# be invisible to it); this driver runs the scheduler's threads without node.
#
#   scripts/test-tsan.sh [requests per thread]      default 60
#
# Environment: TSAN_DIR (objects and binary, default /tmp/tokclass-tsan), TSAN_JOBS (default 2),
# TSAN=0 for an unsanitized -O2 build of the same driver (to tell a race from a plain failure).
# Exits non-zero when the build fails, a check fails, or TSan reports (halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${TSAN_DIR:-/tmp/tokclass-tsan}
JOBS=${TSAN_JOBS:-2}
ORT_LIBRARY=$(node scripts/ort-paths.cjs library)
source scripts/native-tools.sh
if [[ ${TSAN:-1} != 0 ]]; then SAN=thread BUILD="$DIR/tsan"; else SAN=0 BUILD="$DIR/plain"; fi
fresh_build_dir "$BUILD"
build_engine_tools "$SAN" "$BUILD" "$DIR.build.log" scheduler_stress callers_bench

# The drivers run without address randomization where allowed (NORANDOM, native-tools.sh).
# halt_on_error: the first race ends the run with a non-zero status. ONNX Runtime is loaded
# with dlopen and not instrumented: its runs are opaque to TSan (scripts/tsan-suppressions.txt).
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan-suppressions.txt ${TSAN_EXTRA:-}"
"${NORANDOM[@]}" "$BUILD/scheduler_stress" "$ORT_LIBRARY" models/bert-cased-conll bench/data/conll2003/test.txt "${1:-60}"
# The closed-loop benchmark driver, one short round: callers that submit their next text from
# the scheduler's delivery callback (on a runner thread) or from another thread, which the
# stress check above does not do.
echo "callers_bench (1 round, 100 texts)"
"${NORANDOM[@]}" "$BUILD/callers_bench" "$ORT_LIBRARY" models/bert-cased-conll bench/data/conll2003/test.txt 1 100
