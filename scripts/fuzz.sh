#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (native/fuzz/) under ASan+UBSan.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS | -runs=N]     default: all, 60 seconds per target
#   scripts/fuzz.sh --build-only [TARGET|all]
#
# Targets: fuzz_json fuzz_postprocess fuzz_normalizers fuzz_tokenizer_encode fuzz_tokenizer_json
# Environment:
#   FUZZ_OUT   build/corpus/crash folder (default /tmp/tokclass-fuzz); the corpus grows across
#              runs in $FUZZ_OUT/corpus/TARGET, crashes land in $FUZZ_OUT/crashes/TARGET
#   FUZZ_JOBS  parallel compile jobs (default 2)
#   FUZZ_CXX   compiler (default clang++-16; installed with apt-get when missing)
# Prints one line per target: runs, seconds, runs/s, crashes; also appended to
# $FUZZ_OUT/summary.tsv. Exits non-zero if any target failed to build or found a crash.
# The long runs of issue 7 (>= 10 million executions or 1 hour per target), in the background:
#   nohup scripts/fuzz.sh all 3600 > /tmp/fuzz-long.log 2>&1 &
set -uo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(fuzz_json fuzz_postprocess fuzz_normalizers fuzz_tokenizer_encode fuzz_tokenizer_json)
OUT=${FUZZ_OUT:-/tmp/tokclass-fuzz}
JOBS=${FUZZ_JOBS:-2}
CXX=${FUZZ_CXX:-clang++-16}

build_only=0
if [[ ${1:-} == --build-only ]]; then build_only=1; shift; fi
which=${1:-all}
limit=${2:-60}
if [[ $which == all ]]; then targets=("${ALL_TARGETS[@]}"); else targets=("$which"); fi
if [[ $limit == -runs=* ]]; then limit_flag=$limit; else limit_flag=-max_total_time=$limit; fi

# --- toolchain: Debian's clang 16 with its compiler-rt (libFuzzer + sanitizer runtimes) ---------
if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "fuzz.sh: installing clang-16 and libclang-rt-16-dev" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq clang-16 libclang-rt-16-dev >/dev/null || {
    echo "fuzz.sh: could not install clang-16 (run as root on Debian 12)" >&2
    exit 2
  }
fi

# --- seeds, regenerated from the fixtures each time ------------------------------------------
rm -rf "$OUT/seeds" && node test/fuzz/make-seeds.mjs "$OUT/seeds" >/dev/null || exit 2

seeds_of() {
  case $1 in
    fuzz_json) echo "$OUT/seeds/json" ;;
    fuzz_tokenizer_json) echo "$OUT/seeds/tokenizer" ;;
    fuzz_normalizers | fuzz_tokenizer_encode) echo "$OUT/seeds/text" ;;
    *) echo "" ;;
  esac
}
flags_of() {
  case $1 in
    fuzz_json | fuzz_tokenizer_json) echo "-max_len=32768 -dict=native/fuzz/tokenizer.dict" ;;
    fuzz_normalizers) echo "-max_len=1024" ;;
    *) echo "-max_len=4096" ;;
  esac
}

status=0
mkdir -p "$OUT/logs"
for t in "${targets[@]}"; do
  if ! make -s -f native/fuzz/Makefile OUT="$OUT" FUZZ_CXX="$CXX" -j"$JOBS" "$t" >"$OUT/logs/$t.build.log" 2>&1; then
    echo "$t: BUILD FAILED (see $OUT/logs/$t.build.log)"
    tail -5 "$OUT/logs/$t.build.log" | sed 's/^/    /'
    status=1
    continue
  fi
  [[ $build_only == 1 ]] && { echo "$t: built $OUT/bin/$t"; continue; }
  corpus="$OUT/corpus/$t"
  crashes="$OUT/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  before=$(ls "$crashes" | wc -l)
  # shellcheck disable=SC2046
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    "$OUT/bin/$t" "$limit_flag" $(flags_of "$t") -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" $(seeds_of "$t") >"$OUT/logs/$t.log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  [[ -z $runs ]] && runs=$(grep -o '^#[0-9]*' "$OUT/logs/$t.log" | tail -1 | tr -d '#')
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$OUT/logs/$t.log" | grep -o 'in [0-9]*' | grep -o '[0-9]*')
  found=$(($(ls "$crashes" | wc -l) - before))
  [[ $rc != 0 && $found == 0 ]] && found="?"
  rate=$([[ -n ${secs:-} && ${secs:-0} -gt 0 ]] && echo $((${runs:-0} / secs)) || echo "-")
  printf '%-24s runs %-10s seconds %-6s runs/s %-7s corpus %-6s crashes %s (exit %s)\n' \
    "$t" "${runs:-?}" "${secs:-?}" "$rate" "$(ls "$corpus" | wc -l)" "$found" "$rc"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "${runs:-?}" "${secs:-?}" "$found" "$rc" \
    "$(nproc) cores $(uname -m)" >>"$OUT/summary.tsv"
  if [[ $rc != 0 ]]; then
    status=1
    grep -m1 -A12 -E 'ERROR: AddressSanitizer|runtime error|FUZZ_CHECK failed|ERROR: libFuzzer' "$OUT/logs/$t.log" | sed 's/^/    /'
    echo "    log: $OUT/logs/$t.log   reproduce: $OUT/bin/$t $crashes/<crash-file>"
  fi
done
exit $status
