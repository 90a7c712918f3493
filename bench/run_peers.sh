#!/usr/bin/env bash
# spfdoctor against its peers, in one run, on one loopback NSD serving one
# synthetic world of >= 10,000 mail domains (bench/world/gen_world.py).
#
#   bench/run_peers.sh [--no-install] [--no-build]
#
# Peers: pyspf (python3-spf), libspf2 (libspf2-dev, bench/peers/libspf2_driver.c),
# Mail::SPF (libmail-spf-perl), mailauth (npm, into bench/peers/node_modules).
# Every peer reads the same query file and asks the same NSD process.
#
# How: the script re-runs itself inside `unshare --net --mount` (a private
# network namespace: only its own loopback exists there, nothing leaves it),
# brings lo up, starts NSD through tests/integration/nsd.sh on a free port P,
# bind-mounts a resolv.conf saying `nameserver 127.0.0.1` over
# /etc/resolv.conf (for libspf2, which only reads the system configuration)
# and redirects 127.0.0.1:53 (UDP and TCP) to the server under test with an
# nftables rule inside the namespace, so libspf2 reaches the very same NSD.
# spfdoctor gets --dns-server 127.0.0.1:PORT; pyspf, Mail::SPF and mailauth
# are pointed at 127.0.0.1:PORT through their resolver objects.
#
# Regimes:
#   loopback  every peer on the full batch (default 2,100 queries) straight to
#             NSD; dnsperf against the same NSD gives the server's ceiling.
#   WAN-like  dnsdist in front of NSD, DelayResponseAction(20) on every
#             answer; every peer on a 300-query batch, spfdoctor also on the
#             full batch and with --concurrency 1.
#   paired    the ceiling and spfdoctor again, back to back, BENCH_PAIRS times
#             (dnsperf for BENCH_PAIR_SECONDS, then eval --batch 10 runs and
#             scan 3): the fraction of the ceiling per pair, whose median the
#             target uses (the ceiling alone moved 113,025-147,605 within one
#             run: measured minutes apart, the two see different machines).
#   counting  one more run of each through a dnsdist without delay, whose
#             `queries` counter gives the DNS queries each sends for the
#             batch (spfdoctor's DNS query rate = that count / its loopback time).
# Each timing is hyperfine's median of at least BENCH_RUNS runs (default 3; the
# loopback ones after one warm-up run), more for a quick command: as many as fit
# in hyperfine's 3-second budget, at most BENCH_MAX_RUNS (20). Results: bench/results/latest.md (and the
# raw data in bench/results/raw/), printed at the end.
#
# Environment: BENCH_RUNS (3), BENCH_MAX_RUNS (20), BENCH_DOMAINS (10000), BENCH_QUERIES (2100),
# BENCH_WAN_QUERIES (300), BENCH_DELAY_MS (20), BENCH_DNSPERF_SECONDS (10), BENCH_PAIRS (5),
# BENCH_PAIR_SECONDS (3),
# SPFDOCTOR (default build/spfdoctor), BENCH_KEEP=1 keeps the work directory.
# Only loopback addresses are used, inside the private namespace; every loop is
# bounded (fixed batches, dnsperf -l, a time limit on every measurement).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3
RUNS=${BENCH_RUNS:-3}
MAX_RUNS=$(( RUNS > ${BENCH_MAX_RUNS:-20} ? RUNS : ${BENCH_MAX_RUNS:-20} ))
DOMAINS=${BENCH_DOMAINS:-10000}
NQ=${BENCH_QUERIES:-2100}
NQ_WAN=${BENCH_WAN_QUERIES:-300}
DELAY=${BENCH_DELAY_MS:-20}
DNSPERF_SECONDS=${BENCH_DNSPERF_SECONDS:-10}
PAIRS=${BENCH_PAIRS:-5}
PAIR_SECONDS=${BENCH_PAIR_SECONDS:-3}
BIN=${SPFDOCTOR:-$ROOT/build/spfdoctor}
WORLD=$HERE/world/out
PEERS=$HERE/peers
RESULTS=$HERE/results
RAW=$RESULTS/raw
LIBSPF2=$PEERS/build/libspf2_driver

die() { echo "run_peers.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

# ---------------------------------------------------------------------------------
# Outside the namespace: install, build, generate, then re-run inside.
# ---------------------------------------------------------------------------------
if [[ "${1:-}" != "--inside" ]]; then
  install=1 build=1
  for a in "$@"; do
    case "$a" in
      --no-install) install=0 ;;
      --no-build) build=0 ;;
      *) die "usage: run_peers.sh [--no-install] [--no-build]" ;;
    esac
  done
  [[ $(id -u) == 0 ]] || die "needs root (apt-get, unshare --net, nftables inside the namespace)"
  if [[ $install == 1 ]]; then
    pkgs=(nsd dnsdist dnsperf knot-dnsutils libspf2-dev libmail-spf-perl python3-spf python3-dnspython
          nodejs hyperfine nftables gcc iproute2 util-linux)
    command -v npm >/dev/null 2>&1 || pkgs+=(npm)
    missing=()
    for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if [[ ${#missing[@]} -gt 0 ]]; then
      say "apt-get install ${missing[*]}"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
        || die "apt-get install failed"
    fi
    if [[ ! -d "$PEERS/node_modules/mailauth" ]]; then
      say "npm ci (mailauth) in bench/peers"
      (cd "$PEERS" && npm ci --no-audit --no-fund >/dev/null) || die "npm ci failed"
    fi
  fi
  if [[ $build == 1 ]]; then
    say "building spfdoctor (scripts/build.sh)"
    (cd "$ROOT" && scripts/build.sh >/dev/null) || die "scripts/build.sh failed"
  fi
  [[ -x "$BIN" ]] || die "no spfdoctor binary at $BIN"
  say "generating the world ($DOMAINS domains; batches of $NQ and $NQ_WAN)"
  "$PY" "$HERE/world/gen_world.py" "$WORLD" --domains "$DOMAINS" --queries "$NQ" --queries "$NQ_WAN" || die "gen_world.py failed"
  mkdir -p "$PEERS/build"
  cc -O2 -Wall -o "$LIBSPF2" "$PEERS/libspf2_driver.c" -lspf2 || die "cannot build the libspf2 driver"
  exec unshare --net --mount --propagation private "$0" --inside
fi

# ---------------------------------------------------------------------------------
# Inside the private network namespace.
# ---------------------------------------------------------------------------------
ip link set lo up || die "ip link set lo up failed"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/spfdoctor-bench.XXXXXX")
NSD_DIR=$WORK/nsd
# dnsdist pids go to files: start_dnsdist runs in a command substitution (a subshell).
cleanup() {
  local p f i
  for f in "$WORK"/*.dnsdist.pid; do
    [[ -r "$f" ]] || continue
    p=$(cat "$f")
    kill -TERM "$p" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  "$ROOT/tests/integration/nsd.sh" stop "$NSD_DIR" >/dev/null 2>&1
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'echo "run_peers.sh: interrupted" >&2; exit 130' INT TERM HUP
# Snapshots of the binaries under test (others may rebuild build/ while this runs).
cp "$BIN" "$WORK/spfdoctor" || die "cannot copy $BIN"
BIN=$WORK/spfdoctor
GBENCH=""
if [[ -x "$ROOT/build/bench/bench_check_host" ]]; then cp "$ROOT/build/bench/bench_check_host" "$WORK/" && GBENCH=$WORK/bench_check_host; fi

printf 'nameserver 127.0.0.1\noptions edns0 timeout:5 attempts:2\n' >"$WORK/resolv.conf"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf || die "cannot bind-mount resolv.conf"

# 127.0.0.1:53 -> 127.0.0.1:PORT (UDP and TCP), for the peer that only reads resolv.conf.
nft add table ip bench && nft add chain ip bench out '{ type nat hook output priority -100; }' \
  || die "nftables NAT is not available"
point_53_at() {
  nft flush chain ip bench out
  nft add rule ip bench out ip daddr 127.0.0.1 udp dport 53 redirect to ":$1"
  nft add rule ip bench out ip daddr 127.0.0.1 tcp dport 53 redirect to ":$1"
}

say "starting NSD (tests/integration/nsd.sh) on the world zone"
NSD_PORT=$("$ROOT/tests/integration/nsd.sh" start "$NSD_DIR" "$WORLD/world.zone") || die "NSD did not start"
grep -q "rrl-ratelimit: 0" "$NSD_DIR/nsd.conf" || echo "warning: this NSD has no rrl-ratelimit option" >&2

free_port() {
  "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
t = socket.socket(); t.bind(("127.0.0.1", p)); print(p)'
}
# start_dnsdist NAME DELAY_MS -> prints its port; the console (for counters) on another port.
start_dnsdist() {
  local name=$1 delay=$2 port cport key i
  port=$(free_port); cport=$(free_port)
  key=$("$PY" -c 'import os, base64; print(base64.b64encode(os.urandom(32)).decode())')
  {
    echo "setLocal(\"127.0.0.1:$port\")"
    echo "newServer({address=\"127.0.0.1:$NSD_PORT\", checkName=\".\", checkType=\"SOA\"})"
    [[ "$delay" != 0 ]] && echo "addResponseAction(AllRule(), DelayResponseAction($delay))"
    echo "controlSocket(\"127.0.0.1:$cport\")"
    echo "setKey(\"$key\")"
    echo "setSecurityPollSuffix(\"\")"
  } >"$WORK/$name.conf"
  dnsdist --supervised --disable-syslog -C "$WORK/$name.conf" >"$WORK/$name.log" 2>&1 </dev/null &
  echo $! >"$WORK/$name.dnsdist.pid"
  for i in $(seq 1 100); do
    if [[ -n "$(kdig @127.0.0.1 -p "$port" . SOA +short +time=1 +retry=0 2>/dev/null)" ]]; then echo "$port"; return 0; fi
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2
  return 1
}
dnsdist_queries() {  # dnsdist_queries NAME -> the frontend `queries` counter
  dnsdist -C "$WORK/$1.conf" -c -e 'getStatisticsCounters()["queries"]' 2>/dev/null | tr -dc '0-9'
}

say "starting dnsdist: counting (no delay) and WAN-like (${DELAY} ms per answer)"
COUNT_PORT=$(start_dnsdist count 0) || die "dnsdist (count) did not start"
WAN_PORT=$(start_dnsdist wan "$DELAY") || die "dnsdist (wan) did not start"

mkdir -p "$RAW"
rm -f "$RAW"/*.json "$RAW"/*.out "$RAW"/*.txt
Q=$WORLD/queries-$NQ.txt
QW=$WORLD/queries-$NQ_WAN.txt

# The command that runs peer NAME on QUERIES against 127.0.0.1:PORT, writing OUT.
peer_cmd() {
  local name=$1 q=$2 port=$3 out=$4
  case "$name" in
    spfdoctor) echo "$BIN eval --dns-server 127.0.0.1:$port --batch $q --no-trace --json > $out" ;;
    spfdoctor-c1) echo "$BIN eval --dns-server 127.0.0.1:$port --batch $q --no-trace --json --concurrency 1 > $out" ;;
    libspf2) echo "$LIBSPF2 < $q > $out" ;;  # reaches PORT through 127.0.0.1:53
    pyspf) echo "$PY $PEERS/pyspf_driver.py 127.0.0.1 $port < $q > $out" ;;
    mailauth) echo "node $PEERS/mailauth_driver.js 127.0.0.1 $port < $q > $out" ;;
    mailspf) echo "perl $PEERS/mailspf_driver.pl 127.0.0.1 $port < $q > $out" ;;
    startup) echo "$BIN eval --dns-server 127.0.0.1:$port --batch /dev/null --no-trace --json > $out" ;;
    scan) echo "$BIN scan $WORLD/domains.txt --dns-server 127.0.0.1:$port --out $out" ;;
  esac
}
# measure TAG NAME QUERIES PORT WARMUP: hyperfine median of RUNS runs -> raw/TAG.json, output raw/TAG.out
measure() {
  local tag=$1 name=$2 q=$3 port=$4 warm=$5 cmd
  cmd=$(peer_cmd "$name" "$q" "$port" "$RAW/$tag.out")
  say "$tag: $cmd"
  # At least RUNS runs; a quick command gets more (hyperfine's 3-second
  # budget, at most MAX_RUNS): a 40 ms batch is otherwise three samples of a
  # noisy machine, a 20 s one stays at RUNS.
  # One time limit around all of hyperfine's runs rather than `timeout` in
  # each: that wrapper process cost about 2 ms a run (5% of spfdoctor's batch).
  timeout 1800 hyperfine --min-runs "$RUNS" --max-runs "$MAX_RUNS" --warmup "$warm" --style none --export-json "$RAW/$tag.json" --command-name "$tag" "$cmd" \
    >"$WORK/$tag.hyperfine" 2>&1 || { cat "$WORK/$tag.hyperfine" >&2; echo "warning: $tag failed" >&2; }
}
# count TAG NAME QUERIES: one run through the counting dnsdist -> raw/count-TAG.txt (queries sent)
count() {
  local tag=$1 name=$2 q=$3 before after cmd
  point_53_at "$COUNT_PORT"
  before=$(dnsdist_queries count)
  cmd=$(peer_cmd "$name" "$q" "$COUNT_PORT" "$WORK/count-$tag.out")
  timeout 600 bash -c "$cmd" || echo "warning: counting run of $tag failed" >&2
  after=$(dnsdist_queries count)
  echo $((after - before)) >"$RAW/count-$tag.txt"
  say "count $tag: $((after - before)) DNS queries"
}

HAVE_SCAN=0
# A subcommand `scan` listed in the help (CLI11 prints the top-level help, status 0, for `scan --help` when there is none).
"$BIN" --help 2>/dev/null | grep -qE '^[[:space:]]+scan([[:space:]]|$)' && HAVE_SCAN=1
echo "$HAVE_SCAN" >"$RAW/have_scan.txt"

# ---- loopback ---------------------------------------------------------------------
point_53_at "$NSD_PORT"
for peer in spfdoctor spfdoctor-c1 libspf2 mailauth pyspf mailspf; do
  measure "loop-$peer" "$peer" "$Q" "$NSD_PORT" 1
done
measure "loop-startup" startup "$Q" "$NSD_PORT" 1  # spfdoctor on an empty batch: process start-up
if [[ $HAVE_SCAN == 1 ]]; then
  measure "loop-scan" scan "$Q" "$NSD_PORT" 1
else
  say "spfdoctor has no scan command yet: scan skipped (hook in place)"
fi

# dnsperf SECONDS OUT: the ceiling, the names and types SPF checks of this world
# ask, straight to NSD (one set of options for the unpaired and paired runs).
run_dnsperf() {
  timeout $(($1 + 30)) dnsperf -s 127.0.0.1 -p "$NSD_PORT" -d "$WORLD/dnsperf.txt" -l "$1" \
    -c 4 -q 200 -t 2 >"$2" 2>&1 || echo "warning: dnsperf run ($2) failed" >&2
}
say "dnsperf ceiling (${DNSPERF_SECONDS} s x $RUNS)"
for i in $(seq 1 "$RUNS"); do
  run_dnsperf "$DNSPERF_SECONDS" "$RAW/dnsperf-$i.txt"
done

# Paired: the ceiling and spfdoctor back to back, so that both meet the same machine.
say "paired: dnsperf ${PAIR_SECONDS} s then spfdoctor, ${PAIRS} times"
for i in $(seq 1 "$PAIRS"); do
  run_dnsperf "$PAIR_SECONDS" "$RAW/pair-dnsperf-$i.txt"
  timeout 600 hyperfine --runs 10 --warmup 1 --style none --export-json "$RAW/pair-eval-$i.json" \
    "$(peer_cmd spfdoctor "$Q" "$NSD_PORT" "$WORK/pair-eval.out")" >"$WORK/pair-eval-$i.hyperfine" 2>&1 \
    || echo "warning: paired eval run $i failed" >&2
  if [[ $HAVE_SCAN == 1 ]]; then
    timeout 600 hyperfine --runs 3 --warmup 0 --style none --export-json "$RAW/pair-scan-$i.json" \
      "$(peer_cmd scan "$Q" "$NSD_PORT" "$WORK/pair-scan.out")" >"$WORK/pair-scan-$i.hyperfine" 2>&1 \
      || echo "warning: paired scan run $i failed" >&2
  fi
done

# ---- counting --------------------------------------------------------------------
for peer in spfdoctor spfdoctor-c1 libspf2 mailauth pyspf mailspf; do
  count "$peer" "$peer" "$Q"
done
[[ $HAVE_SCAN == 1 ]] && count scan scan "$Q"

# ---- WAN-like ---------------------------------------------------------------------
point_53_at "$WAN_PORT"
for peer in spfdoctor spfdoctor-c1 libspf2 mailauth pyspf mailspf; do
  measure "wan-$peer" "$peer" "$QW" "$WAN_PORT" 0
done
measure "wan-full-spfdoctor" spfdoctor "$Q" "$WAN_PORT" 0
[[ $HAVE_SCAN == 1 ]] && measure "wan-scan" scan "$Q" "$WAN_PORT" 0

point_53_at "$NSD_PORT"
if [[ -n "$GBENCH" ]]; then
  say "in-process: build/bench/bench_check_host"
  timeout 600 "$GBENCH" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="$RAW/gbench.json" --benchmark_out_format=json \
    >"$WORK/gbench.txt" 2>&1 || echo "warning: bench_check_host failed" >&2
fi
say "writing bench/results/latest.md"
"$PY" "$HERE/report.py" --raw "$RAW" --world "$WORLD" --out "$RESULTS/latest.md" --spfdoctor "$BIN" \
  --queries "$NQ" --wan-queries "$NQ_WAN" --delay "$DELAY" --runs "$RUNS" || die "report.py failed"
cat "$RESULTS/latest.md"
