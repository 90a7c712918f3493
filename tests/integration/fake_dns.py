#!/usr/bin/python3
"""A small misbehaving DNS server on loopback, for fault tests.

    fake_dns.py MODE PORT [ADDR]

MODE:
  silent    reads every query (UDP and TCP) and never answers
  servfail  answers every query with SERVFAIL
  refused   answers every query with REFUSED
  truncate  over UDP answers every query with TC=1 and no records; over TCP
            answers from a small built-in data set:
              tc.example.com TXT "v=spf1 ip4:192.0.2.1 -all"
            (other types at that name: no data; other names: NXDOMAIN)

Binds UDP and TCP on ADDR (default 127.0.0.1; "::1" for IPv6) port PORT, prints
"ready" (with PORT 0: "ready PORT", the port it chose) once listening, and
exits on SIGTERM or SIGINT. Run with /usr/bin/python3 (python3-dnspython).
"""
import selectors
import signal
import socket
import sys

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

DATA = {
    (dns.name.from_text("tc.example.com."), dns.rdatatype.TXT): ['"v=spf1 ip4:192.0.2.1 -all"'],
}
NAMES = {name for name, _ in DATA}
MODES = ("silent", "servfail", "refused", "truncate")


def answer(mode, wire, over_tcp):
    """The response bytes for one query, or None to stay silent."""
    if mode == "silent":
        return None
    try:
        query = dns.message.from_wire(wire)
    except Exception:  # not a DNS query: say nothing
        return None
    resp = dns.message.make_response(query)
    if mode == "servfail":
        resp.set_rcode(dns.rcode.SERVFAIL)
    elif mode == "refused":
        resp.set_rcode(dns.rcode.REFUSED)
    elif mode == "truncate":
        if not over_tcp:
            resp.flags |= dns.flags.TC
        elif query.question:
            q = query.question[0]
            resp.flags |= dns.flags.AA
            texts = DATA.get((q.name, q.rdtype))
            if texts:
                resp.answer.append(dns.rrset.from_text_list(q.name, 300, dns.rdataclass.IN, q.rdtype, texts))
            elif q.name not in NAMES:
                resp.set_rcode(dns.rcode.NXDOMAIN)
    return resp.to_wire()


def bind_pair(addr, port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    tcp = socket.socket(family, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    udp = socket.socket(family, socket.SOCK_DGRAM)
    try:
        udp.bind((addr, tcp.getsockname()[1]))
    except OSError:
        tcp.close()
        udp.close()
        raise
    tcp.listen(16)
    return udp, tcp


def serve(mode, port, addr):
    for attempt in range(20):
        try:
            udp, tcp = bind_pair(addr, port)
            break
        except OSError:
            if port != 0 or attempt == 19:
                raise
    chosen = tcp.getsockname()[1]
    sel = selectors.DefaultSelector()
    udp.setblocking(False)
    tcp.setblocking(False)
    sel.register(udp, selectors.EVENT_READ, "udp")
    sel.register(tcp, selectors.EVENT_READ, "listen")
    buffers = {}

    def close(conn):
        sel.unregister(conn)
        buffers.pop(conn, None)
        conn.close()

    print("ready" if port else "ready %d" % chosen, flush=True)
    while True:
        for key, _ in sel.select(timeout=1.0):
            sock = key.fileobj
            if key.data == "udp":
                try:
                    wire, peer = sock.recvfrom(65535)
                except OSError:
                    continue
                out = answer(mode, wire, over_tcp=False)
                if out is not None:
                    try:
                        sock.sendto(out, peer)
                    except OSError:
                        pass
            elif key.data == "listen":
                try:
                    conn, _ = sock.accept()
                except OSError:
                    continue
                conn.setblocking(True)
                conn.settimeout(5)
                buffers[conn] = b""
                sel.register(conn, selectors.EVENT_READ, "tcp")
            else:
                try:
                    chunk = sock.recv(65535)
                except OSError:
                    chunk = b""
                if not chunk:
                    close(sock)
                    continue
                buf = buffers[sock] + chunk
                while len(buf) >= 2 and len(buf) >= 2 + int.from_bytes(buf[:2], "big"):
                    n = int.from_bytes(buf[:2], "big")
                    wire, buf = buf[2:2 + n], buf[2 + n:]
                    out = answer(mode, wire, over_tcp=True)
                    if out is not None:
                        try:
                            sock.sendall(len(out).to_bytes(2, "big") + out)
                        except OSError:
                            break
                if sock in buffers:
                    buffers[sock] = buf


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in MODES:
        sys.exit("usage: fake_dns.py {%s} PORT [ADDR]" % "|".join(MODES))
    mode, port = sys.argv[1], int(sys.argv[2])
    addr = sys.argv[3] if len(sys.argv) == 4 else "127.0.0.1"
    if addr not in ("127.0.0.1", "::1") and not addr.startswith("127."):
        sys.exit("fake_dns.py: loopback addresses only")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    serve(mode, port, addr)


if __name__ == "__main__":
    main()
