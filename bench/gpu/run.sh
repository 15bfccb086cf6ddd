#!/usr/bin/env bash
# Runs THERE (the GPU machine), from the repository root of the copied working tree, after
# bench/gpu/prepare.sh packed gpu-carry/ here. See bench/gpu/README.md for the call sequence.
#
#   bash bench/gpu/run.sh --stash   moves this call's carried parts to $GPU_STATE/parts and
#                                   stops (every call but the last)
#   bash bench/gpu/run.sh           stashes, checks every part against the manifest, unpacks the
#                                   runtime and the app, generates the BERT-base-shaped models,
#                                   runs conformance.js and throughput.js; results land in $OUT
#
# Environment: OUT (the device tool's result folder; default $GPU_STATE/out), GPU_STATE
# (default /tmp/gpu-state; survives between calls while the machine stays warm), DEVICE
# (default cuda; cpu for the smoke run here), TEXTS (2048), REPEAT (5), LAYERS (12),
# CONC (1: also the 64-concurrent-callers mode), SKIP_CONFORMANCE / SKIP_THROUGHPUT (1 to skip),
# TOKCLASS_OPTS (extra load options for the throughput run, JSON, e.g. {"parallelRuns":2}).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${GPU_STATE:-/tmp/gpu-state}
OUT=${OUT:-$STATE/out}
DEVICE=${DEVICE:-cuda}
TEXTS=${TEXTS:-2048}
REPEAT=${REPEAT:-5}
LAYERS=${LAYERS:-12}
CONC=${CONC:-1}
mkdir -p "$STATE/parts" "$OUT"
cd "$REPO"

# 1. Whatever this call carried goes out of the working tree (the next call replaces it).
for d in gpu-carry/c*/; do
  [ -d "$d" ] || continue
  mv "$d"* "$STATE/parts/" 2>/dev/null || true
done
have=$(ls "$STATE/parts" | grep -c 'gpu-runtime.tar.xz.part-' || true)
echo "[run.sh] runtime parts on this machine: $have$( [ -f "$STATE/parts/manifest" ] && echo " of $(awk '/^parts /{print $2}' "$STATE/parts/manifest")")"
if [ "${1:-}" = "--stash" ]; then
  # A free look at the machine while the parts arrive.
  { nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -2
    ls -d /usr/local/cuda* 2>&1 | head -3; } | sed 's/^/[run.sh] /'
  exit 0
fi

main() {
echo "[run.sh] $(date -u +%FT%TZ) device $DEVICE texts $TEXTS repeat $REPEAT layers $LAYERS"
[ -f "$STATE/parts/manifest" ] || { echo "[run.sh] no manifest: the last call carries it (gpu-carry/cN)"; return 1; }
expected=$(awk '/^parts /{print $2}' "$STATE/parts/manifest")
[ "$have" -eq "$expected" ] || { echo "[run.sh] $have of $expected runtime parts here: carry the missing ones first"; return 1; }
(cd "$STATE/parts" && grep -E '^[0-9a-f]{64} ' manifest | sha256sum -c --quiet) || { echo "[run.sh] a part is damaged: carry it again"; return 1; }
export TOKCLASS_COMMIT=$(awk '/^commit /{print $2}' "$STATE/parts/manifest")

# 2. Unpack (the runtime once per machine; the app every time, it may have been rebuilt).
sums=$(sha256sum "$STATE/parts/manifest" | cut -c1-16)
if [ "$(cat "$STATE/rt/.from" 2>/dev/null)" != "$sums" ]; then
  rm -rf "$STATE/rt" && mkdir -p "$STATE/rt"
  cat "$STATE"/parts/gpu-runtime.tar.xz.part-* | xz -d -T0 | tar xf - -C "$STATE/rt" || { echo "[run.sh] cannot unpack the runtime"; return 1; }
  echo "$sums" >"$STATE/rt/.from"
fi
rm -rf "$STATE/app" && mkdir -p "$STATE/app"
tar -xJf "$STATE/parts/app.tar.xz" -C "$STATE/app" || { echo "[run.sh] cannot unpack app.tar.xz"; return 1; }
rm -rf build dist && mkdir -p build && cp -r "$STATE/app/build/Release" build/ && cp -r "$STATE/app/dist" dist

export PATH=$STATE/rt/bin:$PATH
export LD_LIBRARY_PATH=$STATE/rt/lib:/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export TOKCLASS_ORT_LIBRARY=$STATE/rt/lib/libonnxruntime.so.1
export TOKCLASS_ORT_RAW=$STATE/app/tools/ort_raw
export BENCH_RESULTS_DIR=$OUT

{
  echo "commit $TOKCLASS_COMMIT"
  echo "node $(node --version) at $(command -v node)"
  nvidia-smi 2>&1 | head -15
  echo "-- provider libraries' unresolved dependencies (none expected):"
  ldd "$STATE/rt/lib/libonnxruntime_providers_cuda.so" 2>&1 | grep -i "not found" || echo "none"
  echo "-- cuDNN / cuBLAS seen by the loader:"
  ldconfig -p 2>/dev/null | grep -E "libcudnn\.so|libcublasLt\.so|libcudart\.so" | head -6
  ls /usr/local/cuda-13.0/targets/x86_64-linux/lib 2>/dev/null | grep -E "cudart|cublasLt|cudnn" | head -6
} >"$OUT/env.txt" 2>&1
sed 's/^/[env] /' "$OUT/env.txt"

# 3. The BERT-base-shaped models, generated here (too big to carry) while conformance runs.
MODEL_DIR=$STATE/bert-base-shape-$LAYERS
gen_pid=
if [ ! -s "$MODEL_DIR/model_fp16.onnx" ]; then
  node bench/gpu/make-bert-base-onnx.js --out "$MODEL_DIR" --layers "$LAYERS" >"$STATE/make-model.log" 2>&1 &
  gen_pid=$!
fi

status=0
if [ "${SKIP_CONFORMANCE:-0}" != 1 ]; then
  timeout 240 node bench/gpu/conformance.js --device "$DEVICE" --out "$OUT" || status=1
fi
if [ -n "$gen_pid" ]; then
  wait "$gen_pid" || { echo "[run.sh] model generation failed"; cat "$STATE/make-model.log"; return 1; }
  cat "$STATE/make-model.log"
fi
if [ "${SKIP_THROUGHPUT:-0}" != 1 ]; then
  conc=(); [ "$CONC" = 1 ] && conc=(--conc)
  timeout 360 node bench/gpu/throughput.js --device "$DEVICE" --model-dir "$MODEL_DIR" --texts "$TEXTS" \
    --repeat "$REPEAT" --out "$OUT" "${conc[@]}" || status=1
fi
echo "[run.sh] $(date -u +%FT%TZ) done, status $status; results in $OUT:"
ls "$OUT"
return $status
}

main 2>&1 | tee -a "$OUT/run.log"
exit "${PIPESTATUS[0]}"
