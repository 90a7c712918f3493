#!/usr/bin/env bash
# API tests of `spfdoctor serve`: every route with good and bad input.
#
#   tests/web/api_test.sh SPFDOCTOR
#
# Starts the server on a free loopback port with --zone tests/data/lint.zone
# (and tests/web/fixtures/bounce.zone), checks status codes and JSON fields
# (with /usr/bin/python3), checks the server is still healthy after the bad
# requests, then starts a second server whose DNS never answers to see 503
# when every check slot is taken while /healthz still answers.
# Prints "api: N passed, M failed"; exits 1 on any failure.
set -uo pipefail

SPFDOCTOR=$(realpath "${1:?usage: api_test.sh SPFDOCTOR}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORPUS="$ROOT/../shared/corpus/bounces"
PY=/usr/bin/python3
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1"; [[ -n ${2:-} ]] && echo "      $2"; }

# start_server LOGFILE ARGS... -> sets PORT, remembers the pid
start_server() {
  local log=$1
  shift
  "$SPFDOCTOR" serve --listen 127.0.0.1:0 "$@" 2>"$log" &
  PIDS+=($!)
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 100); do
    PORT=$(grep -o 'serving on http://127.0.0.1:[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$')
    [[ -n $PORT ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "api: the server did not start: $(cat "$log")" >&2
  exit 1
}

# req NAME EXPECTED_STATUS PYTHON_CHECK CURL_ARGS... (URL paths start with /)
# PYTHON_CHECK is a Python expression over j (the parsed JSON body, None if
# the body is not JSON), body (text) and hdr (lower-case header dict).
req() {
  local name=$1 want=$2 check=$3
  shift 3
  local args=()
  for a in "$@"; do
    if [[ $a == /* ]]; then args+=("http://127.0.0.1:$PORT$a"); else args+=("$a"); fi
  done
  local code
  code=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 30 "${args[@]}")
  if [[ $code != "$want" ]]; then
    bad "$name" "status $code, expected $want: $(head -c 300 "$TMP/body")"
    return
  fi
  local out
  if out=$("$PY" - "$TMP/body" "$TMP/headers" "$check" <<'EOF' 2>&1
import json, sys
body = open(sys.argv[1], encoding="utf-8", errors="replace").read()
hdr = {}
for line in open(sys.argv[2], encoding="latin-1"):
    if ":" in line:
        k, v = line.split(":", 1)
        hdr[k.strip().lower()] = v.strip()
try:
    j = json.loads(body)
except ValueError:
    j = None
ok = eval(sys.argv[3], {"j": j, "body": body, "hdr": hdr, "any": any, "all": all, "len": len})
if not ok:
    print("check failed:", sys.argv[3], "| body:", body[:300].replace("\n", " "))
    sys.exit(1)
EOF
  ); then
    ok "$name"
  else
    bad "$name" "$out"
  fi
}

is_error='j is not None and isinstance(j.get("error"), str) and len(j["error"]) > 0 and hdr.get("content-type","").startswith("application/json")'

start_server "$TMP/serve.log" --zone "$ROOT/tests/data/lint.zone" --zone "$HERE/fixtures/bounce.zone"
echo "api: server on 127.0.0.1:$PORT"

# ---------------------------------------------------------------- health, page, assets
req "healthz" 200 'j["status"] == "ok" and j["checks_running"] == 0' /healthz
req "GET / serves the page with a strict CSP" 200 \
  '"<script src=\"app.js\"" in body and "text/html" in hdr["content-type"] and "default-src '"'self'"'" in hdr["content-security-policy"] and hdr.get("x-content-type-options") == "nosniff"' /
req "GET /app.js" 200 '"text/javascript" in hdr["content-type"] and "/api/v1/lint" in body' /app.js
req "GET /style.css" 200 '"text/css" in hdr["content-type"] and ".gauge" in body' /style.css
req "GET /favicon.svg" 200 '"image/svg+xml" in hdr["content-type"] and "<svg" in body' /favicon.svg
req "missing asset is a JSON 404" 404 "$is_error" /nothere.js
req "path traversal is a JSON 404" 404 "$is_error" --path-as-is '/../../etc/passwd'
req "unknown route is a JSON 404" 404 "$is_error"' and "/api/v1/nope" in j["error"]' /api/v1/nope

# ---------------------------------------------------------------- lint, good input
req "lint toomany.example: 12 lookups, too-many-lookups, tree, flatten" 200 \
  'j["domain"] == "toomany.example" and j["lookups"] == 12 and j["lookup_limit"] == 10 and j["verdict"] == "errors" and any(f["id"] == "too-many-lookups" and f["severity"] == "error" and f["fix"] for f in j["findings"]) and len(j["tree"]["children"]) == 12 and j["tree"]["lookups"] == 12 and j["flatten"]["lookups_after"] <= 10 and j["ip_check"] is None' \
  '/api/v1/lint?domain=toomany.example'
req "lint clean.example: ok, 1 lookup, networks in the tree" 200 \
  'j["verdict"] == "ok" and j["lookups"] == 1 and j["record"].startswith("v=spf1") and j["records"] == [j["record"]] and j["tree"]["ip4"] == ["192.0.2.0/24"] and j["tree"]["children"][0]["domain"] == "_spf.provider.example"' \
  '/api/v1/lint?domain=clean.example'
req "lint with a trailing dot and upper case" 200 'j["verdict"] == "ok"' '/api/v1/lint?domain=CLEAN.example.'
req "lint norecord.example: no-record" 200 'j["record"] is None and any(f["id"] == "no-record" for f in j["findings"])' '/api/v1/lint?domain=norecord.example'
req "lint multi.example: multiple-records" 200 'len(j["records"]) == 2 and any(f["id"] == "multiple-records" for f in j["findings"])' '/api/v1/lint?domain=multi.example'
req "lint unknown name: no-record, not an error" 200 'j["record"] is None' '/api/v1/lint?domain=nothing-here.example'
req "lint what-if record" 200 \
  'j["record_given"] is True and j["record"] == "v=spf1 ip4:192.0.2.1 -all" and j["lookups"] == 0 and j["verdict"] == "ok"' \
  -G --data-urlencode 'domain=toomany.example' --data-urlencode 'record=v=spf1 ip4:192.0.2.1 -all' /api/v1/lint
req "lint with ip: ip_check with match_path" 200 \
  'j["ip_check"]["result"] == "pass" and j["ip_check"]["match_path"][-1]["domain"] == "inc5.example"' \
  '/api/v1/lint?domain=toomany.example&ip=203.0.113.5'
req "lint with ip and sender" 200 'j["ip_check"]["result"] == "fail"' \
  '/api/v1/lint?domain=clean.example&ip=203.0.113.77&sender=alice%40clean.example'
req "lint with an IPv6 ip" 200 'j["ip_check"]["result"] == "pass"' '/api/v1/lint?domain=clean.example&ip=2001:db8:100::25'
req "lint with provider=m365" 200 \
  'any(p["detected_by"] == "option" and p["included"] is False for p in j["providers"]) and any(f["id"] == "provider-include-missing" for f in j["findings"])' \
  '/api/v1/lint?domain=clean.example&provider=m365'
req "lint with an empty record param: the published record" 200 'j["record_given"] is False and j["lookups"] == 12' \
  '/api/v1/lint?domain=toomany.example&record='

# ---------------------------------------------------------------- lint, bad input
req "lint without domain" 400 "$is_error"' and "domain" in j["error"]' /api/v1/lint
req "lint with an empty domain" 400 "$is_error" '/api/v1/lint?domain='
req "lint with a bad domain" 400 "$is_error"' and "not a domain name" in j["error"]' '/api/v1/lint?domain=exa%20mple..com'
req "lint with an empty label" 400 "$is_error" '/api/v1/lint?domain=a..example'
req "lint with a 300-byte domain" 400 "$is_error" "/api/v1/lint?domain=$(printf 'a%.0s' $(seq 300)).example"
req "lint with non-UTF-8 bytes in the domain" 400 "$is_error" '/api/v1/lint?domain=%ff%fe.example'
req "lint with a bad ip" 400 "$is_error"' and "not an IP address" in j["error"]' '/api/v1/lint?domain=clean.example&ip=300.1.2.3'
req "lint with an unknown provider" 400 "$is_error"' and "provider" in j["error"]' '/api/v1/lint?domain=clean.example&provider=nosuch'
req "lint with an oversized record param (5000 bytes)" 400 "$is_error"' and "record" in j["error"]' \
  -G --data-urlencode 'domain=clean.example' --data-urlencode "record=v=spf1 $(printf 'ip4:192.0.2.1 %.0s' $(seq 340))-all" /api/v1/lint
req "lint with a record that does not parse: syntax-error, not a 400" 200 'any(f["id"] == "syntax-error" for f in j["findings"])' \
  -G --data-urlencode 'domain=clean.example' --data-urlencode 'record=v=spf1 foo:bar -all' /api/v1/lint

# ---------------------------------------------------------------- eval
req "eval pass through an include, with trace" 200 \
  'j["result"] == "pass" and j["matched"] == "include:_spf.provider.example" and j["identity"] == "mailfrom" and j["ip"] == "198.51.100.7" and j["sender"] == "alice@clean.example" and len(j["trace"]) > 3' \
  '/api/v1/eval?ip=198.51.100.7&sender=alice%40clean.example'
req "eval fail on -all" 200 'j["result"] == "fail" and j["matched"] == "-all" and j["lookups"] == 1' \
  '/api/v1/eval?ip=203.0.113.77&sender=bob@clean.example'
req "eval permerror names the 11th lookup" 200 'j["result"] == "permerror" and "more than 10" in j["problem"]' \
  '/api/v1/eval?ip=192.0.2.99&sender=bob@toomany.example'
req "eval none for a domain without SPF" 200 'j["result"] == "none"' '/api/v1/eval?ip=192.0.2.1&sender=bob@norecord.example'
req "eval null sender checks HELO" 200 'j["identity"] == "helo" and j["domain"] == "clean.example" and j["result"] == "pass"' \
  '/api/v1/eval?ip=192.0.2.9&sender=%3C%3E&helo=clean.example'
req "eval HELO only" 200 'j["identity"] == "helo" and j["result"] == "pass"' '/api/v1/eval?ip=192.0.2.9&helo=clean.example'
req "eval IPv6" 200 'j["result"] == "pass"' '/api/v1/eval?ip=2001:db8:100::1&sender=a@clean.example'
req "eval without ip" 400 "$is_error"' and "ip" in j["error"]' '/api/v1/eval?sender=a@clean.example'
req "eval with an empty ip" 400 "$is_error" '/api/v1/eval?ip=&sender=a@clean.example'
req "eval with a bad ip" 400 "$is_error"' and "not an IP address" in j["error"]' '/api/v1/eval?ip=192.0.2&sender=a@clean.example'
req "eval with a long ip param" 400 "$is_error" "/api/v1/eval?ip=$(printf '1%.0s' $(seq 100))&sender=a@clean.example"
req "eval without sender or helo" 400 "$is_error"' and "sender" in j["error"]' '/api/v1/eval?ip=192.0.2.1'

# ---------------------------------------------------------------- bounce
if [[ -f $CORPUS/rhost-google-04.eml ]]; then
  req "bounce: a real bounce (corpus rhost-google-04.eml)" 200 \
    'j["recipients"][0]["status"] == "5.7.26" and j["recipients"][0]["reply_code"] == "550" and j["recipients"][0]["reason"] == "authfailure" and j["original"]["sending_ip"] == "192.0.2.22" and j["diagnosis"]["causes"][0]["id"] == "spf-ip-not-authorized" and j["diagnosis"]["spf"]["result"] == "fail" and "5.7.26" in j["diagnosis"]["for_remote_admin"] and len(j["diagnosis"]["steps"]) > 0' \
    -H 'Content-Type: message/rfc822' --data-binary "@$CORPUS/rhost-google-04.eml" /api/v1/bounce
else
  bad "bounce: corpus file $CORPUS/rhost-google-04.eml is missing"
fi
fixtures=()
if [[ -d $ROOT/tests/data/bounces ]]; then
  mapfile -t fixtures < <(find "$ROOT/tests/data/bounces" -maxdepth 1 -name '*.eml' | sort)
fi
if ((${#fixtures[@]})); then
  for f in "${fixtures[@]}"; do
    req "bounce: fixture $(basename "$f")" 200 'isinstance(j["recipients"], list) and isinstance(j["diagnosis"]["summary"], str)' \
      --data-binary "@$f" /api/v1/bounce
  done
else
  echo "note  no fixtures in tests/data/bounces/ yet: only the corpus bounce is posted"
fi
# curl --data-binary sends application/x-www-form-urlencoded: the body is still the message, at any size.
"$PY" -c 'import sys; sys.stdout.write(open(sys.argv[1]).read() + "X-Padding: " + "p" * 20000 + "\n")' "${fixtures[0]:-$CORPUS/rhost-google-04.eml}" >"$TMP/padded.eml"
req "bounce over 8 KiB sent as a form (curl's default type)" 200 'isinstance(j["recipients"], list) and len(j["recipients"]) > 0' \
  --data-binary "@$TMP/padded.eml" /api/v1/bounce
req "bounce uploaded as multipart/form-data (curl -F)" 200 'isinstance(j["recipients"], list) and len(j["recipients"]) > 0' \
  -F "file=@$TMP/padded.eml" /api/v1/bounce
req "bounce with an empty body" 400 "$is_error"' and "empty" in j["error"]' -X POST -H 'Content-Length: 0' /api/v1/bounce
req "bounce with garbage" 400 "$is_error" --data-binary 'this is not a mail message at all' /api/v1/bounce
head -c 256 /dev/urandom >"$TMP/random.bin"
req "bounce with random bytes" 400 "$is_error" --data-binary "@$TMP/random.bin" /api/v1/bounce
head -c $((10 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$TMP/big.eml"
req "bounce over the 10 MiB limit: 413 JSON" 413 "$is_error" --data-binary "@$TMP/big.eml" /api/v1/bounce

# ---------------------------------------------------------------- methods
req "GET /api/v1/bounce is not a route" 404 "$is_error" /api/v1/bounce
req "POST /api/v1/lint is not a route" 404 "$is_error" --data-binary 'x' '/api/v1/lint?domain=clean.example'
req "DELETE /healthz is not a route" 404 "$is_error" -X DELETE /healthz
req "PUT /api/v1/eval is not a route" 404 "$is_error" -X PUT --data-binary 'x' '/api/v1/eval?ip=192.0.2.1&sender=a@b.example'

# ---------------------------------------------------------------- raw HTTP: limits, Range, pipelining
# raw NAME PYTHON_CHECK REQUEST_BYTES_AS_PYTHON_EXPR: sends the bytes on one
# connection and checks `statuses` (every status line in the answer, in order)
# and `text` (the whole answer, latin-1).
raw() {
  local name=$1 check=$2 request=$3 out
  if out=$("$PY" - "$PORT" "$check" "$request" <<'EOF' 2>&1
import re, socket, sys
port, check, request = int(sys.argv[1]), sys.argv[2], eval(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port), timeout=15)
try:
    s.sendall(request)
except (BrokenPipeError, ConnectionResetError):
    pass  # the server answered and closed before taking everything
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except (socket.timeout, ConnectionResetError):
    pass
text = data.decode("latin-1")
statuses = [int(m) for m in re.findall(r"HTTP/1\.1 (\d{3}) ", text)]
if not eval(check, {"statuses": statuses, "text": text}):
    print("check failed:", check, "| statuses:", statuses, "| answer:", text[:300].replace("\r\n", " "))
    sys.exit(1)
EOF
  ); then ok "$name"; else bad "$name" "$out"; fi
}
raw "pipelined requests are answered in order" 'statuses == [200, 200, 404]' \
  'b"GET /healthz HTTP/1.1\r\n\r\nGET /api/v1/lint?domain=clean.example HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n"'
raw "header fields over 32 KiB: 431 and the connection closes" 'statuses == [431] and "32768 bytes" in text and "Connection: close" in text' \
  'b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-F%d: %s\r\n" % (i, b"a" * 60) for i in range(1000)) + b"\r\nGET /healthz HTTP/1.1\r\n\r\n"'
raw "a request line over 32 KiB: 431" 'statuses == [431]' 'b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\n\r\n"'
raw "a request line over 8 KiB: 414" 'statuses == [414]' 'b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nConnection: close\r\n\r\n"'
raw "Content-Length over 10 MiB: 413 before the body is sent" 'statuses == [413] and "Connection: close" in text' \
  'b"POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 20000000\r\n\r\nFrom: a"'
raw "chunked body over 10 MiB: 413" 'statuses == [413]' \
  'b"POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + (b"100000\r\n" + b"a" * 0x100000 + b"\r\n") * 11 + b"0\r\n\r\n"'
raw "Range is ignored: the whole JSON under 200" 'statuses == [200] and "Content-Range" not in text and text.rstrip().endswith("}")' \
  'b"GET /healthz HTTP/1.1\r\nRange: bytes=0-5\r\nConnection: close\r\n\r\n"'
raw "a Range that does not parse: 416 with a whole JSON error" 'statuses == [416] and text.rstrip().endswith("}") and "Range" in text' \
  'b"GET /healthz HTTP/1.1\r\nRange: bytes=0-1,5-2\r\nConnection: close\r\n\r\n"'
raw "a body on GET is refused, not read as the next request" 'statuses == [400] and "has no body" in text' \
  'b"GET /healthz HTTP/1.1\r\nContent-Length: 27\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n"'

# ---------------------------------------------------------------- still healthy
req "healthz after the bad requests" 200 'j["status"] == "ok" and j["checks_running"] == 0' /healthz
req "lint still works after the bad requests" 200 'j["verdict"] == "ok"' '/api/v1/lint?domain=clean.example'
if kill -0 "$SERVER_PID" 2>/dev/null; then ok "server process still running"; else bad "server process died"; fi
kill -TERM "$SERVER_PID"
if wait "$SERVER_PID"; then ok "SIGTERM stops the server cleanly (exit 0)"; else bad "server exit status $? after SIGTERM"; fi

# ---------------------------------------------------------------- busy: 503, health stays fast
"$PY" "$ROOT/tests/integration/fake_dns.py" silent 0 >"$TMP/dns.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$TMP/dns.out" && break; sleep 0.1; done
DNS_PORT=$(awk '/ready/ {print $2}' "$TMP/dns.out")
if [[ -z $DNS_PORT ]]; then
  bad "silent DNS server did not start" "$(cat "$TMP/dns.out")"
else
  start_server "$TMP/serve2.log" --dns-server "127.0.0.1:$DNS_PORT" --timeout 3 --max-checks 2
  for i in 1 2; do
    curl -s -o /dev/null --max-time 30 "http://127.0.0.1:$PORT/api/v1/lint?domain=slow$i.example" &
  done
  for _ in $(seq 50); do
    n=$(curl -s --max-time 2 "http://127.0.0.1:$PORT/healthz" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["checks_running"])' 2>/dev/null)
    [[ $n == 2 ]] && break
    sleep 0.1
  done
  req "healthz answers while the slow checks run" 200 'j["checks_running"] == 2' /healthz
  req "a third check gets 503 with Retry-After" 503 "$is_error"' and hdr.get("retry-after") == "2"' '/api/v1/lint?domain=slow3.example'
  req "the page still loads while checks are busy" 200 '"app.js" in body' /
  wait %% 2>/dev/null
  for _ in $(seq 100); do
    n=$(curl -s --max-time 2 "http://127.0.0.1:$PORT/healthz" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["checks_running"])' 2>/dev/null)
    [[ $n == 0 ]] && break
    sleep 0.2
  done
  req "after the timeouts the slots are free again" 200 'j["checks_running"] == 0' /healthz
  req "a check that timed out reports temperror/dns-error, not a crash" 200 \
    'j["record"] is None and any(f["id"] in ("dns-error", "no-record") for f in j["findings"])' '/api/v1/lint?domain=slow4.example'
fi

echo "api: $passed passed, $failed failed"
((failed == 0))
