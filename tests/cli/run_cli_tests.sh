#!/usr/bin/env bash
# Whole-command tests of the CLI, offline (--zone). Usage: run_cli_tests.sh SPFDOCTOR TESTDIR
set -u
BIN=$1
DIR=$2
ZONE="$DIR/../examples/demo.zone"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

check() {  # check NAME EXPECTED_STATUS COMMAND... ; output in $TMP/out, $TMP/err
  local name=$1 want=$2
  shift 2
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL $name: exit $got, want $want"; cat "$TMP/err"; fail=$((fail + 1)); return 1
  fi
  return 0
}
expect() {  # expect NAME PYTHON_EXPR_ON_j (j = parsed JSON of $TMP/out, or list for JSON Lines)
  local name=$1 expr=$2
  if python3 - "$TMP/out" "$expr" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    j = json.loads(text)
except json.JSONDecodeError:
    j = [json.loads(l) for l in text.splitlines() if l.strip()]
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)
PY
  then pass=$((pass + 1)); else echo "FAIL $name: $expr"; head -c 2000 "$TMP/out"; fail=$((fail + 1)); fi
}
expect_text() {  # expect_text NAME FILE REGEX
  if grep -Eq -- "$3" "$2"; then pass=$((pass + 1)); else echo "FAIL $1: no /$3/ in:"; cat "$2"; fail=$((fail + 1)); fi
}

check single-pass 0 "$BIN" eval --zone "$ZONE" --ip 192.0.2.10 --sender alice@example.com --json &&
  expect single-pass 'j["result"]=="pass" and j["matched"]=="ip4:192.0.2.0/26" and j["lookups"]==1 and j["identity"]=="mailfrom" and j["domain"]=="example.com" and len(j["trace"])>3'
check include-pass 0 "$BIN" eval --zone "$ZONE" --ip 2001:db8:100::1 --sender bob@example.com --json &&
  expect include-pass 'j["result"]=="pass" and j["matched"]=="include:_spf.mailer.example.net"'
check softfail 0 "$BIN" eval --zone "$ZONE" --ip 203.0.113.9 --sender bob@example.com --json &&
  expect softfail 'j["result"]=="softfail" and j["matched"]=="~all" and j["explanation"] is None'
check fail-exp 0 "$BIN" eval --zone "$ZONE" --ip 203.0.113.9 --sender bob@strict.example.com --json &&
  expect fail-exp 'j["result"]=="fail" and j["explanation"]=="203.0.113.9 is not allowed to send mail for strict.example.com; see https://example.com/spf"'
check permerror-twice 0 "$BIN" eval --zone "$ZONE" --ip 192.0.2.1 --sender x@twice.example.com --json &&
  expect permerror-twice 'j["result"]=="permerror" and "2 SPF records" in j["problem"]'
check permerror-syntax 0 "$BIN" eval --zone "$ZONE" --ip 192.0.2.1 --sender x@broken.example.com --json &&
  expect permerror-syntax 'j["result"]=="permerror" and "byte 7" in j["problem"]'
check none 0 "$BIN" eval --zone "$ZONE" --ip 192.0.2.1 --sender x@nothing.example.org --json &&
  expect none 'j["result"]=="none" and j["record"] is None'
check helo 0 "$BIN" eval --zone "$ZONE" --ip 203.0.113.5 --sender '<>' --helo helo.example.com --json &&
  expect helo 'j["result"]=="pass" and j["identity"]=="helo" and j["domain"]=="helo.example.com"'
check split 0 "$BIN" eval --zone "$ZONE" --ip 192.0.2.25 --sender x@split.example.com --json &&
  expect split 'j["result"]=="pass" and j["record"]=="v=spf1 ip4:198.51.100.0/24 a:mail.example.com -all"'

# Text report.
check text 0 "$BIN" eval --zone "$ZONE" --ip 203.0.113.9 --sender bob@strict.example.com &&
  expect_text text "$TMP/out" '^SPF fail for strict.example.com from 203.0.113.9'

# Batch: JSON Lines in input order, null sender, comments skipped.
cat >"$TMP/batch.txt" <<'Q'
# ip sender helo
192.0.2.10 alice@example.com mail.example.com
203.0.113.9 bob@strict.example.com mail.example.com

203.0.113.5 <> helo.example.com
192.0.2.1 x@twice.example.com h
2001:db8:25::25 y@forwarded.example.com h
Q
check batch 0 "$BIN" eval --zone "$ZONE" --batch "$TMP/batch.txt" --json &&
  expect batch '[x["result"] for x in j]==["pass","fail","pass","permerror","pass"] and [x["ip"] for x in j][1]=="203.0.113.9" and j[2]["sender"]=="<>" and j[2]["identity"]=="helo"'
check batch-stdin 0 bash -c "\"$BIN\" eval --zone \"$ZONE\" --batch - --json < \"$TMP/batch.txt\"" &&
  expect batch-stdin 'len(j)==5 and j[4]["matched"]=="mx"'

# Words are split at any whitespace byte (space, \t \n \v \f \r), runs of
# it too; other control bytes belong to the word. Long words cross the
# eight-byte steps of the splitter at every offset.
printf '192.0.2.10\talice@example.com\v\fmail.example.com\r\n  203.0.113.9 \t bob@strict.example.com\tmail.example.com\n192.0.2.10 a\001b@example.com  h\x7fh\n' >"$TMP/ws.txt"
for pad in 1 2 3 4 5 6 7 8 9; do
  printf '192.0.2.10 %s@example.com\th%s.example.com\n' "$(printf 'l%.0s' $(seq $pad))" "$(printf 'x%.0s' $(seq $pad))" >>"$TMP/ws.txt"
done
check batch-whitespace 0 "$BIN" eval --zone "$ZONE" --batch "$TMP/ws.txt" --json &&
  expect batch-whitespace 'len(j)==12 and [x["sender"] for x in j[:3]]==["alice@example.com","bob@strict.example.com","a\x01b@example.com"] and [x["helo"] for x in j[:3]]==["mail.example.com","mail.example.com","h\x7fh"] and [x["result"] for x in j[:2]]==["pass","fail"] and all(x["sender"]=="l"*(k+1)+"@example.com" and x["helo"]=="h"+"x"*(k+1)+".example.com" and x["result"]=="pass" for k,x in enumerate(j[3:]))'

# Threads: one event loop or several, the same lines in the same order (and
# the same error lines, in place), whatever the checks in flight.
for i in $(seq 400); do grep -v '^#' "$TMP/batch.txt"; [[ $i -eq 200 ]] && echo "999.1.1.1 a@example.com h"; done >"$TMP/big.txt"
"$BIN" eval --zone "$ZONE" --batch "$TMP/big.txt" --json --threads 1 >"$TMP/t1.out" 2>"$TMP/t1.err"; rc1=$?
for shape in "--threads 4 --concurrency 7" "--threads 2" "--threads 8 --concurrency 1"; do
  # shellcheck disable=SC2086
  "$BIN" eval --zone "$ZONE" --batch "$TMP/big.txt" --json $shape >"$TMP/tn.out" 2>"$TMP/tn.err"; rc=$?
  if [[ $rc1 -eq 1 && $rc -eq 1 && $(wc -l <"$TMP/t1.out") -eq 2001 ]] && cmp -s "$TMP/t1.out" "$TMP/tn.out" &&
    cmp -s "$TMP/t1.err" "$TMP/tn.err" && grep -q 'line 1201: not an IP address' "$TMP/tn.err"; then
    pass=$((pass + 1))
  else
    echo "FAIL batch $shape: exit $rc1/$rc, $(wc -l <"$TMP/tn.out") lines, differs from --threads 1"; fail=$((fail + 1))
  fi
done

# Bad input: one line on stderr, documented status.
check bad-ip 2 "$BIN" eval --zone "$ZONE" --ip 300.1.1.1 --sender a@example.com &&
  expect_text bad-ip "$TMP/err" '^spfdoctor: not an IP address: "300.1.1.1"$'
check bad-option 2 "$BIN" eval --zone "$ZONE" --frobnicate &&
  expect_text bad-option "$TMP/err" '^spfdoctor: '
check missing-zone 1 "$BIN" eval --zone "$TMP/nope.zone" --ip 192.0.2.1 --sender a@example.com &&
  expect_text missing-zone "$TMP/err" 'nope.zone'
printf 'example.com. 300 IN TXT "v=spf1 -all"\nexample.com. IN BOGUS garbage\n' >"$TMP/bad.zone"
check bad-zone 1 "$BIN" eval --zone "$TMP/bad.zone" --ip 192.0.2.1 --sender a@example.com &&
  expect_text bad-zone "$TMP/err" 'bad.zone:2'
printf '192.0.2.1 a@example.com h\nnot-an-ip a@example.com h\n' >"$TMP/badbatch.txt"
check bad-batch-line 1 "$BIN" eval --zone "$ZONE" --batch "$TMP/badbatch.txt" --json &&
  expect bad-batch-line 'len(j)==2 and j[0]["result"]=="pass" and "line 2" in j[1]["error"]'
check no-args 2 "$BIN" eval --zone "$ZONE" &&
  expect_text no-args "$TMP/err" 'needs --ip'
check no-command 2 "$BIN" && pass=$((pass + 1))

# ---- lint ----
LZ="$DIR/data/lint.zone"
check lint-clean 0 "$BIN" lint clean.example --zone "$LZ" --json &&
  expect lint-clean 'j["verdict"]=="ok" and j["lookups"]==1 and j["void_lookups"]==0 and j["record"].startswith("v=spf1") and j["tree"]["children"][0]["domain"]=="_spf.provider.example" and j["tree"]["children"][0]["ip4"]==["198.51.100.0/24"] and j["findings"]==[]'
check lint-toomany 0 "$BIN" lint toomany.example --zone "$LZ" --json &&
  expect lint-toomany 'j["verdict"]=="errors" and j["lookups"]==12 and any(f["id"]=="too-many-lookups" and f["severity"]=="error" and f["fix"] for f in j["findings"]) and j["flatten"]["lookups_after"]<=10 and len(j["tree"]["children"])==12'
check lint-multi 0 "$BIN" lint multi.example --zone "$LZ" --json &&
  expect lint-multi 'len(j["records"])==2 and any(f["id"]=="multiple-records" for f in j["findings"])'
check lint-none 0 "$BIN" lint norecord.example --zone "$LZ" --json &&
  expect lint-none 'j["record"] is None and j["records"]==[] and [f["id"] for f in j["findings"]]==["no-record"]'
check lint-whatif 0 "$BIN" lint norecord.example --zone "$LZ" --record "v=spf1 ip4:192.0.2.0/24 include:_spf.provider.example -all" --ip 198.51.100.9 --json &&
  expect lint-whatif 'j["record_given"] and j["verdict"]=="ok" and j["ip_check"]["result"]=="pass" and j["ip_check"]["match_path"][-1]["domain"]=="_spf.provider.example"'
check lint-whatif-bad 0 "$BIN" lint clean.example --zone "$LZ" --record "v=spf1 ip4:192.0.2.0/33 +all" --json &&
  expect lint-whatif-bad 'set(["invalid-cidr","syntax-error","plus-all"]) <= set(f["id"] for f in j["findings"])'
check lint-text 0 "$BIN" lint syntax.example --zone "$LZ" &&
  expect_text lint-text "$TMP/out" 'syntax-error: "foo:bar" at byte 21'
check lint-provider 0 "$BIN" lint clean.example --zone "$LZ" --provider m365 --json &&
  expect lint-provider 'any(f["id"]=="provider-include-missing" and "spf.protection.outlook.com" in f["fix"] for f in j["findings"])'
check lint-bad-domain 2 "$BIN" lint "not a domain" --zone "$LZ" &&
  expect_text lint-bad-domain "$TMP/err" '^spfdoctor: not a domain name'
check lint-bad-provider 2 "$BIN" lint clean.example --zone "$LZ" --provider nope &&
  expect_text lint-bad-provider "$TMP/err" 'unknown --provider "nope"'
check lint-no-domain 2 "$BIN" lint --zone "$LZ" && pass=$((pass + 1))

# ---- serve: bad options fail at once with one line ----
check serve-bad-listen 2 "$BIN" serve --zone "$LZ" --listen nonsense &&
  expect_text serve-bad-listen "$TMP/err" '^spfdoctor: --listen "nonsense"'
check serve-bad-port 2 "$BIN" serve --zone "$LZ" --listen 127.0.0.1:99999 &&
  expect_text serve-bad-port "$TMP/err" 'bad port'
check serve-bad-zone 1 "$BIN" serve --zone "$TMP/nope.zone" --listen 127.0.0.1:0 &&
  expect_text serve-bad-zone "$TMP/err" 'nope.zone'
check eval-bad-server 2 "$BIN" eval --dns-server 300.1.1.1 --ip 192.0.2.1 --sender a@example.com &&
  expect_text eval-bad-server "$TMP/err" '^spfdoctor: --dns-server "300.1.1.1"'
LONG=$(printf 'a%.0s' $(seq 3000))
check eval-long-sender 0 "$BIN" eval --zone "$ZONE" --ip 192.0.2.1 --sender "$LONG@example.com" --json &&
  expect eval-long-sender 'j["result"]=="none" and "longer than" in j["problem"]'

# ---- the static command hands serve and bounce to spfdoctor-full ----
# (only in the default static build, where the helper sits beside the command)
HELPER="$(dirname "$BIN")/spfdoctor-full"
if [[ -x "$HELPER" ]]; then
  EML=$(ls "$DIR"/data/bounces/*.eml | head -1)
  # What the command itself loads: none of GMime's or cpp-httplib's libraries.
  if ldd "$BIN" | grep -Eq 'libgpgme|libmount|libunistring|libcpp-httplib|libssl|libglib'; then
    echo "FAIL static-command-libraries: $(ldd "$BIN" | tr '\n' ' ')"; fail=$((fail + 1))
  else pass=$((pass + 1)); fi
  check bounce-through-helper 0 "$BIN" bounce --no-dns --json "$EML" &&
    expect bounce-through-helper '"diagnosis" in j and "recipients" in j'
  # Installed layout: bin/spfdoctor finds libexec/spfdoctor/spfdoctor-full.
  mkdir -p "$TMP/prefix/bin" "$TMP/prefix/libexec/spfdoctor"
  cp "$BIN" "$TMP/prefix/bin/spfdoctor"
  check bounce-no-helper 1 "$TMP/prefix/bin/spfdoctor" bounce --no-dns "$EML" &&
    expect_text bounce-no-helper "$TMP/err" '^spfdoctor: cannot run the bounce reader: spfdoctor-full .*libexec/spfdoctor/spfdoctor-full'
  check serve-no-helper 1 "$TMP/prefix/bin/spfdoctor" serve --zone "$ZONE" --listen 127.0.0.1:0 &&
    expect_text serve-no-helper "$TMP/err" '^spfdoctor: cannot run the web server: spfdoctor-full'
  cp "$HELPER" "$TMP/prefix/libexec/spfdoctor/spfdoctor-full"
  check bounce-installed 0 "$TMP/prefix/bin/spfdoctor" bounce --no-dns --json "$EML"
  cp "$TMP/out" "$TMP/installed.json"
  check bounce-direct 0 "$HELPER" bounce --no-dns --json "$EML" &&
    if cmp -s "$TMP/out" "$TMP/installed.json"; then pass=$((pass + 1)); else
      echo "FAIL bounce-installed: output differs from spfdoctor-full's own"; fail=$((fail + 1)); fi
fi

echo "cli: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
