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
  valgrind --tool=callgrind --callgrind-out-file="$scratch/cg.out" --toggle-collect='spfdoctor::evaluate(*' \
    "$BIN" --benchmark_filter="CheckHost_${name}\$" --benchmark_min_time=0.2 >/dev/null 2>"$scratch/vg.txt"
  # Divide by the calls of evaluate() callgrind recorded, not by the
  # benchmark's reported iterations: those are the last run's only, while
  # callgrind also counts the runs Google Benchmark makes to size it (which
  # inflated the count by 10-30%, varying with the machine's load).
  iterations=$(python3 - "$scratch/cg.out" <<'PY'
import re, sys
ids, calls, pending = set(), 0, False
for line in open(sys.argv[1]):
    # callgrind names a function once, at its first fn= or cfn= line.
    m = re.match(r"(c?)fn=\((\d+)\)(?: (.*))?", line)
    if m:
        if (m.group(3) or "").startswith("spfdoctor::evaluate(spfdoctor::dns::Resolver&"):
            ids.add(m.group(2))
        pending = m.group(1) == "c" and m.group(2) in ids
    elif pending and line.startswith("calls="):
        calls += int(line.split("=")[1].split()[0])
        pending = False
print(calls)
PY
)
  refs=$(grep -o "refs: *[0-9,]*" "$scratch/vg.txt" | tr -dc 0-9)
  [[ -n $refs && $iterations -gt 0 ]] || { echo "instructions.sh: no count for $name" >&2; exit 1; }
  echo "$name: $((refs / iterations)) instructions per check ($iterations checks)"
done
