// Unit tests of the bounce reader, layer by layer: status and reply codes,
// reason tables, Received parsing, DSN/MIME reading, providers, diagnosis.
#include <gtest/gtest.h>

#include "bounce/reasons.hpp"
#include "bounce/status_codes.hpp"
#include "diagnose/providers.hpp"
#include "spfdoctor/bounce.hpp"
#include "spfdoctor/diagnose.hpp"

namespace {

using namespace spfdoctor;
using namespace spfdoctor::bounce::detail;

TEST(BounceStatus, FindsEnhancedCodes) {
  EXPECT_EQ(find_status("550 5.1.1 <a@b.example>... User unknown"), "5.1.1");
  EXPECT_EQ(find_status("550-5.7.26 Unauthenticated email"), "5.7.26");
  EXPECT_EQ(find_status("Remote Server returned '550 5.7.23 SPF violation'"), "5.7.23");
  EXPECT_EQ(find_status("host 192.0.2.1 said 550 no"), "");      // an IP is not a status
  EXPECT_EQ(find_status("Postfix v2.5.1 here"), "");             // nor a version
  EXPECT_EQ(find_status("550 5.0.0 see 5.1.1 below"), "5.1.1");  // X.0.0 says less
  EXPECT_EQ(find_status("550 5.7.509 Access denied"), "5.7.509");
}

TEST(BounceStatus, FindsReplyCodes) {
  EXPECT_EQ(find_reply("host mx said: 550 5.1.1 unknown"), "550");
  EXPECT_EQ(find_reply("421 4.7.0 try later", '4'), "421");
  EXPECT_EQ(find_reply("5501 is not a code"), "");
}

TEST(BounceStatus, Prefers) {
  EXPECT_EQ(prefer_status("5.0.0", "5.1.1", "550"), "5.1.1");
  EXPECT_EQ(prefer_status("5.1.1", "5.0.0", "550"), "5.1.1");
  EXPECT_EQ(prefer_status("", "5.7.23", ""), "5.7.23");
  EXPECT_EQ(prefer_status("4.4.7", "5.4.316", "550"), "5.4.316");
}

TEST(BounceStatus, TablesDescribeCodes) {
  const auto* i = bounce::describe_status("5.7.23");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->reason, "authfailure");
  ASSERT_NE(bounce::describe_status("5.7.509"), nullptr);
  EXPECT_EQ(bounce::describe_status("5.7.509")->source, "Microsoft");
  EXPECT_EQ(reason_of_status("5.2.2"), "mailboxfull");
  EXPECT_EQ(pseudo_status("userunknown", false), "5.0.911");
  EXPECT_EQ(pseudo_status("expired", true), "4.0.947");
  EXPECT_EQ(bounce::status_subject_meaning("5.7.23"), "security or policy status");
}

TEST(BounceReasons, PhraseTablesInOnePass) {
  auto h = match_phrases("550 5.2.2 Mailbox FULL for user");
  EXPECT_TRUE(h.has(R::MailboxFull));
  EXPECT_FALSE(h.has(R::UserUnknown));
  EXPECT_TRUE(match_phrases("mailbox for x has exceeded the limit").has(R::MailboxFull));  // fragments in order
  EXPECT_FALSE(match_phrases("limit exceeded for mailbox").has(R::MailboxFull));
}

TEST(BounceReasons, DecisionOrder) {
  Fact f;
  f.status = "5.1.1";
  f.diagnostic = "550 5.1.1 user unknown";
  EXPECT_EQ(decide_reason(f), "userunknown");
  f = {};
  f.status = "5.7.23";
  f.diagnostic = "550 5.7.23 the message was rejected because of sender policy framework violation";
  EXPECT_EQ(decide_reason(f), "authfailure");
  f = {};
  f.status = "5.0.0";
  f.diagnostic = "550 user unknown";
  f.command = "DATA";
  EXPECT_EQ(decide_reason(f), "filtered");  // after DATA: the recipient filtered it
  f.command = "RCPT";
  EXPECT_EQ(decide_reason(f), "userunknown");
  f = {};
  f.status = "4.0.0";
  f.action = "delayed";
  EXPECT_EQ(decide_reason(f), "expired");
}

TEST(BounceReceived, ParsesHops) {
  auto h = bounce::parse_received(
      "from mail.example.com (mail.example.com [192.0.2.25]) by mx.example.net (Postfix) with ESMTPS id 4F2; "
      "Tue, 14 Mar 2023 09:12:01 +0000");
  EXPECT_EQ(h.from_host, "mail.example.com");
  EXPECT_EQ(h.from_ip, "192.0.2.25");
  EXPECT_EQ(h.by_host, "mx.example.net");
  EXPECT_EQ(h.with, "ESMTPS");
  EXPECT_EQ(h.date, "Tue, 14 Mar 2023 09:12:01 +0000");
  auto v6 = bounce::parse_received("from x (x [IPv6:2001:db8::25]) by y with SMTP id 1");
  EXPECT_EQ(v6.from_ip, "2001:db8::25");
  auto ms = bounce::parse_received("from smtp.contoso.example (203.0.113.25) by AM0PR01.outlook.com (2603:10a6::1)");
  EXPECT_EQ(ms.from_ip, "203.0.113.25");
}

constexpr const char* kDsn =
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
    "To: <alice@example.org>\r\n"
    "Subject: =?UTF-8?B?VW5kZWxpdmVyZWQgTWFpbA==?=\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n\r\n"
    "<bob@example.net>: host mx.example.net[198.51.100.7] said: 550 5.7.23 SPF fail\r\n"
    "    (in reply to end of DATA command)\r\n\r\n"
    "--b\r\n"
    "Content-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.org\r\n"
    "X-Postfix-Sender: rfc822; alice@example.org\r\n\r\n"
    "Final-Recipient: rfc822; bob@example.net\r\n"
    "Action: failed\r\n"
    "Status: 5.7.23\r\n"
    "Remote-MTA: dns; mx.example.net\r\n"
    "Diagnostic-Code: smtp; 550 5.7.23 SPF fail: 192.0.2.99 is not allowed\r\n\r\n"
    "--b\r\n"
    "Content-Type: message/rfc822\r\n\r\n"
    "Received: from out.example.org (out.example.org [192.0.2.99]) by mx.example.org; Tue, 14 Mar 2023 09:12:01 "
    "+0000\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Subject: Hello\r\n"
    "Message-ID: <1@example.org>\r\n\r\n"
    "hi\r\n"
    "--b--\r\n";

TEST(BounceParse, ReadsRfc3464) {
  auto b = bounce::parse(kDsn);
  ASSERT_EQ(b.recipients.size(), 1u);
  const auto& r = b.recipients[0];
  EXPECT_EQ(r.recipient, "bob@example.net");
  EXPECT_EQ(r.status, "5.7.23");
  EXPECT_EQ(r.reply_code, "550");
  EXPECT_EQ(r.action, "failed");
  EXPECT_EQ(r.remote_mta, "mx.example.net");
  EXPECT_EQ(r.reason, "authfailure");
  EXPECT_EQ(r.command, "DATA");
  EXPECT_EQ(b.reporting_mta, "mx.example.org");
  EXPECT_EQ(b.subject, "Undelivered Mail");  // encoded word decoded
  EXPECT_EQ(b.original.envelope_from, "alice@example.org");
  EXPECT_EQ(b.original.message_id, "<1@example.org>");
  EXPECT_EQ(b.original.sending_ip, "192.0.2.99");
  EXPECT_TRUE(b.is_dsn);
}

TEST(BounceParse, LineEndingsDoNotMatter) {
  std::string lf, cr;
  for (const char* p = kDsn; *p != 0; ++p) {
    if (*p == '\r') continue;
    lf += *p;
    cr += *p == '\n' ? '\r' : *p;
  }
  EXPECT_EQ(bounce::parse(lf).recipients.at(0).status, "5.7.23");
  EXPECT_EQ(bounce::parse(cr).recipients.at(0).status, "5.7.23");
}

TEST(BounceParse, RefusesGarbageAndHugeInput) {
  EXPECT_THROW((void)bounce::parse("just some words\nand more"), bounce::ParseError);
  EXPECT_THROW((void)bounce::parse(""), bounce::ParseError);
  bounce::ParseOptions small;
  small.max_bytes = 100;
  EXPECT_THROW((void)bounce::parse(kDsn, small), bounce::ParseError);
  // Deep nesting is cut, not followed.
  std::string deep = "From: a@b.example\nSubject: x\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n";
  for (int i = 0; i < 200; ++i)
    deep +=
        "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=\"b" + std::to_string(i + 1) + "\"\n\n";
  auto b = bounce::parse(deep);
  EXPECT_FALSE(b.notes.empty());
}

TEST(Providers, DataTableLookups) {
  using namespace spfdoctor::diagnose;
  EXPECT_GE(providers().size(), 10u);
  ASSERT_NE(find_provider_by_include("spf.protection.outlook.com"), nullptr);
  EXPECT_EQ(find_provider_by_include("_spf.google.com")->id, "google");
  EXPECT_EQ(find_provider_by_mx("contoso-com.mail.protection.outlook.com")->id, "microsoft365");
  EXPECT_EQ(find_provider_by_mx("aspmx.l.google.com")->id, "google");
  EXPECT_EQ(find_provider_by_host("o1.ptr1234.sendgrid.net")->id, "sendgrid");
  EXPECT_EQ(find_provider_by_include("notsendgrid.net"), nullptr);
  EXPECT_TRUE(in_microsoft_relay_pool(*IpAddress::parse("40.95.3.7")));
  EXPECT_FALSE(in_microsoft_relay_pool(*IpAddress::parse("40.96.3.7")));
}

TEST(Diagnose, OfflineSpfBounce) {
  auto b = bounce::parse(kDsn);
  auto d = diagnose::diagnose(b, {});
  EXPECT_EQ(d.kind, "spf");
  ASSERT_FALSE(d.causes.empty());
  EXPECT_EQ(d.causes.front().id, "spf-ip-not-authorized");
  EXPECT_EQ(d.causes.front().confidence, "possible");
  EXPECT_FALSE(d.spf.has_value());
  EXPECT_NE(d.for_remote_admin.find("550 5.7.23 SPF fail"), std::string::npos);
  EXPECT_NE(d.for_remote_admin.find("192.0.2.99"), std::string::npos);
}

TEST(Diagnose, WithZoneData) {
  auto zone = std::make_shared<dns::ZoneData>();
  dns::Record txt;
  txt.type = dns::RType::TXT;
  txt.strings = {"v=spf1 ip4:198.51.100.0/24 -all"};
  zone->add("example.org", txt);
  dns::Record mx;
  mx.type = dns::RType::MX;
  mx.target = "mx.example.org";
  zone->add("example.org", mx);
  dns::ZoneResolver res(zone);
  auto d = diagnose::diagnose(bounce::parse(kDsn), {&res});
  ASSERT_TRUE(d.spf.has_value());
  EXPECT_EQ(d.spf->evaluation.result, Result::Fail);
  ASSERT_FALSE(d.causes.empty());
  EXPECT_EQ(d.causes.front().id, "spf-ip-not-authorized");
  EXPECT_EQ(d.causes.front().confidence, "confirmed");
}

}  // namespace
