#!/bin/sh
# Builds the pipeline_check driver and pipeline_unit_check (native/pipeline/ + common/utf8 + test decoders).
#   build.sh [OUT]     EXTRA_FLAGS="-fsanitize=address,undefined -O1 -g" build.sh ... (scripts/test-asan.sh)
set -e
cd "$(dirname "$0")/../../.."
out=${1:-tmp/pipeline_check/pipeline_check}
mkdir -p "$(dirname "$out")"
flags="-std=c++20 -O2 -Wall -Wextra -Wno-unused-parameter -I native -I native/tools/pipeline_check ${EXTRA_FLAGS:-}"
lib="native/pipeline/*.cc native/common/utf8.cc native/tools/pipeline_check/test_decoders.cc"
g++ $flags $lib native/tools/pipeline_check/pipeline_check.cc -o "$out"
g++ $flags $lib native/tools/pipeline_check/unit_check.cc -o "${out%/*}/pipeline_unit_check"
echo "built $out ${out%/*}/pipeline_unit_check"
