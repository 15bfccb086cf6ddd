# Sourced by the scripts that build and run native/tools drivers (test-asan.sh, test-tsan.sh,
# bench/callers.sh), from the repository root.

# fresh_build_dir DIR: creates DIR, emptied first when its objects were built from another
# checkout (or carry no stamp): their dependency files name that checkout's sources, and make
# stops at the first one missing.
fresh_build_dir() {
  if [[ ! -f $1/.source-root || $(cat "$1/.source-root") != "$PWD" ]]; then rm -rf "$1"; fi
  mkdir -p "$1" && echo "$PWD" >"$1/.source-root"
}

# build_engine_tools SAN BUILD LOG TOOL...: builds the drivers TOOL... into BUILD, linked with
# every layer below the binding (runtime/ and engine/ need ONNX Runtime's headers), SAN as the
# Makefile takes it (0, 1, thread); on failure prints the log's tail and exits.
build_engine_tools() {
  local san=$1 build=$2 log=$3
  shift 3
  make -C native/tools -j "${JOBS:-2}" SAN="$san" BUILD="$build" \
    LIB_DIRS="common unicode tokenizer pipeline runtime engine" \
    EXTRA_CXXFLAGS="-I$(node scripts/ort-paths.cjs include) -DORT_API_MANUAL_INIT" "${@/#/$build/}" >"$log" 2>&1 || {
    tail -30 "$log"
    echo "$0: build failed (log: $log)" >&2
    exit 1
  }
}

# NORANDOM: a command prefix that turns address randomization off where setarch allows it. GCC
# 12's sanitizer runtimes do not expect kernels that randomize mmap with more than 28 bits
# (vm.mmap_rnd_bits = 32 on some recent kernels): TSan aborts ("FATAL: ThreadSanitizer:
# unexpected memory mapping"), and node with the ASan runtime preloaded hangs at start.
NORANDOM=()
if setarch "$(uname -m)" -R true 2>/dev/null; then NORANDOM=(setarch "$(uname -m)" -R); fi
