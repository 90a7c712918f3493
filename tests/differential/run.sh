#!/usr/bin/env bash
# Differential test: spfdoctor eval vs pyspf (RFC 7208 reference) on random
# SPF records and queries served from one master file.
#
#   tests/differential/run.sh [SEED] [N]        (defaults: SEED=1, N=2000)
#
# Environment:
#   SPFDOCTOR  the binary (default: build/spfdoctor of this checkout)
#   OUT        work directory (default: ${TMPDIR:-/tmp}/spfdoctor-differential-SEED-N)
#   QUIRKS=1   also generate constructs on which pyspf deviates from RFC 7208
#   PYTHON     interpreter with python3-spf and python3-dnspython (default /usr/bin/python3)
#
# Writes OUT/{zone.txt,queries.txt,pyspf.jsonl,pyspf-trace.jsonl,spfdoctor.jsonl,
# disagreements.txt}; prints "differential: A agree, D disagree"; exits 1 on
# any disagreement, 2 if a step fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
seed=${1:-1}
n=${2:-2000}
py=${PYTHON:-/usr/bin/python3}
doctor=${SPFDOCTOR:-$root/build/spfdoctor}
out=${OUT:-${TMPDIR:-/tmp}/spfdoctor-differential-$seed-$n}
quirks=()
[[ "${QUIRKS:-0}" != 0 ]] && quirks=(--quirks)

if [[ ! -x "$doctor" ]]; then
  echo "run.sh: no spfdoctor binary at $doctor (build it, or set SPFDOCTOR)" >&2
  exit 2
fi
mkdir -p "$out"

"$py" "$here/gen.py" "$seed" "$n" "$out" "${quirks[@]}" || { echo "run.sh: gen.py failed" >&2; exit 2; }

# The two evaluators are independent: run them side by side.
"$py" "$here/pyspf_oracle.py" "$out/zone.txt" "$out/queries.txt" \
  --trace "$out/pyspf-trace.jsonl" >"$out/pyspf.jsonl" 2>"$out/pyspf.stderr" &
oracle_pid=$!
doctor_rc=0
"$doctor" eval --zone "$out/zone.txt" --batch "$out/queries.txt" --json \
  >"$out/spfdoctor.jsonl" 2>"$out/spfdoctor.stderr" || doctor_rc=$?
oracle_rc=0
wait "$oracle_pid" || oracle_rc=$?
if [[ $oracle_rc -ne 0 ]]; then
  echo "run.sh: pyspf_oracle.py failed ($oracle_rc), see $out/pyspf.stderr" >&2
  exit 2
fi
if [[ $doctor_rc -ne 0 ]]; then
  # eval may exit non-zero when results are not pass; only a missing or short
  # output is fatal, and compare.py reports that.
  echo "run.sh: note: spfdoctor exited with $doctor_rc (stderr: $out/spfdoctor.stderr)" >&2
fi

echo "seed $seed, $n queries, work directory $out"
exec "$py" "$here/compare.py" "$out/queries.txt" "$out/pyspf.jsonl" "$out/spfdoctor.jsonl" \
  "$out/disagreements.txt" --trace "$out/pyspf-trace.jsonl"
