#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test; then
# the hardening checks: the whole suite again under ASan+UBSan (build-asan/),
# the multi-threaded commands under ThreadSanitizer (build-tsan/), and every
# libFuzzer target for 20 s on its committed corpus (build-fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure --timeout 600 -j "$(nproc)")
scripts/sanitize.sh
scripts/tsan.sh
scripts/fuzz.sh 20
