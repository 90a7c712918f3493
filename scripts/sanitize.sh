#!/usr/bin/env bash
# Builds everything (library, CLI, tests) with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DSPFDOCTOR_SANITIZE=ON) in build-asan/ and runs
# the whole test suite there. Any sanitizer report fails the test that
# triggered it: UB aborts (-fno-sanitize-recover), leaks fail at exit.
#
#   scripts/sanitize.sh [extra cmake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
# -O1 -g1: about a third less compile time than -O2 -g, still line numbers in
# every report. Warnings are the normal build's job (-Werror there).
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" \
  -DSPFDOCTOR_SANITIZE=ON -DSPFDOCTOR_BENCH=OFF "$@" >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)"

# abort_on_error: a report ends the process with a signal, so no test can
# mistake it for an ordinary exit status; the tests that expect exit status 1
# or 2 from the CLI still see those on their bad-input paths.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 900 -j "$(nproc)"
