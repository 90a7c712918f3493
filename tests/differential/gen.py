#!/usr/bin/env python3
"""Random SPF world generator for the differential test (spfdoctor vs pyspf).

    gen.py SEED N OUTDIR [--quirks]

Writes OUTDIR/zone.txt (RFC 1035 master file, $ORIGIN ., absolute names under
the test. and example. TLDs) and OUTDIR/queries.txt (N lines "IP SENDER HELO",
SENDER "<>" for a HELO check). The output depends only on SEED, N and the flags.

The world: a pool of client addresses (IPv4 and IPv6, in a few networks so that
CIDR ranges catch several of them), hosts with A/AAAA records, PTR records for
many client addresses, and sender domains whose SPF records are drawn from a
set of "profiles" (ordinary, include-heavy, redirect, macros, ptr, too many
lookups, void lookups, syntax errors, two records, CNAME, no record...). Each
query's client address is picked, most of the time, among the addresses that
the domain's record (and what it includes) can match, so all results occur.

--quirks also generates constructs on which pyspf is known to deviate from
RFC 7208 (see README.md); without it they are left out so that a disagreement
points at spfdoctor rather than at the oracle.
"""
import argparse
import ipaddress
import os
import re
import sys
import urllib.parse

import random

V4NETS = ['192.0.2', '198.51.100', '203.0.113', '10.20.30']
V6NETS = ['2001:db8:1:1', '2001:db8:1:2', '2001:db8:2:0', '2001:db8:ff:a']
LOCALS = ['user', 'postmaster', 'john.doe', 'first-last', 'a+tag', 'Strong-Bad',
          'x', 'info', 'bounce-123', 'o.n.e-two', 'MiXeD', 'q=1', '100%', 'pct%{d}x']
NAME_OK = re.compile(r'^[a-z0-9_%+=-]+(\.[a-z0-9_%+=-]+)*$')

# Explanation strings (TXT at the exp= target). Each is a list of pieces; the
# generator may split the TXT record anywhere, this only shapes the text.
EXP_TEMPLATES = [
    '%{i} is not one of %{d}\'s designated mail servers.',
    'Sender %{s} rejected, see http://www.%{d}/why.html?s=%{S}&i=%{I}',
    '%{l} at %{o} via %{h} (%{v}) from %{c}',
    '100%% literal %_space and %-dash',
    'Only %{d2} / %{dr} / %{l-} / %{ir} / %{o1}',
    'Mail from %{L} at %{O} denied',
    'Fancy: %{s1r.} %{l1r-} %{h2} %{d2r}',
    'See %{H} and %{V} and %{C}',
    'plain text without macros',
    'Delim %{s-} %{l+} %{d.} %{h_} %{s=} %{l,} %{o/}',
    '%{d9} %{i1} %{ir2} %{lr} %{hr}',
]
EXP_RARE = [
    'receiver %{r} says no',        # pyspf: receiver "unknown"
    'ptr name %{p} for %{i}',       # validated PTR name
    'bad macro %{x} here',          # invalid macro -> default explanation
    'trailing percent %',           # invalid -> default
    'percent %a is wrong',          # invalid -> default
]
UNKNOWN_MODS = ['foo=bar', 'x-note=%{d}', 'ra=postmaster', 'rp=100', 'rr=all',
                'moo=', 'match.sub-domains_9=yes', 'v2=%{l}.%{d2}', 'op=hmm']
# Syntax errors: every one makes the record a permerror under RFC 7208.
SYNTAX_ERRORS = [
    'ip4:1.2.3', 'ip4:192.0.2.1/33', 'ip6:2001:db8::/129', 'ip4:256.1.1.1',
    'a/33', 'mx//129', 'a:%{x}.test', 'foo', 'foo:bar.test', 'ip4:192.0.2.0/24//64',
    '-exp=exp.test', '~redirect=d1.test', '+foo=bar', 'all:x.test', 'include', 'exists',
    'exists:', 'ip4', 'a:', 'ptr/24', 'include:d1.test/24', 'a:foo', 'a:%',
    'ip4:01.2.3.4', 'ip6:gggg::1', 'a:foo.123', '=a', 'redirect=', 'exp=',
    'ip4:192.0.2.1/', 'a//', 'all/24', 'a:x.test%', 'exists:%{d}%y', 'ip6:1.2.3.4',
    'ip4:2001:db8::1', 'mx:%{d', 'exists:%{i', 'ip4:192.0.2.1/024x', 'a/-1', 'a:%{h}/33',
    'ip6:2001:db8::1//64', 'a:1.2.3.4', 'mx:example.4', 'include:%{c}.test',
    'exists:%{t}.test', 'ptr:%{r}.test', 'ip4:192.0.2.1/24/', 'include:_spf.test:8080',
    'a,', 'mx;', 'x=%{z}', 'foo=%', 'exp=exp1.test exp=exp2.test', 'note=caf\u00e9',
]
SYNTAX_ERRORS_QUIRK = [
    'a:%{d0}.test',     # pyspf accepts a zero DIGIT transformer
    'exists:%{d2R}.x.test',  # pyspf does not know upper-case R
]


def rev_name(ip):
    return ipaddress.ip_address(ip).reverse_pointer


def nibbles(ip):
    return '.'.join(ipaddress.ip_address(ip).exploded.replace(':', ''))


def rfc_expand(spec, ctx):
    """RFC 7208 section 7 expansion of a domain-spec (no c/r/t/p). Returns None
    on anything unusual; used only to put names into the zone that the
    evaluators are likely to look up."""
    out, i = '', 0
    while i < len(spec):
        c = spec[i]
        if c != '%':
            out += c
            i += 1
            continue
        if i + 1 >= len(spec):
            return None
        n = spec[i + 1]
        if n == '%':
            out += '%'
            i += 2
        elif n == '_':
            out += ' '
            i += 2
        elif n == '-':
            out += '%20'
            i += 2
        elif n == '{':
            j = spec.find('}', i)
            if j < 0:
                return None
            m = re.fullmatch(r'([slodivh])(\d*)(r?)([.\-+,/_=]*)', spec[i + 2:j], re.I)
            i = j + 1
            if not m or m.group(3) == 'R':
                return None
            letter, digits, rev, delims = m.groups()
            parts = re.split('[' + re.escape(delims or '.') + ']', ctx[letter.lower()])
            if rev:
                parts.reverse()
            if digits:
                if int(digits) == 0:
                    return None
                parts = parts[-int(digits):]
            v = '.'.join(parts)
            if letter.isupper():
                v = urllib.parse.quote(v, safe='~')
            out += v
        else:
            return None
    return out.rstrip('.')


def txt_escape(s):
    out = ''
    for b in s.encode('utf-8'):
        c = chr(b)
        if c in '"\\':
            out += '\\' + c
        elif 32 <= b < 127:
            out += c
        else:
            out += '\\%03d' % b
    return out


class Zone:
    def __init__(self):
        self.rrs = {}          # owner -> [(type, rdata)], insertion order
        self.upper = set()     # owners written in upper case

    def add(self, owner, rtype, rdata):
        owner = owner.lower().rstrip('.')
        lst = self.rrs.setdefault(owner, [])
        if any(t == 'CNAME' for t, _ in lst) or (rtype == 'CNAME' and lst):
            return False
        if rtype in ('A', 'AAAA'):
            rdata = str(ipaddress.ip_address(rdata))
        if (rtype, rdata) in lst:
            return False
        lst.append((rtype, rdata))
        return True

    def types(self, owner):
        return [t for t, _ in self.rrs.get(owner.lower().rstrip('.'), [])]

    def get(self, owner, rtype):
        return [d for t, d in self.rrs.get(owner.lower().rstrip('.'), []) if t == rtype]

    def addrs(self, owner, rtype, depth=0):
        """Addresses of owner, following CNAMEs like a resolver."""
        if depth > 8:
            return []
        cn = self.get(owner, 'CNAME')
        if cn:
            return self.addrs(cn[0], rtype, depth + 1)
        return self.get(owner, rtype)

    def write(self, path):
        with open(path, 'w') as f:
            f.write('; generated by tests/differential/gen.py\n$ORIGIN .\n$TTL 300\n')
            for owner, lst in self.rrs.items():
                shown = owner.upper() if owner in self.upper else owner
                for t, d in lst:
                    if t == 'TXT' or t == 'SPF':
                        d = ' '.join('"%s"' % txt_escape(s) for s in d)
                    elif t in ('CNAME', 'PTR'):
                        d = d + '.'
                    elif t == 'MX':
                        d = '%d %s.' % d
                    f.write('%s.\tIN\t%s\t%s\n' % (shown, t, d))


class Gen:
    def __init__(self, seed, n, quirks):
        self.r = random.Random(seed)
        self.n = n
        self.quirks = quirks
        self.z = Zone()
        self.rel = {}          # SPF owner -> client addresses its record can match
        self.edges = {}        # SPF owner -> literal include/redirect targets
        self.macro = {}        # SPF owner -> domain-specs with macros (exists)
        self.spf = {}          # SPF owner -> record text (first one)
        self.uses_h = set()    # SPF owners that use %{h}
        r = self.r
        self.v4 = [f'{net}.{o}' for net in V4NETS for o in sorted(r.sample(range(1, 255), 24))]
        self.v6 = [str(ipaddress.ip_address(f'{net}::{x:x}'))
                   for net in V6NETS for x in sorted(r.sample(range(1, 0x10000), 12))]

    # ------------------------------------------------------------------ utils
    def ch(self, seq):
        return self.r.choice(seq)

    def p(self, prob):
        return self.r.random() < prob

    def w(self, pairs):
        items, weights = zip(*pairs)
        return self.r.choices(items, weights)[0]

    def txt(self, owner, text, split=None):
        """TXT record; long texts are split in 255-byte strings, others maybe
        split at random points."""
        if split is None:
            split = self.p(0.12)
        pieces = []
        rest = text
        while len(rest) > 255:
            cut = self.r.randint(100, 255) if split else 255
            pieces.append(rest[:cut])
            rest = rest[cut:]
        if split and len(rest) > 2:
            for _ in range(self.r.randint(1, 2)):
                if len(rest) < 3:
                    break
                cut = self.r.randint(1, len(rest) - 1)
                pieces.append(rest[:cut])
                rest = rest[cut:]
        if rest or not pieces:
            pieces.append(rest)
        return self.z.add(owner, 'TXT', tuple(pieces))

    def addrel(self, name, ips):
        self.rel.setdefault(name, []).extend(ips)

    def qual(self):
        return self.w([('', 55), ('+', 8), ('-', 15), ('~', 12), ('?', 10)])

    def case(self, term):
        """Upper-case the mechanism name (and a macro-free domain) sometimes."""
        if not self.p(0.06):
            return term
        m = re.match(r'^([+?~-]?)([a-zA-Z0-9]+)(.*)$', term)
        if not m:
            return term
        q, mech, rest = m.groups()
        if '%' not in rest and self.p(0.5):
            rest = rest.upper()
        return q + mech.upper() + rest

    # ----------------------------------------------------------------- hosts
    def make_hosts(self):
        nh = max(30, self.n // 25)
        self.hosts = []
        for i in range(nh):
            name = f'h{i}.hosts.test' if i % 2 == 0 else f'h{i}.net.example'
            self.hosts.append(name)
        for name in self.hosts:
            kind = self.w([('both', 62), ('v4', 22), ('v6', 6), ('none', 4), ('cname', 6)])
            if kind == 'cname':
                continue
            if kind in ('both', 'v4'):
                for ip in self.r.sample(self.v4, self.w([(1, 6), (2, 3), (3, 1)])):
                    self.z.add(name, 'A', ip)
            if kind in ('both', 'v6'):
                for ip in self.r.sample(self.v6, self.w([(1, 7), (2, 3)])):
                    self.z.add(name, 'AAAA', ip)
            if kind == 'none':
                self.txt(name, 'host without addresses', split=False)
        for name in self.hosts:
            if not self.z.types(name):
                target = self.ch([h for h in self.hosts if self.z.get(h, 'A') or self.z.get(h, 'AAAA')])
                self.z.add(name, 'CNAME', target)
        # HELO records on some hosts.
        for name in self.hosts:
            if self.z.get(name, 'CNAME') or not self.p(0.5):
                continue
            rec = self.w([('v=spf1 a -all', 5), ('v=spf1 a ~all', 2), ('v=spf1 a/24 -all', 1),
                          ('v=spf1 a//64 ?all', 1), ('v=spf1 ip4:%s -all' % self.ch(self.v4), 1),
                          ('v=spf1 -all', 1), ('v=spf1 a mx ~all', 1)])
            self.txt(name, rec)
            self.spf[name] = rec
            self.addrel(name, self.z.addrs(name, 'A') + self.z.addrs(name, 'AAAA'))
        # Generic PTRs for pool addresses; about half validate (forward A/AAAA).
        for ip in self.v4 + self.v6:
            if not self.p(0.4):
                continue
            for _ in range(self.w([(1, 7), (2, 2), (3, 1)])):
                h = self.ch(self.hosts)
                if self.z.get(h, 'CNAME'):
                    h = self.z.get(h, 'CNAME')[0]
                if self.p(0.5):
                    self.z.add(h, 'AAAA' if ':' in ip else 'A', ip)
                self.z.add(rev_name(ip), 'PTR', h)

    def host_with_addr(self):
        return self.ch(self.hosts)

    # ------------------------------------------------------------ mechanisms
    def ensure_addrs(self, name):
        if self.z.get(name, 'CNAME'):
            return
        if not (self.z.get(name, 'A') or self.z.get(name, 'AAAA')):
            for ip in self.r.sample(self.v4, self.r.randint(1, 2)):
                self.z.add(name, 'A', ip)
            if self.p(0.6):
                self.z.add(name, 'AAAA', self.ch(self.v6))

    def ensure_mx(self, name):
        if self.z.get(name, 'CNAME') or self.z.get(name, 'MX'):
            return
        for i, h in enumerate(self.r.sample(self.hosts, self.r.randint(1, 3))):
            self.z.add(name, 'MX', (self.r.choice([0, 10, 10, 20]) + i, h))

    def mx_addrs(self, name):
        out = []
        for _, h in self.z.get(name, 'MX'):
            out += self.z.addrs(h, 'A') + self.z.addrs(h, 'AAAA')
        return out

    def near(self, ip, cidr):
        """Pool addresses inside ip/cidr (and the address itself)."""
        net = ipaddress.ip_network(f'{ip}/{cidr}', strict=False)
        pool = self.v6 if ':' in ip else self.v4
        inside = [x for x in pool if ipaddress.ip_address(x) in net]
        return self.r.sample(inside, min(len(inside), 2)) + [ip]

    def m_ip4(self, owner):
        ip = self.ch(self.v4)
        c = self.w([(None, 10), (32, 2), (24, 4), (28, 2), (30, 1), (16, 1), (25, 1), (31, 1), (8, 1), (0, 0.2)])
        text = 'ip4:' + ip
        if c is not None:
            if self.p(0.5):
                ip = str(ipaddress.ip_network(f'{ip}/{c}', strict=False).network_address)
                text = 'ip4:' + ip
            text += f'/{c}'
            self.addrel(owner, self.near(ip, c))
        else:
            self.addrel(owner, [ip])
        return self.qual() + text

    def m_ip6(self, owner):
        ip = self.ch(self.v6)
        c = self.w([(None, 8), (128, 2), (64, 4), (48, 2), (112, 2), (96, 1), (126, 1), (32, 1)])
        if self.p(0.1):
            ip = ipaddress.ip_address(ip).exploded
        text = 'ip6:' + ip
        if c is not None:
            text += f'/{c}'
            self.addrel(owner, self.near(ip, c))
        else:
            self.addrel(owner, [str(ipaddress.ip_address(ip))])
        return self.qual() + text

    CIDR_A = [('', 20), ('/24', 3), ('/28', 2), ('//64', 3), ('/24//64', 3), ('/32//128', 1),
              ('//48', 1), ('/30//112', 1), ('/0', 0.1), ('//0', 0.1)]

    def m_a(self, owner):
        kind = self.w([('bare', 4), ('host', 5), ('macro', 1), ('helo', 1)])
        cidr = self.w(self.CIDR_A)
        if kind == 'bare':
            self.ensure_addrs(owner)
            target, spec = owner, 'a'
        elif kind == 'host':
            target = self.host_with_addr()
            spec = 'a:' + target
        elif kind == 'macro':
            self.ensure_addrs(owner)
            target, spec = owner, self.w([('a:%{d}', 5), ('a:%{o}', 4), ('a:%{d}.', 1)])  # '%{d}.' is a syntax error
        else:
            self.uses_h.add(owner)
            target, spec = None, 'a:%{h}'
        if target:
            ips = self.z.addrs(target, 'A') + self.z.addrs(target, 'AAAA')
            self.addrel(owner, ips)
            for ip in ips[:1]:
                m = re.search(r'/(\d+)', cidr.split('//')[0]) if not cidr.startswith('//') else None
                m6 = re.search(r'//(\d+)', cidr)
                if ':' in ip and m6:
                    self.addrel(owner, self.near(ip, int(m6.group(1))))
                elif ':' not in ip and m:
                    self.addrel(owner, self.near(ip, int(m.group(1))))
        return self.qual() + spec + cidr

    def m_mx(self, owner):
        kind = self.w([('bare', 5), ('other', 3), ('big', 0.4), ('ten', 0.3), ('missing', 0.3)])
        cidr = self.w([('', 20), ('/24', 3), ('//64', 2), ('/28//48', 1), ('//48', 1)])
        if kind == 'bare':
            self.ensure_mx(owner)
            target, spec = owner, self.ch(['mx', 'mx', 'mx', 'mx:%{d}'])
        elif kind == 'other':
            target = self.ch(self.domains)
            self.ensure_mx(target)
            spec = 'mx:' + target
        elif kind in ('big', 'ten'):
            target = 'bigmx.test' if kind == 'big' else 'tenmx.test'
            if not self.z.get(target, 'MX'):
                count = 11 if kind == 'big' else 10
                for i in range(count):
                    self.z.add(target, 'MX', (i, self.hosts[i]))
            spec = 'mx:' + target
        else:
            target = f'nomx{self.r.randint(0, 9)}.void.test'
            spec = 'mx:' + target
        self.addrel(owner, self.mx_addrs(target))
        return self.qual() + spec + cidr

    def m_ptr(self, owner):
        kind = self.w([('bare', 5), ('domain', 2), ('hosts', 2), ('macro', 1)])
        if kind in ('bare', 'domain', 'macro'):
            # mail.<owner> resolves to an address whose PTR points back.
            name = 'mail.' + owner
            if not self.z.get(name, 'A'):
                ip4 = self.ch(self.v4)
                self.z.add(name, 'A', ip4)
                self.z.add(rev_name(ip4), 'PTR', name)
                if self.p(0.5):
                    ip6 = self.ch(self.v6)
                    self.z.add(name, 'AAAA', ip6)
                    self.z.add(rev_name(ip6), 'PTR', name)
                if self.p(0.3):   # a forged PTR: no forward record matches
                    ipf = self.ch(self.v4)
                    self.z.add(rev_name(ipf), 'PTR', 'fake.' + owner)
                    self.addrel(owner, [ipf])
            self.addrel(owner, self.z.get(name, 'A') + self.z.get(name, 'AAAA'))
            spec = {'bare': 'ptr', 'domain': 'ptr:' + owner, 'macro': 'ptr:%{d}'}[kind]
        else:
            suffix = self.ch(['hosts.test', 'net.example'])
            spec = 'ptr:' + suffix
            self.addrel(owner, [ip for ip in self.r.sample(self.v4 + self.v6, 4)])
        return self.qual() + spec

    def m_include(self, owner, depth):
        kind = self.w([('domain', 5), ('sub', 4), ('submacro', 1), ('chain', 1), ('nospf', 0.4),
                       ('missing', 0.3)])
        if kind == 'domain':
            target = self.ch(self.spf_domains)
            spec = target
        elif kind in ('sub', 'submacro'):
            target = self.sub_record(owner, depth)
            spec = target if kind == 'sub' else target.replace(owner, '%{d}')
            if kind == 'submacro' and spec == target:
                spec = target
        elif kind == 'chain':
            target = self.ch(self.chains)
            spec = target
        elif kind == 'nospf':
            target = self.ch(self.nospf_domains) if self.nospf_domains else 'nospf.test'
            spec = target
        else:
            target = f'missing{self.r.randint(0, 20)}.test'
            spec = target
        self.edges.setdefault(owner, []).append(target)
        return self.qual() + 'include:' + spec

    def m_exists(self, owner):
        spec = self.ch([
            '%{i}._ex.' + owner, '%{ir}.%{v}._ip.' + owner, '%{l}._u.' + owner,
            '%{L}._u.%{d}', '%{l-}._u.%{d}', '%{ir}.%{l1r-}.%{d}', '%{s}',
            '%{d2}', '%{o}', '%{l}.%{o}._sender.%{d}', '%{i}.%{h}._h.%{d}',
            '%{lr.}.%{d}', '%{l2r+-}.%{d2}', '%{I}.%{D}', '%{ir}.bl.test',
            '%%_%_.x.%{d}', '%{ir}.%{v}.%{d3}', '%{h2r}.%{d}',
        ])
        if '%{h' in spec:
            self.uses_h.add(owner)
        self.macro.setdefault(owner, []).append(spec)
        if spec in ('%{d2}', '%{o}'):
            self.ensure_addrs(owner)
        return self.qual() + 'exists:' + spec

    def sub_record(self, owner, depth):
        """An ip list record under owner (like _spf.example.com)."""
        idx = len([e for e in self.edges.get(owner, []) if e.endswith('.' + owner)])
        name = ('_spf.' if idx == 0 else f'_s{idx}._spf.') + owner
        if name not in self.spf:
            terms = []
            for _ in range(self.r.randint(1, 5)):
                terms.append(self.m_ip4(name) if self.p(0.7) else self.m_ip6(name))
            if depth < 2 and self.p(0.2):
                terms.append(self.m_a(name))
            if depth < 2 and self.p(0.15):
                terms.append(self.m_include(name, depth + 1))
            terms.append(self.w([('~all', 3), ('-all', 3), ('?all', 2), ('', 3)]))
            self.put_spf(name, terms)
        return name

    def put_spf(self, name, terms, mods=(), upper_v=None):
        terms = [t for t in terms if t]
        if upper_v is None:
            upper_v = self.p(0.05)
        # Modifier names are case-insensitive too, but pyspf matches them
        # case-sensitively: only --quirks upper-cases them.
        mods = [self.case(m) if self.quirks else m for m in mods]
        text = ('V=SPF1' if upper_v else 'v=spf1') + ''.join(' ' + t for t in [self.case(t) for t in terms] + mods)
        if self.p(0.02):
            text = text.replace(' ', '  ', 1)
        self.txt(name, text)
        self.spf.setdefault(name, text)
        return text

    # ----------------------------------------------------------- explanation
    def make_exp(self, owner):
        kind = self.w([('own', 6), ('macro', 2), ('shared', 1), ('missing', 1), ('multi', 0.5),
                       ('cname', 0.5)])
        if kind == 'shared':
            target = 'explain.test'
            if not self.z.get(target, 'TXT'):
                self.txt(target, 'Not authorized by %{o} for %{i}')
            return 'exp=' + target
        if kind == 'missing':
            return 'exp=noexp.' + owner
        target = 'exp.' + owner if kind != 'macro' else '_why.' + owner
        tmpl = self.ch(EXP_RARE) if self.p(0.08) else self.ch(EXP_TEMPLATES)
        if not self.z.get(target, 'TXT') and not self.z.get(target, 'CNAME'):
            if kind == 'cname':
                self.z.add(target, 'CNAME', 'explain.test')
                if not self.z.get('explain.test', 'TXT'):
                    self.txt('explain.test', 'Not authorized by %{o} for %{i}')
            else:
                self.txt(target, tmpl)
                if kind == 'multi':
                    self.txt(target, 'second explanation %{d}')
        return 'exp=' + (target if kind != 'macro' else '_why.%{d}')

    # ---------------------------------------------------------------- domains
    def make_domains(self):
        nd = max(40, self.n // 3)
        self.domains = [f'd{k}.example' if k % 3 == 0 else f'd{k}.test' for k in range(nd)]
        prof = {}
        for d in self.domains:
            prof[d] = self.w([
                ('normal', 30), ('iplist', 10), ('redirect', 7), ('macro', 7), ('ptr', 5),
                ('heavy', 4), ('void', 4), ('error', 6), ('multi', 2), ('cname', 3),
                ('nospf', 4), ('notspf', 2), ('bare', 2), ('include', 8), ('helo', 4),
                ('spfonly', 1),
            ])
        self.prof = prof
        self.spf_domains = [d for d in self.domains if prof[d] not in ('nospf', 'notspf', 'cname', 'spfonly')]
        self.nospf_domains = [d for d in self.domains if prof[d] in ('nospf', 'notspf', 'spfonly')]
        self.make_chains()
        for d in self.domains:
            if self.p(0.5):
                self.ensure_addrs(d)
            if self.p(0.5):
                self.ensure_mx(d)
            getattr(self, 'dom_' + prof[d])(d)

    def make_chains(self):
        """Include chains of length 2..13 (permerror past 10 lookups) and loops."""
        self.chains = []
        for j in range(max(6, self.n // 150)):
            length = self.r.randint(2, 13)
            names = [f'c{j}-{i}.chain.test' for i in range(length)]
            self.chains.append(names[0])
            for i, name in enumerate(names):
                terms = []
                if self.p(0.3):
                    terms.append(self.m_ip4(name))
                if i + 1 < length:
                    terms.append('include:' + names[i + 1])
                    self.edges.setdefault(name, []).append(names[i + 1])
                else:
                    terms.append(self.m_ip4(name) if self.p(0.7) else self.m_ip6(name))
                terms.append(self.ch(['-all', '~all', '?all']))
                self.put_spf(name, terms, upper_v=False)
        for j in range(max(2, self.n // 500)):
            a, b = f'loop{j}a.chain.test', f'loop{j}b.chain.test'
            self.put_spf(a, [self.m_ip4(a), 'include:' + b, '-all'], upper_v=False)
            self.put_spf(b, [self.m_ip4(b), 'include:' + a, '~all'], upper_v=False)
            self.edges[a] = [b]
            self.edges[b] = [a]
            self.chains.append(a)

    def random_terms(self, d, count, weights=None):
        weights = weights or [('ip4', 8), ('ip6', 4), ('a', 5), ('mx', 4), ('ptr', 1),
                              ('include', 4), ('exists', 2)]
        terms = []
        for _ in range(count):
            kind = self.w(weights)
            if kind == 'include':
                terms.append(self.m_include(d, 1))
            else:
                terms.append(getattr(self, 'm_' + kind)(d))
        return terms

    def ending(self):
        return self.w([('-all', 35), ('~all', 28), ('?all', 12), ('+all', 3), ('all', 4), ('', 18)])

    def mods(self, d, exp_p=0.35):
        mods = []
        if self.p(exp_p):
            mods.append(self.make_exp(d))
        if self.p(0.08):
            mods.append(self.ch(UNKNOWN_MODS))
            if self.quirks and self.p(0.3):
                mods.append(mods[-1])            # duplicate unknown modifier
        if self.quirks and self.p(0.03):
            mods.append(self.ch(['Exp=exp.test', 'REDIRECT=d1.test', 'Redirect=' + self.ch(self.spf_domains)]))
        self.r.shuffle(mods)
        return mods

    def dom_normal(self, d):
        terms = self.random_terms(d, self.r.randint(0, 5))
        terms.append(self.ending())
        mods = self.mods(d)
        if not terms[-1] and self.p(0.3):
            target = self.ch(self.spf_domains)
            mods.append('redirect=' + target)
            self.edges.setdefault(d, []).append(target)
        self.put_spf(d, terms, mods)
        if self.p(0.1):
            self.txt(d, self.ch(['google-site-verification=abc123', 'v=spf10 -all', 'spf1 +all',
                                 'v=spf1-all', 'v=DMARC1; p=none'.replace(';', '')]))

    def dom_iplist(self, d):
        terms = [self.m_ip4(d) if self.p(0.65) else self.m_ip6(d) for _ in range(self.r.randint(1, 8))]
        if self.p(0.5):
            terms.append(self.m_include(d, 1))
        terms.append(self.w([('-all', 5), ('~all', 4), ('?all', 1)]))
        self.put_spf(d, terms, self.mods(d, 0.4))

    def dom_include(self, d):
        terms = []
        for _ in range(self.r.randint(1, 4)):
            terms.append(self.m_include(d, 1))
        if self.p(0.5):
            terms.insert(self.r.randint(0, len(terms)), self.m_ip4(d))
        terms.append(self.ending())
        self.put_spf(d, terms, self.mods(d))

    def dom_redirect(self, d):
        kind = self.w([('domain', 5), ('sub', 2), ('missing', 1), ('nospf', 1), ('macro', 1)])
        terms = self.random_terms(d, self.w([(0, 5), (1, 2), (2, 1)]), [('ip4', 4), ('ip6', 2), ('a', 1), ('mx', 1)])
        if kind == 'domain':
            target = spec = self.ch(self.spf_domains)
        elif kind == 'sub':
            target = self.sub_record(d, 1)
            spec = target
        elif kind == 'macro':
            target = self.sub_record(d, 1)
            spec = target.replace(d, '%{d}')
        elif kind == 'missing':
            target = spec = f'missing{self.r.randint(0, 20)}.test'
        else:
            target = spec = self.ch(self.nospf_domains) if self.nospf_domains else 'nospf.test'
        self.edges.setdefault(d, []).append(target)
        mods = self.mods(d, 0.3) + ['redirect=' + spec]
        self.r.shuffle(mods)
        if self.p(0.05):                     # redirect= twice: permerror
            mods.append('redirect=' + self.ch(self.spf_domains))
        if self.p(0.1):                      # all wins over redirect
            terms.append(self.ch(['-all', '~all', '?all']))
        self.put_spf(d, terms, mods)

    def dom_macro(self, d):
        terms = []
        for _ in range(self.r.randint(1, 3)):
            terms.append(self.m_exists(d) if self.p(0.7) else self.m_a(d))
        if self.p(0.4):
            terms.append(self.m_ip4(d))
        self.r.shuffle(terms)
        terms.append(self.ending())
        self.put_spf(d, terms, self.mods(d, 0.5))

    def dom_ptr(self, d):
        terms = [self.m_ptr(d)]
        if self.p(0.3):
            terms.append(self.m_ptr(d))
        if self.p(0.4):
            terms.append(self.m_ip4(d))
        terms.append(self.ending())
        self.put_spf(d, terms, self.mods(d))

    def dom_heavy(self, d):
        """9..14 lookup terms; the matching address sits in the last ones."""
        n = self.r.randint(8, 13)
        terms = []
        for i in range(n):
            kind = self.w([('sub', 3), ('a', 2), ('mx', 2), ('domain', 1), ('exists', 1)])
            if kind == 'sub':
                name = f'_h{i}.{d}'
                self.put_spf(name, [self.m_ip4(name), self.ch(['~all', '-all', ''])], upper_v=False)
                self.edges.setdefault(d, []).append(name)
                terms.append('include:' + name)
            elif kind == 'domain':
                terms.append(self.m_include(d, 2))
            elif kind == 'exists':
                terms.append('exists:%{i}._ex.' + d)
                self.macro.setdefault(d, []).append('%{i}._ex.' + d)
            elif kind == 'a':
                h = self.host_with_addr()
                terms.append('a:' + h)
                self.addrel(d, self.z.addrs(h, 'A') + self.z.addrs(h, 'AAAA'))
            else:
                t = self.ch(self.domains)
                self.ensure_mx(t)
                terms.append('mx:' + t)
                self.addrel(d, self.mx_addrs(t))
        terms.append(self.ch(['-all', '~all']))
        mods = self.mods(d, 0.3)
        if self.quirks and self.p(0.2):
            mods.append('redirect=' + self.ch(self.spf_domains))
        self.put_spf(d, terms, mods)

    def dom_void(self, d):
        nvoid = self.r.randint(1, 4)
        terms = []
        for i in range(nvoid):
            terms.append(self.ch([f'a:nx{i}.void.test', f'mx:nx{i}.void.test', f'exists:nx{i}.%{{d}}',
                                  'a:txtonly.void.test', f'ptr:nx{i}.void.test']))
        if not self.z.get('txtonly.void.test', 'TXT'):
            self.txt('txtonly.void.test', 'no addresses here', split=False)
        terms.insert(self.r.randint(0, len(terms)), self.m_ip4(d) if self.p(0.7) else self.m_ip6(d))
        terms.append(self.ending())
        self.put_spf(d, terms, self.mods(d, 0.3))

    def dom_error(self, d):
        terms = self.random_terms(d, self.r.randint(0, 3), [('ip4', 5), ('ip6', 2), ('a', 2), ('mx', 1)])
        pool = SYNTAX_ERRORS + (SYNTAX_ERRORS_QUIRK if self.quirks else [])
        err = self.ch(pool)
        terms.append(self.ending())
        terms.insert(self.r.randint(0, len(terms)), err)
        # keep the error visible: do not upper-case it away
        text = 'v=spf1' + ''.join(' ' + t for t in terms + self.mods(d, 0.2))
        self.txt(d, text)
        self.spf.setdefault(d, text)

    def dom_multi(self, d):
        self.put_spf(d, self.random_terms(d, 2) + ['-all'])
        self.put_spf(d, [self.m_ip4(d), '~all'])

    def dom_cname(self, d):
        target = self.ch(self.spf_domains + self.chains)
        # the CNAME replaces whatever the domain had
        self.z.rrs.pop(d, None)
        self.z.add(d, 'CNAME', target)
        self.edges[d] = [target]

    def dom_nospf(self, d):
        pass

    def dom_notspf(self, d):
        self.txt(d, self.ch(['v=spf10 -all', 'spf1 -all', 'v=spf1-all', 'hello world',
                             'v=spf2.0/pra -all', 'V=SPF1X -all']))

    def dom_spfonly(self, d):
        self.z.add(d, 'SPF', ('v=spf1 +all',))

    def dom_bare(self, d):
        self.put_spf(d, [self.ch(['', '-all', '+all', '?all', '~all', 'a', 'mx'])])
        self.ensure_addrs(d)
        self.ensure_mx(d)
        self.addrel(d, self.z.addrs(d, 'A') + self.z.addrs(d, 'AAAA') + self.mx_addrs(d))

    def dom_helo(self, d):
        self.ensure_addrs(d)
        self.put_spf(d, [self.ch(['a', 'a/24', 'a//64', 'a mx']), self.ending()])
        self.addrel(d, self.z.addrs(d, 'A') + self.z.addrs(d, 'AAAA') + self.mx_addrs(d))
        if self.p(0.5):
            self.z.add(d, 'SPF', ('v=spf1 -all',))   # type 99 records are ignored

    # ------------------------------------------------------------ edge cases
    def make_edges(self):
        """Fixed corner cases under edge.test; queries pick them at random."""
        E = 'edge.test'
        self.edge = []          # (domain, candidate client addresses)
        hv4 = [h for h in self.hosts if self.z.get(h, 'A')]
        ip = self.ch(self.v4)
        ip6 = self.ch(self.v6)

        def rec(name, text, ips=(), split=None):
            self.txt(name, text, split=split)
            self.spf.setdefault(name, text)
            self.addrel(name, list(ips))
            self.edge.append(name)

        # Null MX (RFC 7505): the exchange is the root name.
        self.z.add('nullmx.' + E, 'MX', (0, ''))
        self.z.add('nullmx.' + E, 'A', ip)
        rec('nullmx.' + E, 'v=spf1 mx a:nx1.void.test a:nx2.void.test ip4:%s -all' % ip, [ip])
        rec('usenullmx.' + E, 'v=spf1 mx:nullmx.%s ~all' % E, [ip])
        # Dangling CNAME (target does not exist) and a CNAME chain of 5.
        self.z.add('dangle.' + E, 'CNAME', 'nothere.' + E)
        rec('usedangle.' + E, 'v=spf1 a:dangle.%s mx:dangle.%s ip4:%s -all' % (E, E, ip), [ip])
        self.edge.append('dangle.' + E)
        target = self.ch(self.spf_domains)
        prev = target
        for k in range(5):
            name = f'ch{k}.{E}'
            self.z.add(name, 'CNAME', prev)
            prev = name
        self.edges[prev] = [target]
        self.edge.append(prev)
        rec('usechain.' + E, 'v=spf1 include:%s a:%s -all' % (prev, prev), self.z.addrs(target, 'A'))
        self.edges['usechain.' + E] = [target]
        # PTR whose name is a CNAME to a host with the address.
        h = self.ch(hv4)
        hip = self.z.get(h, 'A')[0]
        self.z.add('alias.' + E, 'CNAME', h)
        self.z.add(rev_name(hip), 'PTR', 'alias.' + E)
        rec('ptralias.' + E, 'v=spf1 ptr:%s -all exp=exp.ptralias.%s' % (E, E), [hip])
        self.txt('exp.ptralias.' + E, '%{i} is not %{d}')
        # Twelve PTR names for one address, all of them validating.
        many = self.ch(self.v4)
        for k in range(12):
            self.z.add(f'p{k}.many.{E}', 'A', many)
            self.z.add(rev_name(many), 'PTR', f'p{k}.many.{E}')
        rec('manyptr.' + E, 'v=spf1 ptr:many.%s -all' % E, [many, ip])
        # Explanation over 253 characters, with dots (and macros).
        long_exp = ('Mail from %{i} for %{d} was rejected. ' +
                    'Please see http://www.%{d}/policies/spf/explanation.html and ' * 4 +
                    'contact postmaster@%{d}.')
        self.txt('exp.longexp.' + E, long_exp)
        rec('longexp.' + E, 'v=spf1 ip4:%s -all exp=exp.longexp.%s' % (ip, E), [ip])
        # Expansions near and over 253 octets (IPv6 i = 63 octets).
        rec('long.' + E, 'v=spf1 exists:%{ir}.%{i}.%{ir}.%{i} exists:%{i}.%{ir}.%{v}.%{d} ip6:' + ip6 + ' ip4:' + ip + ' -all', [ip6, ip])
        # Non-ASCII: in the record (permerror) and in an explanation (ignored).
        rec('nonascii.' + E, 'v=spf1 ip4:%s note=caf\u00e9 -all' % ip, [ip])
        self.txt('exp.nonascii2.' + E, 'r\u00e9sum\u00e9 of %{d}')
        rec('nonascii2.' + E, 'v=spf1 ip4:%s -all exp=exp.nonascii2.%s' % (ip, E), [ip])
        self.txt('nonascii2.' + E, 'caf\u00e9 is not an SPF record')
        # Empty strings, trailing and doubled spaces, lone version.
        self.z.add('empty.' + E, 'TXT', ('v=spf1 ', '', 'ip4:' + ip, '', ' -all '))
        self.spf['empty.' + E] = 'v=spf1 ip4:%s -all' % ip
        self.addrel('empty.' + E, [ip])
        self.edge.append('empty.' + E)
        rec('lone.' + E, 'v=spf1', [ip])
        rec('spaces.' + E, 'v=spf1   ip4:%s    -all   ' % ip, [ip])
        # Explanation targets that are odd: an SPF record, an empty string,
        # a name with A but no TXT, a target expanding to an invalid name.
        self.txt('exp.odd1.' + E, 'v=spf1 -all')
        self.z.add('exp.odd2.' + E, 'TXT', ('',))
        self.z.add('exp.odd3.' + E, 'A', ip)
        for k in (1, 2, 3):
            rec(f'odd{k}.{E}', 'v=spf1 ip4:%s -all exp=exp.odd%d.%s' % (ip, k, E), [ip])
        rec('odd4.' + E, 'v=spf1 -all exp=%{l}..' + E, [ip])
        # Explanation with characters that need escaping in a master file.
        self.txt('exp.quote.' + E, 'say "no" to %{l}; path C:\\mail\\%{d} (%{i})', split=False)
        rec('quote.' + E, 'v=spf1 ip4:%s -all exp=exp.quote.%s' % (ip, E), [ip])
        # Same record published as "v=spf1" and "V=SPF1": two records.
        self.txt('twocase.' + E, 'v=spf1 -all')
        self.txt('twocase.' + E, 'V=SPF1 -all')
        self.edge.append('twocase.' + E)
        # Trailing dots in domain-specs, include of self via macro.
        rec('dots.' + E, 'v=spf1 a:%s. include:%s. -all' % (self.ch(hv4), self.ch(self.spf_domains)),
            [])
        rec('selfinc.' + E, 'v=spf1 ip4:%s include:%%{d} -all' % ip, [ip])
        rec('selfredir.' + E, 'v=spf1 ip4:%s redirect=%%{d}' % ip, [ip])
        # exactly ten lookups, then the eleventh
        terms = ' '.join('a:' + self.ch(hv4) for _ in range(9))
        rec('ten.' + E, 'v=spf1 %s ip4:%s -all' % (terms, ip), [ip])
        rec('ten2.' + E, 'v=spf1 %s ip4:%s include:ten.%s -all' % (terms, ip, E), [ip])
        if self.quirks:
            # pyspf counts redirect= when the record is read, before evaluating.
            rec('tenredir.' + E, 'v=spf1 a:%s %s ip4:%s -all redirect=%s' % (
                self.ch(hv4), terms, ip, self.ch(self.spf_domains)), [ip])
            rec('cidr0.' + E, 'v=spf1 ip4:0.0.0.0/0 -all', [ip])
            rec('zero.' + E, 'v=spf1 exists:%{d0}.' + E + ' -all', [ip])

    # ---------------------------------------------------------------- queries
    def tree(self, name, depth=0, acc=None):
        acc = acc if acc is not None else []
        if name in acc or depth > 4:
            return acc
        acc.append(name)
        for t in self.edges.get(name, []):
            self.tree(t, depth + 1, acc)
        return acc

    def client(self, names, helo):
        rel = []
        for n in names:
            rel += self.rel.get(n, [])
        if any(n in self.uses_h for n in names):
            rel += self.z.addrs(helo, 'A') + self.z.addrs(helo, 'AAAA')
        roll = self.r.random()
        if rel and roll < 0.62:
            ip = self.ch(rel)
        elif rel and roll < 0.70:
            ip = self.ch(rel)
            pool = self.v6 if ':' in ip else self.v4
            ip = self.ch(pool)
        else:
            ip = self.ch(self.v4) if self.p(0.7) else self.ch(self.v6)
        if ':' not in ip and self.p(0.05):
            ip = '::ffff:' + ip
        return ip

    def make_queries(self):
        out = []
        hosts_spf = [h for h in self.hosts if h in self.spf]
        for _ in range(self.n):
            kind = self.w([('mailfrom', 74), ('helo', 10), ('chain', 5), ('nodomain', 3), ('host', 4),
                           ('edge', 4)])
            local = self.ch(LOCALS)
            if kind == 'mailfrom':
                d = self.ch(self.domains)
            elif kind == 'helo':
                d = self.ch(hosts_spf + [x for x in self.domains if self.prof[x] == 'helo'] or self.domains)
            elif kind == 'chain':
                d = self.ch(self.chains)
            elif kind == 'nodomain':
                d = self.ch([f'nowhere{self.r.randint(0, 99)}.test', 'void.test', 'test', 'hosts.test'])
            elif kind == 'edge':
                d = self.ch(self.edge)
            else:
                d = self.ch(self.hosts)
            helo = self.ch(self.hosts) if self.p(0.8) else d
            if self.p(0.01):
                helo = self.ch(['[192.0.2.1]', '[IPv6:2001:db8::1]', 'localhost', 'H1.HOSTS.TEST', d + '.'])
            if kind == 'helo' or (kind in ('host', 'edge') and self.p(0.3)):
                sender, helo = '<>', d
            elif self.p(0.05):
                sender = '@' + d
            else:
                sender = local + '@' + (d.upper() if self.p(0.03) else d)
                if self.quirks and self.p(0.02):
                    # no "@", two "@", trailing dot: pyspf's own readings
                    sender = self.ch([d, 'a@' + sender, sender + '.'])
            names = self.tree(d)
            ip = self.client(names, helo)
            if self.p(0.01):      # other spellings of the same address
                a = ipaddress.ip_address(ip)
                ip = self.ch([a.exploded.upper(), '::ffff:' + str(a) if a.version == 4 else a.exploded,
                              '::ffff:%x:%x' % (int(a) >> 16, int(a) & 0xffff) if a.version == 4 else str(a)])
            # names that exists:/a: macros will look up for this query
            if sender == '<>':
                s, l, o = 'postmaster@' + helo, 'postmaster', helo
            elif '@' not in sender:
                s, l, o = sender, 'postmaster', sender
            else:
                l, o = sender.split('@', 1)
                l = l or 'postmaster'
                s = sender
            addr = ipaddress.ip_address(ip)
            if addr.version == 6 and addr.ipv4_mapped:
                addr = addr.ipv4_mapped
            i = str(addr) if addr.version == 4 else nibbles(str(addr))
            v = 'in-addr' if addr.version == 4 else 'ip6'
            for n in names:
                for spec in self.macro.get(n, []):
                    if not self.p(0.5):
                        continue
                    ctx = {'s': s, 'l': l, 'o': o, 'd': n if n != d else o, 'i': i, 'v': v, 'h': helo}
                    name = rfc_expand(spec, ctx)
                    if name and len(name) <= 253 and NAME_OK.match(name.lower()) and \
                            not self.z.get(name, 'CNAME'):
                        self.z.add(name, 'A', '127.0.0.2')
            out.append(f'{ip} {sender} {helo}')
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('seed', type=int)
    ap.add_argument('n', type=int)
    ap.add_argument('outdir')
    ap.add_argument('--quirks', action='store_true',
                    help='also generate constructs where pyspf deviates from RFC 7208')
    a = ap.parse_args()
    g = Gen(a.seed, a.n, a.quirks)
    g.make_hosts()
    g.make_domains()
    g.make_edges()
    queries = g.make_queries()
    # a few names in upper case in the master file (names are case-insensitive)
    owners = list(g.z.rrs)
    for o in g.r.sample(owners, max(1, len(owners) // 50)):
        g.z.upper.add(o)
    os.makedirs(a.outdir, exist_ok=True)
    g.z.write(os.path.join(a.outdir, 'zone.txt'))
    with open(os.path.join(a.outdir, 'queries.txt'), 'w') as f:
        f.write('\n'.join(queries) + '\n')


if __name__ == '__main__':
    sys.exit(main())
