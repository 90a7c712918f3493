#!/usr/bin/env bash
# Our own hostile inputs through every command and every HTTP route (issue 8):
# records (hostile.zone, expect.txt, records.txt), master files (zones/),
# bounces (bounces/, and big ones made here), HTTP requests (http/, and big
# ones made here). Asserts: no signal, no sanitizer report, no hang; a clear
# error (exit 1 or 2, one line on stderr; a JSON error with a documented
# status over HTTP) where the input is bad; the right SPF result where it is
# only strange, the same from eval, eval --batch and the web API.
#
#   tests/hostile/run_hostile.sh SPFDOCTOR
#
# SPFDOCTOR may be the normal build or the ASan/UBSan one (build-asan/,
# scripts/sanitize.sh): a sanitizer report aborts the process (a signal) or
# prints "runtime error"/"AddressSanitizer" on stderr, and both fail here.
# Everything stays on loopback; DNS comes from master files only.
set -uo pipefail

BIN=$(realpath "${1:?usage: run_hostile.sh SPFDOCTOR}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
ZONE="$HERE/hostile.zone"
LZ="$ROOT/tests/data/lint.zone"
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$TMP"
}
trap cleanup EXIT
# When run by hand on the ASan binary: reports abort, leaks count.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LIMIT=60  # seconds for any one command (under ASan, lint of 100 records takes a few)
# The ASan build is several times slower: the big generated inputs below are
# smaller for it (what they check there is no report and no crash), and the
# resident-size checks are for the plain build only.
SANITIZED=0
grep -q __asan_init "$BIN" && SANITIZED=1

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL $1"
  [[ -n ${2:-} ]] && echo "$2" | head -c 800 | sed 's/^/  /'
  return 0
}
sanitizer_report() { grep -Eq 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$1"; }

# run NAME ALLOWED_STATUSES CMD...: runs CMD with a time limit; stdout in
# $TMP/out, stderr in $TMP/err. Fails on a signal, a hang, a sanitizer report,
# a status not in ALLOWED_STATUSES ("0", "1", "0|1", ...), and on an error
# status whose stderr is not one "spfdoctor: " line. Sets RC.
run() {
  local name=$1 allowed=$2
  shift 2
  timeout "$LIMIT" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  RC=$?
  if ((RC == 124)); then
    bad "$name: hung (killed after $LIMIT s)"
  elif ((RC > 128)); then
    bad "$name: killed by signal $((RC - 128))" "$(tail -c 800 "$TMP/err")"
  elif sanitizer_report "$TMP/err"; then
    bad "$name: sanitizer report" "$(grep -m3 -E 'Sanitizer|runtime error' "$TMP/err")"
  elif [[ ! $RC =~ ^($allowed)$ ]]; then
    bad "$name: exit status $RC, want $allowed" "$(head -c 400 "$TMP/err")"
  elif ((RC != 0)) && { [[ $(wc -l <"$TMP/err") -ne 1 ]] || ! grep -q '^spfdoctor: ' "$TMP/err"; }; then
    bad "$name: exit $RC without exactly one 'spfdoctor: ' line on stderr" "$(head -c 400 "$TMP/err")"
  else
    ok
    return 0
  fi
  return 1
}
# json_ok NAME PYTHON_EXPR: stdout ($TMP/out) is JSON (a document, or JSON
# Lines: then j is the list) for which the expression holds.
json_ok() {
  local name=$1 expr=$2 out
  if out=$("$PY" - "$TMP/out" "$expr" <<'EOF' 2>&1
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()  # invalid UTF-8 fails here
try:
    j = json.loads(text)
except ValueError:
    j = [json.loads(l) for l in text.splitlines() if l.strip()]
if not eval(sys.argv[2]):
    print("check failed:", sys.argv[2], "| output:", text[:300])
    sys.exit(1)
EOF
  ); then ok; else bad "$name" "$out"; fi
}

# ---------------------------------------------------------------- big inputs, made here
"$PY" - "$TMP" <<'EOF'
import os, sys
t = sys.argv[1]
os.makedirs(t + "/bounces"); os.makedirs(t + "/http")
hdr = "From: MAILER-DAEMON@mx.hostile.example\nSubject: Undelivered\n"
w = lambda p, s: open(os.path.join(t, p), "wb").write(s.encode("latin-1") if isinstance(s, str) else s)
w("bounces/ses-deep-json.eml", "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
  '{"notificationType":"Bounce","bounce":' + "[" * 200000 + "]" * 200000 + "}\n")
w("bounces/many-recipients.eml", hdr + 'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
  "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n" +
  "".join("\nFinal-Recipient: rfc822; u%d@example.com\nAction: failed\nStatus: 5.7.23\n" % i for i in range(50000)) + "--B--\n")
w("bounces/long-header.eml", hdr + "X-Long: " + "x" * (9 << 20) + "\n\n550 5.7.23 <b@example.net>\n")
w("bounces/many-parts.eml", hdr + 'Content-Type: multipart/mixed; boundary="P"\n\n' +
  "".join("--P\nContent-Type: text/plain\n\n550 5.7.23 <u%d@example.com>\n" % i for i in range(20000)) + "--P--\n")
w("bounces/deep-multipart-big.eml", hdr + 'Content-Type: multipart/mixed; boundary="b0"\n\n' +
  "".join('--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (i, i + 1) for i in range(50000)))
w("bounces/many-messages.mbox.eml", "".join("From MAILER-DAEMON Tue Mar 14 09:12:05 2023\n" + hdr +
  "\n550 5.7.23 <u%d@example.com>\n\n" % i for i in range(20000)))
w("bounces/bad-over-20mib.eml", hdr + "\n" + "a" * (21 << 20))
w("http/header-bomb.http", "GET /healthz HTTP/1.1\r\n" + "".join("X-%d: %s\r\n" % (i, "v" * 100) for i in range(5000)) + "\r\n")
w("http/request-line-100k.http", "GET /api/v1/lint?domain=" + "a" * 100000 + " HTTP/1.1\r\n\r\n")
w("http/body-over-10mib-chunked.http", b"POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
  (b"100000\r\n" + b"a" * 0x100000 + b"\r\n") * 11 + b"0\r\n\r\n")
w("http/body-over-10mib.http", b"POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 11534336\r\n\r\n" + b"a" * 11534336)
EOF
BOUNCES=("$HERE"/bounces/*.eml "$TMP"/bounces/*.eml)
HTTPS=("$HERE"/http/*.http "$TMP"/http/*.http)

# ---------------------------------------------------------------- records: eval, batch, lint, scan
mapfile -t EXPECT < <(grep -v '^#' "$HERE/expect.txt" | grep -v '^[[:space:]]*$')
: >"$TMP/batch"
: >"$TMP/domains"
for line in "${EXPECT[@]}"; do
  read -r want ip sender helo problem <<<"$line"
  echo "$ip $sender $helo" >>"$TMP/batch"
  domain=${sender#*@}
  [[ $sender == "<>" ]] && domain=$helo
  short="$want ${ip} ${sender:0:50}"
  if run "eval $short" 0 "$BIN" eval --zone "$ZONE" --ip "$ip" --sender "$sender" --helo "$helo" --json; then
    json_ok "eval $short" "j['result'] in '$want'.split('|') and '''${problem:-}''' in (j.get('problem') or '')"
  fi
  echo "$domain" >>"$TMP/domains"
done
if run "eval --batch over expect.txt" 0 "$BIN" eval --zone "$ZONE" --batch "$TMP/batch" --json --concurrency 8; then
  cp "$TMP/out" "$TMP/batch.out"
  json_ok "eval --batch gives the expected results in order" "len(j) == ${#EXPECT[@]} and all(x['result'] in w for x, w in zip(j, [l.split()[0].split('|') for l in open('$HERE/expect.txt') if l.strip() and not l.startswith('#')]))"
fi
sort -u "$TMP/domains" >"$TMP/domains.u"
while read -r d; do
  if lint_domain_ok=$("$PY" -c 'import sys; d=sys.argv[1].rstrip("."); print(all(0 < len(l) <= 63 for l in d.split(".")) and len(d) <= 253 and all(c.isalnum() or c in "-_." for c in d) and not d.split(".")[-1].isdigit())' "$d") && [[ $lint_domain_ok == True ]]; then
    run "lint ${d:0:60}" 0 "$BIN" lint --zone "$ZONE" --json -- "$d" &&
      json_ok "lint ${d:0:60}" "j['verdict'] in ('ok', 'warnings', 'errors') and isinstance(j['findings'], list)"
  else
    run "lint ${d:0:60} (not a domain)" 2 "$BIN" lint --zone "$ZONE" --json -- "$d"
  fi
done <"$TMP/domains.u"
if run "scan over every domain of expect.txt" 0 "$BIN" scan "$TMP/domains.u" --zone "$ZONE" --out "$TMP/scan.jsonl"; then
  cp "$TMP/scan.jsonl" "$TMP/out"
  json_ok "scan: one line per domain" "len(j) == $(wc -l <"$TMP/domains.u")"
fi
run "lint of the tree that doubles at each level (2^20 records)" 0 "$BIN" lint x1.hostile.example --zone "$ZONE" --json &&
  json_ok "lint x1: lint-limit and too-many-lookups" "{'lint-limit', 'too-many-lookups'} <= {f['id'] for f in j['findings']}"

# A server that answers every name with a different record of thousands of
# terms: each parses to ~2 MB. 150 of them, one check at a time: the caches of
# parsed records (per thread, 4,096 records) used to hold them all (~300 MB
# resident; 466 MB for 300); bounded in bytes too, they stay within 32 MiB
# each. The resident size is checked on the plain build only (ASan's shadow
# and quarantine are its own).
BIGMANY=$((SANITIZED ? 30 : 150))
"$PY" - "$TMP" "$BIGMANY" <<'EOF'
import sys
t = sys.argv[1]
with open(t + "/bigmany.zone", "w") as z, open(t + "/bigmany.batch", "w") as q:
    for n in range(int(sys.argv[2])):
        rec = "v=spf1 " + " ".join("ip4:10.%d.%d.%d" % (n % 250, k // 250, k % 250) for k in range(3500)) + " -all"
        z.write("d%d.big.example. 300 IN TXT %s\n" % (n, " ".join('"%s"' % rec[i:i + 255] for i in range(0, len(rec), 255))))
        q.write("192.0.2.%d user@d%d.big.example mail.example\n" % (n % 250 + 1, n))
EOF
if run "eval --batch of $BIGMANY different 63 KB records" 0 /usr/bin/time -f "%M" -o "$TMP/bigmany.rss" \
  "$BIN" eval --zone "$TMP/bigmany.zone" --batch "$TMP/bigmany.batch" --json --concurrency 1 --threads 1; then
  json_ok "$BIGMANY different 63 KB records: each a fail by -all" "len(j) == $BIGMANY and all(x['result'] == 'fail' and x['matched'] == '-all' for x in j)"
  rss=$(tail -1 "$TMP/bigmany.rss")
  if ((SANITIZED)); then
    ok
  elif ((rss < 200000)); then
    ok
  else
    bad "150 different 63 KB records: ${rss} KB resident (the record caches are bounded to 32 MiB each)"
  fi
fi

# A chain of 21 records of 31,000 "a" terms each: every repeat was a
# duplicate-term finding (651,000 of them, a 169 MB report, 1 GB resident,
# 4.9 s). Ten are listed a record, then one counts the rest; and the branch's
# parsed records (~12 MB each) stop the walk past 64 MiB (lint-limit).
CHAIN=$((SANITIZED ? 8 : 21))
"$PY" - "$TMP" "$CHAIN" <<'EOF'
import sys
last = int(sys.argv[2]) - 1
with open(sys.argv[1] + "/chain.zone", "w") as z:
    for n in range(last + 1):
        rec = "v=spf1 " + ("include:g%d.chain.example " % (n + 1) if n < last else "") + " ".join(["a"] * 31000) + " -all"
        z.write("g%d.chain.example. 300 IN TXT %s\n" % (n, " ".join('"%s"' % rec[i:i + 255] for i in range(0, len(rec), 255))))
EOF
if run "lint of a chain of $CHAIN records of 31,000 a terms" 0 /usr/bin/time -f "%M" -o "$TMP/chain.rss" \
  "$BIN" lint g0.chain.example --zone "$TMP/chain.zone" --json; then
  json_ok "the chain's repeats are folded: 10 listed a record, one count" \
    "sum(f['id'] == 'duplicate-term' for f in j['findings']) <= 11 * $CHAIN and any(f['message'].startswith('30989 more \"duplicate-term\" findings in the record of g0.chain.example') for f in j['findings']) and 'lint-limit' in {f['id'] for f in j['findings']}"
  size=$(wc -c <"$TMP/out")
  ((size < 10000000)) && ok || bad "lint of the chain: a report of $size bytes"
  rss=$(tail -1 "$TMP/chain.rss")
  if ((SANITIZED || rss < 300000)); then ok; else bad "lint of the chain: ${rss} KB resident"; fi
fi

# records.txt: hostile what-if records (one a line) for lint --record.
while IFS= read -r rec; do
  [[ -z $rec || $rec == \#* ]] && continue
  run "lint --record ${rec:0:50}" 0 "$BIN" lint clean.example --zone "$LZ" --record "$rec" --ip 192.0.2.1 --json &&
    json_ok "lint --record ${rec:0:50}" "j['record_given'] and j['ip_check'] is not None"
done <"$HERE/records.txt"

run "lint --record of 5000 a terms (past the linter's 500 queries)" 0 "$BIN" lint clean.example --zone "$LZ" \
  --record "v=spf1 $(printf 'a %.0s' $(seq 5000))-all" --json &&
  json_ok "lint --record of 5000 a terms" "'lint-limit' in {f['id'] for f in j['findings']}"

# ---------------------------------------------------------------- master files
for z in "$HERE"/zones/*.zone; do
  n=$(basename "$z")
  case $n in
    bad-*) allowed=1 ;;
    ok-*) allowed=0 ;;
    *) allowed="0|1" ;;  # loads or is refused: either way one clear outcome
  esac
  for cmd in "lint x.example" "eval --ip 192.0.2.1 --sender a@x.example"; do
    # shellcheck disable=SC2086
    if run "$n: $cmd" "$allowed" "$BIN" $cmd --zone "$z" --json && ((RC == 1)); then
      grep -q -- "--zone: .*$n" "$TMP/err" || bad "$n: the error does not name the file" "$(cat "$TMP/err")"
    fi
  done
done
truncate -s 65M "$TMP/huge.zone"
run "a 65 MiB master file" 1 "$BIN" lint x.example --zone "$TMP/huge.zone" && grep -q "too large" "$TMP/err" || true

# ---------------------------------------------------------------- bounces
for f in "${BOUNCES[@]}"; do
  n=$(basename "$f")
  allowed=0
  [[ $n == bad-* ]] && allowed=1
  for mode in --no-dns "--zone $ZONE"; do
    # shellcheck disable=SC2086
    if run "bounce $n $mode" "$allowed" "$BIN" bounce "$f" $mode --json && ((RC == 0)); then
      json_ok "bounce $n $mode" "isinstance(j['recipients'], list) and len(j['recipients']) <= 1000 and isinstance(j['diagnosis']['summary'], str) and all(len(r['diagnostic'] or '') <= 16384 + 3 for r in j['recipients'])"
    fi
  done
  run "bounce $n (text report)" "$allowed" "$BIN" bounce "$f" --no-dns
done

# ---------------------------------------------------------------- the web server and its routes
"$BIN" serve --listen 127.0.0.1:0 --zone "$ZONE" --zone "$LZ" --threads 8 2>"$TMP/serve.log" &
SERVER=$!
PIDS+=("$SERVER")
PORT=""
for _ in $(seq 200); do
  PORT=$(grep -o 'serving on http://127.0.0.1:[0-9]*' "$TMP/serve.log" 2>/dev/null | grep -o '[0-9]*$')
  [[ -n $PORT ]] && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $PORT ]]; then
  bad "the server did not start" "$(cat "$TMP/serve.log")"
else
  # send FILE...: each file on its own connection; checks every answer.
  "$PY" - "$PORT" "${HTTPS[@]}" >"$TMP/http.log" 2>&1 <<'EOF'
import json, re, socket, sys, time
port = int(sys.argv[1])
allowed = {200, 400, 404, 413, 414, 416, 431}
failed = 0
def fail(what):
    global failed
    failed += 1
    print("FAIL", what)
for path in sys.argv[2:]:
    name = path.rsplit("/", 1)[-1]
    data = open(path, "rb").read()
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    start = time.time()
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # answered and closed before taking it all
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    got = b""
    try:
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        fail(f"{name}: no end of answer after 30 s")
    except ConnectionResetError:
        pass
    s.close()
    # Split the answers: status line, header fields, Content-Length body.
    pos, n = 0, 0
    while pos < len(got):
        if got.startswith(b"HTTP/1.1 100 Continue\r\n\r\n", pos):
            pos += 25
            continue
        m = re.match(rb"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n", got[pos:])
        if not m:
            fail(f"{name}: answer {n} is not HTTP: {got[pos:pos + 80]!r}")
            break
        end = got.find(b"\r\n\r\n", pos)
        head = got[pos:end].decode("latin-1")
        fields = {}
        for line in head.split("\r\n")[1:]:
            k, _, v = line.partition(":")
            if k.lower() in fields and k.lower() != "set-cookie":
                pass
            fields.setdefault(k.lower(), v.strip())
        length = int(fields.get("content-length", "0"))
        body = got[end + 4:end + 4 + length]
        pos = end + 4 + length
        status = int(m.group(1))
        n += 1
        if status not in allowed:
            fail(f"{name}: answer {n}: status {status}")
        if "set-cookie" in fields or "content-range" in fields:
            fail(f"{name}: answer {n}: a header field from the request came back: {head[:300]}")
        if fields.get("content-type", "").startswith("application/json") and body and "content-encoding" not in fields:
            try:
                j = json.loads(body)
            except ValueError:
                fail(f"{name}: answer {n}: JSON that does not parse: {body[:200]!r}")
                continue
            if status != 200 and not (isinstance(j, dict) and isinstance(j.get("error"), str) and j["error"]):
                fail(f"{name}: answer {n}: an error without \"error\": {body[:200]!r}")
        elif status != 200 and body:
            fail(f"{name}: answer {n}: an error that is not JSON")
    print(f"ok {name}: {n} answers in {time.time() - start:.1f} s")
sys.exit(1 if failed else 0)
EOF
  rc=$?
  if ((rc == 0)); then ok; else bad "raw HTTP requests" "$(grep FAIL "$TMP/http.log")"; fi
  kill -0 "$SERVER" 2>/dev/null && ok || bad "the server died during the raw HTTP requests" "$(tail -c 800 "$TMP/serve.log")"

  # The routes with the strange records: the same results as the command line.
  "$PY" - "$PORT" "$HERE/expect.txt" "$TMP/batch.out" "$TMP/domains.u" "${BOUNCES[@]}" >"$TMP/routes.log" 2>&1 <<'EOF'
import json, sys, urllib.error, urllib.parse, urllib.request
port, expect, batch_out, domains = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
bounces = sys.argv[5:]
base = f"http://127.0.0.1:{port}"
failed = 0
def fail(what):
    global failed
    failed += 1
    print("FAIL", what)
def get(url):
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
def post_bounce(data):
    """Raw, so that an answer sent before the body is all sent (413) is read."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    head = ("POST /api/v1/bounce HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: message/rfc822\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode()
    try:
        s.sendall(head + data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    got = b""
    try:
        while chunk := s.recv(1 << 16):
            got += chunk
    except ConnectionResetError:
        pass
    s.close()
    head, _, body = got.partition(b"\r\n\r\n")
    return int(head.split()[1]), body
lines = [l.split(None, 4) for l in open(expect) if l.strip() and not l.startswith("#")]
cli = [json.loads(l) for l in open(batch_out)] if batch_out else []
for k, (want, ip, sender, helo, *_rest) in enumerate(lines):
    q = {"ip": ip, "sender": sender, "helo": helo}
    status, body = get(f"{base}/api/v1/eval?" + urllib.parse.urlencode(q))
    if len(sender) > 320 and status == 400:
        continue  # the API refuses senders over 320 bytes (docs/web.md)
    if status != 200:
        fail(f"eval {ip} {sender[:40]}: status {status}: {body[:200]!r}")
        continue
    j = json.loads(body)
    if j["result"] not in want.split("|"):
        fail(f"eval {ip} {sender[:40]}: {j['result']}, want {want}")
    if k < len(cli) and cli[k]["result"] != j["result"]:
        fail(f"eval {ip} {sender[:40]}: web {j['result']}, command line {cli[k]['result']}")
for d in open(domains).read().split():
    status, body = get(f"{base}/api/v1/lint?" + urllib.parse.urlencode({"domain": d}))
    if status not in (200, 400):
        fail(f"lint {d[:60]}: status {status}")
    elif status == 200 and json.loads(body)["verdict"] not in ("ok", "warnings", "errors"):
        fail(f"lint {d[:60]}: no verdict")
for rec in open(expect.rsplit("/", 1)[0] + "/records.txt", encoding="latin-1"):
    rec = rec.rstrip("\n")
    if not rec or rec.startswith("#"):
        continue
    status, body = get(f"{base}/api/v1/lint?" + urllib.parse.urlencode({"domain": "clean.example", "record": rec, "ip": "192.0.2.1"}))
    # over 4096 bytes: 400; a URL over 8 KiB: 414 (docs/web.md)
    if status not in (200, 400, 414) or (status == 200 and json.loads(body)["ip_check"] is None):
        fail(f"lint record {rec[:50]!r}: status {status}: {body[:200]!r}")
for path in bounces:
    data = open(path, "rb").read()
    status, body = post_bounce(data)
    name = path.rsplit("/", 1)[-1]
    want = {413} if len(data) > 10 << 20 else {400} if name.startswith("bad-") else {200}
    if status not in want:
        fail(f"bounce {name}: status {status}, want {want}: {body[:200]!r}")
    j = json.loads(body)
    if status == 200 and not isinstance(j.get("recipients"), list):
        fail(f"bounce {name}: no recipients list")
    if status != 200 and not j.get("error"):
        fail(f"bounce {name}: an error without \"error\"")
status, body = get(f"{base}/healthz")
if status != 200 or json.loads(body)["status"] != "ok":
    fail(f"healthz after everything: {status}")
print(f"routes: {len(lines)} evals, lints, {len(bounces)} bounces")
sys.exit(1 if failed else 0)
EOF
  rc=$?
  if ((rc == 0)); then ok; else bad "routes with hostile input" "$(grep -E 'FAIL|Traceback|Error' "$TMP/routes.log" | head -20)"; fi

  if kill -0 "$SERVER" 2>/dev/null; then
    ok
    kill -TERM "$SERVER"
    wait "$SERVER"
    src=$?
    ((src == 0)) && ok || bad "the server exit status after SIGTERM: $src" "$(tail -c 800 "$TMP/serve.log")"
  else
    wait "$SERVER"
    bad "the server died (status $?)" "$(tail -c 800 "$TMP/serve.log")"
  fi
  if sanitizer_report "$TMP/serve.log"; then bad "sanitizer report from the server" "$(grep -m5 -E 'Sanitizer|runtime error' "$TMP/serve.log")"; else ok; fi
fi

echo "hostile: $pass passed, $fail failed"
((fail == 0))
