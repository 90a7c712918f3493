// Regression tests for what the fuzzers (fuzz/) and sanitizers found, and the
// limits on large or hostile input (docs/cli.md, "Limits").
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "spf/macro.hpp"
#include "spfdoctor/dns.hpp"
#include "spfdoctor/ip.hpp"
#include "spfdoctor/net_resolver.hpp"
#include "spfdoctor/record.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor {
namespace {

using namespace std::string_literals;
using dns::RType;
using dns::Status;

// Seconds taken by f(); the bounds below are far above what linear code takes
// even under ASan, and far below what the quadratic code took.
template <class F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---- the record parser and printer ------------------------------------------

// fuzz_record: "ip6:::1\0junk" was accepted as ::1, because inet_pton reads a C
// string and stopped at the NUL.
TEST(Hardening, AddressTextWithNulIsRejected) {
  EXPECT_FALSE(IpAddress::parse("::1\0junk"s));
  EXPECT_FALSE(IpAddress::parse("::1\0"s));
  EXPECT_FALSE(IpAddress::parse("192.0.2.1\0"s));
  EXPECT_TRUE(IpAddress::parse("::1"));
  const auto r = spf::parse_record("v=spf1 +ip6:::1\0\0\xf8 -all"s);
  ASSERT_EQ(r.terms.size(), 2u);
  EXPECT_EQ(r.first_error(), &r.terms[0]);
}

TEST(Hardening, PrinterRoundTrip) {
  const auto r = spf::parse_record(
      "V=SPF1  +A:Example.com/24//64 ~MX//0 ip4:192.0.2.0/24 IP6:2001:DB8::/32 "
      "-include:_spf.%{d2} ?exists:%{ir}.x.org redirect=r.example.com moo=%{l} -all");
  ASSERT_EQ(r.first_error(), nullptr);
  const std::string printed = spf::to_string(r);
  EXPECT_EQ(printed,
            "v=spf1 +a:Example.com/24//64 ~mx//0 ip4:192.0.2.0/24 ip6:2001:DB8::/32 -include:_spf.%{d2} "
            "?exists:%{ir}.x.org redirect=r.example.com moo=%{l} -all");
  EXPECT_EQ(spf::to_string(spf::parse_record(printed)), printed);
  // A term with a syntax error prints as written.
  EXPECT_EQ(spf::to_string(spf::parse_record("v=spf1 ip4:192.0.2.300/24 A:x.com,")),
            "v=spf1 ip4:192.0.2.300/24 A:x.com,");
  EXPECT_EQ(spf::to_string(spf::parse_record("")), "v=spf1");
}

// Duplicate modifiers were found by comparing each with every earlier one:
// a 512 KiB record of distinct modifiers (what ZoneData or lint --record can
// hold; DNS carries 64 KiB) took 14 s, 1 MiB a minute.
TEST(Hardening, ManyModifiersParseInLinearTime) {
  std::string text = "v=spf1";
  for (int i = 0; text.size() < (std::size_t{512} << 10); ++i) text += " m" + std::to_string(i) + "=x";
  spf::Record r;
  EXPECT_LT(seconds([&] { r = spf::parse_record(text); }), 10.0);
  EXPECT_GT(r.terms.size(), 50000u);
  EXPECT_EQ(r.first_error(), nullptr);
  // Duplicates are still errors, compared case-sensitively.
  const auto dup = spf::parse_record("v=spf1 moo=1 Moo=2 moo=3");
  ASSERT_EQ(dup.terms.size(), 3u);
  EXPECT_FALSE(dup.terms[1].error);
  EXPECT_TRUE(dup.terms[2].error);
}

// Each unclosed "%{" searched the rest of the string for a '}'.
TEST(Hardening, UnclosedMacroBracesAreLinear) {
  std::string spec;
  while (spec.size() < (std::size_t{1} << 20)) spec += "%{";
  EXPECT_LT(seconds([&] { EXPECT_FALSE(spf::has_valid_domain_end(spec)); }), 5.0);
  spf::MacroString ms;
  EXPECT_LT(seconds([&] { ms = spf::compile_macro_string(spec, spf::MacroContext::Explanation); }), 5.0);
  EXPECT_FALSE(ms.error);
  ASSERT_EQ(ms.pieces.size(), 1u);
  EXPECT_EQ(ms.pieces[0].literal, spec);
  // The first '}' still closes the first "%{".
  EXPECT_TRUE(spf::has_valid_domain_end("%{%{%{d}"));
  const auto closed = spf::compile_macro_string("%{d}%{d.x%{i}", spf::MacroContext::DomainSpec);
  ASSERT_EQ(closed.pieces.size(), 2u);
  EXPECT_EQ(closed.pieces[1].transformer, ".x%{i");
}

// fuzz_macro: a zero part count (pyspf's reading: drop the first part) of a
// value with one part ("%{d0-}": "example.com" has no '-') expands to nothing,
// so "x..%{d0-}" leaves a trailing dot after the one that is dropped, as pyspf
// does; the evaluator drops it before asking DNS.
TEST(Hardening, ZeroPartCountCanExpandToNothing) {
  const std::string s = "a@example.com", l = "a", o = "example.com", d = "example.com", i = "192.0.2.1", p = "unknown",
                    v = "in-addr", h = "h.example.com", c = "192.0.2.1", r = "rx", t = "1";
  const MacroValues values{s, l, o, d, i, p, v, h, c, r, t};
  auto expand = [&](std::string_view spec) {
    const auto ms = spf::compile_macro_string(spec, spf::MacroContext::DomainSpec);
    EXPECT_FALSE(ms.error) << spec;
    return expand_macros(ms, values, false);
  };
  EXPECT_EQ(expand("x..%{d0-}"), "x.");
  EXPECT_EQ(expand("x.%{d0}"), "x..com");  // drops "example", keeps ".com"
  EXPECT_EQ(expand("%{d1}."), "com");
}

// ---- DNS data --------------------------------------------------------------

class Zone {
 public:
  Zone& txt(const std::string& name, std::vector<std::string> strings) {
    dns::Record rr;
    rr.type = RType::TXT;
    rr.strings = std::move(strings);
    data_->add(name, rr);
    return *this;
  }
  Zone& cname(const std::string& name, const std::string& target) {
    dns::Record rr;
    rr.type = RType::CNAME;
    rr.target = target;
    data_->add(name, rr);
    return *this;
  }
  Zone& a(const std::string& name, const std::string& ip) {
    dns::Record rr;
    rr.address = *IpAddress::parse(ip);
    rr.type = rr.address.is_v4() ? RType::A : RType::AAAA;
    data_->add(name, rr);
    return *this;
  }
  Zone& ptr(const std::string& ip, const std::string& host) {
    dns::Record rr;
    rr.type = RType::PTR;
    rr.target = host;
    data_->add(IpAddress::parse(ip)->reverse_name(), rr);
    return *this;
  }
  [[nodiscard]] const dns::ZoneData& data() const { return *data_; }
  Evaluation eval(const std::string& ip, const std::string& sender) {
    dns::ZoneResolver resolver(data_);
    EvalOptions o;
    o.timestamp = 1700000000;
    return evaluate(resolver, Query{*IpAddress::parse_client(ip), sender, "mx.example.org", "rx.example.org"}, o);
  }

 private:
  std::shared_ptr<dns::ZoneData> data_ = std::make_shared<dns::ZoneData>();
};

TEST(Limits, HugeTxtRRset) {
  // 3000 TXT records of 1 KiB each (3 MiB, far past what DNS can carry) and
  // one SPF record among them.
  Zone z;
  const std::vector<std::string> filler(4, std::string(255, 'x'));
  for (int i = 0; i < 3000; ++i) {
    auto strings = filler;
    strings.push_back(std::to_string(i));
    z.txt("example.com", strings);
  }
  z.txt("example.com", {"v=spf1 ip4:192.0.2.0/24 -all"});
  EXPECT_EQ(z.eval("192.0.2.9", "a@example.com").result, Result::Pass);
  EXPECT_EQ(z.eval("198.51.100.1", "a@example.com").result, Result::Fail);
}

TEST(Limits, SpfRecordOfManyStringsOver64KiB) {
  // One record of 400 strings (some 100 KiB joined): parsed and evaluated.
  std::vector<std::string> strings{"v=spf1"};
  for (int i = 0; i < 400; ++i) {
    std::string s;
    for (int k = 0; k < 14; ++k) s += " ip4:198.51." + std::to_string(i % 256) + "." + std::to_string(k);
    strings.push_back(s);
  }
  strings.emplace_back(" ip4:192.0.2.7 -all");
  Zone z;
  z.txt("example.com", strings);
  const auto e = z.eval("192.0.2.7", "a@example.com");
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.matched, "ip4:192.0.2.7");
  EXPECT_GT(e.record->size(), std::size_t{64} << 10);
}

TEST(Limits, CnameLoopsAndLongChainsInZoneData) {
  Zone z;
  z.cname("loop1.example.com", "loop2.example.com").cname("loop2.example.com", "loop1.example.com");
  for (int i = 0; i < 12; ++i)
    z.cname("c" + std::to_string(i) + ".example.com", "c" + std::to_string(i + 1) + ".example.com");
  z.a("c12.example.com", "192.0.2.1");
  auto loop = z.data().lookup("loop1.example.com", RType::A);
  EXPECT_EQ(loop.status, Status::Ok);
  EXPECT_TRUE(loop.records.empty());
  auto chain = z.data().lookup("c0.example.com", RType::A);  // 12 links: past the limit of 10
  EXPECT_EQ(chain.status, Status::Ok);
  EXPECT_TRUE(chain.records.empty());
  EXPECT_EQ(z.data().lookup("c0.example.com", RType::AAAA).records.size(), 0u);
  EXPECT_EQ(z.data().lookup("c3.example.com", RType::A).records.size(), 1u);  // 9 links
  // In a record: a void lookup, not a hang.
  z.txt("example.com", {"v=spf1 a:loop1.example.com a:c0.example.com -all"});
  const auto e = z.eval("192.0.2.1", "a@example.com");
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.void_lookups, 2);
}

// A DNS response (wire form) for example.com with the given answer records.
class Wire {
 public:
  explicit Wire(std::uint16_t qtype) {
    put16(0x1234), put16(0x8180), put16(1), put16(0), put16(0), put16(0);
    name("example.com");
    put16(qtype), put16(1);
  }
  Wire& rr(const std::string& owner, std::uint16_t type, const std::vector<std::uint8_t>& rdata) {
    name(owner);
    put16(type), put16(1), put16(0), put16(300), put16(static_cast<std::uint16_t>(rdata.size()));
    bytes_.insert(bytes_.end(), rdata.begin(), rdata.end());
    ++answers_;
    bytes_[6] = static_cast<std::uint8_t>(answers_ >> 8);
    bytes_[7] = static_cast<std::uint8_t>(answers_ & 0xff);
    return *this;
  }
  static std::vector<std::uint8_t> encode(const std::string& n) {
    std::vector<std::uint8_t> out;
    std::size_t start = 0;
    while (start < n.size()) {
      auto dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      out.push_back(static_cast<std::uint8_t>(dot - start));
      out.insert(out.end(), n.begin() + static_cast<std::ptrdiff_t>(start),
                 n.begin() + static_cast<std::ptrdiff_t>(dot));
      start = dot + 1;
    }
    out.push_back(0);
    return out;
  }
  [[nodiscard]] dns::Answer parse(RType type) const {
    return dns::parse_response(bytes_.data(), bytes_.size(), "example.com", type);
  }
  [[nodiscard]] std::size_t size() const { return bytes_.size(); }

 private:
  void put16(std::uint16_t v) {
    bytes_.push_back(static_cast<std::uint8_t>(v >> 8));
    bytes_.push_back(static_cast<std::uint8_t>(v & 0xff));
  }
  void name(const std::string& n) {
    const auto e = encode(n);
    bytes_.insert(bytes_.end(), e.begin(), e.end());
  }
  std::vector<std::uint8_t> bytes_;
  std::uint16_t answers_ = 0;
};

TEST(Limits, CnameLoopsAndLongChainsInResponses) {
  Wire loop(1);
  loop.rr("example.com", 5, Wire::encode("b.example.com")).rr("b.example.com", 5, Wire::encode("example.com"));
  loop.rr("example.com", 1, {192, 0, 2, 1});
  auto a = loop.parse(RType::A);
  EXPECT_EQ(a.status, Status::Ok);
  EXPECT_TRUE(a.records.empty());  // the chain left example.com; its A is not the answer

  Wire chain(1);
  chain.rr("example.com", 5, Wire::encode("c0.example.com"));
  for (int i = 0; i < 20; ++i) {
    chain.rr("c" + std::to_string(i) + ".example.com", 5, Wire::encode("c" + std::to_string(i + 1) + ".example.com"));
  }
  chain.rr("c20.example.com", 1, {192, 0, 2, 20}).rr("c10.example.com", 1, {192, 0, 2, 10});
  a = chain.parse(RType::A);
  EXPECT_EQ(a.status, Status::Ok);
  EXPECT_TRUE(a.records.empty());  // followed for 16 links only
}

TEST(Limits, TxtResponseNear64KiB) {
  // 230 records of one 255-byte string each: a 64 KiB TCP answer.
  Wire big(16);
  const std::string s(255, 'y');
  std::vector<std::uint8_t> rdata{255};
  rdata.insert(rdata.end(), s.begin(), s.end());
  for (int i = 0; i < 230; ++i) {
    rdata[1] = static_cast<std::uint8_t>('a' + i % 26);
    rdata[2] = static_cast<std::uint8_t>('a' + i / 26);
    big.rr("example.com", 16, rdata);
  }
  EXPECT_GT(big.size(), 64000u);
  const auto a = big.parse(RType::TXT);
  EXPECT_EQ(a.status, Status::Ok);
  EXPECT_EQ(a.records.size(), 230u);
}

TEST(Limits, NamesOver253Octets) {
  // A sender domain of 300 octets (labels of 59): evaluated, not a crash; it
  // cannot exist in DNS, so it has no record.
  std::string domain;
  for (int i = 0; i < 5; ++i) domain += std::string(59, static_cast<char>('a' + i)) + ".";
  domain += "example.com";
  ASSERT_GT(domain.size(), 253u);
  Zone z;
  EXPECT_EQ(z.eval("192.0.2.1", "a@" + domain).result, Result::None);
  // A domain-spec that expands past 253 octets loses its left-most label
  // (RFC 7208 §7.3); still too long, it is asked and does not exist.
  const std::string local(60, 'l');
  z.txt("example.com", {"v=spf1 a:%{l}.%{l}.%{l}.%{l}.%{l}.example.com ?all"});
  const auto e = z.eval("192.0.2.1", local + "@example.com");
  EXPECT_EQ(e.result, Result::Neutral);
  EXPECT_EQ(e.void_lookups, 1);
}

TEST(Limits, OnlyTenPtrNamesAreChecked) {
  Zone z;
  for (int i = 0; i < 15; ++i) {
    const std::string host = "h" + std::to_string(i) + ".example.com";
    z.ptr("192.0.2.1", host).a(host, "192.0.2.99");
  }
  z.a("h12.example.com", "192.0.2.1");  // valid, but the 13th name
  z.txt("example.com", {"v=spf1 ptr -all"});
  EXPECT_EQ(z.eval("192.0.2.1", "a@example.com").result, Result::Fail);
  z.a("h3.example.com", "192.0.2.1");
  EXPECT_EQ(z.eval("192.0.2.1", "a@example.com").result, Result::Pass);
}

// ---- master files ----------------------------------------------------------

class MasterFileLimits : public ::testing::Test {
 protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  std::string error_for(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("spfdoctor-hardening-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".zone");
    std::ofstream(path_, std::ios::binary) << text;
    try {
      (void)dns::load_master_file(path_.string(), "example.com.");
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path path_;
};

TEST_F(MasterFileLimits, NameOver255OctetsIsAnErrorWithItsLine) {
  std::string name;
  for (int i = 0; i < 5; ++i) name += std::string(60, 'a') + ".";
  const auto e = error_for("ok IN A 192.0.2.1\n" + name + " IN A 192.0.2.2\n");
  EXPECT_EQ(e.rfind(path_.string() + ":2: ", 0), 0u) << e;
}

TEST_F(MasterFileLimits, LabelOver63OctetsIsAnError) {
  const auto e = error_for(std::string(64, 'a') + " IN A 192.0.2.2\n");
  EXPECT_EQ(e.rfind(path_.string() + ":1: ", 0), 0u) << e;
}

TEST_F(MasterFileLimits, CharacterStringOver255OctetsIsAnError) {
  const auto e = error_for("x IN TXT \"" + std::string(300, 'z') + "\"\n");
  EXPECT_EQ(e.rfind(path_.string() + ":1: ", 0), 0u) << e;
}

}  // namespace
}  // namespace spfdoctor
