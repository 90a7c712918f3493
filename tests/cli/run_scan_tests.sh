#!/usr/bin/env bash
# scan: JSON Lines in input order, --out, --resume after kill -9 (no domain
# lost or repeated), bad input. Usage: run_scan_tests.sh SPFDOCTOR
set -u
BIN=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# A world of 4000 domains with assorted records, and a few broken ones.
/usr/bin/python3 - "$TMP" <<'PY'
import sys, random
d = sys.argv[1]
random.seed(7)
z = ["$ORIGIN scan.test.", "$TTL 300", "@ IN SOA ns hostmaster 1 7200 3600 1209600 300", "@ IN NS ns", "ns IN A 192.0.2.53",
     '_inc IN TXT "v=spf1 ip4:198.51.100.0/24 -all"']
names = []
for i in range(4000):
    n = f"d{i}"
    k = i % 7
    rec = {0: "v=spf1 ip4:192.0.2.%d -all" % (i % 250),
           1: "v=spf1 include:_inc.scan.test ~all",
           2: "v=spf1 a mx -all",
           3: "v=spf1 ip4:192.0.2.0/33 -all",
           4: None,
           5: "v=spf1 include:missing%d.scan.test -all" % i,
           6: "v=spf1 ptr ?all"}[k]
    if rec: z.append(f'{n} IN TXT "{rec}"')
    if k == 2:
        z.append(f"{n} IN A 192.0.2.{i % 250}")
        z.append(f"{n} IN MX 10 {n}")
    names.append(f"{n}.scan.test")
open(f"{d}/zone", "w").write("\n".join(z) + "\n")
open(f"{d}/domains", "w").write("\n".join(names) + "\n# a comment\n\nNot A Domain!\n")
PY

"$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/full.jsonl" 2>"$TMP/err" || bad "full scan exit $?"
lines=$(wc -l <"$TMP/full.jsonl")
[[ $lines -eq 4001 ]] && ok || bad "full scan: $lines lines, want 4001"
/usr/bin/python3 - "$TMP/full.jsonl" <<'PY' && ok || bad "full scan content"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["domain"] for r in rows[:3]] == ["d0.scan.test", "d1.scan.test", "d2.scan.test"], rows[:3]
by = {r["domain"]: r for r in rows}
assert by["d0.scan.test"]["verdict"] == "ok"
assert any(f["id"] == "invalid-cidr" for f in by["d3.scan.test"]["findings"])
assert any(f["id"] == "no-record" for f in by["d4.scan.test"]["findings"])
assert any(f["id"] == "include-no-record" for f in by["d5.scan.test"]["findings"])
assert rows[-1]["domain"] == "not a domain!" and rows[-1]["error"]
PY
grep -q "^scan: 4001 domains" "$TMP/err" && grep -q "most common findings" "$TMP/err" && ok || { bad "summary"; cat "$TMP/err"; }

# One event loop or several, few checks in flight or many: the same bytes, the
# same summary (threads share one input, one cache and one ordered output).
for shape in "--threads 1" "--threads 4 --concurrency 3" "--threads 3 --concurrency 1000" "--threads 8 --concurrency 8"; do
  # shellcheck disable=SC2086
  "$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/shape.jsonl" $shape 2>"$TMP/shape.err" || bad "scan $shape exit $?"
  cmp -s "$TMP/full.jsonl" "$TMP/shape.jsonl" && cmp -s <(sed 1d "$TMP/err") <(sed 1d "$TMP/shape.err") &&
    grep -q "^scan: 4001 domains" "$TMP/shape.err" && ok || bad "scan $shape differs from the default run"
done

# Interrupt with kill -9 at several moments, resume each time; the result
# must be the same set of lines as the uninterrupted run.
for delay in 0.05 0.15 0.3; do
  rm -f "$TMP/part.jsonl"
  "$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/part.jsonl" --concurrency 8 --threads 3 2>/dev/null &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  "$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/part.jsonl" --resume 2>"$TMP/err2" || bad "resume exit"
  if cmp -s <(sort "$TMP/full.jsonl") <(sort "$TMP/part.jsonl"); then ok; else
    bad "resume after kill at ${delay}s: $(wc -l <"$TMP/part.jsonl") lines, dups: $(sort "$TMP/part.jsonl" | uniq -d | wc -l)"
  fi
done
# Resume of a finished scan adds nothing.
"$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/part.jsonl" --resume 2>/dev/null
[[ $(wc -l <"$TMP/part.jsonl") -eq 4001 ]] && ok || bad "resume of a finished scan"
# A partial last line (as a kill leaves it) is cut and redone.
head -c -40 "$TMP/full.jsonl" >"$TMP/cut.jsonl"
"$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/cut.jsonl" --resume 2>/dev/null
cmp -s "$TMP/full.jsonl" "$TMP/cut.jsonl" && ok || bad "partial line not redone"

# A complete but damaged last line is redone; damage with complete lines after
# it is not what an interruption leaves: refused, the file left as it was.
head -n 10 "$TMP/full.jsonl" >"$TMP/tail.jsonl"
echo '{"domain":"d10.scan.te' >>"$TMP/tail.jsonl"
"$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/tail.jsonl" --resume 2>/dev/null
cmp -s "$TMP/full.jsonl" "$TMP/tail.jsonl" && ok || bad "damaged last line not redone"
{ head -n 3 "$TMP/full.jsonl"; echo 'garbage'; sed -n 5,6p "$TMP/full.jsonl"; } >"$TMP/mid.jsonl"
cp "$TMP/mid.jsonl" "$TMP/mid.before"
"$BIN" scan "$TMP/domains" --zone "$TMP/zone" --out "$TMP/mid.jsonl" --resume 2>"$TMP/err5"; rc=$?
[[ $rc -eq 1 ]] && grep -q "line 4 .* is not a scan line" "$TMP/err5" && cmp -s "$TMP/mid.jsonl" "$TMP/mid.before" \
  && ok || bad "damage in the middle: rc $rc, $(cat "$TMP/err5")"

# stdin, and bad input.
printf 'd0.scan.test\nd1.scan.test\n' | "$BIN" scan - --zone "$TMP/zone" >"$TMP/out" 2>/dev/null
[[ $(wc -l <"$TMP/out") -eq 2 ]] && ok || bad "stdin"
"$BIN" scan "$TMP/nope" --zone "$TMP/zone" 2>"$TMP/err3"; rc=$?
[[ $rc -eq 1 ]] && grep -q "cannot read" "$TMP/err3" && ok || bad "missing input: rc $rc"
"$BIN" scan "$TMP/domains" --zone "$TMP/zone" --resume 2>"$TMP/err4"; rc=$?
[[ $rc -eq 2 ]] && ok || bad "--resume without --out: rc $rc"
"$BIN" scan "$TMP/domains" --zone "$TMP/nozone" --out "$TMP/none.jsonl" 2>/dev/null; rc=$?
[[ $rc -eq 1 && ! -e "$TMP/none.jsonl" ]] && ok || bad "bad zone left an output file (rc $rc)"

echo "scan: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
