// check_host() on hand-made zones: macros, limits, identities, trace.
#include <gtest/gtest.h>

#include <sstream>

#include "spfdoctor/record.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor {
namespace {

class Zone {
 public:
  Zone& txt(const std::string& name, std::vector<std::string> strings) {
    dns::Record rr;
    rr.type = dns::RType::TXT;
    rr.strings = std::move(strings);
    data_->add(name, rr);
    return *this;
  }
  Zone& txt(const std::string& name, const std::string& s) { return txt(name, std::vector<std::string>{s}); }
  Zone& a(const std::string& name, const std::string& ip) {
    dns::Record rr;
    auto addr = IpAddress::parse(ip);
    rr.type = addr->is_v4() ? dns::RType::A : dns::RType::AAAA;
    rr.address = *addr;
    data_->add(name, rr);
    return *this;
  }
  Zone& mx(const std::string& name, int pref, const std::string& host) {
    dns::Record rr;
    rr.type = dns::RType::MX;
    rr.preference = static_cast<std::uint16_t>(pref);
    rr.target = host;
    data_->add(name, rr);
    return *this;
  }
  Zone& ptr(const std::string& ip, const std::string& host) {
    dns::Record rr;
    rr.type = dns::RType::PTR;
    rr.target = host;
    data_->add(IpAddress::parse(ip)->reverse_name(), rr);
    return *this;
  }
  Evaluation eval(const std::string& ip, const std::string& sender, const std::string& helo = "mx.example.org") {
    dns::ZoneResolver r(data_);
    EvalOptions o;
    o.timestamp = 1700000000;
    return evaluate(r, Query{*IpAddress::parse_client(ip), sender, helo, "rx.example.org"}, o);
  }

 private:
  std::shared_ptr<dns::ZoneData> data_ = std::make_shared<dns::ZoneData>();
};

TEST(Evaluator, Ip4IncludeAndAll) {
  Zone z;
  z.txt("example.com", "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all")
      .txt("_spf.example.net", "v=spf1 ip4:198.51.100.7 -all");
  auto e = z.eval("192.0.2.9", "a@example.com");
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.matched, "ip4:192.0.2.0/24");
  e = z.eval("198.51.100.7", "a@example.com");
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.matched, "include:_spf.example.net");
  EXPECT_EQ(e.lookups, 1);
  e = z.eval("203.0.113.1", "a@example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.matched, "-all");
  EXPECT_FALSE(e.explanation);
}

// The match path is the branch of the include tree that decided: matches
// below the top that did not pass (a ~all inside an include, a -include that
// matched) leave nothing in it, whatever was evaluated before the decision.
TEST(Evaluator, MatchPathIsTheDecidingBranch) {
  Zone z;
  z.txt("example.com", "v=spf1 include:soft.example include:neg.example include:ok.example -all")
      .txt("soft.example", "v=spf1 include:deep.example ~all")
      .txt("deep.example", "v=spf1 ip4:10.0.0.1 -all")
      .txt("neg.example", "v=spf1 -include:pass.example ?all")
      .txt("pass.example", "v=spf1 ip4:192.0.2.0/24")
      .txt("ok.example", "v=spf1 include:pass.example -all")
      .txt("redir.example", "v=spf1 include:soft.example redirect=ok.example");
  auto path = [](const Evaluation& e) {
    std::string out;
    for (const auto& s : e.match_path) out += s.domain + " " + s.term + "; ";
    return out;
  };
  auto e = z.eval("192.0.2.9", "a@example.com");
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.matched, "include:ok.example");
  EXPECT_EQ(e.matched_domain, "example.com");
  EXPECT_EQ(path(e), "example.com include:ok.example; ok.example include:pass.example; pass.example ip4:192.0.2.0/24; ");
  e = z.eval("203.0.113.1", "a@example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(path(e), "example.com -all; ");
  e = z.eval("192.0.2.9", "a@redir.example");
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.matched_domain, "ok.example");
  EXPECT_EQ(path(e), "ok.example include:pass.example; pass.example ip4:192.0.2.0/24; ");
  e = z.eval("192.0.2.9", "a@neg.example");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(path(e), "neg.example -include:pass.example; pass.example ip4:192.0.2.0/24; ");
}

// The record, the deciding term and the match path share the parsed records
// instead of copying them: they must stay readable after the zone, the
// resolver and the per-thread record cache have let go (ASan checks reads).
TEST(Evaluator, ResultOutlivesTheRecordsItViews) {
  Evaluation e;
  {
    Zone z;
    z.txt("long-sender-domain.example", "v=spf1 include:_spf.%{d} include:_b.provider.example -all")
        .txt("_spf.long-sender-domain.example", "v=spf1 ip4:198.51.100.0/24")
        .txt("_b.provider.example", "v=spf1 include:_c.provider.example")
        .txt("_c.provider.example", "v=spf1 ip6:2001:db8::/32 ip4:192.0.2.0/24");
    e = z.eval("192.0.2.9", "a@long-sender-domain.example");
    Evaluation macro = z.eval("198.51.100.7", "a@long-sender-domain.example");
    ASSERT_EQ(macro.match_path.size(), 2u);
    EXPECT_EQ(macro.match_path[1].domain, "_spf.long-sender-domain.example");  // a macro's expansion: copied
    EXPECT_EQ(macro.match_path[1].term, "ip4:198.51.100.0/24");
  }
  for (int i = 0; i < 5000; ++i) {  // more than the record cache holds: it starts again
    (void)spf::parse_record_cached("v=spf1 ip4:10.0.0." + std::to_string(i % 256) + "/" + std::to_string(i));
  }
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.record, "v=spf1 include:_spf.%{d} include:_b.provider.example -all");
  EXPECT_EQ(e.matched, "include:_b.provider.example");
  EXPECT_EQ(e.matched_domain, "long-sender-domain.example");
  ASSERT_EQ(e.match_path.size(), 3u);
  EXPECT_EQ(e.match_path[0].domain, "long-sender-domain.example");
  EXPECT_EQ(e.match_path[1].domain, "_b.provider.example");
  EXPECT_EQ(e.match_path[1].term, "include:_c.provider.example");
  EXPECT_EQ(e.match_path[2].domain, "_c.provider.example");
  EXPECT_EQ(e.match_path[2].term, "ip4:192.0.2.0/24");
  Evaluation copy = e;  // copies share the text
  EXPECT_EQ(copy.match_path[2].term.view().data(), e.match_path[2].term.view().data());
  e = Evaluation{};
  EXPECT_EQ(copy.matched, "include:_b.provider.example");
  EXPECT_EQ(copy.match_path[0].term.str() + "|" + copy.match_path[2].term, "include:_b.provider.example|ip4:192.0.2.0/24");
}

TEST(SharedText, OwnsOrSharesItsText) {
  SharedText empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty, "");
  std::string source = "a copy of its own";
  SharedText own(source);
  source.assign(source.size(), 'x');  // the original changes; the copy does not
  EXPECT_EQ(own, "a copy of its own");
  SharedText same = own;
  EXPECT_EQ(same.view().data(), own.view().data());  // copies share one block
  auto holder = std::make_shared<const std::string>("v=spf1 include:example.net -all");
  SharedText term(holder, std::string_view(*holder).substr(7, 19));
  EXPECT_EQ(term.view().data(), holder->data() + 7);  // a view into the holder, not a copy
  holder.reset();
  EXPECT_EQ(term, std::string("include:example.net"));
  SharedText unowned(nullptr, "copied when nothing owns it");
  EXPECT_EQ(unowned.size(), 27u);
  EXPECT_EQ(unowned + "!", "copied when nothing owns it!");
  std::ostringstream os;
  os << term;
  EXPECT_EQ(os.str(), "include:example.net");
}

TEST(Evaluator, StringsAreJoinedWithoutSpaces) {
  Zone z;
  z.txt("example.com", std::vector<std::string>{"v=spf1 ip4:192.0.2.1", " -all"});
  EXPECT_EQ(z.eval("192.0.2.1", "a@example.com").result, Result::Pass);
}

TEST(Evaluator, MultipleRecordsArePermerror) {
  Zone z;
  z.txt("example.com", "v=spf1 -all").txt("example.com", "V=SPF1 +all").txt("example.com", "google-site=x");
  auto e = z.eval("192.0.2.1", "a@example.com");
  EXPECT_EQ(e.result, Result::PermError);
  ASSERT_TRUE(e.problem);
  EXPECT_NE(e.problem->find("2 SPF records"), std::string::npos);
}

TEST(Evaluator, NoRecordIsNone) {
  Zone z;
  z.txt("example.com", "google-site-verification=abc");
  EXPECT_EQ(z.eval("192.0.2.1", "a@example.com").result, Result::None);
  EXPECT_EQ(z.eval("192.0.2.1", "a@nowhere.example").result, Result::None);
}

TEST(Evaluator, ExplanationWithMacros) {
  Zone z;
  z.txt("example.com", "v=spf1 -all exp=why.%{d}")
      .txt("why.example.com", "%{i} may not send for %{d} (sender %{s}, local %{l}, helo %{h}, ip %{c}, r %{r})");
  auto e = z.eval("192.0.2.1", "jack@example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.explanation,
            "192.0.2.1 may not send for example.com (sender jack@example.com, local jack, helo mx.example.org, ip "
            "192.0.2.1, r rx.example.org)");
}

TEST(Evaluator, MacroTransformersAndEscapes) {
  Zone z;
  z.txt("example.com", "v=spf1 exists:%{ir}.%{v}.%{l1r-}.%{d2}.rbl.example -all exp=e.example.com")
      .a("1.2.0.192.in-addr.strong.example.com.rbl.example", "127.0.0.2")
      .txt("e.example.com", "%{L} %{S} %% %_ %- %{o}");
  auto e = z.eval("192.0.2.1", "strong-bad@example.com");
  EXPECT_EQ(e.result, Result::Pass) << e.problem.value_or("");
  e = z.eval("192.0.2.9", "jack&jill=up@example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.explanation, "jack%26jill%3Dup jack%26jill%3Dup%40example.com %   %20 example.com");
}

TEST(Evaluator, Ipv6ClientAndMappedClient) {
  Zone z;
  z.txt("example.com", "v=spf1 ip6:2001:db8::/32 a//64 ip4:192.0.2.1 -all").a("example.com", "2001:db9:1:2::1");
  EXPECT_EQ(z.eval("2001:db8::5", "a@example.com").result, Result::Pass);
  EXPECT_EQ(z.eval("2001:db9:1:2:ffff::9", "a@example.com").result, Result::Pass);
  EXPECT_EQ(z.eval("2001:db9:1:3::9", "a@example.com").result, Result::Fail);
  EXPECT_EQ(z.eval("::ffff:192.0.2.1", "a@example.com").result, Result::Pass);
}

TEST(Evaluator, MxAndPtr) {
  Zone z;
  z.txt("example.com", "v=spf1 mx/30 ptr -all")
      .mx("example.com", 10, "mail.example.com")
      .a("mail.example.com", "192.0.2.4")
      .ptr("198.51.100.3", "host.example.com")
      .a("host.example.com", "198.51.100.3")
      .ptr("198.51.100.4", "liar.example.com")
      .a("liar.example.com", "203.0.113.1");
  EXPECT_EQ(z.eval("192.0.2.6", "a@example.com").result, Result::Pass);
  EXPECT_EQ(z.eval("198.51.100.3", "a@example.com").result, Result::Pass);
  EXPECT_EQ(z.eval("198.51.100.4", "a@example.com").result, Result::Fail);  // PTR not validated
}

TEST(Evaluator, TenLookupsAllowedEleventhIsPermerror) {
  Zone z;
  std::string rec = "v=spf1";
  for (int i = 0; i < 10; ++i) {
    rec += " a:h" + std::to_string(i) + ".example.com";
    z.a("h" + std::to_string(i) + ".example.com", "203.0.113.1");
  }
  z.txt("ten.example.com", rec + " -all");
  z.txt("eleven.example.com", rec + " a:h0.example.com -all");
  auto e = z.eval("192.0.2.1", "a@ten.example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.lookups, 10);
  e = z.eval("192.0.2.1", "a@eleven.example.com");
  EXPECT_EQ(e.result, Result::PermError);
  EXPECT_EQ(e.lookups, 11);
  ASSERT_TRUE(e.problem);
  EXPECT_NE(e.problem->find("more than 10 DNS lookups: a:h0.example.com"), std::string::npos) << *e.problem;
}

TEST(Evaluator, ThirdVoidLookupIsPermerror) {
  Zone z;
  z.txt("two.example.com", "v=spf1 a:nx1.example.com a:nx2.example.com -all");
  z.txt("three.example.com", "v=spf1 a:nx1.example.com a:nx2.example.com a:nx3.example.com -all");
  auto e = z.eval("192.0.2.1", "a@two.example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.void_lookups, 2);
  e = z.eval("192.0.2.1", "a@three.example.com");
  EXPECT_EQ(e.result, Result::PermError);
  EXPECT_EQ(e.void_lookups, 3);
}

TEST(Evaluator, MoreThanTenMxNamesIsPermerror) {
  Zone z;
  z.txt("example.com", "v=spf1 mx -all");
  for (int i = 0; i < 11; ++i) z.mx("example.com", i, "mx" + std::to_string(i) + ".example.com");
  EXPECT_EQ(z.eval("192.0.2.1", "a@example.com").result, Result::PermError);
}

TEST(Evaluator, RedirectAndItsExplanation) {
  Zone z;
  z.txt("example.com", "v=spf1 ip4:192.0.2.1 redirect=_spf.example.net exp=mine.example.com")
      .txt("mine.example.com", "mine")
      .txt("_spf.example.net", "v=spf1 -all exp=theirs.example.net")
      .txt("theirs.example.net", "theirs %{d}");
  EXPECT_EQ(z.eval("192.0.2.1", "a@example.com").result, Result::Pass);
  auto e = z.eval("192.0.2.2", "a@example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.explanation, "theirs _spf.example.net");
  z.txt("broken.example.com", "v=spf1 redirect=nothing.example.com");
  EXPECT_EQ(z.eval("192.0.2.2", "a@broken.example.com").result, Result::PermError);
}

TEST(Evaluator, HeloIdentityForNullSender) {
  Zone z;
  z.txt("mx.example.org", "v=spf1 a -all").a("mx.example.org", "192.0.2.8");
  auto e = z.eval("192.0.2.8", "");
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.identity, Identity::Helo);
  EXPECT_EQ(e.domain, "mx.example.org");
  e = z.eval("192.0.2.8", "<>");
  EXPECT_EQ(e.identity, Identity::Helo);
}

TEST(Evaluator, NoLocalPartGetsPostmaster) {
  Zone z;
  z.txt("example.net", "v=spf1 -all exp=e.example.net").txt("e.example.net", "%{l}");
  auto e = z.eval("192.0.2.8", "@example.net");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.explanation, "postmaster");
}

TEST(Evaluator, SyntaxErrorAfterMatchIsStillPermerror) {
  Zone z;
  z.txt("example.com", "v=spf1 ip4:192.0.2.1 -all ip4:300.1.1.1");
  auto e = z.eval("192.0.2.1", "a@example.com");
  EXPECT_EQ(e.result, Result::PermError);
  ASSERT_TRUE(e.problem);
  EXPECT_NE(e.problem->find("at byte 26"), std::string::npos) << *e.problem;
}

TEST(Evaluator, IncludeOfDomainWithoutRecordIsPermerror) {
  Zone z;
  z.txt("example.com", "v=spf1 include:norecord.example.com -all").a("norecord.example.com", "192.0.2.1");
  EXPECT_EQ(z.eval("192.0.2.1", "a@example.com").result, Result::PermError);
}

TEST(Evaluator, IncludeLoopIsPermerror) {
  Zone z;
  z.txt("a.example.com", "v=spf1 include:b.example.com -all").txt("b.example.com", "v=spf1 include:a.example.com");
  auto e = z.eval("192.0.2.1", "x@a.example.com");
  EXPECT_EQ(e.result, Result::PermError);
}

TEST(Evaluator, RecordOverrideForWhatIf) {
  Zone z;
  z.txt("example.com", "v=spf1 -all");
  dns::ZoneData empty;
  auto data = std::make_shared<dns::ZoneData>();
  data->add("example.com", dns::Record{dns::RType::TXT, 0, {}, 0, {}, {"v=spf1 -all"}});
  dns::ZoneResolver r(data);
  EvalOptions o;
  o.record_overrides["example.com"] = "v=spf1 ip4:192.0.2.1 -all";
  EXPECT_EQ(evaluate(r, Query{*IpAddress::parse("192.0.2.1"), "a@example.com", "h.example"}, o).result, Result::Pass);
}

TEST(Evaluator, AbsurdlyLongIdentityIsRefused) {
  Zone z;
  z.txt("example.com", "v=spf1 -all");
  auto e = z.eval("192.0.2.1", std::string(5000, 'a') + "@example.com");
  EXPECT_EQ(e.result, Result::None);
  ASSERT_TRUE(e.problem);
  EXPECT_NE(e.problem->find("longer than 1024"), std::string::npos);
}

TEST(Evaluator, ExpansionsAreBounded) {
  Zone z;
  std::string rec = "v=spf1 -all exp=e.example.com";
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "%{s}";
  z.txt("example.com", rec).txt("e.example.com", text);
  auto e = z.eval("192.0.2.1", std::string(1000, 'x') + "@example.com");
  EXPECT_EQ(e.result, Result::Fail);
  ASSERT_TRUE(e.explanation);
  EXPECT_LE(e.explanation->size(), 16u * 1024u);
}

TEST(Evaluator, BudgetIsKept) {
  auto data = std::make_shared<dns::ZoneData>();
  data->add("example.com", dns::Record{dns::RType::TXT, 300, {}, 0, {}, {"v=spf1 -all"}});
  dns::ZoneResolver r(data);
  Query q{*IpAddress::parse("192.0.2.1"), "a@example.com", "h.example"};
  EvalOptions spent;
  spent.budget = std::chrono::milliseconds(0);
  auto e = evaluate(r, q, spent);
  EXPECT_EQ(e.result, Result::TempError);
  ASSERT_TRUE(e.problem);
  EXPECT_NE(e.problem->find("budget"), std::string::npos);
  // A query that could end past the budget is not started...
  EvalOptions tight;
  tight.budget = std::chrono::milliseconds(20000);
  tight.query_timeout = std::chrono::milliseconds(19000);
  EXPECT_EQ(evaluate(r, q, tight).result, Result::Fail);
  // ...and a per-query timeout longer than the budget stretches it.
  EvalOptions slow;
  slow.query_timeout = std::chrono::milliseconds(30000);
  EXPECT_EQ(evaluate(r, q, slow).result, Result::Fail);
}

// Thousands of terms that finish at once (answers from memory) must not nest
// the stack: Task returns to its awaiter instead of resuming it from inside
// the finished frame (a tail call GCC does not make under AddressSanitizer).
TEST(Evaluator, ManyTermsFinishingAtOnceDoNotNestTheStack) {
  std::string rec = "v=spf1";
  for (int i = 0; i < 50000; ++i) rec += " a";
  rec += " -all";
  Zone z;
  z.txt("example.com", rec).a("example.com", "192.0.2.1");
  auto e = z.eval("192.0.2.1", "a@example.com");
  EXPECT_EQ(e.result, Result::Pass);  // the first a matches
  e = z.eval("198.51.100.1", "a@example.com");
  EXPECT_EQ(e.result, Result::PermError);  // the 11th a is over the lookup limit
}

// A record given instead of DNS (lint --record) gets the checks a published
// one gets: not SPF is none, non-ASCII is a permerror.
TEST(Evaluator, RecordOverridesAreCheckedLikePublishedRecords) {
  auto data = std::make_shared<dns::ZoneData>();
  dns::ZoneResolver r(data);
  Query q{*IpAddress::parse("192.0.2.1"), "a@example.com", "h.example"};
  EvalOptions o;
  o.record_overrides["example.com"] = "hello ip4:192.0.2.1 -all";
  EXPECT_EQ(evaluate(r, q, o).result, Result::None);
  o.record_overrides["example.com"] = "v=spf1 ip4:192.0.2.1 a:ex\xc3\xa4mple.com -all";
  auto e = evaluate(r, q, o);
  EXPECT_EQ(e.result, Result::PermError);
  ASSERT_TRUE(e.problem);
  EXPECT_NE(e.problem->find("non-ASCII"), std::string::npos);
  o.record_overrides["example.com"] = "v=spf1 ip4:192.0.2.1 -all";
  EXPECT_EQ(evaluate(r, q, o).result, Result::Pass);
}

TEST(Evaluator, TraceNamesEachStep) {
  Zone z;
  z.txt("example.com", "v=spf1 include:_spf.example.net -all").txt("_spf.example.net", "v=spf1 ip4:192.0.2.1 -all");
  auto e = z.eval("192.0.2.1", "a@example.com");
  bool saw_include_record = false;
  for (const auto& s : e.trace) {
    if (s.kind == "record" && s.depth == 1 && s.text.find("_spf.example.net") != std::string::npos) {
      saw_include_record = true;
    }
  }
  EXPECT_TRUE(saw_include_record);
  EXPECT_EQ(e.trace.back().text, "pass");
}

}  // namespace
}  // namespace spfdoctor
