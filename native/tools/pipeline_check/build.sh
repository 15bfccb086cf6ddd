#!/bin/sh
# Builds the pipeline_check driver (native/pipeline/ + common/utf8 + test decoders).
set -e
cd "$(dirname "$0")/../../.."
out=${1:-build/pipeline_check}
mkdir -p "$(dirname "$out")"
g++ -std=c++20 -O2 -Wall -Wextra -Wno-unused-parameter -I native -I native/tools/pipeline_check \
  native/pipeline/*.cc native/common/utf8.cc native/tools/pipeline_check/*.cc -o "$out"
echo "built $out"
