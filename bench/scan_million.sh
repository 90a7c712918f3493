#!/usr/bin/env bash
# Issue 7: "1 million domains scanned within 256 MB resident memory", measured.
#
#   bench/scan_million.sh [--domains N] [--concurrency N] [--kills K] [--no-resume-test]
#                         [--regen] [--keep] [--report FILE]
#
# What it does, every step bounded by a timeout, only on 127.0.0.1:
#  1. World. bench/world/gen_million.py writes a root zone of N (default
#     1,000,000) distinct customer domains with their own records, plus the
#     shared provider records, using gen_world.py's profiles: Microsoft 365 /
#     Google / Zoho / Mailgun include chains shared by hundreds of thousands of
#     domains, own ip4/ip6 lists, a/mx with MX and A records behind them,
#     redirects to hosting companies, _spf. sub-records through CNAME, site
#     verification TXT next to SPF, ~7% broken records, ~7% without SPF, and
#     0.5% listed names that are not in the zone (NXDOMAIN). No wildcards and no
#     shortcuts: every domain is a real name in the zone (6.75 million resource
#     records, a 440 MiB master file; nsd-checkzone plus NSD's load take 60 to
#     90 s on 2 busy cores, and NSD then needs ~1.2 GB). Wildcards or fewer
#     distinct records were not needed. Generation takes 4 minutes on a quiet
#     core (11 on a busy one) and is cached in $SCAN_MILLION_DIR (default
#     ${TMPDIR:-/tmp}/spfdoctor-scan-million), keyed by N, the seed and the
#     generators' hashes; --regen forces it.
#  2. NSD. tests/integration/nsd.sh starts NSD on a free loopback port (one
#     server process, rrl-ratelimit: 0: checked in its nsd.conf, the run stops
#     if it is missing, since rate limiting would drop answers).
#  3. Uninterrupted scan:
#       /usr/bin/time -v spfdoctor scan domains.txt --dns-server 127.0.0.1:PORT --out full.jsonl
#     with VmRSS/VmHWM of the spfdoctor process and the output's line count
#     sampled every second from /proc/PID/status. Reported: maximum resident set
#     size, wall time, domains/s, RSS when 10%, 50% and 100% of the domains are
#     written. The output must have exactly one line per input domain, in input
#     order (so the same set of domains), each line a JSON document.
#  4. kill -9 and --resume (unless --no-resume-test): the same scan into
#     resume.jsonl is killed with SIGKILL after a random delay (uniform between
#     5% and 95% of step 3's wall time; with --kills K, K kills in a row, each
#     later one of a --resume run, its delay scaled to the domains left), then
#     `scan --resume --out resume.jsonl` runs to the end.
#     resume.jsonl must hold each input domain exactly once, in input order, and
#     is compared with full.jsonl line for line.
#  5. Report: bench/results/scan_million.md (or --report FILE): machine,
#     commands, numbers; raw samples and time -v output in
#     bench/results/raw/scan_million/.
#
# The spfdoctor binary (SPFDOCTOR, default build/spfdoctor) is copied into the
# run directory first, so a rebuild of build/ during the run changes nothing.
# Run it niced on a shared machine: nice -n 15 bench/scan_million.sh
# A 1M run takes ~25 minutes after the world exists, and needs ~7 GB of disk in
# the run directory (two 3.3 GB outputs; removed at the end unless --keep).
#
# Environment: SPFDOCTOR, SPFDOCTOR_DESC (what the binary was built from, for
# the report), SCAN_MILLION_DIR, SCAN_SEED (world seed, 11),
# SCAN_KILL_SEED (seed of the kill delays; default random, printed),
# SCAN_TIMEOUT (seconds per scan run, 3600).
# Exit status: 0 when every check passed (max RSS <= 256 MiB included), 1 otherwise.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3
N=1000000
CONC=""
KILLS=1
RESUME_TEST=1
REGEN=0
KEEP=0
REPORT=$HERE/results/scan_million.md
SEED=${SCAN_SEED:-11}
SCAN_TIMEOUT=${SCAN_TIMEOUT:-3600}
KILL_SEED=${SCAN_KILL_SEED:-$(( (RANDOM << 15) | RANDOM ))}
BIN_SRC=${SPFDOCTOR:-$ROOT/build/spfdoctor}
BASE=${SCAN_MILLION_DIR:-${TMPDIR:-/tmp}/spfdoctor-scan-million}
LIMIT_KB=$((256 * 1024))

die() { echo "scan_million.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }
usage() { die "usage: scan_million.sh [--domains N] [--concurrency N] [--kills K] [--no-resume-test] [--regen] [--keep] [--report FILE]"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --domains) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -ge 10 ]] || usage; N=$2; shift 2 ;;
    --concurrency) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || usage; CONC=$2; shift 2 ;;
    --kills) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -ge 1 && "$2" -le 20 ]] || usage; KILLS=$2; shift 2 ;;
    --no-resume-test) RESUME_TEST=0; shift ;;
    --regen) REGEN=1; shift ;;
    --keep) KEEP=1; shift ;;
    --report) [[ $# -ge 2 ]] || usage; REPORT=$2; shift 2 ;;
    *) usage ;;
  esac
done
for t in nsd nsd-checkzone kdig timeout sha256sum; do command -v "$t" >/dev/null 2>&1 || die "$t is missing (apt-get install nsd knot-dnsutils coreutils)"; done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
[[ -x "$BIN_SRC" ]] || die "no spfdoctor binary at $BIN_SRC (scripts/build.sh)"

mkdir -p "$BASE" || die "cannot create $BASE"
RUN=$(mktemp -d "$BASE/run.XXXXXX") || die "cannot create a run directory in $BASE"
NSD_DIR=$RUN/nsd
RAW=$HERE/results/raw/scan_million
mkdir -p "$RAW"
PIDS_FILE=$RUN/started.pids   # every background process this script starts, for cleanup

cleanup() {
  local p
  if [[ -r "$PIDS_FILE" ]]; then
    # Only a process still running one of this run's files (a pid may have been reused).
    while read -r p; do
      { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF "$RUN/" && kill -KILL "$p" 2>/dev/null
    done <"$PIDS_FILE"
  fi
  "$ROOT/tests/integration/nsd.sh" stop "$NSD_DIR" >/dev/null 2>&1
  if [[ $KEEP == 1 ]]; then echo "run directory kept: $RUN" >&2; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers (Python, written into the run directory) ---------------------------
# sampler.py PID OUTFILE CSV MAX_SECONDS: every second, VmRSS and VmHWM of PID
# and the number of complete lines in OUTFILE (counted incrementally), until PID
# is gone or MAX_SECONDS have passed.
cat >"$RUN/sampler.py" <<'PY'
import os, sys, time
pid, outfile, csv, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
t0 = time.monotonic(); lines = 0; f = None
def status():
    try:
        with open("/proc/%d/status" % pid) as s:
            v = {}
            for l in s:
                k, _, rest = l.partition(":")
                if k in ("VmRSS", "VmHWM", "State"): v[k] = rest.split()[0]
            return v
    except OSError:
        return None
with open(csv, "w") as out:
    out.write("seconds rss_kb hwm_kb lines\n")
    while time.monotonic() - t0 < limit:
        st = status()
        if st is None or st.get("State") == "Z": break
        if f is None and os.path.exists(outfile): f = open(outfile, "rb")
        if f is not None:
            while True:
                b = f.read(1 << 22)
                if not b: break
                lines += b.count(b"\n")
        out.write("%.1f %s %s %d\n" % (time.monotonic() - t0, st.get("VmRSS", "0"), st.get("VmHWM", "0"), lines))
        out.flush()
        time.sleep(1)
PY
# verify.py LIST OUT: OUT must have exactly one complete JSON line per domain of
# LIST, line i naming domain i. Prints a one-line JSON summary; exit 1 if not.
cat >"$RUN/verify.py" <<'PY'
import json, sys
lst, out = sys.argv[1], sys.argv[2]
verdicts = {}; n = 0; bad = []
with open(lst, encoding="ascii") as L, open(out, "rb") as O:
    for want in L:
        want = want.strip()
        if not want or want.startswith("#"): continue
        line = O.readline()
        n += 1
        if not line.endswith(b"\n"):
            bad.append("line %d missing or partial (want %s)" % (n, want)); break
        try:
            j = json.loads(line)
        except ValueError:
            bad.append("line %d is not JSON" % n); continue
        if j.get("domain") != want:
            bad.append("line %d is %r, domain %d of the list is %r" % (n, j.get("domain"), n, want))
            if len(bad) > 5: break
        v = j.get("verdict") or "invalid"
        verdicts[v] = verdicts.get(v, 0) + 1
    extra = sum(1 for _ in O)
if extra: bad.append("%d lines after the last domain" % extra)
print(json.dumps({"domains": n, "ok": not bad, "problems": bad[:6], "verdicts": verdicts}))
sys.exit(0 if not bad else 1)
PY
# diff.py A B: how many lines differ between two scan outputs, and the first few domains.
cat >"$RUN/diff.py" <<'PY'
import json, sys
a, b = open(sys.argv[1], "rb"), open(sys.argv[2], "rb")
n = diff = 0; first = []
for la, lb in zip(a, b):
    n += 1
    if la != lb:
        diff += 1
        if len(first) < 5:
            ja, jb = json.loads(la), json.loads(lb)
            keys = sorted(k for k in set(ja) | set(jb) if ja.get(k) != jb.get(k))
            first.append("%s (%s)" % (ja.get("domain"), ", ".join(keys)))
print(json.dumps({"lines": n, "differ": diff, "first": first}))
PY

# ---- the binary ------------------------------------------------------------------
BIN=$RUN/spfdoctor
cp "$BIN_SRC" "$BIN" || die "cannot copy $BIN_SRC"
BIN_SHA=$(sha256sum "$BIN" | cut -c1-12)
BIN_VERSION=$("$BIN" --version 2>/dev/null | head -n1)
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git -C "$ROOT" status --porcelain -- src include tools CMakeLists.txt 2>/dev/null | wc -l)
BIN_DATE=$(date -u -r "$BIN_SRC" '+%Y-%m-%d %H:%M UTC')
# What the binary was built from: this tree's HEAD (and whether src/ was being
# edited) when it is this tree's build; SPFDOCTOR_DESC says it otherwise.
if [[ -n "${SPFDOCTOR_DESC:-}" ]]; then
  BIN_FROM=$SPFDOCTOR_DESC
elif [[ "$(cd "$(dirname "$BIN_SRC")" && pwd)" == "$ROOT"/* ]]; then
  BIN_FROM="$BIN_SRC, built $BIN_DATE in a tree at $GIT_REV"
  [[ $GIT_DIRTY != 0 ]] && BIN_FROM+=" (with $GIT_DIRTY uncommitted changes under src/ include/ tools/ at the time of the run)"
else
  BIN_FROM="$BIN_SRC, built $BIN_DATE"
fi
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

# ---- 1. the world ---------------------------------------------------------------
WORLD=$BASE/world-$N-s$SEED
GEN_HASH=$(cat "$HERE/world/gen_world.py" "$HERE/world/gen_million.py" | sha256sum | cut -c1-16)
GEN_SECONDS=cached
if [[ $REGEN == 1 || ! -s "$WORLD/million.json" || "$(cat "$WORLD/stamp" 2>/dev/null)" != "$GEN_HASH" ]]; then
  say "generating the world: $N domains, seed $SEED (a few minutes for 1M)"
  rm -rf "$WORLD"
  t0=$(date +%s.%N)
  timeout 3600 "$PY" "$HERE/world/gen_million.py" "$WORLD" --domains "$N" --seed "$SEED" || die "gen_million.py failed"
  GEN_SECONDS=$("$PY" -c "import sys; print('%.0f s' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)")
  echo "$GEN_HASH" >"$WORLD/stamp"
else
  say "reusing the world in $WORLD"
fi
LIST=$WORLD/domains.txt
ZONE=$WORLD/million.zone
N_LIST=$(grep -cv '^[[:space:]]*\(#\|$\)' "$LIST")
[[ $N_LIST == "$N" ]] || die "$LIST has $N_LIST domains, expected $N"
read -r N_RR N_MISSING GEN_META_SECONDS < <("$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); print(m['resource_records'], m['missing'], m.get('seconds', '?'))" "$WORLD/million.json")
[[ $GEN_SECONDS == cached ]] && GEN_SECONDS="$GEN_META_SECONDS s by an earlier run (cached in $WORLD)"
ZONE_MB=$(( $(stat -c %s "$ZONE") / 1048576 ))

# ---- 2. NSD ----------------------------------------------------------------------
say "starting NSD on $ZONE ($N_RR records, $ZONE_MB MiB)"
t0=$(date +%s.%N)
# nsd.sh runs nsd-checkzone, then waits up to 100 tries (kdig +time=1) for NSD's
# first answer; NSD binds its port before it loads the zone, so the ~30 s load of
# a 1M-domain zone fits.
PORT=$(timeout 900 "$ROOT/tests/integration/nsd.sh" start "$NSD_DIR" "$ZONE") || die "NSD did not start"
NSD_SECONDS=$("$PY" -c "import sys; print('%.0f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)")
grep -Eq '^[[:space:]]*rrl-ratelimit:[[:space:]]*0[[:space:]]*$' "$NSD_DIR/nsd.conf" \
  || die "NSD's config has no 'rrl-ratelimit: 0' (this NSD build has no RRL option?): answers would be rate limited"
nsd_rss_kb() {  # NSD's whole process tree, by parent id; proportional set size (forked pages counted once)
  local pids=() p q i=0 sum=0
  p=$(cat "$NSD_DIR/nsd.main.pid" 2>/dev/null); [[ -n "$p" ]] && pids+=("$p")
  while [[ $i -lt ${#pids[@]} && $i -lt 20 ]]; do
    for q in $(pgrep -P "${pids[$i]}" 2>/dev/null); do pids+=("$q"); done
    i=$((i + 1))
  done
  for p in "${pids[@]}"; do
    q=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null); sum=$((sum + ${q:-0}))
  done
  echo "$sum"
}
NSD_RSS_MB=$(( $(nsd_rss_kb) / 1024 ))
FIRST=$(head -n1 "$LIST")
[[ -n "$(kdig @127.0.0.1 -p "$PORT" "$FIRST" TXT +short +time=2 +retry=1 2>/dev/null)" ]] \
  || echo "note: $FIRST has no TXT record (one of the domains without one)" >&2
say "NSD on 127.0.0.1:$PORT after ${NSD_SECONDS}s (checkzone + load), PSS $NSD_RSS_MB MiB"

# ---- running a scan --------------------------------------------------------------
# start_scan TAG OUT [extra scan args]: starts spfdoctor under /usr/bin/time -v
# and timeout, and the sampler on it. Sets SCAN_TPID (timeout's pid), SCAN_PID
# (spfdoctor's pid), SAMPLER_PID.
SCAN_ARGS=(--dns-server "127.0.0.1:$PORT")
[[ -n "$CONC" ]] && SCAN_ARGS+=(--concurrency "$CONC")
start_scan() {
  local tag=$1 out=$2 i p
  shift 2
  timeout -k 10 "$SCAN_TIMEOUT" /usr/bin/time -v -o "$RUN/$tag.time" \
    "$BIN" scan "$LIST" "${SCAN_ARGS[@]}" --out "$out" "$@" 2>"$RUN/$tag.err" &
  SCAN_TPID=$!
  echo "$SCAN_TPID" >>"$PIDS_FILE"
  SCAN_PID=""
  # timeout -> time -> spfdoctor, found by parent id.
  for i in $(seq 1 200); do
    for p in $(pgrep -P "$SCAN_TPID" 2>/dev/null); do
      SCAN_PID=$(pgrep -P "$p" 2>/dev/null | head -n1)
    done
    [[ -n "$SCAN_PID" ]] && break
    sleep 0.05
  done
  [[ -n "$SCAN_PID" ]] || die "cannot find the spfdoctor process of run $tag"
  echo "$SCAN_PID" >>"$PIDS_FILE"
  "$PY" "$RUN/sampler.py" "$SCAN_PID" "$out" "$RUN/$tag.rss" "$((SCAN_TIMEOUT + 30))" &
  SAMPLER_PID=$!
  echo "$SAMPLER_PID" >>"$PIDS_FILE"
}
# finish_scan: waits for the run started last; sets SCAN_RC.
finish_scan() {
  wait "$SCAN_TPID"; SCAN_RC=$?
  wait "$SAMPLER_PID" 2>/dev/null
}
time_field() {  # time_field TAG 'Maximum resident set size (kbytes)'
  awk -F': ' -v k="$2" '$1 ~ k {print $2}' "$RUN/$1.time" 2>/dev/null | head -n1
}
wall_seconds() {  # time -v's h:mm:ss.ss or m:ss.ss -> seconds
  time_field "$1" 'Elapsed \\(wall clock\\) time' | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }'
}
# rss_at TAG FRACTION: "RSS_MB MiB at S s" of the first sample with >= FRACTION*N lines written
# (1.0: the last sample, taken just before the process ended).
rss_at() {
  awk -v n="$N" -v f="$2" 'NR > 1 { if (f >= 1) { last = $0; next } if ($4 >= f * n && !done) { print int($2 / 1024 + 0.5) " MiB at " int($1) " s (" $4 " lines)"; done = 1 } }
    END { if (f >= 1 && last != "") { split(last, a, " "); print int(a[2] / 1024 + 0.5) " MiB at " int(a[1]) " s (" a[4] " lines)" } else if (!done) print "n/a" }' "$RUN/$1.rss"
}
keep_raw() { cp "$RUN/$1.time" "$RUN/$1.rss" "$RUN/$1.err" "$RAW/" 2>/dev/null; }

OK=1
fail() { echo "FAIL: $*" >&2; OK=0; }

# ---- 3. uninterrupted scan -------------------------------------------------------
say "scan of $N domains (timeout ${SCAN_TIMEOUT}s): $BIN scan ... --dns-server 127.0.0.1:$PORT --out full.jsonl"
start_scan full "$RUN/full.jsonl"
finish_scan
FULL_RC=$SCAN_RC
keep_raw full
[[ $FULL_RC == 0 ]] || fail "the scan exited with status $FULL_RC (124: timed out); see $RAW/full.err"
FULL_MAXRSS_KB=$(time_field full 'Maximum resident set size')
FULL_WALL=$(wall_seconds full)
FULL_USER=$(time_field full 'User time')
FULL_SYS=$(time_field full 'System time')
FULL_CPU=$(time_field full 'Percent of CPU')
FULL_RATE=$(awk -v n="$N" -v t="$FULL_WALL" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print "n/a" }')
FULL_SUMMARY=$(grep '^scan:' "$RUN/full.err" | sed 's/^/    /')
FULL_BYTES=$(stat -c %s "$RUN/full.jsonl" 2>/dev/null || echo 0)
say "verifying full.jsonl"
FULL_VERIFY=$(timeout 1800 "$PY" "$RUN/verify.py" "$LIST" "$RUN/full.jsonl") || fail "full.jsonl: $FULL_VERIFY"
[[ -n "$FULL_MAXRSS_KB" && $FULL_MAXRSS_KB -le $LIMIT_KB ]] || fail "maximum RSS ${FULL_MAXRSS_KB:-?} kB is over 256 MiB"
RSS_FIRST=$(awk 'NR == 2 { print int($2 / 1024 + 0.5) " MiB at " int($1) " s" }' "$RUN/full.rss")
RSS10=$(rss_at full 0.1); RSS50=$(rss_at full 0.5); RSS100=$(rss_at full 1.0)
# A table of RSS by progress, every 10%.
RSS_TABLE=$(for f in 0.01 0.05 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0; do
  awk -v f="$f" 'BEGIN{printf "| %g%% | ", f * 100}'; rss_at full "$f" | awk '{ printf "%s %s | %s s | %s |\n", $1, $2, $4, substr($6, 2) }'
done)
say "full scan: max RSS $((FULL_MAXRSS_KB / 1024)) MiB, wall ${FULL_WALL}s, $FULL_RATE domains/s; RSS 10% $RSS10, 50% $RSS50, 100% $RSS100"

# ---- 4. kill -9 and --resume -------------------------------------------------------
RESUME_LINES=""
if [[ $RESUME_TEST == 1 ]]; then
  RANDOM=$KILL_SEED
  complete=0
  for k in $(seq 1 "$KILLS"); do
    # A delay in [5%, 95%] of the time the uninterrupted run took for the domains
    # still to do (all of them the first time), in milliseconds.
    frac=$(( 50 + RANDOM % 901 ))   # per mille
    delay_ms=$(awk -v t="$FULL_WALL" -v f="$frac" -v n="$N" -v c="$complete" 'BEGIN { printf "%d", t * 1000 * f / 1000 * (n - c) / n }')
    if [[ $k == 1 ]]; then start_scan "kill$k" "$RUN/resume.jsonl"; else start_scan "kill$k" "$RUN/resume.jsonl" --resume; fi
    say "kill $k of $KILLS: SIGKILL to spfdoctor (pid $SCAN_PID) after $((delay_ms / 1000)).$(printf %03d $((delay_ms % 1000))) s (seed $KILL_SEED)"
    sleep "$(awk -v d="$delay_ms" 'BEGIN { printf "%.3f", d / 1000 }')"
    if kill -0 "$SCAN_PID" 2>/dev/null; then kill -KILL "$SCAN_PID"; killed=yes; else killed="no (it had already finished)"; fi
    finish_scan
    keep_raw "kill$k"
    complete=$(tr -dc '\n' <"$RUN/resume.jsonl" | wc -c)
    if [[ -s "$RUN/resume.jsonl" && "$(tail -c1 "$RUN/resume.jsonl" | od -An -c | tr -d ' ')" != '\n' ]]; then partial=yes; else partial=no; fi
    RESUME_LINES+="| $k | $((delay_ms / 1000)).$(printf %03d $((delay_ms % 1000))) s | $killed | $complete | $partial |"$'\n'
    say "killed: $complete complete lines, partial last line: $partial"
    [[ $complete -ge $N ]] && break   # finished before the kill: nothing left to interrupt
  done
  say "scan --resume to the end"
  start_scan resume "$RUN/resume.jsonl" --resume
  finish_scan
  RESUME_RC=$SCAN_RC
  keep_raw resume
  [[ $RESUME_RC == 0 ]] || fail "the resumed scan exited with status $RESUME_RC"
  RESUME_MAXRSS_KB=$(time_field resume 'Maximum resident set size')
  RESUME_WALL=$(wall_seconds resume)
  RESUME_SUMMARY=$(grep '^scan:' "$RUN/resume.err" | sed 's/^/    /')
  say "verifying resume.jsonl"
  RESUME_VERIFY=$(timeout 1800 "$PY" "$RUN/verify.py" "$LIST" "$RUN/resume.jsonl") || fail "resume.jsonl: $RESUME_VERIFY"
  if cmp -s "$RUN/full.jsonl" "$RUN/resume.jsonl"; then
    SAME="identical to full.jsonl, byte for byte"
  else
    SAME="differs from full.jsonl in $(timeout 1800 "$PY" "$RUN/diff.py" "$RUN/full.jsonl" "$RUN/resume.jsonl")"
  fi
  [[ -n "$RESUME_MAXRSS_KB" && $RESUME_MAXRSS_KB -le $LIMIT_KB ]] || fail "resumed scan: maximum RSS ${RESUME_MAXRSS_KB:-?} kB is over 256 MiB"
  say "resume: $RESUME_VERIFY; $SAME"
fi
NSD_RSS_END_MB=$(( $(nsd_rss_kb) / 1024 ))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 5. the report -----------------------------------------------------------------
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
{
  echo "# 1 million domains scanned: memory and time"
  echo
  echo "Written by \`bench/scan_million.sh\` (issue 7: \"1 million domains scanned within 256 MB resident"
  echo "memory\"). Run of $START_DATE. Result: **$([[ $OK == 1 ]] && echo "every check passed" || echo "SOME CHECKS FAILED (see below)")**."
  echo
  echo "## Machine and software"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPUs | $(nproc) (\`nproc\`), \`$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)\`, shared with other jobs |"
  echo "| memory | $(awk '/^MemTotal/{printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |"
  echo "| system | Debian $(cat /etc/debian_version 2>/dev/null), Linux $(uname -r) |"
  echo "| load average (1, 5, 15 min) | $LOAD_START at the start, $LOAD_END at the end |"
  echo "| spfdoctor | $BIN_VERSION: $BIN_FROM; sha256 $BIN_SHA… |"
  echo "| DNS server | $(nsd -v 2>&1 | head -n1), one server process, \`rrl-ratelimit: 0\`, loopback only |"
  echo
  echo "## The world"
  echo
  echo "\`bench/world/gen_million.py\` (seed $SEED): $N domains in the list, $N_RR resource records in one"
  echo "root zone ($ZONE_MB MiB master file), generated in $GEN_SECONDS. Every domain is a distinct name with"
  echo "its own records (no wildcards); the profiles are those of \`bench/world/gen_world.py\`: Microsoft 365,"
  echo "Google, Zoho, Mailgun, SendGrid, ... include chains shared by many domains, own ip4/ip6 lists, \`a\`/\`mx\`"
  echo "with MX and A records behind them, redirects to hosting companies, broken records, domains"
  echo "without SPF, and $N_MISSING listed names that are not in the zone (NXDOMAIN). NSD started (checkzone"
  echo "and load) in $NSD_SECONDS s; its processes' memory (PSS) was $NSD_RSS_MB MiB ($NSD_RSS_END_MB MiB at the end)."
  echo
  echo "Domains per profile:"
  echo
  echo '```'
  "$PY" -c "import json,sys; [print('%8d  %s' % (v, k)) for k, v in json.load(open(sys.argv[1]))['profiles'].items()]" "$WORLD/million.json"
  echo '```'
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "nice -n 15 bench/scan_million.sh$([[ $N != 1000000 ]] && echo " --domains $N")$([[ -n "$CONC" ]] && echo " --concurrency $CONC")$([[ $KILLS != 1 ]] && echo " --kills $KILLS")   # SCAN_KILL_SEED=$KILL_SEED repeats the kill delays"
  echo "# which runs:"
  echo "bench/world/gen_million.py WORLD --domains $N --seed $SEED"
  echo "tests/integration/nsd.sh start NSD_DIR WORLD/million.zone        # prints PORT"
  echo "/usr/bin/time -v spfdoctor scan WORLD/domains.txt --dns-server 127.0.0.1:PORT$([[ -n "$CONC" ]] && echo " --concurrency $CONC") --out full.jsonl"
  echo "spfdoctor scan ... --out resume.jsonl      # kill -9 after a random delay"
  echo "spfdoctor scan ... --out resume.jsonl --resume"
  echo '```'
  echo
  echo "## Uninterrupted scan"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| domains | $N |"
  echo "| exit status | $FULL_RC |"
  echo "| **maximum resident set size** (\`time -v\`) | **$(mb "${FULL_MAXRSS_KB:-0}")** (limit 256 MiB) |"
  echo "| wall time | ${FULL_WALL} s |"
  echo "| **domains/s** | **$FULL_RATE** |"
  echo "| CPU | user ${FULL_USER} s, system ${FULL_SYS} s ($FULL_CPU of one core) |"
  echo "| RSS at 10% / 50% / 100% of the domains | $RSS10 / $RSS50 / $RSS100 |"
  echo "| output | $((FULL_BYTES / 1048576)) MiB of JSON Lines |"
  echo "| output check | \`$FULL_VERIFY\` |"
  echo
  echo "spfdoctor's own summary (stderr):"
  echo
  echo '```'
  echo "$FULL_SUMMARY"
  echo '```'
  echo
  echo "RSS (VmRSS from /proc/PID/status, sampled every second; the first sample, $RSS_FIRST, is before"
  echo "any domain is done) against progress (complete lines in the output):"
  echo
  echo "| domains written | RSS | at | lines |"
  echo "|---|---|---|---|"
  echo "$RSS_TABLE"
  echo
  if [[ $RESUME_TEST == 1 ]]; then
    echo "## kill -9, then --resume"
    echo
    echo "The same scan into \`resume.jsonl\`, killed with SIGKILL after a random delay (seed $KILL_SEED;"
    echo "uniform between 5% and 95% of the time the uninterrupted run took for the domains still to do; a"
    echo "resumed run first reads its input and the output so far), then resumed with \`--resume\` to the end."
    echo
    echo "| kill | after | killed | complete lines then | partial last line |"
    echo "|---|---|---|---|---|"
    echo -n "$RESUME_LINES"
    echo
    echo "| resumed run | |"
    echo "|---|---|"
    echo "| exit status | $RESUME_RC |"
    echo "| maximum resident set size | $(mb "${RESUME_MAXRSS_KB:-0}") |"
    echo "| wall time | ${RESUME_WALL} s |"
    echo "| output check | \`$RESUME_VERIFY\` |"
    echo "| against the uninterrupted run | $SAME |"
    echo
    echo '```'
    echo "$RESUME_SUMMARY"
    echo '```'
    echo
  fi
  echo "Raw data (time -v, RSS samples, stderr): \`bench/results/raw/scan_million/\` (not in git)."
} >"$REPORT.tmp" && mv "$REPORT.tmp" "$REPORT"
say "report: $REPORT"
[[ $OK == 1 ]] || { echo "scan_million.sh: some checks failed (see $REPORT)" >&2; exit 1; }
exit 0
