#!/usr/bin/env bash
# Runs HERE (the CPU machine): builds everything the GPU check needs and packs it into the
# git-ignored folder gpu-carry/, one sub-folder per device call (gpu-carry/c1 ... cN), each
# small enough to travel with the working tree (64 MiB per call in all). bench/gpu/README.md
# has the device-call sequence that follows.
#
#   bash bench/gpu/prepare.sh            # build, pack, print the call plan
#   bash bench/gpu/prepare.sh --smoke    # also run the whole device script here, on the CPU
#
# What travels (the rest of the check is tracked files: bench/gpu/*, the golden, the model):
#   gpu-runtime.tar.xz  node binary + onnxruntime-node's 1.30 core library + the CUDA 13
#                       provider libraries of com.github.asus4.onnxruntime.linux-x64-gpu 0.4.9
#                       (/work/shared/gpu/make-gpu-runtime.sh), split into parts
#   app.tar.xz          build/Release/tokclass.node, dist/, tools/ort_raw (built here)
#   manifest            sha256 of every part and of app.tar.xz, and the commit
# The BERT-base-shaped models are generated there (bench/gpu/make-bert-base-onnx.js).
#
# Environment: TOKCLASS_GPU_BUILD (default /tmp/tokclass-G: the build copy),
# TOKCLASS_GPU_CACHE (default /tmp/tokclass-gpu-rt: the packed runtime, reused when present),
# CALL_MB (default: 64 MiB less the working tree less 3 MiB: the payload per call).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${TOKCLASS_GPU_BUILD:-/tmp/tokclass-G}
CACHE=${TOKCLASS_GPU_CACHE:-/tmp/tokclass-gpu-rt}
CARRY=$REPO/gpu-carry
SMOKE=0
for a in "$@"; do
  case "$a" in
    --smoke) SMOKE=1 ;;
    *) echo "usage: bash bench/gpu/prepare.sh [--smoke]" >&2; exit 2 ;;
  esac
done
cd "$REPO"
git check-ignore -q gpu-carry/x || { echo "gpu-carry/ is not git-ignored: add /gpu-carry/ to .gitignore" >&2; exit 1; }

echo "== 1. build a copy of the working tree in $BUILD (never node-gyp rebuild in the repo)"
# Exactly the files that travel to the device machine: tracked and untracked-not-ignored ones.
copy_tree() {
  mkdir -p "$1"
  git -C "$REPO" ls-files -co --exclude-standard -z | tar -C "$REPO" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$1" -xf -
}
rm -rf "$BUILD"
copy_tree "$BUILD"
ln -s "$REPO/node_modules" "$BUILD/node_modules"
(cd "$BUILD" && npx node-gyp rebuild -j 2 >"$BUILD/node-gyp.log" 2>&1) || { tail -30 "$BUILD/node-gyp.log"; exit 1; }
(cd "$BUILD" && node node_modules/typescript/bin/tsc -p tsconfig.json)
ORT_INCLUDE=$(cd "$BUILD" && node scripts/ort-paths.cjs include)
mkdir -p "$BUILD/tools"
g++ -std=c++20 -O2 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -DORT_API_MANUAL_INIT \
  -I"$BUILD/native" -I"$ORT_INCLUDE" "$BUILD"/native/runtime/{ort_api,session,batcher}.cc "$BUILD"/native/common/worker_pool.cc "$BUILD/bench/gpu/ort_raw.cc" \
  -static-libstdc++ -static-libgcc -ldl -lpthread -o "$BUILD/tools/ort_raw"
echo "built $BUILD/build/Release/tokclass.node, $BUILD/dist, $BUILD/tools/ort_raw"

echo "== 2. the GPU runtime (node + ONNX Runtime core + CUDA provider), packed once into $CACHE"
if [ ! -s "$CACHE/gpu-runtime.tar.xz" ]; then
  rm -rf "$CACHE.tmp" && mkdir -p "$CACHE.tmp"
  PART_MB=100000 bash /work/shared/gpu/make-gpu-runtime.sh "$CACHE.tmp" "$REPO/node_modules/onnxruntime-node"
  mkdir -p "$CACHE"
  cat "$CACHE.tmp"/gpu-runtime.tar.xz.part-* >"$CACHE/gpu-runtime.tar.xz"
  rm -rf "$CACHE.tmp"
fi
xz -t "$CACHE/gpu-runtime.tar.xz"
ls -la "$CACHE/gpu-runtime.tar.xz"

echo "== 3. app.tar.xz and the per-call folders in $CARRY"
rm -rf "$CARRY" && mkdir -p "$CARRY"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
tar -C "$BUILD" -cJf "$STAGE/app.tar.xz" build/Release/tokclass.node dist tools/ort_raw
COMMIT=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- native src bench/gpu || echo "+dirty")
tree_bytes=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
tree_mb=$(( (tree_bytes + 1048575) / 1048576 ))
CALL_MB=${CALL_MB:-$(( 64 - tree_mb - 3 ))}
app_bytes=$(stat -c %s "$STAGE/app.tar.xz")
echo "working tree travels with every call: $tree_mb MiB; payload per call: $CALL_MB MiB; app.tar.xz: $(( app_bytes / 1024 )) KiB"
# The last call carries app.tar.xz, the manifest and the last part; fill the others to CALL_MB.
split -b "${CALL_MB}m" -d -a 2 "$CACHE/gpu-runtime.tar.xz" "$STAGE/gpu-runtime.tar.xz.part-"
parts=("$STAGE"/gpu-runtime.tar.xz.part-*)
n=${#parts[@]}
last_bytes=$(stat -c %s "${parts[$((n - 1))]}")
if [ $(( last_bytes + app_bytes + 65536 )) -gt $(( CALL_MB * 1048576 )) ]; then
  calls=$(( n + 1 ))  # no room beside the last part: app in a call of its own
else
  calls=$n
fi
for i in $(seq 1 "$n"); do
  mkdir -p "$CARRY/c$i"
  mv "${parts[$((i - 1))]}" "$CARRY/c$i/"
done
mkdir -p "$CARRY/c$calls"
mv "$STAGE/app.tar.xz" "$CARRY/c$calls/"
{
  echo "commit $COMMIT"
  echo "parts $n"
  echo "calls $calls"
  (cd "$CARRY" && sha256sum c*/gpu-runtime.tar.xz.part-* c*/app.tar.xz | sed 's# c[0-9]*/# #')
} >"$CARRY/c$calls/manifest"

echo
echo "== device calls (bench/gpu/README.md): no kind (nvidia-h100-x1), back to back (the machine goes back after 30 s idle)"
for i in $(seq 1 "$calls"); do
  size=$(du -sb "$CARRY/c$i" | cut -f1)
  total=$(( size + tree_bytes ))
  if [ "$i" -lt "$calls" ]; then cmd="bash bench/gpu/run.sh --stash"; t=120; else cmd="bash bench/gpu/run.sh"; t=480; fi
  printf '  call %d: carry ["gpu-carry/c%d"]  %5.1f MiB with the tree  timeout_s %d  command: %s\n' \
    "$i" "$i" "$(echo "$total / 1048576" | bc -l)" "$t" "$cmd"
  [ "$total" -le $(( 64 * 1048576 )) ] || { echo "call $i is over 64 MiB: lower CALL_MB" >&2; exit 1; }
done

if [ $SMOKE = 1 ]; then
  echo
  echo "== 4. smoke: the device script here, on the CPU, from a copy of gpu-carry (small model, few texts)"
  rm -rf /tmp/tokclass-gpu-smoke && mkdir -p /tmp/tokclass-gpu-smoke/out
  copy_tree /tmp/tokclass-gpu-smoke/repo
  cp -r "$CARRY" /tmp/tokclass-gpu-smoke/repo/gpu-carry
  (cd /tmp/tokclass-gpu-smoke/repo && OUT=/tmp/tokclass-gpu-smoke/out GPU_STATE=/tmp/tokclass-gpu-smoke/state \
    DEVICE=cpu TEXTS=${SMOKE_TEXTS:-64} REPEAT=1 LAYERS=${SMOKE_LAYERS:-2} bash bench/gpu/run.sh)
  ls -la /tmp/tokclass-gpu-smoke/out
fi
