#!/usr/bin/python3
"""Writes the committed hostile inputs under tests/hostile/ (run from anywhere).

    tests/hostile/make_hostile.py

hostile.zone: strange but valid SPF data, one case per name (expect.txt says
what eval must answer for each). The other inputs (records.txt, zones/,
bounces/, http/) are written by hand; the big ones (megabytes) are made at
test time by run_hostile.sh instead of being committed.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
L = []
A = L.append


def txt(name, *strings):
    """A TXT RR; strings over 255 bytes are split, as DNS carries them."""
    parts = []
    for s in strings:
        raw = s  # \DDD escapes count as one byte and are kept whole
        chunk, size, i = "", 0, 0
        while i < len(raw):
            piece = raw[i:i + 4] if raw[i] == "\\" and raw[i + 1:i + 4].isdigit() else raw[i]
            if size == 255:
                parts.append(chunk)
                chunk, size = "", 0
            chunk += piece
            size += 1
            i += len(piece)
        parts.append(chunk)
    A(f"{name} IN TXT " + " ".join('"%s"' % p for p in parts))


A("; Strange but valid SPF data, one hostile case per name: expect.txt says what")
A("; eval must answer. Written by make_hostile.py; loads in ldns and dnspython.")
A("$ORIGIN hostile.example.")
A("$TTL 300")
# Macro expansion bombs (libspf2's CVE-2021-20314, CVE-2021-33912/33913 territory).
txt("macro-bomb", "v=spf1 exists:%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.bomb.hostile.example -all")
txt("macro-url", "v=spf1 exists:%{S}%{L}%{O}%{D}%{I}%{V}%{H}.url.hostile.example -all")
txt("macro-reverse",
    "v=spf1 exists:%{l99999999999999999999r-.+,/_=}.%{d1}.%{ir}.%{o1r}.x.hostile.example ip4:192.0.2.1 -all")
txt("macro-exp", "v=spf1 -all exp=%{l}.expbomb.hostile.example")
txt("*.expbomb", " ".join(["%{s}"] * 40) + " " + "".join(["%{S}"] * 20))
txt("macro-p", "v=spf1 exists:%{p}.%{p}.%{p}.%{p}.p.hostile.example -all")
# CNAMEs: a loop, a short chain that works, a chain far too long.
A("loop1 IN CNAME loop2")
A("loop2 IN CNAME loop1")
txt("cname-loop", "v=spf1 a:loop1.hostile.example mx:loop2.hostile.example -all")
for i in range(5):
    A(f"chain{i} IN CNAME chain{i + 1}")
txt("chain5", "v=spf1 ip4:192.0.2.5 -all")
txt("cname-chain", "v=spf1 include:chain0.hostile.example -all")
for i in range(40):
    A(f"long{i} IN CNAME long{i + 1}")
txt("long40", "v=spf1 +all")
txt("cname-too-long", "v=spf1 include:long0.hostile.example -all")
# One record in one-character strings; 300 TXT RRs around one SPF record.
txt("one-char-strings", *list("v=spf1 ip4:192.0.2.1 -all"))
for i in range(300):
    txt("txt-crowd", "filler-%d %s" % (i, "x" * 200))
txt("txt-crowd", "v=spf1 ip4:192.0.2.1 -all")
# A record of some 56 KiB (DNS carries up to 64 KiB): the last term matches.
txt("many-terms", "v=spf1" + "".join(" ip4:198.51.%d.%d" % (i // 250, i % 250) for i in range(3500)) +
    " ip4:192.0.2.1 -all")
# Two SPF records (case differs); records that only look like SPF.
txt("two-spf", "V=SPF1 -all")
txt("two-spf", "v=spf1 +all")
txt("not-spf", "v=spf10 +all")
txt("not-spf", "v=spf1-all")
txt("not-spf", " v=spf1 +all")
txt("spf-and-junk", "google-site-verification=x")
txt("spf-and-junk", "v=spf1 ip4:192.0.2.1 -all")
# Bytes that are not text.
txt("nul-byte", "v=spf1 ip4:192.0.2.1\\000 -all")
txt("non-ascii", "v=spf1 a:ex\\195\\164mple.com ip4:192.0.2.1 -all")
txt("control-char", "v=spf1 a:ex\\001ample.hostile.example ip4:192.0.2.1 -all")
txt("del-char", "v=spf1 ip4:192.0.2.1 \\127 -all")
txt("tab", "v=spf1 ip4:192.0.2.1\\009-all")
# Odd but valid spelling.
txt("spaces", "v=spf1    ip4:192.0.2.1      -all   ")
txt("upper", "V=SpF1 IP4:192.0.2.1 -ALL")
txt("empty", "v=spf1")
txt("cidr-zero", "v=spf1 ip4:203.0.113.0/0 -all")
txt("cidr-leading-zero", "v=spf1 ip4:192.0.2.0/024 -all")
txt("cidr-huge", "v=spf1 ip4:192.0.2.0/99999999999999999999999 -all")
txt("ip6-all", "v=spf1 ip6:::/0 -all")
txt("ip6-mapped", "v=spf1 ip6:::ffff:192.0.2.1 -all")
txt("unknown-modifiers", "v=spf1 " + " ".join("m%d=%%{d}" % i for i in range(300)) + " ip4:192.0.2.1 -all")
txt("dup-redirect", "v=spf1 redirect=spaces.hostile.example redirect=upper.hostile.example")
txt("dup-exp", "v=spf1 -all exp=a.hostile.example exp=b.hostile.example")
# Lookup limits: a long include chain, a tree that doubles at each level, loops.
for i in range(25):
    txt(f"deep{i}", f"v=spf1 include:deep{i + 1}.hostile.example -all")
txt("deep25", "v=spf1 +all")
for i in range(1, 20):
    txt(f"x{i}", f"v=spf1 include:x{i + 1}.hostile.example include:x{i + 1}.hostile.example -all")
txt("x20", "v=spf1 -all")
txt("redirect-loop-a", "v=spf1 redirect=redirect-loop-b.hostile.example")
txt("redirect-loop-b", "v=spf1 redirect=redirect-loop-a.hostile.example")
txt("include-self", "v=spf1 include:include-self.hostile.example -all")
txt("include-loop-a", "v=spf1 include:include-loop-b.hostile.example -all")
txt("include-loop-b", "v=spf1 include:include-loop-a.hostile.example -all")
txt("redirect-nowhere", "v=spf1 redirect=nowhere.hostile.example")
txt("many-void", "v=spf1 a:nx1.hostile.example a:nx2.hostile.example a:nx3.hostile.example ip4:192.0.2.1 -all")
# Big answers: 1000 MX names, 1000 A records, 1000 PTR names.
txt("bigmx", "v=spf1 mx -all")
for i in range(1000):
    A(f"bigmx IN MX {i % 100} mx{i}.bigmx")
    A(f"mx{i}.bigmx IN A 192.0.2.{i % 250}")
txt("manyaddr", "v=spf1 a -all")
for i in range(1000):
    A(f"manyaddr IN A 198.51.{i // 250}.{i % 250}")
A("manyaddr IN A 192.0.2.1")
txt("ptr", "v=spf1 ptr -all")
for i in range(1000):
    A(f"1.2.0.192.in-addr.arpa. IN PTR p{i}.nomatch.hostile.example.")
# Long names.
lab = "a" * 63
txt("long-target", f"v=spf1 a:{lab}.{lab}.{lab}.{lab[:50]}.hostile.example ip4:192.0.2.1 -all")
txt(f"{lab}.{lab}.{lab[:40]}", "v=spf1 ip4:192.0.2.1 -all")

with open(os.path.join(HERE, "hostile.zone"), "w") as f:
    f.write("\n".join(L) + "\n")


# ---- bounces/: bad-*.eml are not mail messages (exit 1); the rest are read (exit 0).
def write(path, data):
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(HERE, path), "wb") as f:
        f.write(data)


import random  # noqa: E402

random.seed(20231127)
B = "bounces/"
HDR = "From: MAILER-DAEMON@mx.hostile.example\nTo: alice@hostile.example\nSubject: Undelivered Mail Returned to Sender\n"
write(B + "bad-empty.eml", "")
write(B + "bad-only-newlines.eml", "\n\n\n\r\n\r\n")
write(B + "bad-binary.eml", bytes(random.randrange(256) for _ in range(4096)))
write(B + "bad-no-headers.eml", "550 5.7.23 this is only the words of a bounce, without any header\n")
write(B + "bad-nul-bytes.eml", "\0" * 1000 + "From: a@b.example\n\n550 5.7.23\n")
deep = HDR + 'Content-Type: multipart/mixed; boundary="b0"\n\n'
deep += "".join('--b%d\nContent-Type: multipart/mixed; boundary="b%d"\n\n' % (i, i + 1) for i in range(300))
write(B + "deep-multipart.eml", deep)
write(B + "deep-rfc822.eml", (HDR + "Content-Type: message/rfc822\n\n") * 100 + HDR + "\n550 5.7.23 <bob@example.net>\n")
report = ('Content-Type: multipart/report; report-type=delivery-status; boundary="%s"\n\n--%s\n'
          'Content-Type: text/plain\n\nfailed\n--%s\nContent-Type: message/delivery-status\n\n'
          'Reporting-MTA: dns; mx.hostile.example\n\nFinal-Recipient: rfc822; bob@example.net\nAction: failed\n'
          'Status: 5.7.23\nDiagnostic-Code: smtp; 550 5.7.23 SPF fail\n')
write(B + "boundary-unclosed.eml", HDR + report % ("U", "U", "U"))
write(B + "boundary-empty.eml", HDR + report % ("", "", ""))
long_b = "x" * 200
write(B + "boundary-long.eml", HDR + report % (long_b, long_b, long_b) + "--%s--\n" % long_b)
write(B + "multipart-no-boundary.eml", HDR + "Content-Type: multipart/report; report-type=delivery-status\n\n"
      "--X\nContent-Type: text/plain\n\n550 5.7.23 <bob@example.net>\n--X--\n")
write(B + "base64-garbage.eml", HDR + "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
      "!!!!====%%%%\n" + "QUJD" * 10 + "=\n====\n\x01\x02\x03\n")
write(B + "qp-garbage.eml", HDR + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
      + "=ZZ=\n=0=\n" * 200 + "550 5.7.23 =E4=\n")
write(B + "encoded-words.eml", "From: =?x-nonexistent?Q?MAILER-DAEMON?= <m@mx.hostile.example>\nSubject: "
      + " ".join(["=?UTF-8?B?w6TDpMOk?="] * 500) + " =?UTF-8?B?!!!?= =?utf-7?Q?+AOQ-?= =?UTF-8?Q?=FF=FE?=\n\n"
      "550 5.7.23 <bob@example.net>\n")
write(B + "received-parens.eml", HDR + "Received: from x " + "(" * 5000 + ")" * 5000 + " by y; Tue, 14 Mar 2023\n"
      "Received: (((((\nReceived: from [999.1.1.1] (helo=[fe80::1%eth0]) by [192.0.2.1.5] with ESMTP\n\n"
      "550 5.7.23 <bob@example.net>\n")
write(B + "dsn-garbage-fields.eml", HDR + 'Content-Type: multipart/report; report-type=delivery-status; boundary="G"\n\n'
      "--G\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;\nArrival-Date: yesterday-ish\n\n"
      "Final-Recipient: rfc822;\nAction: exploded\nStatus: 9.99999999.99999999\n\n"
      "Final-Recipient: rfc822; <<<>>>@@@\nAction: failed\nStatus: 5.7.\nRemote-MTA: dns; " + "m" * 5000 + "\n"
      "Diagnostic-Code: smtp; " + "550 5.7.23 " * 2000 + "\n\nFinal-Recipient: x400; /C=ZZ/\nStatus: 5\n--G--\n")
write(B + "ips-odd.eml", HDR + "Received: from a (a [256.256.256.256]) by b\nReceived: from c ([IPv6:2001:db8::1]) by d\n"
      "Received: from e ([::ffff:192.0.2.9]) by f\n\n550 5.7.23 <bob@example.net> sender IP is 999.1.1.1 "
      "[fe80::1%eth0] [192.0.2.1.5] 0x7f000001 ::::::\n")
write(B + "cr-only.eml", (HDR + "\n550 5.7.23 <bob@example.net> SPF fail\n").replace("\n", "\r"))
write(B + "mixed-line-ends.eml", HDR.replace("\n", "\r\n", 1) + "\r\r\n\n550 5.7.23 <bob@example.net>\r\n\n\r")
write(B + "bad-mbox-from-lines.eml", "From MAILER-DAEMON\nFrom x\n\nFrom y\n\nFrom z\n")
write(B + "utf16-body.eml", HDR.encode() + b"Content-Type: text/plain; charset=utf-16\n\n" +
      "550 5.7.23 <bob@example.net>\n".encode("utf-16"))
write(B + "headers-8bit.eml", b"From: M\xe4iler \xff\xfe <m@mx.hostile.example>\nSubject: \xc3\x28\xa0\xa1 \xed\xa0\x80\n\n"
      b"550 5.7.23 <b\xf6b@example.net> \xf0\x28\x8c\xbc\n")
write(B + "ses-bad-json.eml", "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
      '{"notificationType":"Bounce","bounce":{"bouncedRecipients":"not a list"},"mail":{"source":5}} '
      '{"Message":"{\\"notificationType\\":\\"Bounce\\",\\"bounce\\":{\\"bouncedRecipients\\":[{\\"emailAddress\\":7},'
      '3,null,[]]}}"} {"notificationType": "Bounce", "bounce": {')
write(B + "arf-weird.eml", HDR + 'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\n\n'
      "--F\nContent-Type: message/feedback-report\n\nFeedback-Type: " + "abuse" * 1000 + "\nOriginal-Rcpt-To: <>\n"
      "Removal-Recipient: @@@\n--F--\n")
write(B + "spf-strange-sender.eml", HDR + "Return-Path: <" + "a" * 300 + "@macro-bomb.hostile.example>\n"
      "Received: from out.hostile.example (out.hostile.example [192.0.2.1]) by mx.example.net\n\n"
      "550 5.7.23 <bob@example.net> The message was rejected because of Sender Policy Framework violation\n")

# ---- http/: what one client sends on one connection.
H = "http/"
write(H + "tls-clienthello.http", bytes.fromhex("16030100a5010000a10303") + bytes(random.randrange(256) for _ in range(160)))
write(H + "http2-preface.http", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + "\x00\x00\x12\x04\x00\x00\x00\x00\x00")
write(H + "http09.http", "GET /\r\n")
write(H + "nul-in-path.http", "GET /api/v1/lint\x00?domain=clean.example HTTP/1.1\r\n\r\n")
write(H + "header-injection.http", "GET /api/v1/lint?domain=x%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\n\r\n"
      "GET /nope%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\nConnection: close\r\n\r\n")
write(H + "traversal.http", "".join("GET %s HTTP/1.1\r\n\r\n" % p for p in [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "//etc/passwd", "/app.js/../../x",
    "/.%2e/app.js", "/app.js%00.html", "/index.html", "/favicon.svg?../../etc/passwd"]) +
      "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
# One file a request where a 400 would close the connection before the next.
write(H + "query-many-params.http", "GET /api/v1/lint?" + "&".join("a%d=1" % i for i in range(900)) +
      "&domain=clean.example HTTP/1.1\r\n\r\n")
write(H + "query-many-providers.http", "GET /api/v1/lint?domain=clean.example" + "&provider=m365" * 400 + " HTTP/1.1\r\n\r\n")
write(H + "query-bad-escapes.http", "GET /api/v1/lint?domain=%zz%&ip=%&sender=%%%% HTTP/1.1\r\n\r\n")
write(H + "query-nul-and-overlong-utf8.http",
      "GET /api/v1/eval?ip=192.0.2.1&sender=%C0%AF%00%ff@hostile.example&helo=%00 HTTP/1.1\r\n\r\n")
write(H + "chunk-sizes.http", "POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n")
write(H + "chunk-negative.http", "POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n")
write(H + "chunk-extension.http", "POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1;x\r\nhello\r\n0\r\nTrailer: x\r\n\r\nGET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
write(H + "smuggling.http", "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
      "GET /healthz HTTP/1.1\r\n\r\n")
write(H + "te-twice.http", "POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n")
write(H + "cl-overflow.http", "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\nabc")
write(H + "cl-negative.http", "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: -1\r\n\r\nabc")
write(H + "cl-short-body.http", "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 1000\r\n\r\nFrom: a@b.example\n\n550")
write(H + "expect-huge.http", "POST /api/v1/bounce HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 99999999999\r\n\r\n")
write(H + "range-bomb.http", "GET / HTTP/1.1\r\nRange: bytes=" + ",".join(["0-"] * 2000) + "\r\nConnection: close\r\n\r\n")
write(H + "pipeline-flood.http", "GET /healthz HTTP/1.1\r\n\r\n" * 500 + "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
for m in ["CONNECT", "TRACE", "PATCH", "get", "G\x00T", "OPTIONS"]:
    write(H + "method-%s.http" % m.lower().replace("\x00", "nul"), "%s %s HTTP/1.1\r\n\r\n" % (m, "*" if m == "OPTIONS" else "/healthz"))
write(H + "host-weird.http", "GET /healthz HTTP/1.1\r\nHost: " + "h" * 4000 + "\r\nHost: a\r\nHost:\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n")
form = "".join('--M\r\nContent-Disposition: form-data; name="f%d"; filename="../../../etc/p%d"\r\n\r\nx\r\n' % (i, i)
               for i in range(2000)) + "--M--\r\n"
write(H + "multipart-bomb.http", "POST /api/v1/bounce HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=M\r\n"
      "Content-Length: %d\r\n\r\n%s" % (len(form), form))
write(H + "accept-encoding.http", "GET /api/v1/lint?domain=clean.example HTTP/1.1\r\nAccept-Encoding: "
      + ", ".join(["gzip;q=0.%d" % (i % 10) for i in range(500)]) + ", br, deflate, zstd, *\r\nConnection: close\r\n\r\n")
write(H + "header-shapes.http", "GET /healthz HTTP/1.1\r\nno colon here\r\n: empty name\r\nX: a\r\n folded\r\n\r\n"
      "GET /healthz HTTP/1.1\rHost: lone-cr\r\n\r\nGET /\xe4\xff HTTP/1.1\r\nConnection: close\r\n\r\n")
write(H + "garbage.http", bytes(random.randrange(256) for _ in range(3000)))
