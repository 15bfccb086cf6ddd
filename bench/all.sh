#!/usr/bin/env bash
# The whole benchmark suite, for a quiet machine (about 8 minutes on 2 cores):
# comparison on both models (+ benchmark.js latency), scaling sweeps, soak.
# Results: bench/results/*.json, bench/scaling-*.svg/png. Extra args go to run.js.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f bench/models/bert-base-shape/model.onnx ] || bash bench/setup.sh
node bench/run.js --models conll --repeat 3 --micro "$@"
node bench/run.js --models base --repeat 1 --micro --micro-time 3 "$@"
node bench/scaling.js --model conll
node bench/scaling.js --model base
node bench/soak.js --texts 100000
