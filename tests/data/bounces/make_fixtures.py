#!/usr/bin/env python3
"""Writes the Microsoft 365 5.7.23 NDR fixtures of tests/cli/run_bounce_tests.sh.

The layout follows Microsoft's documented NDR format (learn.microsoft.com, "Email
non-delivery reports and SMTP errors in Exchange Online" and "Fix email delivery
issues for error code 5.7.23"): a multipart/report with a readable part ending in
"Diagnostic information for administrators", "Generating server:", "Remote Server
returned '...'" and "Original message headers:", then message/delivery-status and
text/rfc822-headers. Run it again after changing a scenario; the files are committed.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

SPF_5723 = "550 5.7.23 The message was rejected because of Sender Policy Framework violation"

# name: (sender, recipient, status line, received hops (from_host, ip), extra diagnostic text)
SCENARIOS = {
    "m365-ip-not-in-record": ("alice@notlisted.example", "bob@fabrikam.example", SPF_5723,
                              [("smtp.notlisted.example", "203.0.113.25")], ""),
    "m365-provider-include-missing": ("carol@m365missing.example", "bob@fabrikam.example", SPF_5723,
                                      [("mail-am6eur05on2045.outbound.protection.outlook.com", "40.107.22.45")], ""),
    "m365-relay-pool": ("dave@relayed.example", "bob@fabrikam.example", SPF_5723,
                        [("mail-relay.outbound.protection.outlook.com", "40.95.3.7")], ""),
    "m365-no-record": ("erin@norecord.example", "bob@fabrikam.example", SPF_5723,
                       [("mx1.norecord.example", "203.0.113.40")], ""),
    "m365-broken-record": ("frank@broken.example", "bob@fabrikam.example", SPF_5723,
                           [("mx1.broken.example", "203.0.113.50")], ""),
    "m365-high-risk-pool": ("grace@hrdp.example", "bob@fabrikam.example", SPF_5723,
                            [("hrdp-out-07.outbound.protection.outlook.com", "52.96.77.10")], ""),
    "m365-no-a-mx": ("heidi@noamx.example", "bob@fabrikam.example", SPF_5723,
                     [("mail-db8eur05on2101.outbound.protection.outlook.com", "40.107.5.5")], ""),
    "m365-dmarc": ("ivan@dmarcfail.example", "bob@fabrikam.example",
                   "550 5.7.509 Access denied, sending domain dmarcfail.example does not pass DMARC verification "
                   "and has a DMARC policy of reject.",
                   [("smtp.dmarcfail.example", "203.0.113.60")], ""),
    "m365-not-spf": ("judy@notlisted.example", "nobody@fabrikam.example",
                     "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
                     [("smtp.notlisted.example", "203.0.113.25")], ""),
    "m365-ip-in-diagnostic": ("alice@notlisted.example", "bob@fabrikam.example",
                              SPF_5723 + " (sender IP is 203.0.113.77)",
                              [("AM0PR01MB1234.eurprd01.prod.outlook.com", "10.1.2.3")], ""),
}


def ndr(name, sender, rcpt, status_line, hops, extra):
    status = status_line.split()[1]
    gen = "AM0PR01MB1234.eurprd01.prod.outlook.com"
    domain = sender.split("@")[1]
    received = []
    for host, ip in hops:
        received.append(f"Received: from {host} ({ip}) by\r\n {gen} (2603:10a6:208:12::17) with Microsoft SMTP\r\n"
                        f" Server (version=TLS1_2) id 15.20.5000.12; Tue, 14 Mar 2023 09:12:01 +0000")
    original = "\r\n".join(received + [
        f"Authentication-Results: spf=none (sender IP is {hops[0][1]}) smtp.mailfrom={domain};" if name == "m365-no-record" else
        f"X-MS-Exchange-Organization-AuthSource: {gen}",
        f"From: Sender <{sender}>",
        f"To: <{rcpt}>",
        "Subject: Quarterly report",
        "Date: Tue, 14 Mar 2023 09:12:00 +0000",
        f"Message-ID: <{name}.1678785120@{domain}>",
        f"Return-Path: <{sender}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
    ])
    text = (
        f"Your message to {rcpt} couldn't be delivered.\r\n\r\n"
        "The destination server rejected your message because of its sender authentication policy.\r\n\r\n"
        f"{rcpt.split('@')[0]}    Office 365    {rcpt.split('@')[1]}\r\n"
        "Action Required    Recipient\r\n\r\n"
        "How to Fix It\r\n"
        "Ask your email admin to check the sender authentication records of your domain.\r\n\r\n"
        "More Info for Email Admins\r\n"
        f"Status code: {status}\r\n\r\n"
        "Diagnostic information for administrators:\r\n\r\n"
        f"Generating server: {gen}\r\n\r\n"
        f"{rcpt}\r\n"
        f"Remote Server returned '{status_line}'\r\n\r\n"
        "Original message headers:\r\n\r\n"
        f"{original}\r\n"
    )
    dsn = (
        f"Reporting-MTA: dns;{gen}\r\n"
        f"Received-From-MTA: dns;{hops[0][0]}\r\n"
        "Arrival-Date: Tue, 14 Mar 2023 09:12:01 +0000\r\n\r\n"
        f"Final-Recipient: rfc822;{rcpt}\r\n"
        "Action: failed\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp;{status_line}\r\n"
        f"Remote-MTA: dns;mx.{rcpt.split('@')[1]}\r\n"
    )
    return (
        "From: Microsoft Outlook <postmaster@" + domain + ">\r\n"
        f"To: <{sender}>\r\n"
        "Date: Tue, 14 Mar 2023 09:12:05 +0000\r\n"
        "Subject: Undeliverable: Quarterly report\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"ndr-b1\"\r\n"
        "X-MS-Exchange-Message-Is-Ndr:\r\n"
        "Auto-Submitted: auto-replied\r\n"
        f"Message-ID: <ndr-{name}@{gen}>\r\n\r\n"
        "--ndr-b1\r\n"
        "Content-Type: text/plain; charset=\"us-ascii\"\r\n\r\n"
        f"{text}\r\n"
        "--ndr-b1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        f"{dsn}\r\n"
        "--ndr-b1\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"{original}\r\n\r\n"
        "--ndr-b1--\r\n"
    )


ZONE = """; Master file for the bounce fixtures (spfdoctor bounce --zone).
$ORIGIN example.
$TTL 300
; IP not in the record (203.0.113.25 sends, 198.51.100.10 is listed)
notlisted        IN TXT "v=spf1 ip4:198.51.100.10 -all"
notlisted        IN MX 10 mx1.notlisted
mx1.notlisted    IN A 198.51.100.10
; Microsoft 365 sends, the record lacks include:spf.protection.outlook.com
m365missing      IN TXT "v=spf1 ip4:198.51.100.10 -all"
m365missing      IN MX 10 m365missing-example.mail.protection.outlook.com.
; forwarded through Microsoft's relay pool
relayed          IN TXT "v=spf1 include:spf.protection.outlook.com -all"
relayed          IN MX 10 relayed-example.mail.protection.outlook.com.
; no SPF record at all
norecord         IN MX 10 mx1.norecord
mx1.norecord     IN A 203.0.113.40
; two SPF records: permerror
broken           IN TXT "v=spf1 ip4:203.0.113.50 -all"
broken           IN TXT "v=spf1 include:spf.protection.outlook.com -all"
broken           IN MX 10 mx1.broken
mx1.broken       IN A 203.0.113.50
; Microsoft 365 customer; the message left from a Microsoft IP outside spf.protection.outlook.com
hrdp             IN TXT "v=spf1 include:spf.protection.outlook.com -all"
hrdp             IN MX 10 hrdp-example.mail.protection.outlook.com.
; Microsoft 365 customer without A or MX
noamx            IN TXT "v=spf1 include:spf.protection.outlook.com -all"
; DMARC rejection
dmarcfail        IN TXT "v=spf1 ip4:198.51.100.99 -all"
dmarcfail        IN MX 10 mx1.dmarcfail
mx1.dmarcfail    IN A 198.51.100.99
_dmarc.dmarcfail IN TXT "v=DMARC1; p=reject"
; Microsoft's published include (abridged)
$ORIGIN com.
spf.protection.outlook IN TXT "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 ip4:104.47.0.0/17 -all"
"""


def main():
    for name, (sender, rcpt, status_line, hops, extra) in SCENARIOS.items():
        with open(os.path.join(HERE, name + ".eml"), "w", newline="") as f:
            f.write(ndr(name, sender, rcpt, status_line, hops, extra))
    with open(os.path.join(HERE, "m365.zone"), "w") as f:
        f.write(ZONE)


if __name__ == "__main__":
    main()
