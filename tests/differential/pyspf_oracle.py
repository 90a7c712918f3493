#!/usr/bin/python3
"""pyspf (RFC 7208 reference implementation) answering from a master file.

    pyspf_oracle.py ZONE QUERIES [--trace FILE]

Run with Debian's /usr/bin/python3 (python3-spf, python3-dnspython). For each
line "IP SENDER HELO" of QUERIES (SENDER "<>" = null sender, HELO check) prints
one JSON line {"ip","sender","helo","result","explanation"}; the explanation is
the third element of spf.query(...).check().

DNS: spf.DNSLookup is replaced by a function returning what pyspf's own
DNSLookup_dnspython returns when the resolver talks to an authoritative server
that serves ZONE: a list of ((queried name, qtype), value), CNAMEs followed
transparently (the answer is keyed by the name that was asked); A/AAAA as
address text, MX as (preference, dns.name.Name), PTR as text without the final
dot, TXT/SPF as a list of bytes; NXDOMAIN and NODATA both give [].

--trace FILE writes, per query, the lookups pyspf made and what they returned
(JSON lines), for reporting.
"""
import argparse
import json
import sys

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone

import spf

MAX_CHAIN = 16  # dnspython's resolve_chaining gives up after 16 CNAMEs


class ZoneLookup:
    def __init__(self, path):
        self.zone = dns.zone.from_file(path, origin=dns.name.root, relativize=False,
                                       check_origin=False)
        self.trace = None

    def rrset(self, name, qtype):
        """(rdataset or None) after following CNAMEs, like a stub resolver."""
        rdtype = dns.rdatatype.from_text(qtype)
        cur = name
        seen = set()
        for _ in range(MAX_CHAIN + 1):
            node = self.zone.get_node(cur)
            if node is None:
                return None                    # NXDOMAIN
            rds = node.get_rdataset(dns.rdataclass.IN, rdtype)
            if rds is not None and len(rds):
                return rds
            cn = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cn is None or rdtype == dns.rdatatype.CNAME:
                return None                    # NODATA
            seen.add(cur)
            cur = cn[0].target
            if cur in seen:
                return None                    # CNAME loop: no answer
        return None

    def __call__(self, name, qtype, strict=True, timeout=None):
        # dnspython parses the text name (may raise, as the real one would).
        qname = dns.name.from_text(name, origin=dns.name.root)
        rds = self.rrset(qname, qtype)
        out = []
        if rds is not None:
            for rdata in rds:
                if qtype in ('A', 'AAAA'):
                    out.append(((name, qtype), rdata.address))
                elif qtype == 'MX':
                    out.append(((name, qtype), (rdata.preference, rdata.exchange)))
                elif qtype == 'PTR':
                    out.append(((name, qtype), rdata.target.to_text(True)))
                elif qtype in ('TXT', 'SPF'):
                    out.append(((name, qtype), list(rdata.strings)))
        if self.trace is not None:
            shown = []
            for _, v in out:
                if isinstance(v, list):
                    v = ''.join(b.decode('ascii', 'replace') for b in v)
                elif isinstance(v, tuple):
                    v = '%d %s' % (v[0], v[1].to_text(True))
                shown.append(v)
            self.trace.append([name, qtype, shown])
        return out


def run(zone_path, queries_path, trace_path=None):
    lookup = ZoneLookup(zone_path)
    spf.DNSLookup = lookup
    tf = open(trace_path, 'w') if trace_path else None
    out = sys.stdout
    with open(queries_path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            ip, sender, helo = (parts + ['', '', ''])[:3]
            s = '' if sender == '<>' else sender
            lookup.trace = [] if tf else None
            try:
                res, _, exp = spf.query(i=ip, s=s, h=helo, querytime=0).check()
            except Exception as x:        # pyspf crashed: not comparable
                res, exp = 'exception', '%s: %s' % (type(x).__name__, x)
            out.write(json.dumps({'ip': ip, 'sender': sender, 'helo': helo,
                                  'result': res, 'explanation': exp}) + '\n')
            if tf:
                tf.write(json.dumps(lookup.trace) + '\n')
    if tf:
        tf.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('zone')
    ap.add_argument('queries')
    ap.add_argument('--trace', help='write the DNS lookups of each query here (JSON lines)')
    a = ap.parse_args()
    run(a.zone, a.queries, a.trace)


if __name__ == '__main__':
    main()
