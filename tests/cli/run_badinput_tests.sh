#!/usr/bin/env bash
# Every command's bad-input paths (docs/cli.md, "Exit status"): an unreadable
# file, a directory where a file belongs, a file that is not what it should be,
# not an IP, not a domain, bad options, a bad master file, an --out that cannot
# be written. Each must give exactly one line on stderr, "spfdoctor: ...",
# naming what was wrong; the documented exit status; no signal (so no crash
# and, in the ASan build, no sanitizer report: those abort); no hang; and no
# output file left behind.
#
#   tests/cli/run_badinput_tests.sh SPFDOCTOR TESTDIR
#
# Unreadable files need a user that file permissions apply to: as root the
# commands for those cases run as nobody (setpriv); otherwise as the caller.
set -u
BIN=$(realpath "$1")
DIR=$(realpath "$2")
ROOT=$(cd "$DIR/.." && pwd)
ZONE="$ROOT/examples/demo.zone"
LZ="$DIR/data/lint.zone"
BOUNCE="$DIR/data/bounces/m365-relay-pool.eml"
TMP=$(mktemp -d)
chmod 755 "$TMP"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
pass=0
fail=0

# "${AS_OTHER[@]}" CMD...: runs CMD as a user that file permissions apply to.
AS_OTHER=()
[[ $(id -u) -eq 0 ]] && AS_OTHER=(setpriv --reuid=65534 --regid=65534 --clear-groups --)

# bad NAME STATUS REGEX [-f FILE_THAT_MUST_NOT_EXIST] -- CMD...
# Runs CMD (30 s at most); wants exit STATUS, stderr of exactly one line that
# starts with "spfdoctor: " and matches REGEX, and FILE absent afterwards.
bad() {
  local name=$1 want=$2 regex=$3 nofile=""
  shift 3
  if [[ $1 == -f ]]; then
    nofile=$2
    shift 2
  fi
  [[ $1 == -- ]] && shift
  timeout 30 "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$? why=""
  if ((got == 124)); then
    why="hung (killed after 30 s)"
  elif ((got > 128)); then
    why="killed by signal $((got - 128))"
  elif ((got != want)); then
    why="exit status $got, want $want"
  elif [[ $(wc -l <"$TMP/err") -ne 1 ]]; then
    why="$(wc -l <"$TMP/err") lines on stderr, want 1"
  elif ! head -1 "$TMP/err" | grep -Eq -- "^spfdoctor: .*($regex)"; then
    why="stderr does not match /$regex/"
  elif [[ -n $nofile && -e $nofile ]]; then
    why="left $nofile behind"
  fi
  if [[ -z $why ]]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: $why"
    head -c 600 "$TMP/err" | sed 's/^/  stderr: /'
  fi
}

# good NAME PYTHON_EXPR CMD...: strange but valid input; exit 0, JSON on
# stdout (j) satisfies the expression.
good() {
  local name=$1 expr=$2
  shift 2
  timeout 30 "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$?
  if ((got != 0)); then
    fail=$((fail + 1))
    echo "FAIL $name: exit status $got, want 0"
    head -c 600 "$TMP/err" | sed 's/^/  stderr: /'
    return
  fi
  if /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$TMP/out" "$expr" 2>"$TMP/pyerr"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: $expr"
    head -c 600 "$TMP/out" | sed 's/^/  stdout: /'
    cat "$TMP/pyerr"
  fi
}

# ---- files: missing, a directory, unreadable, not what they should be --------
mkdir "$TMP/dir"
printf 'example.com\n' >"$TMP/secret"
chmod 000 "$TMP/secret"
printf 'this is not a master file\n' >"$TMP/notzone"
printf 'example.com. 300 IN TXT "v=spf1 -all"\nexample.com. IN BOGUS garbage\n' >"$TMP/badline.zone"
head -c 4096 /dev/urandom >"$TMP/random.bin"
truncate -s 65M "$TMP/huge.zone"
: >"$TMP/empty"
printf 'this is not a mail message\n' >"$TMP/notmail.txt"
head -c 21000000 /dev/zero | tr '\0' 'a' >"$TMP/huge.eml"
printf 'a.example\n' >"$TMP/domains"

for cmd in "eval --ip 192.0.2.1 --sender a@example.com" "lint example.com" "scan $TMP/domains" \
  "bounce $BOUNCE" "serve --listen 127.0.0.1:0"; do
  c=${cmd%% *}
  # shellcheck disable=SC2086
  bad "$c --zone missing" 1 "--zone: .*nope\.zone.*No such file" -- "$BIN" $cmd --zone "$TMP/nope.zone"
  # shellcheck disable=SC2086
  bad "$c --zone directory" 1 "--zone: .*dir.*Is a directory" -- "$BIN" $cmd --zone "$TMP/dir"
  # shellcheck disable=SC2086
  bad "$c --zone unreadable" 1 "--zone: .*secret.*Permission denied" -- "${AS_OTHER[@]}" "$BIN" $cmd --zone "$TMP/secret"
  # shellcheck disable=SC2086
  bad "$c --zone not a master file" 1 "--zone: .*notzone:1" -- "$BIN" $cmd --zone "$TMP/notzone"
  # shellcheck disable=SC2086
  bad "$c --zone bad line" 1 "--zone: .*badline\.zone:2" -- "$BIN" $cmd --zone "$TMP/badline.zone"
  # shellcheck disable=SC2086
  bad "$c --zone random bytes" 1 "--zone: .*random\.bin" -- "$BIN" $cmd --zone "$TMP/random.bin"
  # shellcheck disable=SC2086
  bad "$c --zone over 64 MiB" 1 "--zone: .*huge\.zone.*too large" -- "$BIN" $cmd --zone "$TMP/huge.zone"
  # shellcheck disable=SC2086
  bad "$c unknown option" 2 "--frobnicate" -- "$BIN" $cmd --zone "$ZONE" --frobnicate
  # shellcheck disable=SC2086
  bad "$c --timeout 0" 2 "--timeout" -- "$BIN" $cmd --zone "$ZONE" --timeout 0
  # shellcheck disable=SC2086
  bad "$c --timeout abc" 2 "--timeout" -- "$BIN" $cmd --zone "$ZONE" --timeout abc
  # shellcheck disable=SC2086
  bad "$c --timeout inf" 2 "--timeout" -- "$BIN" $cmd --timeout inf
  # shellcheck disable=SC2086
  bad "$c --dns-server not an address" 2 "--dns-server \"300\.1\.1\.1\"" -- "$BIN" $cmd --dns-server 300.1.1.1
done

# ---- the program itself ------------------------------------------------------
bad "no command" 2 "command" -- "$BIN"
bad "unknown command" 2 "unknown command \"frob\"" -- "$BIN" frob
bad "unknown global option" 2 "--frob" -- "$BIN" --frob

# ---- eval ---------------------------------------------------------------------
bad "eval --ip not an IP" 2 'not an IP address: "300\.1\.1\.1"' -- "$BIN" eval --zone "$ZONE" --ip 300.1.1.1 --sender a@example.com
bad "eval --ip a name" 2 'not an IP address: "mail\.example\.com"' -- "$BIN" eval --zone "$ZONE" --ip mail.example.com --sender a@example.com
bad "eval --ip with a prefix" 2 'not an IP address' -- "$BIN" eval --zone "$ZONE" --ip 192.0.2.0/24 --sender a@example.com
bad "eval without --ip" 2 "needs --ip" -- "$BIN" eval --zone "$ZONE" --sender a@example.com
bad "eval without --sender or --helo" 2 "needs --sender or --helo" -- "$BIN" eval --zone "$ZONE" --ip 192.0.2.1
bad "eval --concurrency 0" 2 "--concurrency" -- "$BIN" eval --zone "$ZONE" --batch - --concurrency 0
bad "eval --threads 0" 2 "--threads" -- "$BIN" eval --zone "$ZONE" --batch - --threads 0
bad "eval --threads 65" 2 "--threads" -- "$BIN" eval --zone "$ZONE" --batch - --threads 65
bad "eval --batch missing" 1 'batch file .*nope\.txt.*No such file' -- "$BIN" eval --zone "$ZONE" --batch "$TMP/nope.txt"
bad "eval --batch directory" 1 'batch file .*dir.*Is a directory' -- "$BIN" eval --zone "$ZONE" --batch "$TMP/dir"
bad "eval --batch unreadable" 1 'batch file .*secret.*Permission denied' -- "${AS_OTHER[@]}" "$BIN" eval --zone "$ZONE" --batch "$TMP/secret"
printf '192.0.2.10 alice@example.com h\nnot-an-ip a@example.com h\n' >"$TMP/badbatch"
bad "eval --batch with a line that is not an IP" 1 'line 2: not an IP address: "not-an-ip"' -- "$BIN" eval --zone "$ZONE" --batch "$TMP/badbatch" --json
# Strange, not bad: RFC 7208 §4.3 makes a malformed domain "none".
good "eval sender whose domain is not a domain" 'j["result"] == "none"' "$BIN" eval --zone "$ZONE" --ip 192.0.2.1 --sender 'a@exa mple..com' --json
good "eval HELO that is not a domain" 'j["result"] == "none" and j["identity"] == "helo"' "$BIN" eval --zone "$ZONE" --ip 192.0.2.1 --helo '[192.0.2.1]' --json
good "eval sender without @" 'j["result"] == "pass" and j["domain"] == "example.com"' "$BIN" eval --zone "$ZONE" --ip 192.0.2.10 --sender example.com --json

# ---- lint ---------------------------------------------------------------------
bad "lint not a domain" 2 'not a domain name: "exa mple\.com"' -- "$BIN" lint "exa mple.com" --zone "$LZ"
bad "lint an IP address for a domain" 2 'not a domain name: "192\.0\.2\.1" is an IP address' -- "$BIN" lint 192.0.2.1 --zone "$LZ"
bad "lint a domain with two trailing dots" 2 'not a domain name: "clean\.example\.\."' -- "$BIN" lint clean.example.. --zone "$LZ"
bad "lint a domain over 253 octets" 2 'not a domain name' -- "$BIN" lint "$(printf 'abcdefghij.%.0s' $(seq 24))example" --zone "$LZ"
bad "lint an empty domain" 2 'not a domain name: ""' -- "$BIN" lint "" --zone "$LZ"
bad "lint --ip not an IP" 2 'not an IP address: "1\.2\.3"' -- "$BIN" lint clean.example --zone "$LZ" --ip 1.2.3
bad "lint --provider unknown" 2 'unknown --provider "nope"' -- "$BIN" lint clean.example --zone "$LZ" --provider nope
bad "lint without a domain" 2 "domain is required" -- "$BIN" lint --zone "$LZ"
good "lint --record that is not SPF: a finding, not an error" 'any(f["id"] == "syntax-error" for f in j["findings"])' \
  "$BIN" lint clean.example --zone "$LZ" --record "hello world" --json

# ---- scan ---------------------------------------------------------------------
bad "scan input missing" 1 'cannot read ".*nope\.txt": No such file' -f "$TMP/o1" -- "$BIN" scan "$TMP/nope.txt" --zone "$LZ" --out "$TMP/o1"
bad "scan input directory" 1 'cannot read ".*dir": Is a directory' -f "$TMP/o2" -- "$BIN" scan "$TMP/dir" --zone "$LZ" --out "$TMP/o2"
bad "scan input unreadable" 1 'cannot read ".*secret": Permission denied' -f "$TMP/o3" -- "${AS_OTHER[@]}" "$BIN" scan "$TMP/secret" --zone "$LZ" --out "$TMP/o3"
bad "scan --zone bad: no --out file" 1 'badline\.zone:2' -f "$TMP/o4" -- "$BIN" scan "$TMP/domains" --zone "$TMP/badline.zone" --out "$TMP/o4"
bad "scan --out in a missing directory" 1 'cannot write ".*nodir/o5": No such file' -- "$BIN" scan "$TMP/domains" --zone "$LZ" --out "$TMP/nodir/o5"
bad "scan --out a directory" 1 'cannot write ".*dir": Is a directory' -- "$BIN" scan "$TMP/domains" --zone "$LZ" --out "$TMP/dir"
mkdir "$TMP/ro" && chmod 555 "$TMP/ro"
bad "scan --out in a read-only directory" 1 'cannot write ".*ro/o6": Permission denied' -f "$TMP/ro/o6" -- "${AS_OTHER[@]}" "$BIN" scan "$TMP/domains" --zone "$LZ" --out "$TMP/ro/o6"
# Output that cannot be written (a full disk) is an error, whatever the command.
if [[ -w /dev/full ]]; then
  for cmd in "eval --zone $ZONE --ip 192.0.2.10 --sender a@example.com" "eval --zone $ZONE --ip 192.0.2.10 --sender a@example.com --json" \
    "lint --zone $ZONE example.com" "bounce $BOUNCE --no-dns" "bounce $BOUNCE --no-dns --json" "scan $TMP/domains --zone $LZ"; do
    # shellcheck disable=SC2086
    bad "${cmd%% *} to a full disk" 1 'cannot write output: No space left on device' -- bash -c '"$0" "$@" >/dev/full' "$BIN" $cmd
  done
  for i in $(seq 3000); do echo "192.0.2.$((i % 250)) a@example.com h"; done >"$TMP/batch3000"
  bad "eval --batch to a full disk" 1 'cannot write output: No space left on device' -- \
    bash -c '"$0" eval --zone "$1" --batch "$2" --json >/dev/full' "$BIN" "$ZONE" "$TMP/batch3000"
fi
if [[ -w /dev/full ]]; then
  bad "scan --out a full disk" 1 'cannot write output: No space left on device' -- "$BIN" scan "$TMP/domains" --zone "$LZ" --out /dev/full
fi
bad "scan --resume without --out" 2 '--resume needs --out' -- "$BIN" scan "$TMP/domains" --zone "$LZ" --resume
bad "scan --concurrency 0" 2 '--concurrency' -- "$BIN" scan "$TMP/domains" --zone "$LZ" --concurrency 0
bad "scan --threads x" 2 '--threads' -- "$BIN" scan "$TMP/domains" --zone "$LZ" --threads x
printf 'clean.example\nsyntax.example\n' >"$TMP/two"
printf 'norecord.example\n' >"$TMP/other"
"$BIN" scan "$TMP/other" --zone "$LZ" --out "$TMP/o7" 2>/dev/null
bad "scan --resume on another scan's output" 1 '--resume: line 1 of the output is norecord\.example' -- "$BIN" scan "$TMP/two" --zone "$LZ" --out "$TMP/o7" --resume
"$BIN" scan - --zone "$LZ" <"$TMP/random.bin" >"$TMP/scan.jsonl" 2>"$TMP/err"
rc=$?
# Random lines are refused as "not a domain name", except the rare short one
# made only of what a name may hold (letters, digits, "-", "_", dots: "k",
# "mv", "-4"): that is a name, and scan checks it (one run in forty has one).
if ((rc == 0)) && /usr/bin/python3 -c '
import json, re, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
name = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
refused = [x for x in ls if x["verdict"] is None and x["error"] == "not a domain name"]
checked = [x for x in ls if x not in refused and x.get("error") is None and name.fullmatch(x["domain"])]
sys.exit(0 if refused and len(refused) + len(checked) == len(ls) else 1)' "$TMP/scan.jsonl"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL scan lines that are not domains: exit $rc, or not one error line each"
fi
# The names scan refuses are the ones lint refuses: two trailing dots, an IP
# address; one trailing dot and upper case are the same domain as without.
printf 'clean.example..\n192.0.2.1\nClean.Example.\n' >"$TMP/dots"
"$BIN" scan "$TMP/dots" --zone "$LZ" >"$TMP/dots.jsonl" 2>"$TMP/err"
rc=$?
if ((rc == 0)) && /usr/bin/python3 -c 'import json,sys; ls=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if [(x["domain"], x.get("error"), x["verdict"]) for x in ls] == [("clean.example..", "not a domain name", None), ("192.0.2.1", "not a domain name", None), ("clean.example", None, "ok")] else 1)' "$TMP/dots.jsonl"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "FAIL scan refuses what lint refuses: exit $rc"; cat "$TMP/dots.jsonl"
fi

# ---- no thread to be had ------------------------------------------------------
# A process limit that allows no second thread: the event loops that did start
# do all the work (no abort from a std::thread that could not be made), and the
# output is the same as on one loop. RLIMIT_NPROC counts a user's processes and
# does not bind root: the run is as a user id of its own, with input on stdin.
if [[ $(id -u) -eq 0 ]] && command -v prlimit >/dev/null; then
  LONE=(prlimit --nproc=1 setpriv --reuid=54321 --regid=54321 --clear-groups --)
  for i in $(seq 400); do echo "192.0.2.$((i % 250)) a$i@example.com h$i"; done >"$TMP/batch400"
  printf 'clean.example\nsyntax.example\nnorecord.example\n' >"$TMP/three"
  for cmd in eval scan; do
    if [[ $cmd == eval ]]; then
      args=(eval --zone "$ZONE" --batch - --json) in="$TMP/batch400"
    else
      args=(scan - --zone "$LZ") in="$TMP/three"
    fi
    "$BIN" "${args[@]}" --threads 1 <"$in" >"$TMP/t1.jsonl" 2>/dev/null
    # (LeakSanitizer needs a thread of its own at the exit: not under this limit.)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
      timeout 30 "${LONE[@]}" "$BIN" "${args[@]}" --threads 4 <"$in" >"$TMP/tn.jsonl" 2>"$TMP/err"
    rc=$?
    if ((rc == 0)) && [[ -s $TMP/t1.jsonl ]] && cmp -s "$TMP/t1.jsonl" "$TMP/tn.jsonl"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL $cmd --threads 4 with no thread to be had: exit $rc, or not the one-loop output"
      head -3 "$TMP/err" | sed 's/^/  stderr: /'
    fi
  done
fi

# ---- bounce -------------------------------------------------------------------
bad "bounce missing" 1 'cannot read ".*nope\.eml": No such file' -- "$BIN" bounce "$TMP/nope.eml" --no-dns
bad "bounce directory" 1 'cannot read ".*dir": Is a directory' -- "$BIN" bounce "$TMP/dir" --no-dns
bad "bounce unreadable" 1 'cannot read ".*secret": Permission denied' -- "${AS_OTHER[@]}" "$BIN" bounce "$TMP/secret" --no-dns
if [[ -r /proc/self/mem ]]; then
  bad "bounce read error" 1 'cannot read "/proc/self/mem": Input/output error' -- "$BIN" bounce /proc/self/mem --no-dns
fi
bad "bounce empty file" 1 '".*empty" is empty' -- "$BIN" bounce "$TMP/empty" --no-dns
bad "bounce empty stdin" 1 '"-" is empty' -- "$BIN" bounce - --no-dns
bad "bounce not a message" 1 'not a mail message' -- "$BIN" bounce "$TMP/notmail.txt" --no-dns
bad "bounce random bytes" 1 'not a mail message' -- "$BIN" bounce "$TMP/random.bin" --no-dns
bad "bounce over 20 MiB" 1 'larger than 20 MiB' -- "$BIN" bounce "$TMP/huge.eml" --no-dns
bad "bounce without a file" 2 'file is required' -- "$BIN" bounce --no-dns

# ---- serve --------------------------------------------------------------------
bad "serve --listen without a port" 2 '--listen "127\.0\.0\.1": expected ADDR:PORT' -- "$BIN" serve --zone "$LZ" --listen 127.0.0.1
bad "serve --listen a name" 2 '--listen "localhost:80": not an IP address' -- "$BIN" serve --zone "$LZ" --listen localhost:80
bad "serve --listen bad port" 2 'bad port' -- "$BIN" serve --zone "$LZ" --listen 127.0.0.1:99999
bad "serve --listen bad IPv6 form" 2 'expected \[ADDR\]:PORT' -- "$BIN" serve --zone "$LZ" --listen '[::1'
bad "serve --listen an address not here" 1 'cannot listen on 192\.0\.2\.1:8025' -- "$BIN" serve --zone "$LZ" --listen 192.0.2.1:8025
/usr/bin/python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$TMP/port" &
PIDS+=($!)
for _ in $(seq 300); do [[ -s $TMP/port ]] && break; sleep 0.1; done
bad "serve --listen a port in use" 1 "cannot listen on 127\.0\.0\.1:$(cat "$TMP/port")" -- "$BIN" serve --zone "$LZ" --listen "127.0.0.1:$(cat "$TMP/port")"
bad "serve --threads 1" 2 '--threads' -- "$BIN" serve --zone "$LZ" --threads 1
bad "serve --max-checks 0" 2 '--max-checks' -- "$BIN" serve --zone "$LZ" --max-checks 0

echo "bad input: $pass passed, $fail failed"
((fail == 0))
