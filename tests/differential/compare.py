#!/usr/bin/env python3
"""Compares pyspf_oracle.py output with `spfdoctor eval --batch --json`.

    compare.py QUERIES ORACLE SPFDOCTOR REPORT [--trace TRACE]

Per query (same line order): the results must be equal; when pyspf says fail
with an explanation other than its default, spfdoctor's explanation must be
that text. Disagreements go to REPORT with the query, both answers, the SPF
records pyspf read (from TRACE) and spfdoctor's record/trace. Prints a summary
line "differential: A agree, D disagree" plus a breakdown; exits 1 if D > 0.
"""
import argparse
import collections
import json
import sys

PYSPF_DEFAULT_FAIL = 'SPF fail - not authorized'


def load_jsonl(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError as x:
                out.append({'result': 'unparsable', 'explanation': None,
                            'problem': f'line {n}: {x}: {line[:200]}'})
    return out


def spf_records(trace):
    """SPF records pyspf fetched, in order: [(name, text)]."""
    out, seen = [], set()
    for name, qtype, values in trace or []:
        if qtype != 'TXT':
            continue
        for v in values:
            if v.lower().startswith('v=spf1') and (name, v) not in seen:
                seen.add((name, v))
                out.append((name, v))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('queries')
    ap.add_argument('oracle')
    ap.add_argument('spfdoctor')
    ap.add_argument('report')
    ap.add_argument('--trace')
    a = ap.parse_args()

    with open(a.queries) as f:
        queries = [line.strip() for line in f if line.strip()]
    oracle = load_jsonl(a.oracle)
    doctor = load_jsonl(a.spfdoctor)
    traces = load_jsonl(a.trace) if a.trace else []

    agree = disagree = skipped = 0
    kinds = collections.Counter()
    mix = collections.Counter()
    exp_checked = 0
    cover = collections.Counter()
    with open(a.report, 'w') as rep:
        for i, q in enumerate(queries):
            o = oracle[i] if i < len(oracle) else {'result': 'missing', 'explanation': None}
            d = doctor[i] if i < len(doctor) else {'result': 'missing', 'explanation': None}
            mix[o['result']] += 1
            tr = traces[i] if i < len(traces) else []
            qtypes = {t for _, t, _ in tr}
            cover['ipv6'] += ':' in q.split()[0] and '.' not in q.split()[0]
            cover['helo'] += ' <> ' in q
            cover['ptr'] += 'PTR' in qtypes
            cover['mx'] += 'MX' in qtypes
            cover['include/redirect'] += len(spf_records(tr)) > 1
            if o['result'] == 'exception':
                skipped += 1
                rep.write(f'#{i + 1} SKIPPED (pyspf raised) {q}\n    pyspf: {o["explanation"]}\n\n')
                continue
            problems = []
            ip, sender, helo = (q.split() + ['', '', ''])[:3]
            if (d.get('ip'), d.get('sender'), d.get('helo')) != (ip, sender, helo) and d['result'] != 'missing':
                problems.append('spfdoctor line is for another query: %s %s %s'
                                % (d.get('ip'), d.get('sender'), d.get('helo')))
            if o['result'] != d['result']:
                problems.append('result')
                kinds['result %s (pyspf) vs %s (spfdoctor)' % (o['result'], d['result'])] += 1
            elif o['result'] == 'fail' and o['explanation'] != PYSPF_DEFAULT_FAIL:
                exp_checked += 1
                if d.get('explanation') != o['explanation']:
                    problems.append('explanation')
                    kinds['explanation'] += 1
            if not problems:
                agree += 1
                continue
            disagree += 1
            rep.write(f'#{i + 1} {q}\n')
            rep.write(f'    disagree on: {", ".join(problems)}\n')
            rep.write(f'    pyspf:     {o["result"]}  {json.dumps(o["explanation"])}\n')
            rep.write(f'    spfdoctor: {d["result"]}  explanation={json.dumps(d.get("explanation"))}'
                      f'  problem={json.dumps(d.get("problem"))}\n')
            recs = spf_records(traces[i] if i < len(traces) else None)
            for name, text in recs:
                rep.write(f'    record {name}: "{text}"\n')
            if d.get('record') and not recs:
                rep.write(f'    spfdoctor record: "{d["record"]}"\n')
            if i < len(traces):
                rep.write('    pyspf lookups: ' + '; '.join(
                    f'{n}/{t}={len(v)}' for n, t, v in traces[i]) + '\n')
            for step in d.get('trace') or []:
                if step.get('kind') in ('dns', 'term', 'match', 'error', 'result', 'record', 'note', 'void'):
                    rep.write(f'    doctor {"  " * step.get("depth", 0)}{step.get("kind")}: {step.get("text")}\n')
            rep.write('\n')

    extra = len(doctor) - len(queries)
    print('differential: %d agree, %d disagree%s' % (agree, disagree,
          ', %d skipped (pyspf exception)' % skipped if skipped else ''))
    print('  pyspf results: ' + ', '.join('%s %d' % kv for kv in sorted(mix.items())))
    print('  fail explanations compared: %d' % exp_checked)
    print('  queries with: ' + ', '.join('%s %d' % kv for kv in cover.items()))
    if extra:
        print('  spfdoctor printed %d lines for %d queries' % (len(doctor), len(queries)))
    for k, v in kinds.most_common():
        print('  %5d  %s' % (v, k))
    if disagree:
        print('  details: ' + a.report)
    return 1 if disagree or extra else 0


if __name__ == '__main__':
    sys.exit(main())
