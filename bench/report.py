#!/usr/bin/env python3
"""Turns the raw data of bench/run_peers.sh into bench/results/latest.md.

    report.py --raw DIR --world DIR --out FILE --spfdoctor BIN --queries N
              --wan-queries N --delay MS --runs N

raw/TAG.json      hyperfine exports (median of the runs), TAG = loop-PEER, wan-PEER, ...
raw/TAG.out       the last run's output (spfdoctor: JSON Lines; peers: one result a line)
raw/count-PEER.txt DNS queries the peer sent for the batch (dnsdist `queries` counter)
raw/dnsperf-N.txt dnsperf reports
raw/pair-dnsperf-N.txt, raw/pair-eval-N.json, raw/pair-scan-N.json
                  the paired runs: dnsperf, then eval --batch and scan, back to back
raw/gbench.json   Google Benchmark output of build/bench/bench_check_host (if present)
"""
import argparse
import collections
import json
import os
import platform
import re
import statistics
import subprocess

PEERS = [("libspf2", "libspf2 (C)"), ("mailauth", "mailauth (Node)"), ("pyspf", "pyspf (Python)"),
         ("mailspf", "Mail::SPF (Perl)")]
# The issue's figures for the peers on its machine (2-core): loopback 2,100 queries, WAN 300 queries.
ISSUE_LOOP = {"libspf2": 0.12, "mailauth": 0.95, "pyspf": 2.1, "mailspf": 3.8}
ISSUE_WAN = {"libspf2": 6.5, "pyspf": 16.6}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def median_of(raw, tag):
    p = os.path.join(raw, tag + ".json")
    if not os.path.exists(p):
        return None
    try:
        r = json.load(open(p))["results"][0]
    except (ValueError, KeyError, IndexError):
        return None
    return r["median"], r["times"]


def results_of(raw, tag):
    p = os.path.join(raw, tag + ".out")
    if not os.path.exists(p):
        return None
    lines = open(p, encoding="utf-8", errors="replace").read().splitlines()
    if tag.endswith("spfdoctor") or tag.endswith("spfdoctor-c1"):
        return [json.loads(l) for l in lines if l.strip()]
    return [l.strip() for l in lines]


def count_of(raw, peer):
    p = os.path.join(raw, "count-%s.txt" % peer)
    try:
        return int(open(p).read().strip())
    except (OSError, ValueError):
        return None


def fmt_s(x):
    if x is None:
        return "–"
    return "%.3f s" % x if x < 10 else "%.1f s" % x


def fmt_rate(n, t):
    if not t:
        return "–"
    r = n / t
    return "{:,.0f}".format(r)


def category(problem):
    p = (problem or "").lower()
    for key, name in [("more than 10", "lookup limit"), ("void", "void-lookup limit"), ("syntax", "syntax error"),
                      ("includes itself", "self-include"), ("more than one", "two SPF records"),
                      ("no spf record", "include without SPF"), ("does not exist", "missing include target")]:
        if key in p:
            return name
    return p.split(":")[0][:40] if p else "-"


def agreement(ours, theirs, queries):
    """(agree, total, Counter of (ours, theirs), examples)"""
    if ours is None or theirs is None:
        return None
    n = min(len(ours), len(theirs))
    pairs = collections.Counter()
    examples = []
    agree = 0
    for i in range(n):
        a = ours[i]["result"] if ours[i] else None
        b = theirs[i]
        if a == b:
            agree += 1
        else:
            pairs[(a, b, category(ours[i].get("problem")))] += 1
            if sum(1 for e in examples if (e[1], e[2]) == (a, b)) < 1 and len(examples) < 8:
                examples.append((queries[i], a, b, ours[i].get("record"), ours[i].get("problem")))
    return agree, max(len(ours), len(theirs)), pairs, examples


def dnsperf_rate(path):
    """The queries/s of one dnsperf report, or None."""
    m = re.search(r"Queries per second:\s+([\d.]+)", open(path).read())
    return float(m.group(1)) if m else None


def dnsperf_qps(raw):
    vals = (dnsperf_rate(os.path.join(raw, name)) for name in sorted(os.listdir(raw)) if name.startswith("dnsperf-"))
    return [v for v in vals if v is not None]


def paired(raw, what, queries):
    """Fractions of the ceiling, one per pair: `queries` / the median time of
    pair-WHAT-N, over the dnsperf rate of pair-dnsperf-N."""
    out = []
    if not queries:
        return out
    n = 1
    while os.path.exists(os.path.join(raw, "pair-dnsperf-%d.txt" % n)):
        ceiling = dnsperf_rate(os.path.join(raw, "pair-dnsperf-%d.txt" % n))
        t = median_of(raw, "pair-%s-%d" % (what, n))
        if ceiling and t and t[0] > 0:
            out.append((ceiling, t[0], queries / t[0] / ceiling))
        n += 1
    return out


def machine():
    cpu = ""
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                cpu = l.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for l in open("/proc/meminfo"):
            if l.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(l.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    return cpu, mem, os.cpu_count(), platform.release(), open("/proc/loadavg").read().split()[:3]


def gbench_rows(d):
    """Google Benchmark entries: the medians when run with repetitions, else every run."""
    rows = [b for b in d.get("benchmarks", []) if b.get("aggregate_name") == "median"]
    return rows or [b for b in d.get("benchmarks", []) if b.get("run_type", "iteration") == "iteration"]


def gbench_rates(raw):
    """(name, check_host per CPU-second) for the CheckHost benchmarks of the run."""
    gb = os.path.join(raw, "gbench.json")
    if not os.path.exists(gb):
        return []
    out = []
    for b in gbench_rows(json.load(open(gb))):
        name = b.get("run_name", b["name"])
        if name.startswith("BM_CheckHost") and b.get("time_unit", "ns") == "ns" and b["cpu_time"] > 0:
            out.append((name, 1e9 / b["cpu_time"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--spfdoctor", required=True)
    ap.add_argument("--queries", type=int, required=True)
    ap.add_argument("--wan-queries", type=int, required=True)
    ap.add_argument("--delay", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    a = ap.parse_args()
    raw = a.raw
    world = json.load(open(os.path.join(a.world, "world.json")))
    queries = open(os.path.join(a.world, "queries-%d.txt" % a.queries)).read().splitlines()
    out = []
    w = out.append

    cpu, mem, ncpu, kernel, load = machine()
    root = os.path.dirname(os.path.dirname(os.path.abspath(a.out)))
    commit = sh("git -C %s rev-parse --short HEAD" % root)
    dirty = " (+ uncommitted changes in the tree)" if sh("git -C %s status --porcelain -- src include tools" % root) else ""
    ver = lambda p: sh("dpkg-query -W -f '${Version}' %s 2>/dev/null" % p) or "?"
    try:
        mailauth_v = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "peers/node_modules/mailauth/package.json")))["version"]
    except OSError:
        mailauth_v = "?"
    w("# spfdoctor vs peers: latest run")
    w("")
    w("Written by `bench/run_peers.sh` (%s). Machine: %d CPUs, %s, %s memory, Linux %s; "
      "load average at the end of the run %s." % (sh("date -u '+%Y-%m-%d %H:%M UTC'"), ncpu, cpu, mem, kernel, " ".join(load)))
    w("spfdoctor %s%s; NSD %s, dnsdist %s, dnsperf %s, libspf2 %s, Mail::SPF %s, pyspf %s, dnspython %s, "
      "mailauth %s on Node %s." % (commit, dirty, ver("nsd"), ver("dnsdist"), ver("dnsperf"), ver("libspf2-2"),
                                  ver("libmail-spf-perl"), ver("python3-spf"), ver("python3-dnspython"), mailauth_v,
                                  sh("node --version")))
    w("")
    w("World: %d domains, %d resource records (one root zone served by one NSD, `rrl-ratelimit: 0`); "
      "batches of %d and %d queries. Every time is the median of at least %d runs (hyperfine; a quick command "
      "gets as many as fit in 3 seconds, at most 20: the run count is beside each loopback time), wall clock of the "
      "whole process (start-up included)." % (world["domains"], world["resource_records"], a.queries, a.wan_queries,
                                             a.runs))
    w("")

    sd = results_of(raw, "loop-spfdoctor")
    if sd:
        mix = collections.Counter(r["result"] for r in sd if r)
        w("spfdoctor's results on the %d-query batch: %s." % (
            len(sd), ", ".join("%s %d" % (k, v) for k, v in mix.most_common())))
        w("")

    # ---- loopback ----
    loop_sd = median_of(raw, "loop-spfdoctor")
    t_sd = loop_sd[0] if loop_sd else None
    w("## Loopback: %d queries straight to NSD" % a.queries)
    w("")
    w("| implementation | median time | checks/s | time / spfdoctor's | DNS queries sent | queries/check | agrees with spfdoctor | issue's figure |")
    w("|---|---|---|---|---|---|---|---|")
    help_text = subprocess.run([a.spfdoctor, "eval", "--help"], capture_output=True, text=True, timeout=30).stdout
    conc = re.search(r"--concurrency.*?default (\d+)", help_text, re.S)
    sd_label = "spfdoctor `eval --batch` (defaults: %s checks in flight on %d event loops)" % (
        conc.group(1) if conc else "?", min(8, os.cpu_count() or 1))
    rows = [("spfdoctor", sd_label),
            ("spfdoctor-c1", "spfdoctor `eval --batch --concurrency 1`")] + PEERS
    for peer, label in rows:
        m = median_of(raw, "loop-" + peer)
        t = m[0] if m else None
        c = count_of(raw, peer)
        ratio = "%.1fx" % (t / t_sd) if (t and t_sd and not peer.startswith("spfdoctor")) else ("1x" if peer == "spfdoctor" else "–")
        if peer == "spfdoctor-c1" and t and t_sd:
            ratio = "%.1fx" % (t / t_sd)
        if peer.startswith("spfdoctor"):
            ag = "–"
            if peer == "spfdoctor-c1":
                r1 = results_of(raw, "loop-spfdoctor-c1")
                if r1 and sd:
                    ag = "%d/%d" % (sum(1 for x, y in zip(sd, r1) if x and y and x["result"] == y["result"]), len(sd))
        else:
            g = agreement(sd, results_of(raw, "loop-" + peer), queries)
            ag = "%d/%d" % (g[0], g[1]) if g else "–"
        w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt_s(t) + (" (%d runs)" % len(m[1]) if m else ""), fmt_rate(a.queries, t), ratio, "{:,}".format(c) if c is not None else "–",
            "%.2f" % (c / a.queries) if c is not None else "–", ag,
            fmt_s(ISSUE_LOOP.get(peer)) if peer in ISSUE_LOOP else ""))
    w("")
    qps = dnsperf_qps(raw)
    ceiling = statistics.median(qps) if qps else None
    c_sd = count_of(raw, "spfdoctor")
    sd_qps = c_sd / t_sd if (c_sd and t_sd) else None
    w("### DNS query rate against the server's ceiling")
    w("")
    w("| what | DNS queries/s |")
    w("|---|---|")
    w("| dnsperf against the same NSD (ceiling; median of %s) | %s |" % (
        ", ".join("{:,.0f}".format(x) for x in qps) or "–", "{:,.0f}".format(ceiling) if ceiling else "–"))
    frac = (sd_qps / ceiling) if (sd_qps and ceiling) else None
    w("| spfdoctor `eval --batch`: %s queries in %s | %s (%s of the ceiling) |" % (
        "{:,}".format(c_sd) if c_sd else "–", fmt_s(t_sd), "{:,.0f}".format(sd_qps) if sd_qps else "–",
        "%.0f%%" % (100 * frac) if frac else "–"))
    su = median_of(raw, "loop-startup")
    if su and c_sd and t_sd and t_sd > su[0] and ceiling:
        q2 = c_sd / (t_sd - su[0])
        w("| the same, less spfdoctor's start-up (an empty batch takes %s) | %s (%.0f%% of the ceiling) |" % (
            fmt_s(su[0]), "{:,.0f}".format(q2), 100 * q2 / ceiling))
    have_scan = open(os.path.join(raw, "have_scan.txt")).read().strip() == "1" if os.path.exists(os.path.join(raw, "have_scan.txt")) else False
    scan_frac = None
    if have_scan:
        ms = median_of(raw, "loop-scan")
        cs = count_of(raw, "scan")
        if ms and cs:
            scan_qps = cs / ms[0]
            scan_frac = scan_qps / ceiling if ceiling else None
            w("| spfdoctor `scan` of %d domains: %s queries in %s | %s (%s of the ceiling) |" % (
                world["domains"], "{:,}".format(cs), fmt_s(ms[0]), "{:,.0f}".format(scan_qps),
                "%.0f%%" % (100 * scan_frac) if scan_frac else "–"))
    else:
        w("| spfdoctor `scan` | not measured: this spfdoctor has no `scan` command yet |")
    w("")
    # Paired runs: each fraction against the ceiling measured just before it.
    pe = paired(raw, "eval", c_sd)
    ps = paired(raw, "scan", count_of(raw, "scan")) if have_scan else []
    pair_frac = statistics.median(x[2] for x in pe) if pe else None
    pair_scan_frac = statistics.median(x[2] for x in ps) if ps else None
    if pe:
        w("Paired: dnsperf for a few seconds, then at once the same batch (median of 10 runs) and `scan`")
        w("(median of 3), %d times; each rate against the ceiling of its own pair:" % len(pe))
        w("")
        w("| pair | ceiling | `eval --batch` | of the ceiling | `scan` | of the ceiling |")
        w("|---|---|---|---|---|---|")
        for i, (ceil, t, f) in enumerate(pe):
            sc = ps[i] if i < len(ps) else None
            w("| %d | %s | %s | %.0f%% | %s | %s |" % (i + 1, "{:,.0f}".format(ceil), fmt_s(t), 100 * f,
                                                    fmt_s(sc[1]) if sc else "–", "%.0f%%" % (100 * sc[2]) if sc else "–"))
        w("| median | | | **%.0f%%** | | %s |" % (100 * pair_frac, "**%.0f%%**" % (100 * pair_scan_frac) if pair_scan_frac else "–"))
        w("")

    # ---- WAN ----
    wan_sd = median_of(raw, "wan-spfdoctor")
    tw_sd = wan_sd[0] if wan_sd else None
    w("## WAN-like: every answer delayed %d ms (dnsdist in front of the same NSD), %d queries" % (a.delay, a.wan_queries))
    w("")
    w("| implementation | median time | checks/s | time / spfdoctor's | agrees with spfdoctor | issue's figure |")
    w("|---|---|---|---|---|---|")
    sdw = results_of(raw, "wan-spfdoctor")
    qw = queries[:a.wan_queries]
    for peer, label in rows:
        m = median_of(raw, "wan-" + peer)
        t = m[0] if m else None
        ratio = "1x" if peer == "spfdoctor" else ("%.1fx" % (t / tw_sd) if (t and tw_sd) else "–")
        if peer == "spfdoctor":
            ag = "–"
        elif peer == "spfdoctor-c1":
            r1 = results_of(raw, "wan-spfdoctor-c1")
            ag = "%d/%d" % (sum(1 for x, y in zip(sdw, r1) if x and y and x["result"] == y["result"]), len(sdw)) if (r1 and sdw) else "–"
        else:
            g = agreement(sdw, results_of(raw, "wan-" + peer), qw)
            ag = "%d/%d" % (g[0], g[1]) if g else "–"
        w("| %s | %s | %s | %s | %s | %s |" % (label, fmt_s(t), fmt_rate(a.wan_queries, t), ratio, ag,
                                                 fmt_s(ISSUE_WAN.get(peer)) if peer in ISSUE_WAN else ""))
    mf = median_of(raw, "wan-full-spfdoctor")
    if mf:
        w("| spfdoctor `eval --batch`, full %d-query batch | %s | %s | | | |" % (a.queries, fmt_s(mf[0]), fmt_rate(a.queries, mf[0])))
    if have_scan:
        ms = median_of(raw, "wan-scan")
        if ms:
            w("| spfdoctor `scan` of %d domains | %s | %s domains/s | | | |" % (world["domains"], fmt_s(ms[0]), fmt_rate(world["domains"], ms[0])))
    w("")

    # ---- targets ----
    w("## Targets (issue 7)")
    w("")
    w("| target | measured | met |")
    w("|---|---|---|")

    def tgt(name, value, need, fmtv):
        if value is None:
            w("| %s | not measured | – |" % name)
        else:
            w("| %s | %s | %s |" % (name, fmtv(value), "yes" if value >= need else "**no**"))
    lw = median_of(raw, "wan-libspf2")
    pw = median_of(raw, "wan-pyspf")
    tgt("WAN-like: eval --batch >= 50x libspf2", (lw[0] / tw_sd) if (lw and tw_sd) else None, 50, lambda v: "%.1fx" % v)
    tgt("WAN-like: eval --batch >= 100x pyspf", (pw[0] / tw_sd) if (pw and tw_sd) else None, 100, lambda v: "%.1fx" % v)
    ll = median_of(raw, "loop-libspf2")
    tgt("Loopback: >= 2x libspf2", (ll[0] / t_sd) if (ll and t_sd) else None, 2, lambda v: "%.1fx" % v)
    # The paired median where there is one, the unpaired fraction beside it.
    def pct(v):
        return "%.0f%%" % (100 * v)

    def tgt_ceiling(name, paired_frac, unpaired_frac):
        if paired_frac is None:
            tgt(name, unpaired_frac, 0.5, pct)
            return
        w("| %s | %s paired (%s unpaired) | %s |" % (name, pct(paired_frac), pct(unpaired_frac) if unpaired_frac else "–",
                                                    "yes" if paired_frac >= 0.5 else "**no**"))
    tgt_ceiling("Loopback: DNS queries/s >= 1/2 of the dnsperf ceiling", pair_frac, frac)
    if have_scan:
        tgt_ceiling("Loopback: scan's DNS queries/s >= 1/2 of the ceiling", pair_scan_frac, scan_frac)
    else:
        w("| Loopback: scan likewise | not measured (no `scan` command yet) | – |")
    for name, cps in gbench_rates(raw):
        if "Trace" in name:
            continue
        tgt("In-process: >= 1,000,000 check_host/s per core (%s)" % name.replace("BM_CheckHost_", ""), cps, 1e6,
            lambda v: "{:,.0f}/s".format(v))
    w("")

    # ---- agreement ----
    w("## Agreement with spfdoctor (loopback batch)")
    w("")
    for peer, label in PEERS:
        g = agreement(sd, results_of(raw, "loop-" + peer), queries)
        if not g:
            w("- %s: no results" % label)
            continue
        agree, total, pairs, examples = g
        w("- **%s**: %d of %d agree%s" % (label, agree, total, "." if not pairs else "; differ: " + ", ".join(
            "spfdoctor %s / %s %s (%s): %d" % (x, peer, y, c, n) for (x, y, c), n in pairs.most_common())))
        for q, x, y, rec, prob in examples[:6]:
            w("  - `%s`: spfdoctor %s, %s %s; record `%s`%s" % (q, x, peer, y, rec, ("; spfdoctor: " + prob) if prob else ""))
    w("")

    # ---- in-process ----
    gb = os.path.join(raw, "gbench.json")
    if os.path.exists(gb):
        d = json.load(open(gb))
        w("## In-process: build/bench/bench_check_host (Google Benchmark, one thread)")
        w("")
        w("Answers come from memory: the zone resolver, or (`_WarmDnsCache`) the DNS cache a receiving server uses")
        w("once it is warm. Median of %s repetitions." % (d["benchmarks"][0].get("repetitions", 1) if d["benchmarks"] else 1))
        w("")
        w("| benchmark | wall time | CPU time | checks/s (CPU) |")
        w("|---|---|---|---|")
        for b in gbench_rows(d):
            unit = b.get("time_unit", "ns")
            cps = ("{:,.0f}".format(1e9 / b["cpu_time"]) if unit == "ns" else "")
            w("| %s | %.0f %s | %.0f %s | %s |" % (b["run_name"] if "run_name" in b else b["name"], b["real_time"], unit, b["cpu_time"], unit, cps))
        w("")
        w("Load average while it ran: %s." % " ".join("%.1f" % x for x in d["context"].get("load_avg", [])))
        w("")

    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
