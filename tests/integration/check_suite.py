#!/usr/bin/python3
"""Run one converted conformance-suite scenario through spfdoctor and judge it.

    check_suite.py SPFDOCTOR SCENARIO_DIR TAG [--server ADDR:PORT] [--work DIR]

Reads SCENARIO_DIR/TAG.expected.json, TAG.zone and TAG.queries (written by
suite_to_zones.py) and runs every test twice:

  zone     spfdoctor eval --zone TAG.zone ...                (in-memory answers)
  network  spfdoctor eval --dns-server ADDR:PORT ...         (only with --server)

each as one `--batch TAG.queries --json --no-trace` call, plus one
`--ip/--sender/--helo` call for each test the batch format cannot carry (a field
holding white space). A test passes when every run's result is one the suite
accepts (and, for a fail with an explanation in the suite, the explanation
matches; the suite's DEFAULT is spfdoctor's null), and the two runs agree on
result, explanation, matched, matched_domain, record, lookups and
void_lookups. Prints one line per failing test and, last,
`TAG: N passed, M failed`; exits 0 if M == 0, else 1.
"""
import argparse
import json
import os
import subprocess
import sys

AGREE_FIELDS = ("result", "explanation", "matched", "matched_domain", "record", "lookups", "void_lookups")
RUN_TIMEOUT = 120  # seconds for one spfdoctor call: a hard guard, not a measurement


def short(text, n=300):
    text = text.strip().replace("\n", " | ")
    return text if len(text) <= n else text[:n] + "..."


class Run:
    """Outputs of spfdoctor for every test of a scenario, with one resolver."""

    def __init__(self, label, binary, resolver_args, scenario_dir, doc):
        self.label = label
        self.outputs = {}   # test name -> parsed JSON
        self.errors = {}    # test name -> why there is no usable output
        tests = doc["tests"]
        batch = [t for t in tests if t["batch"]]
        if batch:
            self._batch(binary, resolver_args, os.path.join(scenario_dir, doc["queries"]), batch)
        for t in tests:
            if not t["batch"]:
                self._single(binary, resolver_args, t)

    def _call(self, argv):
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, "no answer within %d s" % RUN_TIMEOUT
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode != 0:
            return None, "exit %d: %s" % (p.returncode, short(p.stderr.decode("utf-8", "replace") or out))
        return out, None

    def _batch(self, binary, resolver_args, queries, batch):
        out, err = self._call([binary, "eval"] + resolver_args + ["--batch", queries, "--json", "--no-trace"])
        lines = [] if out is None else [l for l in out.splitlines() if l.strip()]
        if err is None and len(lines) != len(batch):
            err = "%d output lines for %d queries" % (len(lines), len(batch))
        for i, t in enumerate(batch):
            if err is not None:
                self.errors[t["name"]] = "batch: " + err
                continue
            try:
                j = json.loads(lines[i])
            except ValueError as e:
                self.errors[t["name"]] = "bad JSON line %d: %s" % (i + 1, e)
                continue
            if (j.get("ip"), j.get("sender"), j.get("helo")) != (t["host"], t["sender"], t["helo"]):
                self.errors[t["name"]] = "output line %d is for %s %s %s" % (i + 1, j.get("ip"), j.get("sender"), j.get("helo"))
                continue
            self.outputs[t["name"]] = j

    def _single(self, binary, resolver_args, t):
        argv = [binary, "eval"] + resolver_args + ["--ip", t["host"], "--sender", t["sender"],
                                                   "--helo", t["helo"], "--json", "--no-trace"]
        out, err = self._call(argv)
        if err is not None:
            self.errors[t["name"]] = "single: " + err
            return
        try:
            self.outputs[t["name"]] = json.loads(out)
        except ValueError as e:
            self.errors[t["name"]] = "single: bad JSON: %s" % e


def suite_verdict(t, j):
    """None if spfdoctor's output j satisfies the suite's expectation for t."""
    if j.get("result") not in t["results"]:
        return "result %s, suite wants %s (problem: %s)" % (j.get("result"), "/".join(t["results"]), j.get("problem"))
    if t["explanation"] is not None and j["result"] == "fail":
        want = None if t["explanation"] == "DEFAULT" else t["explanation"]
        if j.get("explanation") != want:
            return "explanation %r, suite wants %r" % (j.get("explanation"), want)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spfdoctor")
    ap.add_argument("scenario_dir")
    ap.add_argument("tag")
    ap.add_argument("--server", help="ADDR:PORT of an NSD serving TAG.zone")
    ap.add_argument("--timeout", default="5", help="--timeout for the network run")
    a = ap.parse_args()

    with open(os.path.join(a.scenario_dir, a.tag + ".expected.json"), encoding="utf-8") as f:
        doc = json.load(f)
    zone = os.path.join(a.scenario_dir, doc["zone"])
    runs = [Run("zone", a.spfdoctor, ["--zone", zone], a.scenario_dir, doc)]
    if a.server:
        runs.append(Run("network", a.spfdoctor, ["--dns-server", a.server, "--timeout", a.timeout],
                        a.scenario_dir, doc))

    passed = failed = 0
    for t in doc["tests"]:
        why = []
        for r in runs:
            if t["name"] in r.errors:
                why.append("%s: %s" % (r.label, r.errors[t["name"]]))
                continue
            v = suite_verdict(t, r.outputs[t["name"]])
            if v:
                why.append("%s: %s" % (r.label, v))
        if len(runs) == 2 and all(t["name"] in r.outputs for r in runs):
            z, n = (r.outputs[t["name"]] for r in runs)
            for field in AGREE_FIELDS:
                if z.get(field) != n.get(field):
                    why.append("zone and network disagree on %s: %r vs %r" % (field, z.get(field), n.get(field)))
        if why:
            failed += 1
            print("FAIL suite %s %s (%s %s %s): %s" % (a.tag, t["name"], t["host"], t["sender"], t["helo"], "; ".join(why)))
        else:
            passed += 1
    print("%s: %d passed, %d failed" % (a.tag, passed, failed))
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
