// The limits on large or hostile input that the linter and the bounce reader
// keep (docs/cli.md "Limits", docs/lint.md); the DNS and record limits are in
// hardening_test.cpp, the web server's in web_server_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "spfdoctor/bounce.hpp"
#include "spfdoctor/dns.hpp"
#include "spfdoctor/lint.hpp"

namespace spfdoctor {
namespace {

dns::Record txt(const std::string& text) {
  dns::Record rr;
  rr.type = dns::RType::TXT;
  rr.strings = {text};
  return rr;
}

bool has(const lint::LintReport& r, const std::string& id) {
  return std::any_of(r.findings.begin(), r.findings.end(), [&](const lint::Finding& f) { return f.id == id; });
}

// ---- the linter ------------------------------------------------------------

// x1 includes x2 twice, x2 includes x3 twice, ...: 20 names, 2^20 branches.
// The linter follows every branch, so without a limit this never ends.
TEST(InputLimits, LintTreeThatDoublesAtEachLevelIsCut) {
  auto zone = std::make_shared<dns::ZoneData>();
  for (int i = 1; i < 20; ++i) {
    const std::string next = "x" + std::to_string(i + 1) + ".example";
    zone->add("x" + std::to_string(i) + ".example", txt("v=spf1 include:" + next + " include:" + next + " -all"));
  }
  zone->add("x20.example", txt("v=spf1 -all"));
  dns::ZoneResolver resolver(zone);
  const auto r = lint::lint(resolver, "x1.example");
  EXPECT_TRUE(has(r, "lint-limit"));
  EXPECT_TRUE(has(r, "too-many-lookups"));
  EXPECT_EQ(r.verdict, "errors");
  EXPECT_GT(r.lookups, 10);
  EXPECT_LT(r.lookups, 1000) << "counted far past what the limit lets it follow";
}

// Wide instead of deep: 40 includes, each of 40 distinct names with 40 a: terms.
TEST(InputLimits, LintQueriesAreBounded) {
  auto zone = std::make_shared<dns::ZoneData>();
  std::string top = "v=spf1";
  for (int i = 0; i < 40; ++i) {
    std::string rec = "v=spf1";
    for (int k = 0; k < 40; ++k) rec += " a:h" + std::to_string(k) + ".i" + std::to_string(i) + ".example";
    zone->add("i" + std::to_string(i) + ".example", txt(rec + " -all"));
    top += " include:i" + std::to_string(i) + ".example";
  }
  zone->add("wide.example", txt(top + " -all"));
  dns::ZoneResolver resolver(zone);
  const auto r = lint::lint(resolver, "wide.example");
  EXPECT_TRUE(has(r, "lint-limit"));
  EXPECT_TRUE(has(r, "too-many-lookups"));
}

TEST(InputLimits, LintRecordsUnderTheLimitsAreNotCut) {
  auto zone = std::make_shared<dns::ZoneData>();
  std::string top = "v=spf1";
  for (int i = 0; i < 30; ++i) {
    zone->add("p" + std::to_string(i) + ".example", txt("v=spf1 ip4:192.0.2." + std::to_string(i) + " -all"));
    top += " include:p" + std::to_string(i) + ".example";
  }
  zone->add("many.example", txt(top + " -all"));
  dns::ZoneResolver resolver(zone);
  const auto r = lint::lint(resolver, "many.example");
  EXPECT_FALSE(has(r, "lint-limit"));
  EXPECT_EQ(r.lookups, 30);
  EXPECT_EQ(r.tree.children.size(), 30u);
}

// An MX answer of 1000 names: receivers give permerror past 10 without
// looking any up, and the linter looks up the first 10 only.
TEST(InputLimits, LintLooksUpTenMxNamesAtMost) {
  auto zone = std::make_shared<dns::ZoneData>();
  zone->add("bigmx.example", txt("v=spf1 mx -all"));
  for (int i = 0; i < 1000; ++i) {
    dns::Record mx;
    mx.type = dns::RType::MX;
    mx.preference = 10;
    mx.target = "mx" + std::to_string(i) + ".bigmx.example";
    zone->add("bigmx.example", mx);
    dns::Record a;
    a.type = dns::RType::A;
    a.address = *IpAddress::parse("192.0.2." + std::to_string(i % 250));
    zone->add(mx.target, a);
  }
  dns::ZoneResolver resolver(zone);
  const auto r = lint::lint(resolver, "bigmx.example");
  EXPECT_TRUE(has(r, "too-many-mx-names"));
  EXPECT_EQ(r.max_mx_names, 1000);
  EXPECT_EQ(r.tree.mx_hosts.size(), 10u);
  EXPECT_FALSE(has(r, "lint-limit"));
}

// ---- the bounce reader -----------------------------------------------------

std::string dsn_with_recipients(int n) {
  std::string m =
      "From: MAILER-DAEMON@mx.example\nSubject: Undelivered\nContent-Type: multipart/report; "
      "report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nfailed\n--B\n"
      "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n";
  for (int i = 0; i < n; ++i) {
    m += "\nFinal-Recipient: rfc822; u" + std::to_string(i) + "@example.com\nAction: failed\nStatus: 5.7.23\n";
  }
  return m + "\n--B--\n";
}

bool has_note(const bounce::Bounce& b, const std::string& words) {
  return std::any_of(b.notes.begin(), b.notes.end(), [&](const std::string& n) { return n.find(words) != n.npos; });
}

TEST(InputLimits, BounceRecipientsPastTheLimitAreCounted) {
  const auto b = bounce::parse(dsn_with_recipients(1500));
  EXPECT_EQ(b.recipients.size(), 1000u);
  EXPECT_TRUE(has_note(b, "names 1500 recipients; the first 1000 are listed"));
  EXPECT_EQ(bounce::parse(dsn_with_recipients(20)).recipients.size(), 20u);
}

TEST(InputLimits, BounceHeaderFieldsAreCut) {
  const std::string subject(100000, 's');
  const auto b = bounce::parse("From: MAILER-DAEMON@mx.example\nSubject: " + subject + "\n\n550 5.7.23 SPF\n");
  EXPECT_LE(b.subject.size(), 4096u + 3);
  EXPECT_TRUE(b.subject.ends_with("..."));
  EXPECT_TRUE(has_note(b, "are cut"));
  // A cut never splits a UTF-8 sequence.
  std::string umlauts;
  for (int i = 0; i < 3000; ++i) umlauts += "\xc3\xa4";
  const auto u = bounce::parse("From: MAILER-DAEMON@mx.example\nSubject: " + umlauts + "\n\n550 5.7.23 SPF\n");
  ASSERT_TRUE(u.subject.ends_with("..."));
  const std::string kept = u.subject.substr(0, u.subject.size() - 3);
  EXPECT_EQ(kept.size() % 2, 0u);
  EXPECT_EQ(static_cast<unsigned char>(kept.back()), 0xa4);
}

TEST(InputLimits, BounceReceivedHopsAreCut) {
  std::string original = "From: alice@example.com\nTo: bob@example.net\nSubject: hi\n";
  for (int i = 0; i < 300; ++i) {
    original += "Received: from h" + std::to_string(i) + ".example (h.example [192.0.2." + std::to_string(i % 250) +
                "]) by mx.example with ESMTP id " + std::to_string(i) + "; Tue, 14 Mar 2023 09:12:05 +0000\n";
  }
  const std::string m =
      "From: MAILER-DAEMON@mx.example\nSubject: Undelivered\nContent-Type: multipart/report; "
      "report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nfailed\n--B\n"
      "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; "
      "bob@example.net\nAction: failed\nStatus: 5.7.23\n\n--B\nContent-Type: text/rfc822-headers\n\n" +
      original + "\n--B--\n";
  const auto b = bounce::parse(m);
  EXPECT_EQ(b.original.received.size(), 100u);
  EXPECT_TRUE(has_note(b, "300 Received: fields; the first 100 are listed"));
}

TEST(InputLimits, BounceMimePartsPastTheLimitAreNotRead) {
  std::string m = "From: MAILER-DAEMON@mx.example\nSubject: x\nContent-Type: multipart/mixed; boundary=\"P\"\n\n";
  for (int i = 0; i < 1000; ++i) m += "--P\nContent-Type: text/plain\n\npart " + std::to_string(i) + "\n";
  m += "--P--\n";
  const auto b = bounce::parse(m);
  EXPECT_TRUE(has_note(b, "MIME structure deeper or larger than the limits"));
}

TEST(InputLimits, MboxWithMoreMessagesThanReadSaysSo) {
  std::string mbox;
  for (int i = 0; i < 50; ++i) {
    mbox += "From MAILER-DAEMON Tue Mar 14 09:12:05 2023\nFrom: MAILER-DAEMON@mx.example\nSubject: x\n\n550 5.7.23 <u" +
            std::to_string(i) + "@example.com> SPF\n\n";
  }
  const auto b = bounce::parse(mbox);
  EXPECT_LT(b.recipients.size(), 50u);
  EXPECT_TRUE(has_note(b, "more messages than are read"));
  EXPECT_FALSE(has_note(b, "the recipients of all are listed"));
}

// nlohmann::json copies nested values recursively: an SES notification of
// 200,000 '[' overflowed the stack (crashing `bounce`, and `serve` for
// everyone). Past 32 levels it is not read as JSON.
TEST(InputLimits, DeeplyNestedSesJsonIsNotFollowed) {
  const std::string deep = "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
                           "{\"notificationType\":\"Bounce\",\"bounce\":" +
                           std::string(200000, '[') + std::string(200000, ']') + "}\n";
  const auto b = bounce::parse(deep);
  EXPECT_TRUE(b.recipients.empty());
  // A real notification (nested in an SNS envelope) still reads.
  const std::string ses =
      "From: no-reply@sns.amazonaws.com\nSubject: AWS Notification Message\n\n"
      "{\"Type\":\"Notification\",\"Message\":\"{\\\"notificationType\\\":\\\"Bounce\\\",\\\"bounce\\\":"
      "{\\\"bounceType\\\":\\\"Permanent\\\",\\\"bouncedRecipients\\\":[{\\\"emailAddress\\\":"
      "\\\"bob@example.net\\\",\\\"action\\\":\\\"failed\\\",\\\"status\\\":\\\"5.7.23\\\","
      "\\\"diagnosticCode\\\":\\\"smtp; 550 5.7.23 SPF\\\"}]},\\\"mail\\\":{\\\"source\\\":"
      "\\\"alice@example.com\\\",\\\"sourceIp\\\":\\\"192.0.2.1\\\"}}\"}\n";
  const auto s = bounce::parse(ses);
  ASSERT_EQ(s.recipients.size(), 1u);
  EXPECT_EQ(s.recipients[0].recipient, "bob@example.net");
  EXPECT_EQ(s.recipients[0].status, "5.7.23");
  EXPECT_EQ(s.original.envelope_from, "alice@example.com");
  EXPECT_EQ(s.system, "amazonses");
}

}  // namespace
}  // namespace spfdoctor
