#!/usr/bin/env bash
# Integration test of spfdoctor's network resolver against real DNS servers on
# loopback: Debian's NSD serving the OpenSPF RFC 7208 conformance suite, and
# small misbehaving servers (fake_dns.py) for timeouts, SERVFAIL, REFUSED and
# truncation.
#
#   tests/integration/run_integration.sh SPFDOCTOR
#
# (a) every scenario of ../shared/testsuite/rfc7208-tests.yml becomes a root
#     zone (suite_to_zones.py); one NSD per scenario, in turn; each test runs
#     with --dns-server 127.0.0.1:PORT and with --zone on the same master file:
#     both must give a result the suite accepts, and agree (check_suite.py).
#     Tests that depend on the suite's TIMEOUT data are skipped (listed).
# (b) fault tests: silent server -> temperror within --timeout 1; SERVFAIL ->
#     temperror naming the query; REFUSED -> temperror; TC=1 over UDP -> the
#     TCP answer; TXT data too big for UDP served by NSD; TXT RRs with empty
#     RDATA on the wire; the [::1]:PORT form; a REFUSED first server followed
#     by a working one.
# (c) last line: `integration: N passed, M failed`; exit status 1 if M > 0.
#
# Environment: SPFDOCTOR_SHARED (default ../../../shared from here: the suite),
# INTEGRATION_KEEP=1 (keep the work directory: zones, NSD logs, outputs),
# INTEGRATION_OFFLINE=1 (only the --zone half of (a): no NSD, no network
# checks; for checking the converter and the engine while there is no network
# resolver). Only loopback addresses are used. Needs nsd, knot-dnsutils (kdig),
# /usr/bin/python3 with python3-yaml, python3-dnspython, python3-spf.
set -u

if [[ $# -ne 1 ]]; then echo "usage: run_integration.sh SPFDOCTOR" >&2; exit 2; fi
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
SHARED=${SPFDOCTOR_SHARED:-$HERE/../../../shared}
SUITE=$SHARED/testsuite/rfc7208-tests.yml
OFFLINE=${INTEGRATION_OFFLINE:-0}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/spfdoctor-integration.XXXXXX")
NSD_DIRS=()   # NSD instances not yet stopped
FAKE_PIDS=()  # fake_dns.py processes
STOPPERS=()   # background `nsd.sh stop` jobs

cleanup() {
  local d p
  for d in "${NSD_DIRS[@]}"; do "$HERE/nsd.sh" stop "$d" >/dev/null 2>&1 & STOPPERS+=($!); done
  for p in "${FAKE_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${FAKE_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for p in "${STOPPERS[@]}"; do wait "$p" 2>/dev/null; done
  if [[ "${INTEGRATION_KEEP:-0}" == 1 ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'echo "integration: interrupted" >&2; exit 130' INT TERM HUP

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
  echo "integration: $pass passed, $fail failed"
  [[ $fail -eq 0 ]]
  exit $?
}

# ---- tools ---------------------------------------------------------------------
missing=()
for tool in nsd nsd-checkzone nsd-checkconf kdig; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
"$PY" -c 'import yaml, dns.message, spf' 2>/dev/null || missing+=("python3-yaml/python3-dnspython/python3-spf for $PY")
[[ -x "$BIN" ]] || missing+=("spfdoctor binary $BIN")
[[ -r "$SUITE" ]] || missing+=("suite $SUITE")
if [[ ${#missing[@]} -gt 0 ]]; then
  bad "missing: ${missing[*]} (scripts/install-deps.sh installs the packages)"
  finish
fi

# Removes DIR from NSD_DIRS and stops that NSD in the background (NSD takes
# about 2 s to shut down; no need to wait for it before the next scenario).
stop_nsd() {
  local d=$1 keep=() x
  for x in "${NSD_DIRS[@]}"; do [[ "$x" != "$d" ]] && keep+=("$x"); done
  NSD_DIRS=("${keep[@]}")
  "$HERE/nsd.sh" stop "$d" >/dev/null 2>&1 &
  STOPPERS+=($!)
}

# ---- (a) the conformance suite through NSD ---------------------------------------
SUITE_DIR=$WORK/suite
if ! "$PY" "$HERE/suite_to_zones.py" "$SUITE" "$SUITE_DIR" >"$WORK/convert.out" 2>&1; then
  cat "$WORK/convert.out"
  bad "suite_to_zones.py failed"
  finish
fi
cat "$WORK/convert.out"
TAGS=$("$PY" -c 'import json,sys; print(" ".join(s["tag"] for s in json.load(open(sys.argv[1]))["scenarios"]))' "$SUITE_DIR/index.json")
ntests() { "$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tests"]))' "$SUITE_DIR/$1.expected.json"; }

for tag in $TAGS; do
  args=()
  if [[ "$OFFLINE" != 1 ]]; then
    # Register the directory before NSD can exist, so that an interrupt during
    # start still stops it.
    NSD_DIRS+=("$WORK/nsd-$tag")
    if ! "$HERE/nsd.sh" start "$WORK/nsd-$tag" "$SUITE_DIR/$tag.zone" >"$WORK/port-$tag" 2>"$WORK/nsd-$tag.err"; then
      cat "$WORK/nsd-$tag.err"
      n=$(ntests "$tag")
      fail=$((fail + n))
      echo "FAIL scenario $tag: NSD did not start; its $n tests count as failed"
      stop_nsd "$WORK/nsd-$tag"
      continue
    fi
    args=(--server "127.0.0.1:$(cat "$WORK/port-$tag")")
  fi
  "$PY" "$HERE/check_suite.py" "$BIN" "$SUITE_DIR" "$tag" "${args[@]}" >"$WORK/check-$tag.out" 2>&1
  grep -v "^$tag: " "$WORK/check-$tag.out"
  summary=$(grep "^$tag: [0-9]* passed, [0-9]* failed$" "$WORK/check-$tag.out" | tail -n 1)
  if [[ -z "$summary" ]]; then
    n=$(ntests "$tag")
    fail=$((fail + n))
    echo "FAIL scenario $tag: check_suite.py gave no summary; its $n tests count as failed"
  else
    read -r p f <<<"$(sed -E 's/^[^:]*: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' <<<"$summary")"
    pass=$((pass + p))
    fail=$((fail + f))
    echo "suite scenario $summary"
  fi
  [[ "$OFFLINE" != 1 ]] && stop_nsd "$WORK/nsd-$tag"
done

if grep -qh "master files only" "$WORK"/check-*.out 2>/dev/null; then
  echo "NOTE: this spfdoctor rejects --dns-server (no network resolver yet): every network check above fails for that reason."
fi
if [[ "$OFFLINE" == 1 ]]; then
  echo "NOTE: INTEGRATION_OFFLINE=1: only the --zone half of the suite checks ran; no NSD, no fault tests."
  finish
fi

# ---- (b) fault tests ----------------------------------------------------------------
FAULT=$WORK/fault
mkdir -p "$FAULT"

# start_fake MODE [ADDR] -> sets FAKE_PORT; the server picks a free port itself.
start_fake() {
  local mode=$1 addr=${2:-127.0.0.1} out="$FAULT/fake-$1.out" i
  "$PY" "$HERE/fake_dns.py" "$mode" 0 "$addr" >"$out" 2>"$FAULT/fake-$mode.err" &
  FAKE_PIDS+=($!)
  FAKE_PORT=
  for i in $(seq 1 100); do
    if grep -q '^ready [0-9]' "$out" 2>/dev/null; then FAKE_PORT=$(awk '/^ready/{print $2; exit}' "$out"); return 0; fi
    sleep 0.05
  done
  cat "$FAULT/fake-$mode.err" >&2
  return 1
}

# run_spf NAME ARGS... : runs spfdoctor eval ARGS --json --no-trace under a
# 20 s hard guard; output in $FAULT/NAME.json, status in RUN_STATUS, wall time
# in RUN_SECS.
run_spf() {
  local name=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  timeout 20 "$BIN" eval "$@" --json --no-trace >"$FAULT/$name.json" 2>"$FAULT/$name.err"
  RUN_STATUS=$?
  t1=$(date +%s.%N)
  RUN_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b - a}')
}
# expect NAME PYTHON_EXPR : j is the parsed output; passes if status 0 and EXPR holds.
expect() {
  local name=$1 expr=$2
  if [[ $RUN_STATUS -eq 124 ]]; then bad "$name: no answer within the 20 s guard"; return; fi
  if [[ $RUN_STATUS -ne 0 ]]; then bad "$name: exit $RUN_STATUS: $(head -c 300 "$FAULT/$name.err")"; return; fi
  local note
  if note=$("$PY" - "$FAULT/$name.json" "$expr" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
if j.get("problem"):
    print(" problem: " + j["problem"])
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
  )
  then ok; echo "ok   $name (${RUN_SECS}s)$note"
  else bad "$name: want $expr; got $(head -c 600 "$FAULT/$name.json")"; fi
}

# Silent server: temperror, within the timeout (20 s is a hard guard only).
if start_fake silent; then
  run_spf silent --dns-server "127.0.0.1:$FAKE_PORT" --timeout 1 --ip 192.0.2.1 --sender a@silent.example.com
  expect silent 'j["result"] == "temperror"'
  [[ $RUN_STATUS -eq 0 ]] && awk -v s="$RUN_SECS" 'BEGIN{exit !(s >= 10)}' &&
    echo "WARN silent: took ${RUN_SECS}s with --timeout 1 (expected well under 10 s)"
else
  bad "silent: fake server did not start"
fi

# SERVFAIL: temperror, and the problem names the query.
if start_fake servfail; then
  run_spf servfail --dns-server "127.0.0.1:$FAKE_PORT" --timeout 2 --ip 192.0.2.1 --sender a@servfail.example.com
  expect servfail 'j["result"] == "temperror" and "servfail.example.com" in (j.get("problem") or "").lower()'
else
  bad "servfail: fake server did not start"
fi

# REFUSED: temperror.
REFUSED_PORT=
if start_fake refused; then
  REFUSED_PORT=$FAKE_PORT
  run_spf refused --dns-server "127.0.0.1:$FAKE_PORT" --timeout 2 --ip 192.0.2.1 --sender a@refused.example.com
  expect refused 'j["result"] == "temperror" and "refused.example.com" in (j.get("problem") or "").lower()'
else
  bad "refused: fake server did not start"
fi

# TC=1 over UDP: the answer comes over TCP.
if start_fake truncate; then
  run_spf truncate --dns-server "127.0.0.1:$FAKE_PORT" --timeout 2 --ip 192.0.2.1 --sender a@tc.example.com
  expect truncate 'j["result"] == "pass" and j["matched"] == "ip4:192.0.2.1" and j["record"] == "v=spf1 ip4:192.0.2.1 -all"'
  run_spf truncate-fail --dns-server "127.0.0.1:$FAKE_PORT" --timeout 2 --ip 192.0.2.2 --sender a@tc.example.com
  expect truncate-fail 'j["result"] == "fail" and j["matched"] == "-all"'
else
  bad "truncate: fake server did not start"
fi

# TXT data too big for UDP, from NSD (answers over UDP come back with TC=1):
# big.example.com: one SPF record of ~3000 bytes in 250-byte strings cut in the
# middle of terms (RFC 7208 3.3: joined without separators);
# many.example.com: one SPF record among 20 other TXT records, ~4000 bytes.
# big.zone is used by --zone and NSD alike; NSD serves big-wire.zone, the same
# plus TXT records with empty RDATA, which a master file for --zone cannot hold.
"$PY" - "$FAULT/big.zone" "$FAULT/big.expect" <<'PY'
import json, sys
terms = []
a = 0
text = "v=spf1"
while len(text) < 2900:
    text += " ip4:198.51.%d.%d" % (100 + a // 250, a % 250 + 1)
    a += 1
text += " ip4:192.0.2.77 -all"
chunks = [text[i:i + 250] for i in range(0, len(text), 250)]
assert len(text) > 2900 and all(len(c) <= 255 for c in chunks)
lines = ["$ORIGIN .", "$TTL 300",
         ". IN SOA ns.spfdoctor-integration.invalid. hostmaster.spfdoctor-integration.invalid. 1 3600 600 86400 300",
         ". IN NS ns.spfdoctor-integration.invalid.",
         "big.example.com. IN TXT " + " ".join('"%s"' % c for c in chunks),
         'many.example.com. IN TXT "v=spf1 ip4:192.0.2.88 -all"']
for i in range(20):
    token = ("%02d" % i) * 90
    lines.append('many.example.com. IN TXT "site-verification-%02d=%s"' % (i, token))
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
# For NSD only (spfdoctor --zone rejects a TXT without character-strings, as
# RFC 1035 wants one or more): the suite's null-text case on the wire, a TXT
# RR with empty RDATA beside the SPF record ("SPF should not crash"), and alone.
lines += ['null.example.com. IN TXT "v=spf1 ip4:" "192.0.2.5 -all"',
          'null.example.com. IN TXT \\# 0',
          'empty.example.com. IN TXT \\# 0']
open(sys.argv[1].replace(".zone", "-wire.zone"), "w").write("\n".join(lines) + "\n")
json.dump({"big_record": text, "big_size": len(text), "big_strings": len(chunks)}, open(sys.argv[2], "w"))
PY
BIG_RECORD=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["big_record"])' "$FAULT/big.expect")
export BIG_RECORD
echo "big.example.com: one TXT record of ${#BIG_RECORD} bytes; many.example.com: 21 TXT records"

NSD_DIRS+=("$FAULT/nsd-big")
if BIG_PORT=$(NSD_IPV6=1 "$HERE/nsd.sh" start "$FAULT/nsd-big" "$FAULT/big-wire.zone" 2>"$FAULT/nsd-big.err"); then
  for via in zone network; do
    if [[ $via == zone ]]; then res=(--zone "$FAULT/big.zone"); else res=(--dns-server "127.0.0.1:$BIG_PORT" --timeout 2); fi
    run_spf "big-last-$via" "${res[@]}" --ip 192.0.2.77 --sender a@big.example.com
    expect "big-last-$via" 'j["result"] == "pass" and j["matched"] == "ip4:192.0.2.77" and j["record"] == __import__("os").environ["BIG_RECORD"]'
    run_spf "big-first-$via" "${res[@]}" --ip 198.51.100.3 --sender a@big.example.com
    expect "big-first-$via" 'j["result"] == "pass" and j["matched"] == "ip4:198.51.100.3"'
    run_spf "big-none-$via" "${res[@]}" --ip 203.0.113.1 --sender a@big.example.com
    expect "big-none-$via" 'j["result"] == "fail" and j["matched"] == "-all"'
    run_spf "many-$via" "${res[@]}" --ip 192.0.2.88 --sender a@many.example.com
    expect "many-$via" 'j["result"] == "pass" and j["record"] == "v=spf1 ip4:192.0.2.88 -all"'
  done
  # A TXT RR with empty RDATA (no character-strings) is not an SPF record.
  run_spf null-text-wire --dns-server "127.0.0.1:$BIG_PORT" --timeout 2 --ip 192.0.2.5 --sender a@null.example.com
  expect null-text-wire 'j["result"] == "pass" and j["record"] == "v=spf1 ip4:192.0.2.5 -all"'
  run_spf empty-txt-wire --dns-server "127.0.0.1:$BIG_PORT" --timeout 2 --ip 192.0.2.5 --sender a@empty.example.com
  expect empty-txt-wire 'j["result"] == "none"'
  # The same server by its IPv6 loopback address.
  run_spf big-ipv6 --dns-server "[::1]:$BIG_PORT" --timeout 2 --ip 192.0.2.77 --sender a@big.example.com
  expect big-ipv6 'j["result"] == "pass" and j["matched"] == "ip4:192.0.2.77"'
  # scan over the network on several event loops: the same lines as on one;
  # a write error mid-scan (checks in flight on every loop) ends it cleanly.
  # A long --timeout: under a sanitizer a loop can fall seconds behind its
  # answers, and a query timed out would differ between the two runs.
  for i in $(seq 300); do printf '%s\n' big.example.com many.example.com null.example.com empty.example.com \
    "absent$i.example.com"; done >"$FAULT/scan-domains"
  timeout 120 "$BIN" scan "$FAULT/scan-domains" --dns-server "127.0.0.1:$BIG_PORT" --timeout 30 --threads 1 \
    --out "$FAULT/scan1.jsonl" 2>"$FAULT/scan1.err"; rc1=$?
  timeout 120 "$BIN" scan "$FAULT/scan-domains" --dns-server "127.0.0.1:$BIG_PORT" --timeout 30 --threads 3 \
    --concurrency 50 --out "$FAULT/scan3.jsonl" 2>"$FAULT/scan3.err"; rc3=$?
  if [[ $rc1 -eq 0 && $rc3 -eq 0 && $(wc -l <"$FAULT/scan1.jsonl") -eq 1500 ]] &&
    cmp -s "$FAULT/scan1.jsonl" "$FAULT/scan3.jsonl"; then ok; else
    bad "scan on 3 threads differs from 1 thread (exit $rc1/$rc3, $(wc -l <"$FAULT/scan3.jsonl") lines)"
  fi
  if [[ -w /dev/full ]]; then
    timeout 60 "$BIN" scan "$FAULT/scan-domains" --dns-server "127.0.0.1:$BIG_PORT" --timeout 2 --threads 2 \
      --out /dev/full 2>"$FAULT/scanfull.err"; rc=$?
    [[ $rc -eq 1 ]] && grep -q "cannot write output: No space left on device" "$FAULT/scanfull.err" && ok ||
      bad "scan to a full disk over the network: exit $rc, $(head -c 300 "$FAULT/scanfull.err")"
  fi
  # Two servers: the first refuses, the second answers.
  if [[ -n "$REFUSED_PORT" ]]; then
    run_spf failover --dns-server "127.0.0.1:$REFUSED_PORT" --dns-server "127.0.0.1:$BIG_PORT" --timeout 2 \
      --ip 192.0.2.88 --sender a@many.example.com
    expect failover 'j["result"] == "pass"'
  fi
else
  cat "$FAULT/nsd-big.err"
  bad "NSD for big.zone did not start (the big-record, IPv6 and failover checks did not run)"
fi
stop_nsd "$FAULT/nsd-big"

if grep -qh "master files only" "$FAULT"/*.err 2>/dev/null; then
  echo "NOTE: this spfdoctor rejects --dns-server (no network resolver yet): the fault checks fail for that reason."
fi
finish
