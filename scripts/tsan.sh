#!/usr/bin/env bash
# Builds the spfdoctor command with ThreadSanitizer in build-tsan/ and runs the
# whole-command tests that use several threads: eval --batch and scan on
# several event loops (offline, and against a real NSD on loopback in the
# integration test), and serve. A data race or lock-order report aborts the
# process, so the test that ran it fails.
#
#   scripts/tsan.sh [extra cmake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Tsan -DCMAKE_CXX_FLAGS_TSAN="-O1 -g1" \
  -DSPFDOCTOR_TSAN=ON -DSPFDOCTOR_TESTS=OFF -DSPFDOCTOR_BENCH=OFF "$@" >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)" --target spfdoctor-cli
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:second_deadlock_stack=1}
BIN=$PWD/$BUILD_DIR/spfdoctor
status=0
tests/cli/run_cli_tests.sh "$BIN" "$PWD/tests" || status=1
tests/cli/run_scan_tests.sh "$BIN" || status=1
tests/integration/run_integration.sh "$BIN" || status=1
((status == 0)) && echo "tsan: every threaded test passed under ThreadSanitizer" || echo "tsan: FAILED" >&2
exit "$status"
