#!/usr/bin/env bash
# Load test of `spfdoctor serve` with wrk (Debian package; installed here when
# missing). Loopback only.
#
#   bench/load/load_serve.sh [SPFDOCTOR] [SECONDS]
#
# 1. Cached lint requests: GET /api/v1/lint?domain=clean.example after a warm-up,
#    wrk -t2 -c32 for SECONDS (default 10), twice:
#      a. answering DNS from --zone tests/data/lint.zone (in memory)
#      b. network DNS through the shared TTL cache, NSD on loopback serving the
#         same zone (tests/integration/nsd.sh); the warm-up fills the cache
# 2. /healthz while slow checks are in flight: a server whose --dns-server is a
#    loopback port that never answers (tests/integration/fake_dns.py silent),
#    --max-checks 16; 16 clients keep checks waiting on DNS the whole time
#    (more get 503) while wrk -t1 -c4 measures /healthz; the same /healthz run
#    with nothing in flight is the baseline.
# Prints a Markdown report (also written to $OUT, default build/load/latest.md).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SPFDOCTOR=$(realpath "${1:-$ROOT/build/spfdoctor}")
SECS=${2:-10}
OUT=${OUT:-$ROOT/build/load/latest.md}
PY=/usr/bin/python3
TMP=$(mktemp -d)
PIDS=()
NSD_DIR=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -n $NSD_DIR ]] && "$ROOT/tests/integration/nsd.sh" stop "$NSD_DIR" >/dev/null 2>&1 || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
  echo "load: installing wrk (Debian package)" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

# start_server LOG ARGS... -> PORT, SERVER_PID
start_server() {
  local log=$1
  shift
  "$SPFDOCTOR" serve --listen 127.0.0.1:0 "$@" 2>"$log" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  PORT=""
  for _ in $(seq 100); do
    PORT=$(grep -o 'serving on http://127.0.0.1:[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [[ -n $PORT ]] && return 0
    sleep 0.1
  done
  echo "load: server did not start: $(cat "$log")" >&2
  exit 1
}

# wrk_run NAME ARGS... : runs wrk --latency, keeps its output in $TMP/NAME.txt
wrk_run() {
  local name=$1
  shift
  wrk --latency "$@" >"$TMP/$name.txt"
}
# summary NAME -> "rps|p50|p90|p99|max|requests|errors"
summary() {
  "$PY" - "$TMP/$1.txt" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
def grab(pat, default="-"):
    m = re.search(pat, t, re.M)
    return m.group(1) if m else default
rps = grab(r"^Requests/sec:\s+([\d.]+)")
p = {q: grab(r"^\s+%s%%\s+(\S+)" % q) for q in ("50", "90", "99")}
mx = grab(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)")
req = grab(r"^\s+(\d+) requests in")
non2xx = grab(r"Non-2xx or 3xx responses:\s+(\d+)", "0")
sock = re.search(r"Socket errors: (.*)", t)
print("|".join([str(round(float(rps))) if rps != "-" else "-", p["50"], p["90"], p["99"], mx, req, non2xx, sock.group(1) if sock else "none"]))
EOF
}

row() { # LABEL NAME
  IFS='|' read -r rps p50 p90 p99 mx n non2xx sock <<<"$(summary "$2")"
  echo "| $1 | $rps | $p50 | $p90 | $p99 | $mx | $n | $non2xx |"
}

report=()
report+=("Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), wrk and the server on the same machine; $(date -u +%Y-%m-%d), spfdoctor $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?').")
report+=("")
report+=("| what | req/s | p50 | p90 | p99 | max | requests | non-2xx |")
report+=("|---|---|---|---|---|---|---|---|")

LINT="/api/v1/lint?domain=clean.example"

# ---------------------------------------------------------------- 1a. --zone
start_server "$TMP/zone.log" --zone "$ROOT/tests/data/lint.zone"
for _ in $(seq 20); do curl -sf -o /dev/null "http://127.0.0.1:$PORT$LINT"; done
echo "load: lint, --zone, ${SECS}s ..." >&2
wrk_run lint-zone -t2 -c32 -d"${SECS}s" "http://127.0.0.1:$PORT$LINT"
report+=("$(row "lint clean.example, --zone (in memory), wrk -t2 -c32 ${SECS}s" lint-zone)")
wrk_run lint-zone16 -t2 -c16 -d"${SECS}s" "http://127.0.0.1:$PORT$LINT"
report+=("$(row "lint clean.example, --zone, wrk -t2 -c16 (fewer connections than --threads 24)" lint-zone16)")
wrk_run lint-toomany -t2 -c32 -d"${SECS}s" "http://127.0.0.1:$PORT/api/v1/lint?domain=toomany.example"
report+=("$(row "lint toomany.example (13 records, 12 lookups), --zone" lint-toomany)")
wrk_run health-zone -t2 -c32 -d"${SECS}s" "http://127.0.0.1:$PORT/healthz"
report+=("$(row "/healthz, same server, wrk -t2 -c32" health-zone)")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

# ---------------------------------------------------------------- 1b. NSD + DNS cache
NSD_DIR="$TMP/nsd"
mkdir -p "$NSD_DIR"
# NSD serves only data inside the zone: leave out lint.zone's absolute names
# outside example. (clean.example's tree does not use them).
grep -v -E '^[a-z0-9.-]+\.(com|net|org)\. ' "$ROOT/tests/data/lint.zone" >"$TMP/example.zone"
if NSD_PORT=$("$ROOT/tests/integration/nsd.sh" start "$NSD_DIR" "$TMP/example.zone" example 2>"$TMP/nsd.err"); then
  start_server "$TMP/net.log" --dns-server "127.0.0.1:$NSD_PORT"
  for _ in $(seq 20); do curl -sf -o /dev/null "http://127.0.0.1:$PORT$LINT"; done
  echo "load: lint, network DNS with a warm cache, ${SECS}s ..." >&2
  wrk_run lint-net -t2 -c32 -d"${SECS}s" "http://127.0.0.1:$PORT$LINT"
  report+=("$(row "lint clean.example, network DNS (NSD on loopback), warm cache, wrk -t2 -c32 ${SECS}s" lint-net)")
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
else
  report+=("| lint over network DNS: NSD did not start ($(head -c 200 "$TMP/nsd.err")) | | | | | | | |")
fi

# ---------------------------------------------------------------- 2. /healthz with slow checks in flight
"$PY" "$ROOT/tests/integration/fake_dns.py" silent 0 >"$TMP/dns.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$TMP/dns.out" && break; sleep 0.1; done
DNS_PORT=$(awk '/ready/ {print $2}' "$TMP/dns.out")
start_server "$TMP/slow.log" --dns-server "127.0.0.1:$DNS_PORT" --timeout 5 --max-checks 16
BASE="http://127.0.0.1:$PORT"
wrk_run health-idle -t1 -c4 -d"${SECS}s" "$BASE/healthz"
report+=("$(row "/healthz, nothing in flight, wrk -t1 -c4 ${SECS}s" health-idle)")

# 24 clients loop on lint of names the silent server never answers: 16 checks
# wait on DNS at all times, the rest are turned away with 503.
end=$((SECONDS + SECS + 8))
SLOW_PIDS=()
for i in $(seq 24); do
  (
    n=0
    while ((SECONDS < end)); do
      n=$((n + 1))
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$BASE/api/v1/lint?domain=slow$i-$n.example")
      echo "$code" >>"$TMP/slow-codes.$i"
      [[ $code == 503 ]] && sleep 0.2
    done
  ) &
  SLOW_PIDS+=($!)
done
for _ in $(seq 100); do
  r=$(curl -s "$BASE/healthz" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["checks_running"])')
  ((r >= 16)) && break
  sleep 0.1
done
( # sample checks_running during the measurement
  while ((SECONDS < end - 4)); do
    curl -s "$BASE/healthz" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["checks_running"])' >>"$TMP/running"
    sleep 0.5
  done
) &
SLOW_PIDS+=($!)
echo "load: /healthz with slow checks in flight, ${SECS}s ..." >&2
wrk_run health-busy -t1 -c4 -d"${SECS}s" "$BASE/healthz"
report+=("$(row "/healthz, 16 checks waiting on a DNS server that never answers, wrk -t1 -c4 ${SECS}s" health-busy)")
# A single curl timing, for the record.
single=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/healthz")
running=$(sort -n "$TMP/running" | "$PY" -c 'import sys; v=[int(x) for x in sys.stdin if x.strip()]; print(f"min {min(v)}, max {max(v)} over {len(v)} samples" if v else "no samples")')
wait "${SLOW_PIDS[@]}" 2>/dev/null || true
codes=$(cat "$TMP"/slow-codes.* 2>/dev/null | sort | uniq -c | awk '{printf "%s× %s, ", $1, $2}' | sed 's/, $//')

report+=("")
report+=("During the slow phase: checks_running $running; slow lint answers: $codes (200 = the check ran into its DNS timeout and reported it, 503 = turned away because 16 checks were running); one curl of /healthz in the middle took ${single}s.")

mkdir -p "$(dirname "$OUT")"
printf '%s\n' "${report[@]}" | tee "$OUT"
echo "load: report written to $OUT" >&2
