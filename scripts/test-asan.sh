#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (binding.gyp's `sanitize`
# variable) in a copy of the tree, runs the native unit checks (native/tools) built the same
# way, then runs vitest against the addon with the sanitizer runtimes preloaded into node (node
# itself is not instrumented; the addon is).
#
#   scripts/test-asan.sh [vitest args...]     default: the whole suite
#   scripts/test-asan.sh test/unit test/conformance/tokenizer.test.ts   (a subset)
#
# Environment: ASAN_DIR (the copy, default /tmp/tokclass-asan), ASAN_JOBS (default 2),
# ASAN_REBUILD=0 to reuse an existing sanitized build.
# Exits non-zero when the build fails, a test fails, or a sanitizer reports (halt_on_error: the
# process dies, and vitest reports the failed file). Sanitizer reports are also kept in
# $ASAN_DIR/reports/ (log_path), and the script fails if any report was written there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/native-tools.sh
DIR=${ASAN_DIR:-/tmp/tokclass-asan}
JOBS=${ASAN_JOBS:-2}

# --- a copy of the tree (sources only), node_modules linked -------------------------------
mkdir -p "$DIR"
tar -C "$ROOT" --exclude=./node_modules --exclude=./build --exclude=./.git --exclude=./tmp -cf - . | tar -C "$DIR" -xf -
ln -sfn "$ROOT/node_modules" "$DIR/node_modules"

# --- the sanitized addon (gcc: its libasan/libubsan match the runtimes preloaded below) ----
ADDON="$DIR/build/Release/tokclass.node"
if [[ ${ASAN_REBUILD:-1} != 0 || ! -f $ADDON ]]; then
  (cd "$DIR" && npx node-gyp rebuild -j "$JOBS" -- -Dsanitize=1 >"$DIR/build.log" 2>&1) || {
    tail -30 "$DIR/build.log"
    echo "test-asan.sh: sanitized build failed (log: $DIR/build.log)" >&2
    exit 1
  }
fi
# ldd's output is read whole before it is searched: `ldd | grep -q` under pipefail fails when
# grep exits at the first match while ldd still writes (SIGPIPE, exit 141); on a loaded host
# that happened on every try, and CI once stopped here with an instrumented addon.
DEPS=$(ldd "$ADDON")
[[ $DEPS == *libasan* ]] || {
  echo "test-asan.sh: $ADDON is not instrumented (binding.gyp sanitize variable not applied?)" >&2
  echo "$DEPS" >&2
  exit 1
}

# --- the native unit checks (tokenizer and pipeline building blocks), sanitized ------------
# What the golden files do not reach: bit-exact float32 sums, overlap and label-scheme corner
# cases, the vocabulary table against std::unordered_map, alignments of normalized strings.
SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
fresh_build_dir "$DIR/tools"
(cd "$ROOT" && make -C native/tools SAN=1 BUILD="$DIR/tools" -j "$JOBS" "$DIR/tools/tokenizer_unit_check" \
  && EXTRA_FLAGS="$SAN_FLAGS" sh native/tools/pipeline_check/build.sh "$DIR/tools/pipeline_check") >"$DIR/tools.log" 2>&1 || {
  tail -30 "$DIR/tools.log"
  echo "test-asan.sh: native unit checks failed to build (log: $DIR/tools.log)" >&2
  exit 1
}
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  "$DIR/tools/tokenizer_unit_check"
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  "$DIR/tools/pipeline_unit_check"

LIBASAN=$(gcc -print-file-name=libasan.so)
LIBUBSAN=$(gcc -print-file-name=libubsan.so)
REPORTS="$DIR/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"

# detect_leaks=0: V8 and node keep allocations until exit by design.
# new_delete_type_mismatch=0 / alloc_dealloc_mismatch=0: node's own allocator pairs are not
# instrumented and produce false reports.
export TOKCLASS_ADDON="$ADDON"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:alloc_dealloc_mismatch=0:new_delete_type_mismatch=0:detect_odr_violation=0:log_path=$REPORTS/asan:${ASAN_EXTRA:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$REPORTS/ubsan"
# Without address randomization where allowed (NORANDOM, native-tools.sh).
status=0
"${NORANDOM[@]}" env LD_PRELOAD="$LIBASAN:$LIBUBSAN" npx vitest run "$@" || status=$?

if compgen -G "$REPORTS/*" >/dev/null; then
  echo "test-asan.sh: sanitizer reports:" >&2
  for f in "$REPORTS"/*; do echo "== $f" >&2; head -60 "$f" >&2; done
  status=1
fi
[[ $status == 0 ]] && echo "test-asan.sh: no sanitizer reports"
exit $status
