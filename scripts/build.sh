#!/usr/bin/env bash
# Configures and builds spfdoctor in ./build (Release with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPFDOCTOR_WERROR=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
