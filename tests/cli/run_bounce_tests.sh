#!/usr/bin/env bash
# Whole-command tests of `spfdoctor bounce`: the Microsoft 365 5.7.23 NDR
# fixtures of tests/data/bounces/ against their master file (offline, --zone),
# --no-dns, stdin, and bad input.
# Usage: run_bounce_tests.sh SPFDOCTOR TESTS_DIR
set -u
BIN=$1
DIR=$2/data/bounces
ZONE=$DIR/m365.zone
fail=0
pass=0

ids() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(c["id"] for c in d["diagnosis"]["causes"]))'; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

check() {  # name, got, want
  if [[ "$2" == "$3" ]]; then pass=$((pass + 1)); else echo "FAIL $1: got [$2], want [$3]"; fail=$((fail + 1)); fi
}

# Cause ids, ranked, for each scenario.
declare -A WANT=(
  [m365-ip-not-in-record]="spf-ip-not-authorized"
  [m365-ip-in-diagnostic]="spf-ip-not-authorized"
  [m365-provider-include-missing]="provider-include-missing spf-ip-not-authorized"
  [m365-relay-pool]="relay-pool spf-ip-not-authorized"
  [m365-no-record]="spf-no-record"
  [m365-broken-record]="spf-permerror"
  [m365-high-risk-pool]="high-risk-pool-suspected spf-ip-not-authorized"
  [m365-no-a-mx]="domain-no-a-mx high-risk-pool-suspected spf-passes-now"
  [m365-dmarc]="dmarc-policy spf-ip-not-authorized"
  [m365-not-spf]="not-spf"
)
for name in "${!WANT[@]}"; do
  got=$("$BIN" bounce "$DIR/$name.eml" --zone "$ZONE" --json | ids)
  check "$name causes" "$got" "${WANT[$name]}"
done

# The bounce fields themselves.
out=$("$BIN" bounce "$DIR/m365-ip-not-in-record.eml" --zone "$ZONE" --json)
check "status" "$(echo "$out" | field 'd["recipients"][0]["status"]')" "5.7.23"
check "reason" "$(echo "$out" | field 'd["recipients"][0]["reason"]')" "authfailure"
check "reply" "$(echo "$out" | field 'd["recipients"][0]["reply_code"]')" "550"
check "sending_ip" "$(echo "$out" | field 'd["original"]["sending_ip"]')" "203.0.113.25"
check "envelope" "$(echo "$out" | field 'd["original"]["envelope_from"]')" "alice@notlisted.example"
check "generating" "$(echo "$out" | field 'd["generating_server"]')" "am0pr01mb1234.eurprd01.prod.outlook.com"
check "spf result" "$(echo "$out" | field 'd["diagnosis"]["spf"]["result"]')" "fail"
check "admin text quotes" "$(echo "$out" | field '"Sender Policy Framework violation" in d["diagnosis"]["for_remote_admin"]')" "True"
out=$("$BIN" bounce "$DIR/m365-provider-include-missing.eml" --zone "$ZONE" --json)
check "include to add" "$(echo "$out" | field 'd["diagnosis"]["causes"][0]["include"]')" "include:spf.protection.outlook.com"

# --no-dns: no re-check, honest causes.
out=$("$BIN" bounce "$DIR/m365-ip-not-in-record.eml" --no-dns --json)
check "no-dns spf" "$(echo "$out" | field 'd["diagnosis"]["spf"]')" "None"
check "no-dns causes" "$(echo "$out" | ids)" "high-risk-pool-suspected spf-ip-not-authorized"
check "no-dns relay" "$("$BIN" bounce "$DIR/m365-relay-pool.eml" --no-dns --json | ids)" "relay-pool spf-ip-not-authorized"

# stdin, and the text report.
check "stdin" "$("$BIN" bounce - --zone "$ZONE" --json < "$DIR/m365-relay-pool.eml" | ids)" "relay-pool spf-ip-not-authorized"
"$BIN" bounce "$DIR/m365-relay-pool.eml" --zone "$ZONE" | grep -q "For the receiving admin"
check "text report" "$?" "0"

# Bad input: one line on stderr, exit 1; usage errors exit 2.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'this is not a mail message\n' > "$tmp/garbage.txt"
"$BIN" bounce "$tmp/garbage.txt" --no-dns > "$tmp/out" 2> "$tmp/err"
check "garbage status" "$?" "1"
check "garbage stderr lines" "$(wc -l < "$tmp/err")" "1"
check "garbage stdout empty" "$(wc -c < "$tmp/out")" "0"
: > "$tmp/empty.eml"
"$BIN" bounce "$tmp/empty.eml" --no-dns > /dev/null 2>&1
check "empty status" "$?" "1"
"$BIN" bounce "$tmp/missing.eml" --no-dns > /dev/null 2>&1
check "missing status" "$?" "1"
head -c 21000000 /dev/zero | tr '\0' 'a' > "$tmp/huge.eml"
"$BIN" bounce "$tmp/huge.eml" --no-dns > /dev/null 2> "$tmp/err"
check "huge status" "$?" "1"
grep -q "larger than 20 MiB" "$tmp/err"
check "huge message" "$?" "0"
head -c 200000 /dev/urandom > "$tmp/random.bin"
"$BIN" bounce "$tmp/random.bin" --no-dns > /dev/null 2>&1
check "random bytes status" "$?" "1"
"$BIN" bounce > /dev/null 2>&1
check "usage status" "$?" "2"
# A bounce with CR-only line ends and an mbox "From " line reads the same.
{ printf 'From MAILER-DAEMON Tue Mar 14 09:12:05 2023\n'; cat "$DIR/m365-relay-pool.eml"; } > "$tmp/one.mbox"
check "mbox" "$("$BIN" bounce "$tmp/one.mbox" --zone "$ZONE" --json | ids)" "relay-pool spf-ip-not-authorized"
tr -d '\n' < "$DIR/m365-relay-pool.eml" > "$tmp/cr.eml"
check "CR line ends" "$("$BIN" bounce "$tmp/cr.eml" --zone "$ZONE" --json | ids)" "relay-pool spf-ip-not-authorized"

echo "bounce CLI tests: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
