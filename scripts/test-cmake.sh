#!/usr/bin/env bash
# Builds the addon with cmake-js (CMakeLists.txt, `npm run build:cmake`, into build-cmake/) and
# runs the golden conformance suites and the API tests against that build, so that the CMake
# path keeps compiling and giving the pipeline's answers as binding.gyp's does.
#
#   scripts/test-cmake.sh [vitest args...]     default: test/conformance test/unit/api.test.ts
#
# Needs cmake on the PATH (installed with apt-get when missing and running as root); cmake-js is a devDependency
# and takes Node-API's headers from the node-api-headers package (package.json "binary"), so
# nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cmake >/dev/null; then
  # A fresh Debian machine: install it where we may (CI runs as root), else say what is missing.
  if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >/dev/null
  else
    echo "test-cmake.sh: cmake not found (Debian: apt-get install cmake)" >&2
    exit 1
  fi
fi
rm -rf build-cmake
npx cmake-js compile --out build-cmake --parallel "${CMAKE_JOBS:-2}" >build-cmake.log 2>&1 || {
  tail -30 build-cmake.log
  echo "test-cmake.sh: cmake-js build failed (log: build-cmake.log)" >&2
  exit 1
}
rm -f build-cmake.log
ADDON="$PWD/build-cmake/Release/tokclass.node"
[[ -f $ADDON ]] || { echo "test-cmake.sh: $ADDON was not built" >&2; exit 1; }
if [[ $# -eq 0 ]]; then set -- test/conformance test/unit/api.test.ts; fi
TOKCLASS_ADDON="$ADDON" npx vitest run "$@"
