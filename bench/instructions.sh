#!/usr/bin/env bash
# Instructions per check_host() call, counted by callgrind: deterministic where
# wall-clock timings on a shared 2-core machine are not. Counts only what runs
# inside spfdoctor::evaluate() (Google Benchmark's loop excluded).
#
#   bench/instructions.sh [BENCHMARK_SUFFIX...]   (default: PassFirstRange PassViaInclude FailAll)
#   e.g. bench/instructions.sh FailAll FailAll_WarmDnsCache
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-build/bench/bench_check_host}
command -v valgrind >/dev/null || { echo "instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[[ -x $BIN ]] || { echo "instructions.sh: no $BIN (scripts/build.sh builds it)" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/spfdoctor-instr.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
(($#)) || set -- PassFirstRange PassViaInclude FailAll
for name in "$@"; do
  out=$(valgrind --tool=callgrind --callgrind-out-file="$scratch/cg.out" --toggle-collect='spfdoctor::evaluate(*' \
    "$BIN" --benchmark_filter="CheckHost_${name}\$" --benchmark_min_time=0.2 --benchmark_format=json 2>"$scratch/vg.txt")
  iterations=$(python3 -c 'import json,sys; print(sum(b["iterations"] for b in json.load(sys.stdin)["benchmarks"]))' <<<"$out")
  refs=$(grep -o "refs: *[0-9,]*" "$scratch/vg.txt" | tr -dc 0-9)
  [[ -n $refs && $iterations -gt 0 ]] || { echo "instructions.sh: no count for $name" >&2; exit 1; }
  echo "$name: $((refs / iterations)) instructions per check ($iterations checks)"
done
