// The record parser: terms, qualifiers, dual CIDR, modifiers, error positions.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "spfdoctor/record.hpp"

namespace spfdoctor::spf {
namespace {

TEST(RecordSelection, VersionMustBeExactAndCaseInsensitive) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf_record("V=SpF1 mx"));
  EXPECT_FALSE(is_spf_record("v=spf10"));
  EXPECT_FALSE(is_spf_record("v=spf1mx"));
  EXPECT_FALSE(is_spf_record(" v=spf1 -all"));
  EXPECT_FALSE(is_spf_record("spf2.0/pra -all"));
}

TEST(RecordParser, TermsWithPositionsAndQualifiers) {
  auto r = parse_record("v=spf1  ip4:192.0.2.0/24 ~include:_spf.example.net ?mx//64 -all");
  ASSERT_EQ(r.terms.size(), 4u);
  EXPECT_EQ(r.terms[0].offset, 8u);
  EXPECT_EQ(r.terms[0].mechanism, Mechanism::Ip4);
  ASSERT_TRUE(r.terms[0].network);
  EXPECT_EQ(r.terms[0].network->to_string(), "192.0.2.0/24");
  EXPECT_EQ(r.terms[1].qualifier, Qualifier::SoftFail);
  EXPECT_EQ(r.terms[1].mechanism, Mechanism::Include);
  EXPECT_EQ(r.terms[1].arg, "_spf.example.net");
  EXPECT_EQ(r.terms[1].offset, 25u);
  EXPECT_EQ(r.terms[2].mechanism, Mechanism::Mx);
  EXPECT_EQ(r.terms[2].qualifier, Qualifier::Neutral);
  EXPECT_FALSE(r.terms[2].cidr4);
  EXPECT_EQ(r.terms[2].cidr6, 64);
  EXPECT_EQ(r.terms[3].qualifier, Qualifier::Fail);
  EXPECT_EQ(r.terms[3].mechanism, Mechanism::All);
  EXPECT_EQ(r.first_error(), nullptr);
}

TEST(RecordParser, ConstantDomainSpecsMarkedAsQueryNames) {
  // Only a constant that DNS is asked as it is: lower case, no trailing dot
  // (after the one dropped), every label 1-63 octets.
  auto r = parse_record("v=spf1 include:_spf.example.net include:Upper.example.net include:x..example.net "
                        "include:a.example.net.. include:%{d}.example.net a -all");
  ASSERT_EQ(r.terms.size(), 7u);
  EXPECT_TRUE(r.terms[0].spec.constant_is_query_name);
  EXPECT_FALSE(r.terms[1].spec.constant_is_query_name);
  EXPECT_FALSE(r.terms[2].spec.constant_is_query_name);
  EXPECT_FALSE(r.terms[3].spec.constant_is_query_name);
  EXPECT_FALSE(r.terms[4].spec.constant_is_query_name);
  EXPECT_FALSE(r.terms[5].spec.constant_is_query_name);
  auto dot = parse_record("v=spf1 include:example.net. -all");
  EXPECT_TRUE(dot.terms[0].spec.constant_is_query_name);  // the one trailing dot is dropped
  std::string long_label(64, 'a');
  auto lng = parse_record("v=spf1 include:" + long_label + ".example.net -all");
  EXPECT_FALSE(lng.terms[0].spec.constant_is_query_name);
}

TEST(RecordParser, DualCidrOnA) {
  auto r = parse_record("v=spf1 a:mail.example.com/24//48");
  ASSERT_EQ(r.terms.size(), 1u);
  EXPECT_EQ(r.terms[0].arg, "mail.example.com");
  EXPECT_EQ(r.terms[0].cidr4, 24);
  EXPECT_EQ(r.terms[0].cidr6, 48);
}

TEST(RecordParser, MechanismNamesAreCaseInsensitive) {
  auto r = parse_record("v=spf1 IP4:192.0.2.1 Include:example.net MX -ALL");
  ASSERT_EQ(r.terms.size(), 4u);
  EXPECT_EQ(r.first_error(), nullptr);
  EXPECT_EQ(r.terms[0].mechanism, Mechanism::Ip4);
  EXPECT_EQ(r.terms[1].mechanism, Mechanism::Include);
  EXPECT_EQ(r.terms[2].mechanism, Mechanism::Mx);
  EXPECT_EQ(r.terms[3].mechanism, Mechanism::All);
}

TEST(RecordParser, ModifiersAreRecognised) {
  auto r = parse_record("v=spf1 -all redirect=_spf.example.com exp=why.%{d} moo=bar");
  ASSERT_EQ(r.terms.size(), 4u);
  EXPECT_EQ(r.terms[1].kind, TermKind::Redirect);
  EXPECT_EQ(r.terms[2].kind, TermKind::Explanation);
  EXPECT_EQ(r.terms[3].kind, TermKind::UnknownModifier);
  EXPECT_EQ(r.first_error(), nullptr);
  ASSERT_NE(r.redirect(), nullptr);
  EXPECT_EQ(r.redirect()->arg, "_spf.example.com");
}

struct BadRecord {
  const char* record;
  std::size_t error_offset;
};

class RecordErrors : public ::testing::TestWithParam<BadRecord> {};

TEST_P(RecordErrors, ErrorIsAttachedToTheRightTerm) {
  auto r = parse_record(GetParam().record);
  const Term* bad = r.first_error();
  ASSERT_NE(bad, nullptr) << GetParam().record;
  EXPECT_EQ(bad->error_offset, GetParam().error_offset) << GetParam().record << ": " << *bad->error;
  EXPECT_FALSE(bad->error->empty());
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, RecordErrors,
    ::testing::Values(
        BadRecord{"v=spf1 ip4:192.0.2.1/33 -all", 7}, BadRecord{"v=spf1 ip4:1.2.3 -all", 7},
        BadRecord{"v=spf1 a -all foo", 14}, BadRecord{"v=spf1 mx//129", 7}, BadRecord{"v=spf1 ip6:2001:db8::/129", 7},
        BadRecord{"v=spf1 ip4:10.0.0.0/8//64", 7}, BadRecord{"v=spf1 include -all", 7},
        BadRecord{"v=spf1 exists -all", 7}, BadRecord{"v=spf1 -all:foo", 7}, BadRecord{"v=spf1 =a", 7},
        BadRecord{"v=spf1 a:example.com, -all", 7}, BadRecord{"v=spf1 redirect=a.example redirect=b.example", 26},
        BadRecord{"v=spf1 exp=a.example.com exp=b.example.com", 25}, BadRecord{"v=spf1 a:%{x}.example.com", 7},
        BadRecord{"v=spf1 a:%{c}.example.com", 7}, BadRecord{"v=spf1 exists:%{i}.bad%", 7},
        BadRecord{"v=spf1 a:foo.123", 7}, BadRecord{"v=spf1 include:example.com/24", 7},
        BadRecord{"v=spf1 mx a:1.2.3.4", 10}, BadRecord{"v=spf1 moo=%{z}", 7}, BadRecord{"v=spf1 redirect=", 7}));

TEST(DomainEnd, TopLabelOrMacro) {
  EXPECT_TRUE(has_valid_domain_end("example.com"));
  EXPECT_TRUE(has_valid_domain_end("example.com."));
  EXPECT_TRUE(has_valid_domain_end("%{d}"));
  EXPECT_TRUE(has_valid_domain_end("%{ir}.%{v}._spf.%{d2}"));
  EXPECT_TRUE(has_valid_domain_end("a.xn--p1ai"));
  EXPECT_FALSE(has_valid_domain_end("example"));
  EXPECT_FALSE(has_valid_domain_end("example.123"));
  EXPECT_FALSE(has_valid_domain_end("example.com:8080"));
  EXPECT_FALSE(has_valid_domain_end(""));
}

TEST(MacroCompile, ValidAndInvalid) {
  auto ok = compile_macro_string("%{ir}.%{v}._spf.%{D2}%%%_%-", MacroContext::DomainSpec);
  EXPECT_FALSE(ok.error);
  EXPECT_FALSE(ok.uses_p);
  EXPECT_TRUE(compile_macro_string("%{p}.example.com", MacroContext::DomainSpec).uses_p);
  EXPECT_TRUE(compile_macro_string("%{c}", MacroContext::DomainSpec).error);
  EXPECT_FALSE(compile_macro_string("%{c} %{r} %{t}", MacroContext::Explanation).error);
  EXPECT_TRUE(compile_macro_string("100%", MacroContext::Explanation).error);
  EXPECT_TRUE(compile_macro_string("%x", MacroContext::Explanation).error);
  EXPECT_TRUE(compile_macro_string("%{}", MacroContext::Explanation).error);
}

// A record of many small terms parses to far more memory than its text (a
// 64 KB record of "a" terms: 32,000 terms). The per-thread cache counts
// footprint() and stays within its 32 MiB; a giant is not kept at all.
TEST(ParseRecordCached, BoundedInBytesNotOnlyInRecords) {
  const auto record_of = [](int n, int terms) {
    std::string text = "v=spf1";
    for (int k = 0; k < terms; ++k) text += " ip4:10." + std::to_string(n % 250) + "." + std::to_string(k / 250) + "." + std::to_string(k % 250);
    return text + " -all";
  };
  // footprint(): the terms and six times the text, whatever the record holds.
  const Record small = parse_record("v=spf1 -all");
  EXPECT_EQ(footprint(small), sizeof(Record) + 6 * 11 + 1 * (sizeof(Term) + 64));
  const std::string mid = record_of(0, 4000);  // ~56 KB, ~2 MB parsed
  const std::size_t mid_cost = footprint(parse_record(mid));
  EXPECT_GT(mid_cost, std::size_t{1} << 20);
  EXPECT_LT(mid_cost, std::size_t{4} << 20);

  const auto first = parse_record_cached("v=spf1 include:_spf.example.net -all");
  EXPECT_EQ(parse_record_cached("v=spf1 include:_spf.example.net -all"), first);  // a cache, still
  std::size_t max_bytes = 0;
  for (int n = 0; n < 60; ++n) {  // 60 x 2 MB: more than the budget
    const auto rec = parse_record_cached(record_of(n, 4000));
    ASSERT_EQ(rec->terms.size(), 4001u);
    max_bytes = std::max(max_bytes, parse_cache_use().bytes);
  }
  EXPECT_LE(max_bytes, std::size_t{32} << 20);
  EXPECT_GT(max_bytes, std::size_t{16} << 20);  // it does fill up before starting again
  EXPECT_LT(parse_cache_use().records, 20u);

  std::string giant = "v=spf1";
  for (int k = 0; k < 32000; ++k) giant += " a";
  const auto before = parse_cache_use();
  const auto g1 = parse_record_cached(giant);
  const auto g2 = parse_record_cached(giant);
  EXPECT_EQ(g1->terms.size(), 32000u);
  EXPECT_NE(g1, g2);  // parsed twice: not kept
  EXPECT_EQ(parse_cache_use().records, before.records);
  EXPECT_EQ(parse_cache_use().bytes, before.bytes);
}

}  // namespace
}  // namespace spfdoctor::spf
