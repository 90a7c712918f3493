// The linter's per-record facts and their per-thread cache (src/lint/record_facts.*):
// the facts are what a fresh parse gives, the cache keys on the exact text,
// stays within its bounds, and a lint from the cache is the lint without it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "lint/record_facts.hpp"
#include "spfdoctor/lint.hpp"
#include "spfdoctor/lint_report.hpp"

namespace spfdoctor::lint {
namespace {

TEST(RecordFacts, NetworksOfPassIpTermsOnly) {
  auto f = record_facts("v=spf1 ip4:192.0.2.7 -ip4:198.51.100.0/24 +ip6:2001:DB8::/32 ip4:1.2.3.4/33 mx ~all");
  ASSERT_EQ(f.record.terms.size(), 6U);
  ASSERT_EQ(f.networks.size(), 6U);
  EXPECT_EQ(f.networks[0], "192.0.2.7/32");
  EXPECT_EQ(f.networks[1], "");  // fail-qualified: authorizes nothing
  EXPECT_EQ(f.networks[2], "2001:db8::/32");
  EXPECT_EQ(f.networks[3], "");  // syntax error
  EXPECT_EQ(f.networks[4], "");
  EXPECT_EQ(f.networks[5], "");
}

TEST(RecordFacts, RepeatsAreExactTextsOfErrorFreeTerms) {
  auto f = record_facts("v=spf1 a mx A a ip4:300.1.1.1 ip4:300.1.1.1 exp=x.example mx -all");
  ASSERT_EQ(f.repeats.size(), 9U);
  std::vector<bool> want{false, false, false, true, false, false, false, true, false};
  EXPECT_EQ(f.repeats, want);  // "A" is not "a"; the broken ip4 terms are not compared
}

TEST(RecordFacts, RepeatsInALongRecord) {
  // Past 32 terms the repeats are found with a set: the same answer.
  std::string text = "v=spf1";
  for (int i = 0; i < 40; ++i) text += " ip4:192.0.2." + std::to_string(i);
  text += " ip4:192.0.2.3 ip4:300.0.0.1 ip4:300.0.0.1 IP4:192.0.2.5 -all";
  auto f = record_facts(text);
  ASSERT_EQ(f.repeats.size(), 45U);
  for (std::size_t i = 0; i < 45; ++i) EXPECT_EQ(f.repeats[i], i == 40) << i;
}

TEST(RecordFactsCache, SameTextSameEntry) {
  RecordFactsCache cache(16, 1 << 16);
  const std::string text = "v=spf1 include:_spf.example.net ip4:192.0.2.0/24 -all";
  auto a = cache.get(text);
  auto b = cache.get(std::string(text));  // another buffer, same bytes
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_EQ(cache.bytes(), approximate_bytes(*a) + text.size());
  auto fresh = record_facts(text);
  EXPECT_EQ(spf::to_string(a->record), spf::to_string(fresh.record));
  EXPECT_EQ(a->record.text, text);
  EXPECT_EQ(a->networks, fresh.networks);
  EXPECT_EQ(a->repeats, fresh.repeats);
}

TEST(RecordFactsCache, TextsThatDifferInCaseOrSpacingAreDistinct) {
  RecordFactsCache cache(16, 1 << 16);
  auto plain = cache.get("v=spf1 ip4:192.0.2.1 -all");
  auto upper = cache.get("v=spf1 IP4:192.0.2.1 -all");
  auto spaced = cache.get("v=spf1  ip4:192.0.2.1 -all");
  auto failq = cache.get("v=spf1 -ip4:192.0.2.1 -all");
  EXPECT_EQ(cache.size(), 4U);
  EXPECT_NE(plain.get(), upper.get());
  EXPECT_NE(plain.get(), spaced.get());
  EXPECT_EQ(plain->record.terms[0].text, "ip4:192.0.2.1");
  EXPECT_EQ(upper->record.terms[0].text, "IP4:192.0.2.1");
  EXPECT_EQ(plain->record.terms[0].offset, 7U);
  EXPECT_EQ(spaced->record.terms[0].offset, 8U);  // positions in findings come from here
  EXPECT_EQ(plain->networks[0], "192.0.2.1/32");
  EXPECT_EQ(upper->networks[0], "192.0.2.1/32");
  EXPECT_EQ(failq->networks[0], "");
  EXPECT_EQ(cache.get("v=spf1 IP4:192.0.2.1 -all").get(), upper.get());
}

TEST(RecordFactsCache, StaysWithinItsBounds) {
  RecordFactsCache by_count(4, 1 << 20);
  std::shared_ptr<const RecordFacts> first;
  for (int i = 0; i < 50; ++i) {
    auto f = by_count.get("v=spf1 ip4:192.0.2." + std::to_string(i) + " -all");
    if (i == 0) first = f;
    EXPECT_LE(by_count.size(), 4U);
  }
  // An entry taken before the cache dropped it is still whole.
  EXPECT_EQ(first->networks[0], "192.0.2.0/32");

  const std::size_t one = approximate_bytes(record_facts("v=spf1 ip4:198.51.100.10 -all")) + 29;
  RecordFactsCache by_bytes(1000, 5 * one);
  for (int i = 10; i < 60; ++i) {
    (void)by_bytes.get("v=spf1 ip4:198.51.100." + std::to_string(i) + " -all");
    EXPECT_LE(by_bytes.bytes(), 5 * one);
    EXPECT_LE(by_bytes.size(), 5U);
  }
  EXPECT_GE(by_bytes.size(), 1U);
  // Facts over a quarter of the budget are computed but not kept: many short
  // terms weigh far more than their text (each is a Term).
  std::string big = "v=spf1";
  for (int i = 0; i < 8; ++i) big += " a";
  ASSERT_LT(big.size(), 5 * one / 4);  // the text alone would fit
  auto b1 = by_bytes.get(big);
  auto b2 = by_bytes.get(big);
  EXPECT_NE(b1.get(), b2.get());
  EXPECT_EQ(b1->record.terms.size(), 8U);
  EXPECT_EQ(b2->record.terms.size(), 8U);
}

dns::Record txt(std::string text) {
  dns::Record rr;
  rr.type = dns::RType::TXT;
  rr.ttl = 300;
  rr.strings = {std::move(text)};
  return rr;
}

// Two domains include records that differ only in a qualifier and in case:
// each lint shows its own record's networks, however often the thread's
// cache has seen the other, and a lint repeated from the cache is the same.
TEST(RecordFactsCache, LintsFromTheCacheAreTheLintsWithout) {
  auto z = std::make_shared<dns::ZoneData>();
  z->add("one.example", txt("v=spf1 include:prov.example -all"));
  z->add("two.example", txt("v=spf1 include:prov2.example -all"));
  z->add("three.example", txt("v=spf1 include:PROV3.example -all"));
  z->add("prov.example", txt("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/48 ip4:192.0.2.0/24 ~all"));
  z->add("prov2.example", txt("v=spf1 -ip4:192.0.2.0/24 ip6:2001:db8::/48 ip4:192.0.2.0/24 ~all"));
  z->add("prov3.example", txt("v=spf1 IP4:192.0.2.0/24 ip6:2001:db8::/48 ip4:192.0.2.0/24 ~all"));
  dns::ZoneResolver r(z);
  std::vector<std::string> first;
  for (int round = 0; round < 3; ++round) {
    int i = 0;
    for (const char* d : {"one.example", "two.example", "three.example"}) {
      auto rep = lint(r, d);
      ASSERT_EQ(rep.tree.children.size(), 1U) << d;
      const auto& prov = rep.tree.children[0];
      auto dumped = report::to_json(rep).dump();
      if (round == 0) {
        first.push_back(dumped);
      } else {
        EXPECT_EQ(dumped, first[static_cast<std::size_t>(i)]) << d;
      }
      ++i;
      if (std::string(d) == "two.example") {
        EXPECT_EQ(prov.ip4, (std::vector<std::string>{"192.0.2.0/24"}));
      } else {
        EXPECT_EQ(prov.ip4, (std::vector<std::string>{"192.0.2.0/24", "192.0.2.0/24"}));
      }
      EXPECT_EQ(prov.ip6, (std::vector<std::string>{"2001:db8::/48"}));
      // Only prov.example repeats a term as written ("-ip4:..." and "IP4:..."
      // are other texts).
      auto dup = std::find_if(rep.findings.begin(), rep.findings.end(),
                              [](const Finding& f) { return f.id == "duplicate-term"; });
      if (std::string(d) == "one.example") {
        ASSERT_NE(dup, rep.findings.end()) << d;
        EXPECT_EQ(dup->domain, "prov.example");
        EXPECT_EQ(dup->term, "ip4:192.0.2.0/24");
        EXPECT_EQ(dup->position, 42U);
      } else {
        EXPECT_EQ(dup, rep.findings.end()) << d;
      }
    }
  }
}

}  // namespace
}  // namespace spfdoctor::lint
