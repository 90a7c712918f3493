// The record parser: terms, qualifiers, dual CIDR, modifiers, error positions.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace spfdoctor::spf
