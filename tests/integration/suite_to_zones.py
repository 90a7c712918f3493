#!/usr/bin/python3
"""Turn the OpenSPF conformance suite into DNS master files and query lists.

    suite_to_zones.py SUITE_YAML OUTDIR

Run with Debian's /usr/bin/python3 (python3-yaml, python3-spf, python3-dnspython).

For scenario number NN (01, 02, ... in suite order) writes to OUTDIR:

  NN.zone           the root zone "." (SOA and NS at the apex, then every name of
                    the scenario's zone data, absolute), for NSD and for
                    `spfdoctor eval --zone`;
  NN.queries        one `IP SENDER HELO` line per test that the batch format can
                    carry (SENDER `<>` for an empty MAIL FROM), in the order of
                    the tests whose "batch" is true in NN.expected.json;
  NN.expected.json  {"scenario", "zone", "queries", "tests": [...], "skipped": [...]}
                    each test {"name", "spec", "host", "mailfrom", "helo",
                    "sender" (as given to spfdoctor), "results" (acceptable
                    results), "explanation" (null when the suite gives none;
                    "DEFAULT" = the implementation's default, which spfdoctor
                    reports as null), "batch" (false when a field holds white
                    space, so the test must be run with --ip/--sender/--helo)};

and OUTDIR/index.json listing the scenarios. A summary goes to stdout.

Conventions of the suite (../shared/testsuite/README.md) and how they are kept:
  * an SPF entry also answers TXT unless the name has its own TXT entry or
    `TXT: NONE`; SPF entries are also written as type SPF (99);
  * strings are bytes: YAML gives code points U+0000..U+00FF for the \\xNN
    escapes, written back as single bytes; in the master file every byte that
    is not printable ASCII is a \\DDD escape, and a string longer than 255
    bytes becomes several character-strings;
  * identical records at one name and type are written once, as DNS holds an
    RRset (RFC 2181 section 5) -- only example7.com in "Selecting records";
  * a TXT with no character-strings at all (`SPF: [ ]`, null.example.com) cannot
    be written in a master file; it becomes TXT "" (one empty string), which
    is not an SPF record either;
  * TIMEOUT cannot be served by a real server. A test is skipped when its
    outcome depends on it: when the reference implementation (pyspf), run over
    the scenario with the suite's own harness semantics (pyspf's
    test/testspf.py: a TIMEOUT entry makes every query type that has no data
    listed before it time out; a name absent from the data that starts with
    "error." times out), hits a timeout. The data of the other types at such a
    name is still written. Every other test is included.
"""
import json
import os
import re
import sys

import yaml

try:
    import dns.name
    import spf
except ImportError as e:  # pragma: no cover
    sys.exit("suite_to_zones.py: needs python3-spf and python3-dnspython (%s); run with /usr/bin/python3" % e)

SOA_NAME = "ns.spfdoctor-integration.invalid."
TTL = 300


# ---- bytes and master-file text ------------------------------------------------

def as_bytes(text):
    """A YAML string whose \\xNN escapes stand for bytes: code points <= 0xFF are
    single bytes. (A code point above 0xFF would be real Unicode: UTF-8.)"""
    if isinstance(text, bytes):
        return text
    text = str(text)
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def txt_chunk(data):
    """One <character-string> (<= 255 bytes) as quoted master-file text."""
    out = ['"']
    for b in data:
        if b in (0x22, 0x5C):          # " and \
            out.append("\\" + chr(b))
        elif 0x20 <= b <= 0x7E:
            out.append(chr(b))
        else:
            out.append("\\%03d" % b)
    out.append('"')
    return "".join(out)


def txt_rdata(strings):
    """A TXT/SPF RDATA from a list of byte strings: each split into pieces of at
    most 255 bytes. No strings at all becomes one empty string (see above)."""
    pieces = []
    for s in strings:
        if not s:
            pieces.append(b"")
        for i in range(0, len(s), 255):
            pieces.append(s[i:i + 255])
    if not pieces:
        pieces = [b""]
    return " ".join(txt_chunk(p) for p in pieces)


LABEL_SAFE = re.compile(rb"[A-Za-z0-9_-]")


def dname(name):
    """An absolute domain name in master-file syntax: every byte of a label that
    is not a letter, digit, '_' or '-' as \\DDD (spaces, '%', ':', '/' occur)."""
    name = str(name)
    if name in ("", "."):
        return "."
    if name.endswith("."):
        name = name[:-1]
    labels = []
    for label in as_bytes(name).split(b"."):
        if not label:
            raise ValueError("empty label in %r" % name)
        labels.append("".join(chr(b) if LABEL_SAFE.match(bytes([b])) else "\\%03d" % b for b in label))
    return ".".join(labels) + "."


# ---- the suite's zone data -----------------------------------------------------

def strings_of(value):
    """SPF/TXT value: a string, or a list of strings (several character-strings)."""
    if isinstance(value, list):
        return [as_bytes(v) for v in value]
    return [as_bytes(value)]


def normalize_entries(items):
    """(records, timeout) for one name of the zone data, records as
    (type, value) in the suite's order with the SPF->TXT rule applied the way
    the suite's harness does it (generated TXT copies come last)."""
    records = []
    has_txt = False
    generated = []
    for item in items:
        if isinstance(item, str):
            records.append(("TIMEOUT", None))
            continue
        for rtype, value in item.items():
            if rtype == "TXT":
                has_txt = True
                if value == "NONE":
                    continue
                records.append(("TXT", strings_of(value)))
            elif rtype == "SPF":
                records.append(("SPF", strings_of(value)))
                generated.append(("TXT", strings_of(value)))
            else:
                records.append((rtype, value))
    if not has_txt:
        records.extend(generated)
    return records


def zone_lines(zonedata):
    """Master-file lines for a scenario's zone data (without the apex)."""
    lines = []
    notes = []
    for owner, items in zonedata.items():
        records = normalize_entries(items)
        seen = set()
        out = []
        for rtype, value in records:
            if rtype == "TIMEOUT":
                notes.append(owner)
                out.append("; %s: TIMEOUT in the suite (not servable; tests that hit it are skipped)" % owner)
                continue
            if rtype in ("TXT", "SPF"):
                rdata = txt_rdata(value)
            elif rtype in ("A", "AAAA"):
                rdata = str(value)
            elif rtype == "MX":
                rdata = "%d %s" % (int(value[0]), dname(value[1]))
            elif rtype in ("PTR", "CNAME"):
                rdata = dname(value)
            else:
                raise ValueError("unknown record type %r at %s" % (rtype, owner))
            key = (rtype, rdata.lower() if rtype in ("MX", "PTR", "CNAME") else rdata)
            if key in seen:
                out.append("; %s %s %s: the suite lists it twice; an RRset holds it once" % (owner, rtype, rdata))
                continue
            seen.add(key)
            out.append("%s %d IN %s %s" % (dname(owner), TTL, rtype, rdata))
        lines.extend(out)
    return lines, notes


# ---- which tests depend on TIMEOUT: pyspf with the suite harness's DNS ----------

class SuiteDNS:
    """spf.DNSLookup as pyspf's test/testspf.py defines it over the zone data,
    returning values in the shapes DNSLookup_dnspython returns; records the
    timeouts it raises."""

    def __init__(self, zonedata):
        self.data = {}
        for owner, items in zonedata.items():
            self.data[str(owner).lower().rstrip(".")] = normalize_entries(items)
        self.timeouts = []

    def __call__(self, name, qtype, strict=True, timeout=None):
        labels = [label for label in name.split(".") if label]
        key = ".".join(labels).lower()
        if key not in self.data:
            if key.startswith("error."):
                self.timeouts.append("%s %s (absent, starts with error.)" % (key, qtype))
                raise spf.TempError("DNS timeout")
            return
        pending_timeout = True
        for rtype, value in self.data[key]:
            if rtype == "TIMEOUT":
                if pending_timeout:
                    self.timeouts.append("%s %s (TIMEOUT)" % (key, qtype))
                    raise spf.TempError("DNS timeout")
                return
            if rtype == qtype:
                pending_timeout = False
            if rtype == "MX":
                value = (int(value[0]), dns.name.from_text(value[1] or "."))
            elif rtype in ("A", "AAAA", "PTR", "CNAME"):
                value = str(value)
                if rtype == "PTR":
                    value = value.rstrip(".")
            yield ((name, rtype), value)


def reference_run(zonedata, test):
    lookup = SuiteDNS(zonedata)
    spf.DNSLookup = lookup
    q = spf.query(i=test["host"], s=test.get("mailfrom", "") or "", h=test.get("helo", "") or "", querytime=0)
    q.set_default_explanation("DEFAULT")
    res, _, exp = q.check()
    res = {"unknown": "permerror", "error": "temperror"}.get(res, res)
    return res, exp, lookup.timeouts


# ---- output -----------------------------------------------------------------------

def batchable(*fields):
    return all(f == "" or not re.search(r"\s", f) for f in fields) and fields[0] != ""


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: suite_to_zones.py SUITE_YAML OUTDIR")
    suite, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    with open(suite, "rb") as f:
        scenarios = list(yaml.safe_load_all(f))

    index = []
    total = included = 0
    skipped_all = []
    reference_disagrees = []
    for n, sc in enumerate(scenarios, 1):
        tag = "%02d" % n
        zonedata = sc.get("zonedata") or {}
        lines, timeout_names = zone_lines(zonedata)
        header = [
            "; scenario %s of %s: %s" % (tag, os.path.basename(suite), sc["description"]),
            "; generated by tests/integration/suite_to_zones.py; served as the root zone",
            "$ORIGIN .",
            "$TTL %d" % TTL,
            ". %d IN SOA %s hostmaster.spfdoctor-integration.invalid. 1 3600 600 86400 %d" % (TTL, SOA_NAME, TTL),
            ". %d IN NS %s" % (TTL, SOA_NAME),
        ]
        with open(os.path.join(outdir, tag + ".zone"), "w", encoding="ascii") as f:
            f.write("\n".join(header + lines) + "\n")

        tests, skipped, queries = [], [], []
        for name, t in sc["tests"].items():
            total += 1
            host = str(t["host"])
            mailfrom = "" if t.get("mailfrom") is None else str(t["mailfrom"])
            helo = "" if t.get("helo") is None else str(t["helo"])
            results = t["result"] if isinstance(t["result"], list) else [t["result"]]
            explanation = t.get("explanation")
            res, exp, timeouts = reference_run(zonedata, t)
            ok = res in results and (explanation is None or explanation == exp)
            if not ok:
                reference_disagrees.append("%s/%s: pyspf %s %r, suite %s %r" % (tag, name, res, exp, results, explanation))
            if timeouts:
                reason = "depends on TIMEOUT data: " + timeouts[0]
                skipped.append({"name": name, "reason": reason})
                skipped_all.append("%s %s: %s" % (tag, name, reason))
                continue
            sender = mailfrom if mailfrom else "<>"
            entry = {
                "name": name, "spec": str(t.get("spec", "")), "host": host, "mailfrom": mailfrom,
                "helo": helo, "sender": sender, "results": results,
                "explanation": None if explanation is None else str(explanation),
                "batch": batchable(host, sender, helo),
            }
            if entry["batch"]:
                queries.append("%s %s %s" % (host, sender, helo))
            tests.append(entry)
            included += 1
        with open(os.path.join(outdir, tag + ".queries"), "w", encoding="utf-8") as f:
            f.write("".join(q + "\n" for q in queries))
        doc = {"scenario": sc["description"], "zone": tag + ".zone", "queries": tag + ".queries",
               "timeout_names": timeout_names, "tests": tests, "skipped": skipped}
        with open(os.path.join(outdir, tag + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
        index.append({"tag": tag, "scenario": sc["description"], "tests": len(tests), "skipped": len(skipped)})

    with open(os.path.join(outdir, "index.json"), "w", encoding="utf-8") as f:
        json.dump({"suite": os.path.abspath(suite), "total": total, "included": included,
                   "skipped": skipped_all, "scenarios": index}, f, indent=1)
    print("suite_to_zones: %d scenarios, %d tests: %d included, %d skipped" % (
        len(scenarios), total, included, len(skipped_all)))
    for s in skipped_all:
        print("  skipped " + s)
    if reference_disagrees:
        # The harness emulation must reproduce pyspf's 203/203; if not, the skip
        # decisions above cannot be trusted.
        for d in reference_disagrees:
            print("  reference run disagrees with the suite: " + d, file=sys.stderr)
        sys.exit("suite_to_zones: the pyspf reference run disagrees with the suite on %d tests" % len(reference_disagrees))


if __name__ == "__main__":
    main()
