// The SPF checker: each finding id fires on the crafted domain that has the
// problem and not on clean records; counts follow RFC 7208 §4.6.4.
#include <gtest/gtest.h>

#include <algorithm>

#include "spfdoctor/lint.hpp"

namespace spfdoctor::lint {
namespace {

std::shared_ptr<dns::ZoneData> zone() {
  static auto z = std::make_shared<dns::ZoneData>(dns::load_master_file(std::string(SPFDOCTOR_TEST_DATA) + "/lint.zone"));
  return z;
}

LintReport check(const std::string& domain, LintOptions o = {}) {
  dns::ZoneResolver r(zone());
  return lint(r, domain, o);
}

bool has(const LintReport& r, const std::string& id) {
  return std::any_of(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.id == id; });
}

bool any_error(const LintReport& r) {
  return std::any_of(r.findings.begin(), r.findings.end(), [](const Finding& f) { return f.severity == Severity::Error; });
}

std::string ids(const LintReport& r) {
  std::string s;
  for (const auto& f : r.findings) s += f.id + " ";
  return s;
}

TEST(Lint, CleanRecordsHaveNoErrorsAndExactCounts) {
  auto r = check("clean.example");
  EXPECT_FALSE(any_error(r)) << ids(r);
  EXPECT_EQ(r.verdict, "ok") << ids(r);
  EXPECT_EQ(r.lookups, 1);
  EXPECT_EQ(r.void_lookups, 0);
  ASSERT_EQ(r.tree.children.size(), 1u);
  EXPECT_EQ(r.tree.children[0].domain, "_spf.provider.example");
  EXPECT_EQ(r.tree.children[0].ip4, std::vector<std::string>{"198.51.100.0/24"});
  EXPECT_EQ(r.tree.children[0].ip6, std::vector<std::string>{"2001:db8:100::/48"});
  EXPECT_EQ(r.tree.ip4, std::vector<std::string>{"192.0.2.0/24"});

  r = check("clean-mx.example");  // checkdmarc once counted voids here
  EXPECT_FALSE(any_error(r)) << ids(r);
  EXPECT_EQ(r.lookups, 2);
  EXPECT_EQ(r.void_lookups, 0);
  EXPECT_EQ(r.tree.mx_hosts, std::vector<std::string>{"mail.clean.example"});
}

TEST(Lint, NestedCountsAndTree) {
  auto r = check("nested.example");
  EXPECT_EQ(r.lookups, 5);  // include, include, a, mx, exists (MX hosts do not count)
  EXPECT_EQ(r.void_lookups, 0);
  ASSERT_EQ(r.tree.children.size(), 1u);
  const auto& n1 = r.tree.children[0];
  EXPECT_EQ(n1.lookups, 5);
  EXPECT_EQ(n1.own_lookups, 2);
  EXPECT_EQ(n1.children[0].lookups, 2);
  ASSERT_EQ(n1.children.size(), 1u);
  EXPECT_TRUE(n1.children[0].has_macros);
  EXPECT_FALSE(any_error(r)) << ids(r);
}

struct Case {
  const char* domain;
  const char* id;
  Severity severity;
};

class Findings : public ::testing::TestWithParam<Case> {};

TEST_P(Findings, FiresWithTheRightSeverity) {
  auto r = check(GetParam().domain);
  auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.id == GetParam().id; });
  ASSERT_NE(it, r.findings.end()) << GetParam().domain << ": " << ids(r);
  EXPECT_EQ(it->severity, GetParam().severity);
  EXPECT_FALSE(it->message.empty());
  EXPECT_FALSE(it->fix.empty());
  // None of these fire on the clean records.
  EXPECT_FALSE(has(check("clean.example"), GetParam().id));
  EXPECT_FALSE(has(check("clean-mx.example"), GetParam().id));
}

INSTANTIATE_TEST_SUITE_P(
    Contract, Findings,
    ::testing::Values(Case{"norecord.example", "no-record", Severity::Error},
                      Case{"multi.example", "multiple-records", Severity::Error},
                      Case{"syntax.example", "syntax-error", Severity::Error},
                      Case{"toomany.example", "too-many-lookups", Severity::Error},
                      Case{"void.example", "too-many-void-lookups", Severity::Error},
                      Case{"incnorec.example", "include-no-record", Severity::Error},
                      Case{"loop.example", "include-loop", Severity::Error},
                      Case{"rednorec.example", "redirect-no-record", Severity::Error},
                      Case{"cidr.example", "invalid-cidr", Severity::Error},
                      Case{"cidr6.example", "invalid-cidr", Severity::Error},
                      Case{"plusall.example", "plus-all", Severity::Error},
                      Case{"bareall.example", "plus-all", Severity::Error},
                      Case{"ptr.example", "ptr-mechanism", Severity::Warning},
                      Case{"noall.example", "no-all", Severity::Warning},
                      Case{"neutral.example", "neutral-all", Severity::Warning},
                      Case{"after.example", "terms-after-all", Severity::Warning},
                      Case{"redirall.example", "redirect-with-all", Severity::Warning},
                      Case{"spf99.example", "deprecated-spf-rr", Severity::Warning},
                      Case{"long.example", "record-too-long", Severity::Warning},
                      Case{"nearlimit.example", "lookups-near-limit", Severity::Warning},
                      Case{"exactlimit.example", "lookups-near-limit", Severity::Warning},
                      Case{"softfail.example", "softfail-all", Severity::Info},
                      Case{"bigmx.example", "too-many-mx-names", Severity::Error},
                      Case{"m365.example", "provider-include-missing", Severity::Warning}));

TEST(Lint, SyntaxErrorNamesTermAndPosition) {
  auto r = check("syntax.example");
  auto it = std::find_if(r.findings.begin(), r.findings.end(), [](const Finding& f) { return f.id == "syntax-error"; });
  ASSERT_NE(it, r.findings.end());
  EXPECT_EQ(it->term, "foo:bar");
  EXPECT_EQ(it->position, 21u);
  EXPECT_NE(it->message.find("foo:bar"), std::string::npos);
  EXPECT_NE(it->message.find("byte 21"), std::string::npos);
}

// A syntax-error finding iff the evaluator's permerror blames syntax (the
// fuzz_check_host invariant): non-ASCII bytes are outside the §12 grammar in a
// given record as in a published one.
TEST(Lint, NonAsciiIsASyntaxErrorPublishedOrGiven) {
  auto zone = std::make_shared<dns::ZoneData>();
  dns::Record txt;
  txt.type = dns::RType::TXT;
  txt.strings = {"v=spf1 a:ex\xc3\xa4mple.com -all"};
  zone->add("uml.example", txt);
  dns::ZoneResolver resolver(zone);
  auto published = lint(resolver, "uml.example");
  EXPECT_TRUE(has(published, "syntax-error")) << ids(published);
  const auto e = evaluate(resolver, Query{*IpAddress::parse("192.0.2.1"), "a@uml.example", "", "unknown"});
  EXPECT_EQ(e.result, Result::PermError);

  LintOptions o;
  o.record = "v=spf1 ip4:192.0.2.1 a:ex\xc3\xa4mple.com -all";
  auto given = check("clean.example", o);
  auto it = std::find_if(given.findings.begin(), given.findings.end(), [](const Finding& f) { return f.id == "syntax-error"; });
  ASSERT_NE(it, given.findings.end()) << ids(given);
  EXPECT_NE(it->message.find("the given record has non-ASCII"), std::string::npos) << it->message;
  EXPECT_EQ(given.verdict, "errors");
}

TEST(Lint, CountsGoOnPastTheLimitAndTheTreeIsWhole) {
  auto r = check("toomany.example");
  EXPECT_EQ(r.lookups, 12);
  EXPECT_EQ(r.tree.children.size(), 12u);
  ASSERT_TRUE(r.flatten);
  EXPECT_LE(r.flatten->lookups_after, 10);
  EXPECT_EQ(r.flatten->flatten.size(), 2u);
  EXPECT_NE(r.flatten->record.find("ip4:203.0.113."), std::string::npos);
  EXPECT_FALSE(r.flatten->note.empty());
  EXPECT_EQ(check("exactlimit.example").lookups, 10);
  EXPECT_FALSE(has(check("exactlimit.example"), "too-many-lookups"));
}

TEST(Lint, VoidLookupsCountedExactly) {
  EXPECT_EQ(check("void.example").void_lookups, 3);
  auto two = check("twovoid.example");
  EXPECT_EQ(two.void_lookups, 2);
  EXPECT_FALSE(has(two, "too-many-void-lookups"));
  EXPECT_EQ(check("incnorec.example").void_lookups, 0);  // a TXT answer that is not SPF is not void
}

TEST(Lint, LoopTreeStopsAtTheLoop) {
  auto r = check("loop.example");
  ASSERT_EQ(r.tree.children.size(), 1u);
  ASSERT_EQ(r.tree.children[0].children.size(), 1u);
  EXPECT_EQ(r.tree.children[0].children[0].problem, "loop");
}

TEST(Lint, RedirectFollowed) {
  auto r = check("redirect.example");
  EXPECT_FALSE(any_error(r)) << ids(r);
  EXPECT_FALSE(has(r, "no-all"));
  ASSERT_EQ(r.tree.children.size(), 1u);
  EXPECT_EQ(r.tree.children[0].via, "redirect");
  EXPECT_EQ(r.lookups, 2);
}

// A record of thousands of repeated terms made one finding each (31,000
// duplicate-term findings a record of "a" terms; a 169 MB report for a tree
// of them). At most ten of one id a record are listed, then one that counts
// the rest; fewer than eleven are all listed, as before.
TEST(Lint, RepeatedFindingsAreFoldedAfterTen) {
  LintOptions o;
  std::string rec = "v=spf1";
  for (int i = 0; i < 40; ++i) rec += " ip4:192.0.2.1";
  o.record = rec + " ip4:192.0.2.2 ip4:192.0.2.2 -all";
  auto r = check("norecord.example", o);
  std::vector<const Finding*> dups;
  for (const auto& f : r.findings) {
    if (f.id == "duplicate-term") dups.push_back(&f);
  }
  ASSERT_EQ(dups.size(), 11u) << ids(r);
  for (std::size_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(dups[i]->term);
    EXPECT_TRUE(dups[i]->position);
  }
  // 40 + 1 repeats in all (39 of the first address, 1 of the second): 10 listed, 30 counted.
  EXPECT_EQ(dups[10]->message, "30 more \"duplicate-term\" findings in the record of norecord.example, not listed one by one");
  EXPECT_EQ(dups[10]->severity, Severity::Info);
  EXPECT_EQ(dups[10]->fix, "remove the repeated term");
  EXPECT_EQ(dups[10]->domain, "norecord.example");
  EXPECT_FALSE(dups[10]->term);

  o.record = "v=spf1 ip4:192.0.2.1 ip4:192.0.2.1 ip4:192.0.2.1 -all";
  r = check("norecord.example", o);
  EXPECT_EQ(std::count_if(r.findings.begin(), r.findings.end(), [](const Finding& f) { return f.id == "duplicate-term"; }), 2);
  EXPECT_TRUE(std::none_of(r.findings.begin(), r.findings.end(),
                           [](const Finding& f) { return f.message.find("not listed") != std::string::npos; }));
}

TEST(Lint, WhatIfRecordAndIpCheck) {
  LintOptions o;
  o.record = "v=spf1 ip4:192.0.2.0/24 include:_spf.provider.example -all";
  o.ip = *IpAddress::parse("2001:db8:100::9");
  auto r = check("norecord.example", o);
  EXPECT_FALSE(has(r, "no-record"));
  EXPECT_TRUE(r.record_given);
  ASSERT_TRUE(r.ip_check);
  EXPECT_EQ(r.ip_check->result, Result::Pass);
  ASSERT_EQ(r.ip_check->match_path.size(), 2u);
  EXPECT_EQ(r.ip_check->match_path[1].domain, "_spf.provider.example");
  EXPECT_EQ(r.ip_check->match_path[1].term, "ip6:2001:db8:100::/48");
}

TEST(Lint, ProviderAdvice) {
  auto r = check("m365.example");
  ASSERT_EQ(r.providers.size(), 1u);
  EXPECT_EQ(r.providers[0].include, "spf.protection.outlook.com");
  EXPECT_FALSE(r.providers[0].included);
  auto ok = check("m365ok.example");
  ASSERT_EQ(ok.providers.size(), 1u);
  EXPECT_TRUE(ok.providers[0].included);
  EXPECT_FALSE(has(ok, "provider-include-missing"));
  LintOptions o;
  o.providers = {"google"};
  auto g = check("clean.example", o);
  EXPECT_TRUE(has(g, "provider-include-missing"));
}

}  // namespace
}  // namespace spfdoctor::lint
