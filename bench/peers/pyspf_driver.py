#!/usr/bin/python3
"""pyspf peer for the spfdoctor benchmark (Debian python3-spf, run with /usr/bin/python3).

    pyspf_driver.py SERVER PORT < QUERIES > RESULTS

Reads `IP SENDER HELO` lines (SENDER `<>` is the null sender: pyspf then
checks postmaster@HELO), evaluates each with spf.check2 one after the other
and prints one result a line. DNS goes through dnspython's default resolver,
pointed at SERVER:PORT (no cache: pyspf's own per-check cache only, as
shipped).
"""
import sys

import dns.resolver
import spf


def main():
    server, port = sys.argv[1], int(sys.argv[2])
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = [server]
    r.port = port
    dns.resolver.default_resolver = r
    out = []
    for line in sys.stdin:
        f = line.split()
        if len(f) != 3 or line.startswith("#"):
            continue
        ip, sender, helo = f
        if sender == "<>":
            sender = ""
        try:
            res, _ = spf.check2(i=ip, s=sender, h=helo)
        except Exception as e:  # report, never stop the batch
            res = "error:%s" % type(e).__name__
        out.append(res)
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
