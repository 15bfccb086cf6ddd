#!/usr/bin/env bash
# Installs what bench/make-bert-base.py needs (Debian python3-torch + python3-onnx for
# /usr/bin/python3) and, optionally, librsvg2-bin to turn the scaling SVG into PNG.
# Then builds bench/models/ (BERT-base-shaped model + transformers.js layouts).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3

need=()
$PY -c 'import torch' 2>/dev/null || need+=(python3-torch)
$PY -c 'import onnx' 2>/dev/null || need+=(python3-onnx)
$PY -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "[setup] apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if [ "${SKIP_MODELS:-0}" != 1 ]; then
  $PY bench/make-bert-base.py "$@"
  node bench/make-layouts.js
fi
echo "[setup] done"
