#!/usr/bin/env python3
"""Deterministic generator of the benchmark world: one root-zone master file
with >= 10,000 synthetic mail domains whose SPF records look like real ones,
a query batch for `spfdoctor eval --batch` and the peers, and a domain list
for `spfdoctor scan`.

    gen_world.py OUTDIR [--domains N] [--queries N] [--queries N ...] [--seed S]

Writes into OUTDIR:
  world.zone          the root zone "." (NSD serves it; spfdoctor --zone reads it)
  queries-N.txt       N queries, one `IP SENDER HELO` a line (SENDER may be <>),
                      for every --queries N (default 2100 and 300; the 300 batch
                      is the first 300 lines of a 2100 batch drawn the same way)
  domains.txt         every customer domain, one a line (for `spfdoctor scan`)
  dnsperf.txt         `NAME TYPE` lines for dnsperf: the lookups SPF checks here make
  world.json          counts: domains per profile, queries per intent, zone size

What the world holds (names of real providers, synthetic data shaped like
theirs; the zone is served only on loopback):
  * provider chains modelled on the real ones: Microsoft 365
    (spf.protection.outlook.com -> spfd.protection.outlook.com, ip4+ip6),
    Google (_spf.google.com -> _netblocks{,2,3}.google.com), Mailgun
    (mailgun.org -> _spf.mailgun.org -> _spf1/_spf2), SendGrid, Mailchimp,
    Amazon SES, Zendesk, Mandrill, Zoho (zoho.com -> zcsend.net -> 2 more),
    Salesforce (exists:%{i}._spf.mta.salesforce.com, a macro lookup), and
    hosting companies customers `redirect=` to;
  * customers: M365 / Google Workspace / self-hosted bases, marketing
    senders on top, own ip4/ip6 lists, `mx` (MX records pointing at the
    provider's or their own hosts, every target with A/AAAA), `a`, some
    `redirect=`, some `_spf.` sub-records reached through CNAME, other TXT
    records next to SPF (site verifications), long records split in strings;
  * broken ones (about 7%): include of a name that does not exist, include of
    a domain without SPF, more than 10 lookups, more than 2 void lookups,
    syntax errors of kinds seen in the wild, two SPF records, a self-include
    loop, a `spf1` record missing its `v=`, and domains with no SPF at all.

Queries: the client IP is chosen by intent (an address the domain authorises,
through any branch of its tree, or an address nothing authorises in
198.18.0.0/15 / 2001:db8::/32), so the batch is a mix of pass, fail, softfail,
neutral, none and permerror; about 5% use the null sender (HELO identity).
Domains are drawn with replacement (a few repeat, as in real traffic).
Same arguments, same bytes.
"""
import argparse
import ipaddress
import json
import os
import random
import sys

TTL = 3600
SOA_NAME = "ns.spfdoctor-bench.invalid."

# ---- providers -------------------------------------------------------------------
# name -> list of (owner, record text); the first is what customers include.
# Ranges follow the shape of the providers' published records.
MS_V4 = ["40.92.0.0/15", "40.107.0.0/16", "52.100.0.0/14", "104.47.0.0/17",
         "40.93.0.0/16", "40.94.0.0/16", "52.238.78.88", "65.55.88.0/24",
         "94.245.112.0/27", "111.221.23.128/25", "157.55.234.0/24", "157.56.110.0/23",
         "157.56.112.0/24", "207.46.51.64/26", "207.46.100.0/24", "207.46.163.0/24",
         "213.199.154.0/24", "213.199.180.128/26", "216.32.180.0/23"]
MS_V6 = ["2a01:111:f400::/48", "2a01:111:f403::/49", "2a01:111:f403:8000::/50",
         "2a01:111:f403:c000::/51", "2a01:111:f403:f000::/52"]
MS_D_V4 = ["51.4.72.0/24", "51.5.72.0/24", "51.5.80.0/27", "51.4.80.0/27", "20.47.149.138/32",
           "52.14.25.0/24", "40.95.0.0/16"]
MS_D_V6 = ["2a01:4180:4051:0800::/64", "2a01:4180:4050:0800::/64", "2a01:4180:4051:0400::/64"]
G1_V4 = ["35.190.247.0/24", "64.233.160.0/19", "66.102.0.0/20", "66.249.80.0/20", "72.14.192.0/18",
         "74.125.0.0/16", "108.177.8.0/21", "173.194.0.0/16", "209.85.128.0/17", "216.58.192.0/19",
         "216.239.32.0/19"]
G2_V6 = ["2001:4860:4000::/36", "2404:6800:4000::/36", "2607:f8b0:4000::/36", "2800:3f0:4000::/36",
         "2a00:1450:4000::/36", "2c0f:fb50:4000::/36"]
G3_V4 = ["172.217.0.0/19", "172.217.32.0/20", "172.217.128.0/19", "172.217.160.0/20",
         "172.217.192.0/19", "172.253.56.0/21", "172.253.112.0/20", "108.177.96.0/19",
         "35.191.0.0/16", "130.211.0.0/22"]
SENDGRID_V4 = ["167.89.0.0/17", "208.117.48.0/20", "50.31.32.0/19", "198.37.144.0/20", "198.21.0.0/21",
               "192.254.112.0/20", "168.245.0.0/17", "149.72.0.0/16", "159.183.0.0/16"]
MAILCHIMP_V4 = ["205.201.128.0/20", "198.2.128.0/18", "148.105.8.0/21"]
SES_V4 = ["199.255.192.0/22", "199.127.232.0/22", "54.240.0.0/18", "69.169.224.0/20", "23.249.208.0/20",
          "23.251.224.0/19", "76.223.176.0/20", "54.240.64.0/19", "54.240.96.0/19", "52.82.172.0/22"]
MAILGUN1_V4 = ["209.61.151.0/24", "166.78.68.0/22", "198.61.254.0/23", "192.237.158.0/23",
               "23.253.182.0/23", "104.130.96.0/28", "146.20.113.0/24", "146.20.191.0/24"]
MAILGUN2_V4 = ["141.193.32.0/23", "159.135.140.80/29", "159.135.132.128/25", "161.38.192.0/20",
               "143.55.224.0/21", "69.72.32.0/20", "204.220.160.0/20"]
ZENDESK_V4 = ["192.161.144.0/20", "185.12.80.0/22", "188.172.128.0/20", "216.198.0.0/18"]
MANDRILL_V4 = ["198.2.128.0/18", "148.105.8.0/21"]
ZOHO1_V4 = ["136.143.160.0/19", "135.84.80.0/22", "165.173.128.0/18"]
ZOHO2_V4 = ["204.141.32.0/23", "204.141.42.0/23", "185.20.208.0/22", "185.230.212.0/22"]
SALESFORCE_V4 = ["13.110.208.0/21", "13.110.216.0/22", "13.111.0.0/16", "136.146.128.0/20"]


def spf(*terms):
    return "v=spf1 " + " ".join(terms)


PROVIDERS = {
    # key: (include target, {owner: record}, v4 ranges it authorises, v6 ranges, lookups it costs)
    "m365": ("spf.protection.outlook.com", {
        "spf.protection.outlook.com": spf(*["ip4:" + r for r in MS_V4], *["ip6:" + r for r in MS_V6],
                                          "include:spfd.protection.outlook.com", "-all"),
        "spfd.protection.outlook.com": spf(*["ip4:" + r for r in MS_D_V4], *["ip6:" + r for r in MS_D_V6], "-all"),
    }, MS_V4 + MS_D_V4, MS_V6 + MS_D_V6, 2),
    "google": ("_spf.google.com", {
        "_spf.google.com": spf("include:_netblocks.google.com", "include:_netblocks2.google.com",
                               "include:_netblocks3.google.com", "~all"),
        "_netblocks.google.com": spf(*["ip4:" + r for r in G1_V4], "~all"),
        "_netblocks2.google.com": spf(*["ip6:" + r for r in G2_V6], "~all"),
        "_netblocks3.google.com": spf(*["ip4:" + r for r in G3_V4], "~all"),
        "google.com": spf("include:_spf.google.com", "~all"),
    }, G1_V4 + G3_V4, G2_V6, 4),
    "sendgrid": ("sendgrid.net", {"sendgrid.net": spf(*["ip4:" + r for r in SENDGRID_V4], "~all")},
                 SENDGRID_V4, [], 1),
    "mailchimp": ("servers.mcsv.net", {"servers.mcsv.net": spf(*["ip4:" + r for r in MAILCHIMP_V4], "-all")},
                  MAILCHIMP_V4, [], 1),
    "ses": ("amazonses.com", {"amazonses.com": spf(*["ip4:" + r for r in SES_V4], "-all")}, SES_V4, [], 1),
    "mailgun": ("mailgun.org", {
        "mailgun.org": spf("include:_spf.mailgun.org", "~all"),
        "_spf.mailgun.org": spf("include:_spf1.mailgun.org", "include:_spf2.mailgun.org", "~all"),
        "_spf1.mailgun.org": spf(*["ip4:" + r for r in MAILGUN1_V4], "~all"),
        "_spf2.mailgun.org": spf(*["ip4:" + r for r in MAILGUN2_V4], "~all"),
    }, MAILGUN1_V4 + MAILGUN2_V4, [], 4),
    "zendesk": ("mail.zendesk.com", {"mail.zendesk.com": spf(*["ip4:" + r for r in ZENDESK_V4], "~all")},
                ZENDESK_V4, [], 1),
    "mandrill": ("spf.mandrillapp.com", {"spf.mandrillapp.com": spf(*["ip4:" + r for r in MANDRILL_V4], "?all")},
                 MANDRILL_V4, [], 1),
    "zoho": ("zoho.com", {
        "zoho.com": spf("include:zcsend.net", "~all"),
        "zcsend.net": spf("include:_spf1.zcsend.net", "include:_spf2.zcsend.net", "~all"),
        "_spf1.zcsend.net": spf(*["ip4:" + r for r in ZOHO1_V4], "~all"),
        "_spf2.zcsend.net": spf(*["ip4:" + r for r in ZOHO2_V4], "~all"),
    }, ZOHO1_V4 + ZOHO2_V4, [], 4),
    # Salesforce: a macro lookup; an A record exists for the addresses it sends from.
    "salesforce": ("_spf.salesforce.com", {"_spf.salesforce.com": spf("exists:%{i}._spf.mta.salesforce.com", "-all")},
                   SALESFORCE_V4, [], 2),
}
MARKETING = [("sendgrid", 0.10), ("mailchimp", 0.12), ("ses", 0.05), ("mailgun", 0.05), ("zendesk", 0.05),
             ("mandrill", 0.04), ("salesforce", 0.05)]
HOSTERS = ["ovh-mail.net", "ionos-relay.de", "hostpoint-smtp.ch", "one-mail.dk", "strato-mx.de",
           "gandi-relay.net", "bluehost-mail.com", "godaddy-relay.net"]
WORDS = ("acme north south east west blue green red silver golden river lake hill stone oak pine cedar maple "
         "harbor bay coast valley prairie summit peak ridge forest meadow field garden bridge tower castle "
         "crown royal union liberty pioneer frontier atlas apex vertex nova stellar orbit quantum pixel "
         "data cloud logic smart bright swift rapid prime core first global metro urban city town village "
         "alpha beta delta omega sigma titan falcon eagle hawk raven fox wolf bear lion tiger otter "
         "trade logistics freight cargo supply parts tools steel iron copper glass paper print media "
         "labs works systems solutions services partners group holdings capital finance bank insurance "
         "legal law dental health care clinic pharma bio medical vet school academy college institute "
         "foods bakery coffee tea wine brew farm fresh organic market store shop outlet boutique "
         "travel tours hotel resort homes realty estate build construct design studio arts music "
         "games sports fitness motors auto marine aero energy solar power water clean eco green").split()
TLDS = [("com", 50), ("net", 8), ("org", 8), ("de", 8), ("co.uk", 6), ("io", 4), ("fr", 4), ("nl", 3),
        ("com.au", 3), ("ca", 3), ("ch", 2), ("se", 1)]
VERIFY = ["google-site-verification=%s", "MS=ms%08d", "facebook-domain-verification=%s",
          "atlassian-domain-verification=%s", "docusign=%s", "apple-domain-verification=%s"]


class World:
    def __init__(self, rng):
        self.rng = rng
        self.rrs = []          # (owner, type, rdata text)
        self.customers = []    # dicts
        self.mail_a = {}       # host -> list of v4 addresses (for MX / a targets)
        self.profile_counts = {}

    def add(self, owner, rtype, rdata):
        self.rrs.append((owner, rtype, rdata))

    def txt(self, owner, text):
        # Split into <= 255-byte strings as a zone file must.
        parts = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
        self.add(owner, "TXT", " ".join('"%s"' % p.replace("\\", "\\\\").replace('"', '\\"') for p in parts))

    def rand_v4_block(self, prefix):
        r = self.rng
        while True:
            a = r.randint(11, 223)
            if a in (100, 127, 169, 172, 192, 198, 203):
                continue
            net = ipaddress.ip_network("%d.%d.%d.%d/%d" % (a, r.randint(0, 255), r.randint(0, 255), r.randint(0, 255), prefix),
                                       strict=False)
            return str(net) if prefix < 32 else str(net.network_address)

    def rand_v6_block(self):
        r = self.rng
        return "2a0%x:%x:%x::/48" % (r.randint(1, 15), r.randint(0, 0xffff), r.randint(0, 0xffff))


def pick_ip(rng, rng_text):
    net = ipaddress.ip_network(rng_text, strict=False)
    if net.num_addresses <= 2:
        return str(net.network_address)
    off = rng.randint(1, min(net.num_addresses - 2, 2**32))
    return str(net.network_address + off)


def stranger_v4(rng):
    return str(ipaddress.ip_address("198.18.0.0") + rng.randint(1, 2**17 - 2))


def stranger_v6(rng):
    return "2001:db8:%x:%x::%x" % (rng.randint(0, 0xffff), rng.randint(0, 0xffff), rng.randint(1, 0xffff))


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def setup(w, rng):
    """The shared part of a world: the providers' records, Salesforce's exists:
    targets, Google's MX hosts, the hosting companies. Returns what customer()
    needs: (hoster_info, google_mx, salesforce_ips). Also used by gen_million.py."""
    for key, (_, recs, _, _, _) in PROVIDERS.items():
        for owner, text in recs.items():
            w.txt(owner, text)
    # Salesforce's exists: targets for the addresses it sends from (a sample of each range).
    sf_hosts = []
    for block in SALESFORCE_V4:
        for _ in range(40):
            ip = pick_ip(rng, block)
            sf_hosts.append(ip)
    for ip in sorted(set(sf_hosts)):
        w.add("%s._spf.mta.salesforce.com" % ip, "A", "127.0.0.2")
    salesforce_ips = sorted(set(sf_hosts))
    # Provider MX hosts (Google Workspace customers' MX, with addresses).
    google_mx = ["aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com",
                 "alt3.aspmx.l.google.com", "alt4.aspmx.l.google.com"]
    for i, h in enumerate(google_mx):
        v4 = "142.250.%d.%d" % (150 + i, 26 + i)
        w.add(h, "A", v4)
        w.add(h, "AAAA", "2a00:1450:400c:c0%d::1b" % i)
        w.mail_a[h] = [v4]
    # Hosting companies customers redirect= to.
    hoster_info = {}
    for h in HOSTERS:
        blocks = [w.rand_v4_block(rng.choice([22, 24, 26])) for _ in range(rng.randint(2, 5))]
        relay = "relay.%s" % h
        relay_ips = [pick_ip(rng, blocks[0]), pick_ip(rng, blocks[-1])]
        for ip in relay_ips:
            w.add(relay, "A", ip)
        w.txt("_spf." + h, spf(*["ip4:" + b for b in blocks], "a:" + relay, rng.choice(["~all", "-all", "?all"])))
        w.txt(h, spf("include:_spf." + h, "-all"))
        hoster_info[h] = blocks + relay_ips
    # A domain that exists but publishes no SPF (included by mistake by some customers).
    w.txt("newsletter-tools.com", "google-site-verification=Zq3t0n0SPFhereAtAll")
    return hoster_info, google_mx, salesforce_ips


def new_domain_name(rng, used):
    """A customer domain name not in `used` (and adds it there)."""
    while True:
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        sep = rng.choice(["", "", "-"])
        name = "%s%s%s" % (a, sep, b) + (str(rng.randint(1, 999)) if rng.random() < 0.35 else "")
        d = "%s.%s" % (name, weighted(rng, TLDS))
        if d not in used and a != b:
            used.add(d)
            return d


def build(n_domains, seed):
    rng = random.Random(seed)
    w = World(rng)
    hoster_info, google_mx, salesforce_ips = setup(w, rng)
    used = set()
    for idx in range(n_domains):
        d = new_domain_name(rng, used)
        customer(w, rng, d, hoster_info, google_mx, salesforce_ips)
    return w


def customer(w, rng, d, hoster_info, google_mx, salesforce_ips):
    """Adds domain d: its records, and what it authorises (for choosing query IPs)."""
    c = {"domain": d, "v4": [], "v6": [], "all": None, "kind": "ok", "helo_spf": False}
    # Other TXT at the apex, as real domains have.
    for _ in range(weighted(rng, [(0, 40), (1, 35), (2, 18), (3, 7)])):
        tmpl = rng.choice(VERIFY)
        val = rng.randint(0, 10**8 - 1) if "%08d" in tmpl else "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") for _ in range(43))
        w.txt(d, tmpl % val)
    base = weighted(rng, [("m365", 44), ("google", 30), ("self", 16), ("zoho", 3), ("hoster", 7)])
    mx_hosts = []
    if base == "m365":
        mx_hosts = ["%s.mail.protection.outlook.com" % d.replace(".", "-")]
        ips = [pick_ip(rng, rng.choice(["52.101.0.0/16", "40.93.0.0/16"])) for _ in range(2)]
        for h in mx_hosts:
            for ip in ips:
                w.add(h, "A", ip)
            w.mail_a[h] = ips
    elif base == "google":
        mx_hosts = google_mx
    else:
        mx_hosts = ["mail.%s" % d] + (["mail2.%s" % d] if rng.random() < 0.3 else [])
        for h in mx_hosts:
            ip = pick_ip(rng, w.rand_v4_block(24))
            w.add(h, "A", ip)
            w.mail_a[h] = [ip]
    for pref, h in enumerate(mx_hosts):
        w.add(d, "MX", "%d %s." % (10 * (pref + 1), h))
    apex_ip = pick_ip(rng, w.rand_v4_block(24))
    w.add(d, "A", apex_ip)
    if rng.random() < 0.3:
        w.add(d, "AAAA", "2a0%x:%x::%x" % (rng.randint(1, 15), rng.randint(0, 0xffff), rng.randint(1, 0xffff)))

    # ---- broken ones ----
    r = rng.random()
    if r < 0.07:
        c["kind"] = "nospf"
        w.profile_counts["no SPF record"] = w.profile_counts.get("no SPF record", 0) + 1
        w.customers.append(c)
        return
    if r < 0.14:
        kind = weighted(rng, [("missing-include", 22), ("include-without-spf", 8), ("too-many-lookups", 20),
                              ("too-many-voids", 8), ("syntax", 24), ("two-records", 10), ("loop", 3),
                              ("no-v=", 5)])
        c["kind"] = kind
        w.profile_counts["broken: " + kind] = w.profile_counts.get("broken: " + kind, 0) + 1
        inc = PROVIDERS[base][0] if base in PROVIDERS else None
        own = w.rand_v4_block(rng.choice([24, 28, 32]))
        c["v4"] = [own]
        if kind == "missing-include":
            dead = rng.choice(["_spf.oldmailer-%d.com" % rng.randint(1, 60), "spf.%s-legacy.net" % d.split(".")[0],
                               "_spf.mailrelay-gone.org"])
            terms = ["ip4:" + own] + (["include:" + inc] if inc else []) + ["include:" + dead, "-all"]
        elif kind == "include-without-spf":
            terms = ["ip4:" + own, "include:newsletter-tools.com", "~all"]
        elif kind == "too-many-lookups":
            many = ["include:spf.protection.outlook.com", "include:_spf.google.com", "include:mailgun.org",
                    "include:sendgrid.net", "include:servers.mcsv.net", "include:amazonses.com",
                    "include:mail.zendesk.com", "include:zoho.com"]
            rng.shuffle(many)
            terms = ["ip4:" + own] + many[:rng.randint(5, 8)] + ["a", "mx", "~all"]
        elif kind == "too-many-voids":
            terms = ["ip4:" + own] + ["a:%s.%s" % (p, d) for p in ("smtp", "out", "relay", "mx3")] + ["-all"]
        elif kind == "syntax":
            bad = rng.choice([
                "ip4:%s.300/24" % own.rsplit(".", 1)[0],  # bad address
                "ipv4:%s" % own,                   # unknown mechanism name
                "ip4: %s" % own,                   # space after the colon: "ip4:" with no address
                "include:",                        # empty domain
                "a:-all",                          # mechanism text mistaken
                "redirect=_spf.a.example redirect=_spf.b.example",  # two redirects
                "include:%s%%{z}" % d,             # bad macro letter
                "mx/",                             # empty cidr
                "~all+",                           # trailing junk
                "ip6:2001:db8::/129",              # bad prefix
            ])
            terms = (["include:" + inc] if inc else []) + [bad, "ip4:" + own]
            rng.shuffle(terms)
            terms.append("~all")
        elif kind == "two-records":
            terms = (["include:" + inc] if inc else ["mx"]) + ["-all"]
            w.txt(d, spf("ip4:" + own, "-all"))
        elif kind == "loop":
            terms = ["ip4:" + own, "include:" + d, "-all"]
        else:  # no-v=
            terms = ["ip4:" + own] + (["include:" + inc] if inc else []) + ["-all"]
            w.txt(d, "spf1 " + " ".join(terms))
            w.customers.append(c)
            return
        c["all"] = terms[-1][0] if terms[-1].endswith("all") else "?"
        w.txt(d, spf(*terms))
        w.customers.append(c)
        return

    # ---- working records ----
    terms = []
    lookups = 0
    label = base
    if base == "hoster":
        h = rng.choice(HOSTERS)
        w.txt(d, spf("redirect=_spf." + h))
        c["v4"] = list(hoster_info[h])
        w.profile_counts["redirect to hoster"] = w.profile_counts.get("redirect to hoster", 0) + 1
        c["all"] = "redirect"
        w.customers.append(c)
        return
    if base in PROVIDERS:
        _, _, v4, v6, cost = PROVIDERS[base]
        terms.append("include:" + PROVIDERS[base][0])
        c["v4"] += v4
        c["v6"] += v6
        lookups += cost
    own4 = []
    if base == "self" or rng.random() < 0.3:
        for _ in range(rng.randint(1, 4)):
            own4.append(w.rand_v4_block(weighted(rng, [(32, 40), (29, 10), (28, 15), (27, 10), (24, 25)])))
    if base == "self" or rng.random() < 0.12:
        if rng.random() < 0.6:
            terms.append("mx")
            lookups += 1
            for h in mx_hosts:
                c["v4"] += w.mail_a.get(h, [])
        if rng.random() < 0.4:
            terms.append("a")
            lookups += 1
            c["v4"].append(apex_ip)
    terms += ["ip4:" + b for b in own4]
    c["v4"] += own4
    if rng.random() < 0.1:
        b6 = w.rand_v6_block()
        terms.append("ip6:" + b6)
        c["v6"].append(b6)
    for key, p in MARKETING:
        cost = PROVIDERS[key][4]
        if rng.random() < p and lookups + cost <= 10:
            terms.append("include:" + PROVIDERS[key][0])
            lookups += cost
            if key == "salesforce":
                c["v4"] += ["%s/32" % ip for ip in rng.sample(salesforce_ips, 8)]
            else:
                c["v4"] += PROVIDERS[key][2]
            label += "+" + key
    rng.shuffle(terms)
    allq = weighted(rng, [("-all", 45), ("~all", 44), ("?all", 7), ("", 4)])
    c["all"] = allq[:1] if allq else ""
    if allq:
        terms.append(allq)
    text = spf(*terms) if rng.random() > 0.01 else spf(*terms).upper().replace("V=SPF1", "v=spf1")
    if rng.random() < 0.04 and len(terms) > 1:
        # The record lives at _spf.DOMAIN (reached by CNAME from spf.DOMAIN); the apex redirects there.
        w.txt("_spf." + d, text)
        w.add("spf." + d, "CNAME", "_spf.%s." % d)
        w.txt(d, spf("redirect=spf." + d))
        label += " (redirect via CNAME)"
    else:
        w.txt(d, text)
    # Outbound relay with its own HELO record (for null-sender queries).
    if base == "self" and rng.random() < 0.5:
        h = "mail.%s" % d
        w.txt(h, spf("a", "-all"))
        c["helo_spf"] = True
    c["base"] = base
    key = base + (" + marketing" if "+" in label else "") + (" + own ip4" if own4 else "")
    w.profile_counts[key] = w.profile_counts.get(key, 0) + 1
    w.customers.append(c)


def make_queries(w, n, seed):
    rng = random.Random(seed * 7919 + 13)
    helos_generic = ["mail-%s.outbound.protection.outlook.com" % "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
                     for _ in range(20)] + ["mail-sor-f%d.google.com" % i for i in range(41, 60)] + \
                    ["o%d.ptr%d.sendgrid.net" % (i, 1000 + i) for i in range(10)] + ["smtp.relay.invalid"]
    lines, intents = [], {}
    helo_cust = [c for c in w.customers if c.get("helo_spf")]
    for i in range(n):
        if rng.random() < 0.05 and helo_cust:
            c = rng.choice(helo_cust)
            h = "mail.%s" % c["domain"]
            ip = w.mail_a[h][0] if rng.random() < 0.6 else stranger_v4(rng)
            lines.append("%s <> %s" % (ip, h))
            intents["helo (null sender)"] = intents.get("helo (null sender)", 0) + 1
            continue
        c = rng.choice(w.customers)
        local = rng.choice(["info", "noreply", "billing", "news", "support", "j.smith", "bounce-%d" % rng.randint(1, 99999),
                            "hr", "sales", "alerts"])
        sender = "%s@%s" % (local, c["domain"])
        want_pass = rng.random() < 0.55
        v6 = rng.random() < 0.08
        if want_pass and v6 and c["v6"]:
            ip, intent = pick_ip(rng, rng.choice(c["v6"])), "authorised ip6"
        elif want_pass and c["v4"]:
            ip, intent = pick_ip(rng, rng.choice(c["v4"])), "authorised ip4"
        elif v6:
            ip, intent = stranger_v6(rng), "stranger ip6"
        else:
            ip, intent = stranger_v4(rng), "stranger ip4"
        intents[intent] = intents.get(intent, 0) + 1
        helo = rng.choice(helos_generic) if rng.random() < 0.7 else "mail.%s" % c["domain"]
        lines.append("%s %s %s" % (ip, sender, helo))
    return lines, intents


def dnsperf_lines(w, seed):
    """The queries SPF checks of this world make, for dnsperf: every customer's
    TXT, MX for a third of them, every mail host's A, the provider records."""
    rng = random.Random(seed + 1)
    out = ["%s TXT" % c["domain"] for c in w.customers]
    out += ["%s MX" % c["domain"] for c in w.customers if rng.random() < 0.33]
    out += ["%s A" % h for h in w.mail_a]
    out += ["%s TXT" % o for o, t, _ in w.rrs if t == "TXT" and ("spf" in o or o.count(".") == 1)][:200]
    rng.shuffle(out)
    return out


def write_zone(w, path):
    seen = set()
    out = ["; spfdoctor benchmark world, generated by bench/world/gen_world.py; served as the root zone",
           "$ORIGIN .", "$TTL %d" % TTL,
           ". %d IN SOA %s hostmaster.spfdoctor-bench.invalid. 1 3600 600 86400 300" % (TTL, SOA_NAME),
           ". %d IN NS %s" % (TTL, SOA_NAME)]
    for owner, rtype, rdata in w.rrs:
        k = (owner.lower(), rtype, rdata)
        if k in seen:
            continue
        seen.add(k)
        out.append("%s. %d IN %s %s" % (owner, TTL, rtype, rdata))
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")
    return len(out) - 3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--domains", type=int, default=10000)
    ap.add_argument("--queries", type=int, action="append")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    sizes = a.queries or [2100, 300]
    os.makedirs(a.outdir, exist_ok=True)
    w = build(a.domains, a.seed)
    nrr = write_zone(w, os.path.join(a.outdir, "world.zone"))
    meta = {"seed": a.seed, "domains": len(w.customers), "resource_records": nrr,
            "profiles": dict(sorted(w.profile_counts.items(), key=lambda kv: -kv[1])), "queries": {}}
    biggest, intents = make_queries(w, max(sizes), a.seed)
    for n in sizes:
        with open(os.path.join(a.outdir, "queries-%d.txt" % n), "w", encoding="ascii") as f:
            f.write("\n".join(biggest[:n]) + "\n")
    meta["queries"] = {"sizes": sizes, "intent_of_%d" % max(sizes): intents}
    with open(os.path.join(a.outdir, "domains.txt"), "w", encoding="ascii") as f:
        f.write("\n".join(c["domain"] for c in w.customers) + "\n")
    with open(os.path.join(a.outdir, "dnsperf.txt"), "w", encoding="ascii") as f:
        f.write("\n".join(dnsperf_lines(w, a.seed)) + "\n")
    with open(os.path.join(a.outdir, "world.json"), "w", encoding="ascii") as f:
        json.dump(meta, f, indent=1)
    print("world: %d domains, %d resource records, queries %s -> %s" % (
        len(w.customers), nrr, ",".join(map(str, sizes)), a.outdir), file=sys.stderr)


if __name__ == "__main__":
    main()
