#!/usr/bin/env bash
# Builds (and with --run, runs) native/tools/runtime_smoke against onnxruntime-node's library.
#   native/tools/build_runtime_smoke.sh [--asan] [--run [--quick]]
# --asan builds with -fsanitize=address,undefined (leak checking stays on; runtime_smoke.cc
# suppresses the few bytes libonnxruntime itself never frees).
set -euo pipefail
cd "$(dirname "$0")/../.."
ORT_INCLUDE=$(node scripts/ort-paths.cjs include)
ORT_LIBRARY=${TOKCLASS_ORT_LIBRARY:-$(node scripts/ort-paths.cjs library)}

asan=0; run=0; extra=()
for arg in "$@"; do
  case "$arg" in
    --asan) asan=1 ;;
    --run) run=1 ;;
    *) extra+=("$arg") ;;
  esac
done

# Outside build/: node-gyp rebuild deletes that folder.
outdir=${TOKCLASS_TOOLS_OUT:-/tmp/tokclass-tools}
out=$outdir/runtime_smoke
flags=(-std=c++20 -O2 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
if [ $asan = 1 ]; then
  out=$outdir/runtime_smoke_asan
  flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
         -fno-sanitize-recover=undefined -Wall -Wextra -Wno-unused-parameter
         -Wno-missing-field-initializers)
fi
mkdir -p "$outdir"
g++ "${flags[@]}" -DORT_API_MANUAL_INIT -Inative -I"$ORT_INCLUDE" \
  native/runtime/ort_api.cc native/runtime/session.cc native/runtime/batcher.cc native/runtime/batch_probe.cc \
  native/common/worker_pool.cc \
  native/tools/runtime_smoke.cc -ldl -lpthread -o "$out"
echo "built $out"

if [ $run = 1 ]; then
  if [ $asan = 1 ]; then
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
  fi
  "$out" "$ORT_LIBRARY" . "${extra[@]}"
fi
