#!/usr/bin/python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (run from anywhere).

    fuzz/make_corpus.py

Records and explanation texts come from the RFC 7208 conformance suite
(../shared/testsuite/rfc7208-tests.yml), master files from examples/ plus
hand-written edge cases, DNS responses are built here byte by byte. The output
is committed; run this again only to change the seeds. Files are named by a
hash of their content, so reruns are stable.
"""
import hashlib
import os
import struct
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = os.path.join(ROOT, "..", "shared", "testsuite", "rfc7208-tests.yml")
OUT = os.path.join(ROOT, "fuzz", "corpus")


def write(target, data):
    if isinstance(data, str):
        data = data.encode("latin-1")
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def suite_texts():
    records, others = set(), set()
    for doc in yaml.safe_load_all(open(SUITE, encoding="utf-8")):
        for rrs in (doc.get("zonedata") or {}).values():
            for rr in rrs:
                if not isinstance(rr, dict):
                    continue
                for k, v in rr.items():
                    if k not in ("TXT", "SPF") or v == "NONE":
                        continue
                    s = "".join(v) if isinstance(v, list) else str(v)
                    (records if s.lower().startswith("v=spf1") else others).add(s)
    return sorted(records), sorted(others)


def pick(items, n):
    """n items spread over the sorted list (deterministic)."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


# ---- records ---------------------------------------------------------------

EXTRA_RECORDS = [
    "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net -all",
    "v=spf1 a/24//64 mx:example.net/26//48 ptr ?exists:%{i}.bl.example.net ~all",
    "v=spf1 redirect=redirect.example.org",
    "v=spf1 include:deep.example.org -all exp=why.example.com",
    "v=spf1 mx:manymx.example.com -all",
    "v=spf1 a:loop1.example.com include:alias.example.com -all",
    "v=spf1 include:two.example.org ~all",
    "v=spf1 exists:%{l1r+-}.%{o}._spf.%{d2} -all",
    "v=spf1 a:%{p}.example.com ptr:%{d} +all moo=%{v}.%{h}",
    "v=spf1 -ip4:192.0.2.1/32 +ip6:::1/128 ~a ?mx -all",
    "v=spf1 A:Example.COM MX//0 IP4:0.0.0.0/0",
    "v=spf1 a:foo.example.com, -all",
    "v=spf1 ip4:192.0.2.300 -all",
    "v=spf1 redirect=a.example.org redirect=b.example.org",
    "v=spf1 include:example.com",
    "v=spf1 " + " ".join("a:a%d.example.com" % i for i in range(12)) + " -all",
    "v=spf1 " + " ".join("exists:nx%d.example.com" % i for i in range(4)) + " -all",
]


def records_corpus(records):
    for r in pick(records, 50) + EXTRA_RECORDS:
        write("fuzz_record", r)
        write("fuzz_check_host", r)


# ---- macros ----------------------------------------------------------------

MACROS = [
    "%{s}", "%{l}", "%{o}", "%{d}", "%{i}", "%{p}", "%{v}", "%{h}", "%{c}", "%{r}", "%{t}",
    "%{ir}.%{v}._spf.%{d}", "%{d2}", "%{d1r}", "%{l-}", "%{L+=}", "%{o0}", "%{i99999999999r./-+,_=}",
    "%{S}.%{L}.%{O}", "%{ir}.%{v}.arpa", "foo.%{d}.", "%{d}..", "%%%_%-.example.com",
    "%{x}", "%{", "%", "%{d", "%{}", "%{d}}", "%{dr}%{dr}%{dr}%{dr}%{dr}.example.com",
    "a" * 70 + ".%{d}", ".".join(["%{s}"] * 20), "%{l}-%{l1-}.%{h1}.com",
]


def macro_corpus(others):
    for i, m in enumerate(MACROS + pick([t for t in others if "%" in t], 12)):
        write("fuzz_macro", bytes([i % 4]) + m.encode("latin-1"))


# ---- master files ----------------------------------------------------------

ZONES = [
    "$ORIGIN example.com.\n$TTL 300\n@ IN TXT \"v=spf1 -all\"\n",
    "@ 3600 IN A 192.0.2.1\n  IN AAAA 2001:db8::1\nwww IN CNAME @\n",
    "$TTL 1h\nexample.com. IN MX 10 mail.example.com.\nmail.example.com. IN A 192.0.2.25\n",
    "long IN TXT \"v=spf1 \" \"ip4:192.0.2.1 \" ( \"-all\" )\n",
    "esc IN TXT \"a\\\"b\\\\c\\032d\\255\"\n",
    "1.2.0.192.in-addr.arpa. IN PTR Mail.Example.COM.\n",
    "a IN CNAME b\nb IN CNAME a\n",
    "x IN SPF \"v=spf1 +all\"\nx IN TXT \"v=spf1 +all\"\n",
    "$INCLUDE other.zone\n",
    "bad IN A 300.1.1.1\n",
    "bad IN MX mail\n",
    "@ IN SOA ns hostmaster ( 1 7200 3600\n 1209600 300 )\n",
    "; comment only\n\n\n",
    "$ORIGIN ..\n",
    "txt IN TXT " + " ".join(['"%s"' % ("x" * 255)] * 4) + "\n",
    "a\\.b IN TXT \"dot in a label\"\n",
    "\\065\\066 IN A 192.0.2.2\n",
    "ch CH TXT \"chaos\"\n",
    "unknown IN TYPE65534 \\# 2 abcd\n",
    "$ORIGIN example.com.\r\n@ IN TXT \"crlf\"\r\n",
]


def master_file_corpus():
    with open(os.path.join(ROOT, "examples", "demo.zone"), encoding="latin-1") as f:
        write("fuzz_master_file", f.read())
    lint_zone = os.path.join(ROOT, "tests", "data", "lint.zone")
    if os.path.exists(lint_zone):
        with open(lint_zone, encoding="latin-1") as f:
            write("fuzz_master_file", f.read())
    for z in ZONES:
        write("fuzz_master_file", z)


# ---- DNS responses ---------------------------------------------------------

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "SPF": 99}


def name(n):
    out = b""
    for label in n.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(owner, rtype, rdata, ttl=300, rclass=1):
    owner_wire = owner if isinstance(owner, bytes) else name(owner)
    return owner_wire + struct.pack("!HHIH", TYPES.get(rtype, rtype) if isinstance(rtype, str) else rtype,
                                    rclass, ttl, len(rdata)) + rdata


def strings(*ss):
    return b"".join(bytes([len(s)]) + s.encode("latin-1") for s in ss)


def soa():
    return name("ns.example.com") + name("hostmaster.example.com") + struct.pack("!IIIII", 1, 7200, 3600, 1209600, 300)


def message(qtype, answers=(), authority=(), rcode=0, qname="example.com", flags=0x8180):
    header = struct.pack("!HHHHHH", 0x1234, flags | rcode, 1, len(answers), len(authority), 0)
    question = name(qname) + struct.pack("!HH", TYPES[qtype], 1)
    return header + question + b"".join(answers) + b"".join(authority)


PTR_TO_QNAME = b"\xc0\x0c"  # compression pointer to the question name


def dns_corpus():
    w = lambda m: write("fuzz_dns_response", m)
    w(message("TXT", [rr(PTR_TO_QNAME, "TXT", strings("v=spf1 ip4:192.0.2.0/24 -all"))]))
    w(message("TXT", [rr(PTR_TO_QNAME, "TXT", strings("v=spf1 ", "a -all")),
                      rr(PTR_TO_QNAME, "TXT", strings("google-site-verification=x"))]))
    w(message("TXT", [rr(PTR_TO_QNAME, "TXT", strings(*["x" * 255] * 8))]))
    w(message("TXT", [rr(PTR_TO_QNAME, "TXT", b"")]))
    w(message("TXT", [rr(PTR_TO_QNAME, "TXT", b"\x05abc")]))  # string longer than its rdata
    w(message("SPF", [rr(PTR_TO_QNAME, "SPF", strings("v=spf1 -all"))]))
    w(message("A", [rr(PTR_TO_QNAME, "A", bytes([192, 0, 2, 1])), rr(PTR_TO_QNAME, "A", bytes([192, 0, 2, 2]))]))
    w(message("A", [rr(PTR_TO_QNAME, "A", bytes([192, 0, 2]))]))  # short address
    w(message("AAAA", [rr(PTR_TO_QNAME, "AAAA", bytes.fromhex("20010db8000000000000000000000001"))]))
    w(message("MX", [rr(PTR_TO_QNAME, "MX", struct.pack("!H", 10) + name("mail.example.com")),
                     rr(PTR_TO_QNAME, "MX", struct.pack("!H", 20) + b"\x04mail\xc0\x0c")]))
    w(message("PTR", [rr(PTR_TO_QNAME, "PTR", name("Mail.Example.COM"))], qname="1.2.0.192.in-addr.arpa"))
    w(message("PTR", [rr(PTR_TO_QNAME, "PTR", name("mail.example.com"))]))
    # CNAME chain, loop, and a chain longer than the limit.
    w(message("TXT", [rr(PTR_TO_QNAME, "CNAME", name("b.example.com")),
                      rr("b.example.com", "CNAME", name("c.example.com")),
                      rr("c.example.com", "TXT", strings("v=spf1 -all"))]))
    w(message("A", [rr(PTR_TO_QNAME, "CNAME", name("b.example.com")),
                    rr("b.example.com", "CNAME", name("example.com"))]))
    chain = [rr(PTR_TO_QNAME, "CNAME", name("c0.example.com"))]
    chain += [rr("c%d.example.com" % i, "CNAME", name("c%d.example.com" % (i + 1))) for i in range(20)]
    w(message("A", chain))
    w(message("CNAME", [rr(PTR_TO_QNAME, "CNAME", name("target.example.net"))]))
    # Negative answers.
    w(message("TXT", [], [rr("example.com", "SOA", soa(), ttl=3600)], rcode=3))
    w(message("TXT", [], [rr("example.com", "SOA", soa(), ttl=60)]))
    w(message("TXT", [], [rr("example.com", "SOA", b"\x00\x00")]))
    w(message("A", rcode=2))
    w(message("A", rcode=5))
    w(message("A", rcode=4))
    w(message("A", flags=0x8380))  # truncated
    # Odd wire forms: a compression loop, a label over 63, class CH, a name over 255.
    w(message("A", [rr(b"\xc0\x1d", "A", bytes([192, 0, 2, 9]))]))
    w(message("A", [rr(b"\x40" + b"a" * 64 + b"\0", "A", bytes([192, 0, 2, 9]))]))
    w(message("TXT", [rr(PTR_TO_QNAME, "TXT", strings("chaos"), rclass=3)]))
    w(message("A", [rr(b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + b"\0", "A", bytes([192, 0, 2, 9]))]))
    w(message("A")[:20])


def check_host_corpus():
    for r in [
        "v=spf1 include:_spf.example.net include:example.net -all",
        "v=spf1 include:deep.example.org -all",
        "v=spf1 redirect=redirect.example.org",
        "v=spf1 mx:manymx.example.com -all",
        "v=spf1 ptr -all exp=why.example.com",
        "v=spf1 ptr:example.net a:mail.example.com/24//64 -all",
        "v=spf1 exists:%{ir}.%{v}.bl.example.net -all",
        "v=spf1 a:loop1.example.com a:alias.example.com -all",
        "v=spf1 include:neutral.example.org -all exp=why.example.com",
        "v=spf1 ?exists:%{p}.example.com ~all",
        # linter and evaluator on syntax: an earlier term's permerror, a
        # non-ASCII record, errors in modifiers and after the all term
        "v=spf1 include:example.com foo:bar -all",
        "v=spf1 a:ex\xe4mple.com -all",
        "v=spf1 -all redirect=example.net redirect=example.net",
        "v=spf1 ip4:192.0.2.0/33 mx//129 -all exp=%{z}",
        "v=spf1 -all a:",
    ]:
        write("fuzz_check_host", r)


def http_corpus():
    """Requests as one client sends them on one connection (fuzz_http)."""
    bounce_dir = os.path.join(ROOT, "tests", "data", "bounces")

    def get(target, *headers, method="GET", version="HTTP/1.1"):
        return f"{method} {target} {version}\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"

    def post(target, body, *headers):
        if isinstance(body, str):
            body = body.encode("latin-1")
        head = f"POST {target} HTTP/1.1\r\n" + "".join(h + "\r\n" for h in headers)
        return head.encode("latin-1") + f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    for target in [
        "/", "/healthz", "/app.js", "/style.css", "/favicon.svg", "/nothere.js", "/index.html", "/../etc/passwd",
        "/api/v1/lint?domain=clean.example", "/api/v1/lint?domain=toomany.example&ip=203.0.113.5",
        "/api/v1/lint?domain=CLEAN.example.&provider=m365&provider=google",
        "/api/v1/lint?domain=clean.example&record=v%3Dspf1%20ip4%3A192.0.2.0%2F33%20%2Ball&ip=2001:db8:100::25",
        "/api/v1/lint?domain=m365.example&sender=alice%40m365.example&ip=40.92.1.1",
        "/api/v1/lint?domain=exa%20mple..com", "/api/v1/lint?domain=%ff%fe.example", "/api/v1/lint",
        "/api/v1/lint?domain=clean.example&record=", "/api/v1/lint?domain=clean.example&provider=nosuch",
        "/api/v1/lint?domain=loop.example", "/api/v1/lint?domain=bigmx.example&ip=192.0.2.101",
        "/api/v1/eval?ip=198.51.100.7&sender=alice%40clean.example",
        "/api/v1/eval?ip=192.0.2.99&sender=bob@toomany.example", "/api/v1/eval?ip=192.0.2.9&sender=%3C%3E&helo=clean.example",
        "/api/v1/eval?ip=::ffff:192.0.2.9&helo=clean.example", "/api/v1/eval?ip=300.1.1.1&sender=a@clean.example",
        "/api/v1/eval?ip=192.0.2.1", "/api/v1/eval?ip=192.0.2.1&sender=a%00b@clean.example",
        "/api/v1/nope", "/api/v1/bounce", "*",
    ]:
        write("fuzz_http", get(target, "Host: 127.0.0.1"))
    write("fuzz_http", get("/healthz", method="HEAD"))
    write("fuzz_http", get("/healthz", version="HTTP/1.0"))
    write("fuzz_http", get("/healthz", "Connection: Keep-Alive", version="HTTP/1.0") + get("/", "Connection: close"))
    write("fuzz_http", get("/healthz", method="DELETE") + get("*", method="OPTIONS"))
    write("fuzz_http", get("/api/v1/eval?ip=192.0.2.1&sender=a@b.example", "Content-Length: 1", method="PUT") + "x")
    write("fuzz_http", get("/healthz", method="BREW"))
    write("fuzz_http", "GET /healthz HTTP/1.1\nHost: x\n\n")
    write("fuzz_http", "GET /healthz\r\n\r\n")
    write("fuzz_http", get("/healthz") + get("/api/v1/lint?domain=clean.example") + get("/", "Connection: close"))
    for r in ["bytes=0-10", "bytes=0-1,5-2", "bytes=-5", "bytes=0-0,0-0,0-0", "garbage", "bytes=99999999999999999999-"]:
        write("fuzz_http", get("/api/v1/lint?domain=clean.example", "Range: " + r))
    for e in ["gzip", "br", "gzip, deflate, br", "identity"]:
        write("fuzz_http", get("/api/v1/eval?ip=192.0.2.9&helo=clean.example", "Accept-Encoding: " + e))
    write("fuzz_http", get("/healthz", "X-Filler: " + "a" * 2100))
    write("fuzz_http", get("/" + "a" * 2100))
    write("fuzz_http", get("/healthz", *["X-%d: y" % i for i in range(300)]))
    write("fuzz_http", post("/api/v1/bounce", "this is not a mail message at all"))
    write("fuzz_http", post("/api/v1/bounce", ""))
    write("fuzz_http", get("/api/v1/bounce", "Content-Length: 99999", method="POST") + "From: a")
    write("fuzz_http", get("/api/v1/bounce", "Expect: 100-continue", "Content-Length: 99999", method="POST"))
    msg = b"From: MAILER-DAEMON@example.com\r\nSubject: Undelivered\r\n\r\n550 5.7.23 SPF violation for x@clean.example\r\n"
    write("fuzz_http", post("/api/v1/bounce", msg, "Expect: 100-continue"))
    chunked = b"POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked += b"%x\r\n%s\r\n" % (len(msg[:40]), msg[:40]) + b"%x\r\n%s\r\n0\r\n\r\n" % (len(msg[40:]), msg[40:])
    write("fuzz_http", chunked)
    write("fuzz_http", b"POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"100\r\n" + b"a" * 256 + b"\r\n" * 20)
    boundary = "xYzZY"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.eml\"\r\n"
            f"Content-Type: message/rfc822\r\n\r\n").encode() + msg + f"\r\n--{boundary}--\r\n".encode()
    write("fuzz_http", post("/api/v1/bounce", form, f"Content-Type: multipart/form-data; boundary={boundary}"))
    for name in sorted(os.listdir(bounce_dir)):
        path = os.path.join(bounce_dir, name)
        if name.endswith(".eml") and os.path.getsize(path) < 3500:
            with open(path, "rb") as f:
                write("fuzz_http", post("/api/v1/bounce", f.read(), "Content-Type: message/rfc822"))


def main():
    records, others = suite_texts()
    records_corpus(records)
    macro_corpus(others)
    master_file_corpus()
    dns_corpus()
    check_host_corpus()
    http_corpus()
    for t in sorted(os.listdir(OUT)):
        print(t, len(os.listdir(os.path.join(OUT, t))), file=sys.stderr)


if __name__ == "__main__":
    main()
