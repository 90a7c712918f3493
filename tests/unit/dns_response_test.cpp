// dns::parse_response, our DNS wire reader: hand-built responses for each
// rule (compression, loops, truncation, TXT strings, CNAME chains, negative
// TTLs, case, dots inside labels), and a seeded differential test against the
// ldns-based parser it replaced (tests/support/dns_reference.cpp), which must
// agree everywhere except the documented, deliberate differences.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../support/dns_reference.hpp"
#include "spfdoctor/net_resolver.hpp"

namespace spfdoctor::dns {
namespace {

using testing::Agreement;
using testing::compare_with_ldns;
using testing::describe;
using testing::parse_response_ldns;

// A response written byte by byte; counts are set by hand so that tests can lie.
class Msg {
 public:
  explicit Msg(unsigned rcode = 0, std::uint16_t qtype = 16) {
    u16(0x1234), u16(0x8180 | rcode), u16(1), u16(0), u16(0), u16(0);
    labels({"example", "com"});
    u16(qtype), u16(1);
  }
  Msg& u8(unsigned v) {
    b.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  Msg& u16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
  Msg& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
  Msg& label(std::string_view l) {
    u8(static_cast<unsigned>(l.size()));
    b.insert(b.end(), l.begin(), l.end());
    return *this;
  }
  Msg& labels(std::initializer_list<std::string_view> ls) {
    for (auto l : ls) label(l);
    return u8(0);
  }
  Msg& ptr(unsigned offset) { return u16(0xc000 | offset); }
  Msg& str(std::string_view s) { return label(s); }  // a <character-string>
  // Type, class IN, TTL and a 2-byte RDLENGTH placeholder, after the owner.
  Msg& head(std::uint16_t type, std::uint32_t ttl = 300, std::uint16_t klass = 1) {
    u16(type), u16(klass), u32(ttl);
    rdlength_at_ = b.size();
    return u16(0);
  }
  // Sets the RDLENGTH of the last head() to what was written since.
  Msg& done() {
    const std::size_t len = b.size() - rdlength_at_ - 2;
    b[rdlength_at_] = static_cast<std::uint8_t>(len >> 8);
    b[rdlength_at_ + 1] = static_cast<std::uint8_t>(len & 0xff);
    return *this;
  }
  Msg& counts(unsigned an, unsigned ns = 0, unsigned ar = 0) {
    b[6] = static_cast<std::uint8_t>(an >> 8), b[7] = static_cast<std::uint8_t>(an);
    b[8] = static_cast<std::uint8_t>(ns >> 8), b[9] = static_cast<std::uint8_t>(ns);
    b[10] = static_cast<std::uint8_t>(ar >> 8), b[11] = static_cast<std::uint8_t>(ar);
    return *this;
  }
  [[nodiscard]] Answer parse(RType type, std::string_view qname = "example.com") const {
    return parse_response(b.data(), b.size(), qname, type);
  }
  [[nodiscard]] Answer ldns(RType type, std::string_view qname = "example.com") const {
    return parse_response_ldns(b.data(), b.size(), qname, type);
  }
  [[nodiscard]] Agreement agreement(RType type, std::string_view qname = "example.com") const {
    return compare_with_ldns(b.data(), b.size(), qname, type).agreement;
  }
  std::vector<std::uint8_t> b;

 private:
  std::size_t rdlength_at_ = 0;
};

constexpr unsigned kQname = 12;  // where the question's name is

void expect_malformed(const Answer& a, std::string_view why) {
  EXPECT_EQ(a.status, Status::Error);
  EXPECT_TRUE(a.records.empty());
  EXPECT_EQ(a.detail.rfind("malformed DNS response (", 0), 0u) << a.detail;
  EXPECT_NE(a.detail.find(why), std::string::npos) << a.detail;
}

TEST(WireReader, CompressedOwnersAndRdataNames) {
  Msg m(0, 15);
  m.ptr(kQname).head(15).u16(10).label("mail").ptr(kQname).done();                // mail.example.com
  const auto mail = static_cast<unsigned>(m.b.size());
  m.label("MX2").ptr(kQname).head(15, 200).u16(20).label("Backup").ptr(mail + 0).done();  // owner mx2.example.com
  m.ptr(kQname).head(15, 100).u16(30).ptr(kQname).done();                         // the exchange is example.com
  m.counts(3);
  auto a = m.parse(RType::MX);
  ASSERT_EQ(a.status, Status::Ok) << a.detail;
  ASSERT_EQ(a.records.size(), 2u);
  EXPECT_EQ(a.records[0].preference, 10);
  EXPECT_EQ(a.records[0].target, "mail.example.com");
  EXPECT_EQ(a.records[1].target, "example.com");
  EXPECT_EQ(a.ttl, 100u);
  // mx2.example.com's own record, found through its compressed owner.
  a = m.parse(RType::MX, "mx2.example.com");
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].target, "backup.mx2.example.com");
  EXPECT_EQ(m.agreement(RType::MX), Agreement::Same);
  EXPECT_EQ(m.agreement(RType::MX, "mx2.example.com"), Agreement::Same);
}

TEST(WireReader, PointerLoopsAreRejected) {
  // The owner is a pointer to itself.
  Msg self;
  const auto at = static_cast<unsigned>(self.b.size());
  self.ptr(at).head(16).str("x").done().counts(1);
  expect_malformed(self.parse(RType::TXT), "answer section: a compression pointer does not point backwards");
  EXPECT_EQ(self.ldns(RType::TXT).status, Status::Error);  // ldns gives up after 65,535 hops

  // Two pointers pointing at each other.
  Msg pair;
  const auto first = static_cast<unsigned>(pair.b.size());
  pair.ptr(first + 2).ptr(first).head(16).str("x").done().counts(1);
  expect_malformed(pair.parse(RType::TXT), "compression pointer");
  EXPECT_EQ(pair.ldns(RType::TXT).status, Status::Error);

  // A label, then a pointer back to that label: endless labels.
  Msg labels;
  const auto start = static_cast<unsigned>(labels.b.size());
  labels.label("loop").ptr(start).head(16).str("x").done().counts(1);
  expect_malformed(labels.parse(RType::TXT), "does not point backwards");
  EXPECT_EQ(labels.ldns(RType::TXT).status, Status::Error);  // ldns: the name grows past 255 bytes

  // A loop inside CNAME data: the record is left out (ldns rejects the response).
  Msg rdata;
  rdata.ptr(kQname).head(5);
  const auto target = static_cast<unsigned>(rdata.b.size());
  rdata.ptr(target).done().counts(1);
  auto a = rdata.parse(RType::CNAME);
  EXPECT_EQ(a.status, Status::Ok);
  EXPECT_TRUE(a.records.empty());
  EXPECT_EQ(rdata.agreement(RType::CNAME), Agreement::RdataShape);
}

TEST(WireReader, PointersToZeroOrPastTheEndAreRejected) {
  Msg zero;
  zero.ptr(0).head(16).str("x").done().counts(1);
  expect_malformed(zero.parse(RType::TXT), "points outside the message");
  EXPECT_EQ(zero.agreement(RType::TXT), Agreement::Same);
  Msg past;
  past.ptr(0x3fff).head(16).str("x").done().counts(1);
  expect_malformed(past.parse(RType::TXT), "points outside the message");
  EXPECT_EQ(past.agreement(RType::TXT), Agreement::Same);
}

// A deliberate difference from ldns: a pointer to a later part of the message.
TEST(WireReader, ForwardPointersAreRejected) {
  Msg m;
  const auto owner = static_cast<unsigned>(m.b.size());
  // The owner points at a copy of example.com written after this record.
  // (The record is 2 + 10 + 2 bytes long; the name it points at follows it.)
  m.ptr(owner + 2 + 10 + 2).head(16).str("x").done();
  m.labels({"example", "com"});  // trailing bytes as far as the sections go
  m.counts(1);
  expect_malformed(m.parse(RType::TXT), "answer section: a compression pointer does not point backwards");
  const auto ref = m.ldns(RType::TXT);
  EXPECT_EQ(ref.status, Status::Ok);
  EXPECT_EQ(ref.records.size(), 1u);  // ldns follows it
  EXPECT_EQ(m.agreement(RType::TXT), Agreement::PointerRule);

  // In CNAME data the record is left out: the chain does not move.
  Msg c(0, 1);
  c.ptr(kQname).head(5);
  const auto target = static_cast<unsigned>(c.b.size());
  c.ptr(target + 2).done();
  c.label("b").ptr(kQname).head(1).u32(0xc0000201).done();  // b.example.com A 192.0.2.1
  c.counts(2);
  auto a = c.parse(RType::A);
  EXPECT_EQ(a.status, Status::Ok);
  EXPECT_TRUE(a.records.empty());
  EXPECT_EQ(c.ldns(RType::A).records.size(), 1u);  // ldns follows the pointer, and the chain
  EXPECT_EQ(c.agreement(RType::A), Agreement::PointerRule);
}

TEST(WireReader, NamesAndLabelsTooLong) {
  Msg label;
  label.label(std::string(64, 'a')).u8(0).head(16).str("x").done().counts(1);
  expect_malformed(label.parse(RType::TXT), "label is longer than 63 bytes");
  EXPECT_EQ(label.agreement(RType::TXT), Agreement::Same);
  // 4 labels of 63 bytes: 256 bytes with the root.
  Msg name;
  for (int i = 0; i < 4; ++i) name.label(std::string(63, 'a'));
  name.u8(0).head(16).str("x").done().counts(1);
  expect_malformed(name.parse(RType::TXT), "name is longer than 255 bytes");
  EXPECT_EQ(name.agreement(RType::TXT), Agreement::Same);
  // 3 of 63 and one of 61: 255 bytes, the most there may be.
  Msg most;
  for (int i = 0; i < 3; ++i) most.label(std::string(63, 'a'));
  most.label(std::string(61, 'a')).u8(0).head(16).str("x").done().counts(1);
  EXPECT_EQ(most.parse(RType::TXT).status, Status::Ok);
  EXPECT_EQ(most.agreement(RType::TXT), Agreement::Same);
}

TEST(WireReader, TruncatedAndShortData) {
  // RDLENGTH past the end of the message.
  Msg past;
  past.ptr(kQname).head(16).str("v=spf1 -all").done().counts(1);
  past.b.resize(past.b.size() - 3);
  expect_malformed(past.parse(RType::TXT), "answer section: a record's data runs past the end");
  EXPECT_EQ(past.agreement(RType::TXT), Agreement::Same);
  // The fixed part of a record cut off.
  Msg cut;
  cut.ptr(kQname).u16(16).u16(1).counts(1);
  expect_malformed(cut.parse(RType::TXT), "a record runs past the end");
  EXPECT_EQ(cut.agreement(RType::TXT), Agreement::Same);
  // A name cut off.
  Msg name;
  name.label("exam").counts(1);
  name.b.pop_back();
  expect_malformed(name.parse(RType::TXT), "a name runs past the end");
  // Shorter than the header.
  const unsigned char tiny[11] = {};
  expect_malformed(parse_response(tiny, sizeof tiny, "example.com", RType::TXT), "12-byte header");
  expect_malformed(parse_response(nullptr, 0, "example.com", RType::TXT), "12-byte header");

  // Data of the wrong size for its type: that record is left out, the others stay
  // (ldns rejects the whole response for the 3-byte A, and reads the 5-byte one's
  // last byte as the start of the next record).
  for (int len : {0, 3, 5}) {
    Msg a(0, 1);
    a.ptr(kQname).head(1, 50);
    for (int i = 0; i < len; ++i) a.u8(7);
    a.done();
    a.ptr(kQname).head(1, 60).u32(0xc0000202).done().counts(2);
    const auto ans = a.parse(RType::A);
    ASSERT_EQ(ans.status, Status::Ok) << len;
    ASSERT_EQ(ans.records.size(), 1u) << len;
    EXPECT_EQ(ans.records[0].address.to_string(), "192.0.2.2");
    EXPECT_EQ(ans.ttl, 60u);
    EXPECT_EQ(a.agreement(RType::A), len == 0 ? Agreement::Same : Agreement::RdataShape) << len;
  }
  // A TXT string that runs past RDLENGTH; an MX without an exchange.
  Msg txt;
  txt.ptr(kQname).head(16).u8(9).u8('a').done().counts(1);
  EXPECT_TRUE(txt.parse(RType::TXT).records.empty());
  EXPECT_EQ(txt.parse(RType::TXT).status, Status::Ok);
  Msg mx(0, 15);
  mx.ptr(kQname).head(15).u16(10).done().counts(1);
  EXPECT_TRUE(mx.parse(RType::MX).records.empty());
  EXPECT_EQ(mx.agreement(RType::MX), Agreement::Same);
}

TEST(WireReader, CountsPastTheEnd) {
  for (int section = 0; section < 3; ++section) {
    Msg m;
    m.ptr(kQname).head(16).str("one").done();
    m.ptr(kQname).head(16).str("two").done();
    if (section == 0) m.counts(3);
    if (section == 1) m.counts(2, 1);
    if (section == 2) m.counts(2, 0, 1);
    const char* name[] = {"answer section", "authority section", "additional section"};
    expect_malformed(m.parse(RType::TXT), name[section]);
    EXPECT_EQ(m.agreement(RType::TXT), Agreement::Same) << section;
  }
  Msg q;
  q.b[5] = 2;  // two questions, one there
  expect_malformed(q.parse(RType::TXT), "question section");
  // A hostile count with almost no data allocates nothing big and fails.
  Msg many;
  many.counts(65535, 65535, 65535);
  expect_malformed(many.parse(RType::TXT), "answer section");
}

TEST(WireReader, TrailingBytesAreIgnored) {
  Msg m;
  m.ptr(kQname).head(16).str("v=spf1 -all").done().counts(1);
  m.u32(0xdeadbeef);
  const auto a = m.parse(RType::TXT);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(m.agreement(RType::TXT), Agreement::Same);
}

TEST(WireReader, TxtStrings) {
  Msg m;
  m.ptr(kQname).head(16).str("v=spf1 ").str("").str("-all").done();
  m.ptr(kQname).head(99).str("").done();  // SPF: one empty string
  m.ptr(kQname).head(16).done();          // no strings at all: left out
  m.ptr(kQname).head(16).str(std::string(255, 'z')).str("end").done();
  m.counts(4);
  auto a = m.parse(RType::TXT);
  ASSERT_EQ(a.records.size(), 2u);
  EXPECT_EQ(a.records[0].strings, (std::vector<std::string>{"v=spf1 ", "", "-all"}));
  EXPECT_EQ(joined_text(a.records[0]), "v=spf1 -all");
  EXPECT_EQ(a.records[1].strings, (std::vector<std::string>{std::string(255, 'z'), "end"}));
  a = m.parse(RType::SPF);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].strings, std::vector<std::string>{""});
  EXPECT_EQ(m.agreement(RType::TXT), Agreement::Same);
  EXPECT_EQ(m.agreement(RType::SPF), Agreement::Same);
}

TEST(WireReader, CnameChains) {
  Msg m;
  m.ptr(kQname).head(5, 500).label("A").ptr(kQname).done();  // example.com -> a.example.com
  const auto a_name = static_cast<unsigned>(m.b.size()) - 4;
  m.ptr(a_name).head(5, 400).label("b").ptr(kQname).done();  // a.example.com -> b.example.com
  m.label("B").ptr(kQname).head(16, 450).str("at b").done();
  m.ptr(kQname).head(16, 10).str("at the start").done();    // not the answer: the chain moved on
  m.ptr(a_name).head(16, 10).str("at a").done();
  m.counts(5);
  auto ans = m.parse(RType::TXT);
  ASSERT_EQ(ans.status, Status::Ok);
  ASSERT_EQ(ans.records.size(), 1u);
  EXPECT_EQ(ans.records[0].strings, std::vector<std::string>{"at b"});
  EXPECT_EQ(ans.ttl, 400u);  // the smallest of the chain's and the record's
  EXPECT_EQ(m.agreement(RType::TXT), Agreement::Same);
  // Asking for the CNAME itself does not follow.
  ans = m.parse(RType::CNAME);
  ASSERT_EQ(ans.records.size(), 1u);
  EXPECT_EQ(ans.records[0].target, "a.example.com");
  EXPECT_EQ(m.agreement(RType::CNAME), Agreement::Same);

  // A loop: example.com -> a.example.com -> example.com.
  Msg loop;
  loop.ptr(kQname).head(5).label("a").ptr(kQname).done();
  const auto a2 = static_cast<unsigned>(loop.b.size()) - 4;
  loop.ptr(a2).head(5).ptr(kQname).done();
  loop.ptr(a2).head(16).str("at a").done();
  loop.counts(3);
  ans = loop.parse(RType::TXT);
  ASSERT_EQ(ans.records.size(), 1u);  // the chain stops where it would loop
  EXPECT_EQ(ans.records[0].strings, std::vector<std::string>{"at a"});
  EXPECT_EQ(loop.agreement(RType::TXT), Agreement::Same);

  // A CNAME with a malformed target ends the chain, even with a good one after it.
  Msg bad;
  bad.ptr(kQname).head(5).u8(1).u8('x').done();  // no root label
  bad.ptr(kQname).head(5).label("c").ptr(kQname).done();
  bad.ptr(kQname).head(16).str("here").done();
  bad.counts(3);
  ans = bad.parse(RType::TXT);
  ASSERT_EQ(ans.records.size(), 1u);
  EXPECT_EQ(ans.records[0].strings, std::vector<std::string>{"here"});
}

TEST(WireReader, NegativeTtlFromTheAuthoritySoa) {
  for (unsigned rcode : {0u, 3u}) {
    Msg m(rcode);
    m.counts(0, 3);
    m.ptr(kQname).head(2, 10).label("ns").ptr(kQname).done();                       // NS first: skipped
    m.ptr(kQname).head(6, 7).label("ns").ptr(kQname).label("h").ptr(kQname).u32(1).u32(2).u32(3).u32(4).done();  // short: skipped
    m.ptr(kQname).head(6, 3600).label("ns").ptr(kQname).label("h").ptr(kQname);
    m.u32(1).u32(2).u32(3).u32(4).u32(60).done();
    const auto a = m.parse(RType::TXT);
    EXPECT_EQ(a.status, rcode == 0 ? Status::Ok : Status::NxDomain);
    EXPECT_TRUE(a.records.empty());
    EXPECT_EQ(a.ttl, 60u);
    EXPECT_EQ(m.agreement(RType::TXT), Agreement::Same);
  }
  // The SOA's own TTL when it is smaller than MINIMUM; none at all: 0.
  Msg m(3);
  m.ptr(kQname).head(6, 30).ptr(kQname).ptr(kQname).u32(1).u32(2).u32(3).u32(4).u32(600).done().counts(0, 1);
  EXPECT_EQ(m.parse(RType::TXT).ttl, 30u);
  Msg none(3);
  EXPECT_EQ(none.parse(RType::TXT).ttl, 0u);
  EXPECT_EQ(none.parse(RType::TXT).status, Status::NxDomain);
}

TEST(WireReader, RcodesAndDetails) {
  const std::pair<unsigned, Status> cases[] = {{2, Status::ServFail}, {5, Status::Refused}, {1, Status::Error},
                                               {4, Status::Error},    {9, Status::Error}};
  for (auto [rcode, status] : cases) {
    Msg m(rcode);
    const auto a = m.parse(RType::TXT);
    EXPECT_EQ(a.status, status);
    EXPECT_EQ(a.detail, m.ldns(RType::TXT).detail);
  }
  EXPECT_EQ(Msg(9).parse(RType::TXT).detail, "the server answered RCODE 9");
}

TEST(WireReader, CaseAndDotsInLabels) {
  Msg m(0, 12);
  m.labels({"EXAMPLE", "COM"}).head(12).labels({"Mail", "Example", "NET"}).done();
  m.labels({"example.com"}).head(12).labels({"one", "la.bel"}).done();
  m.counts(2);
  auto a = m.parse(RType::PTR);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].target, "Mail.Example.NET");  // PTR keeps its case
  a = m.parse(RType::PTR, "example\\.com");
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].target, "one.la\\.bel");
  EXPECT_EQ(m.agreement(RType::PTR), Agreement::Same);
  EXPECT_EQ(m.agreement(RType::PTR, "example\\.com"), Agreement::Same);

  // A CNAME to a name with a dot inside a label, followed to its owner; a
  // backslash inside a label is escaped too.
  Msg c;
  c.ptr(kQname).head(5).labels({"A.B", "Example", "com"}).done();
  c.labels({"a.b", "example", "com"}).head(16).str("dotted").done();
  c.labels({"a", "b", "example", "com"}).head(16).str("not it").done();
  c.labels({"x\\y", "com"}).head(16).str("backslash").done();
  c.counts(4);
  a = c.parse(RType::TXT);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].strings, std::vector<std::string>{"dotted"});
  EXPECT_EQ(c.agreement(RType::TXT), Agreement::Same);
  a = c.parse(RType::TXT, "x\\\\y.com");
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].strings, std::vector<std::string>{"backslash"});
  EXPECT_EQ(c.agreement(RType::TXT, "x\\\\y.com"), Agreement::Same);
  EXPECT_TRUE(c.parse(RType::TXT, "x\\y.com").records.empty());
}

// Long labels are compared eight bytes at a time: case, and a difference or a
// dot in any position, still count.
TEST(WireReader, LongLabels) {
  const std::string base = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (std::size_t at = 0; at < base.size(); ++at) {
    std::string upper = base;
    upper[at] = static_cast<char>(upper[at] >= 'a' ? upper[at] - 'a' + 'A' : upper[at]);
    std::string other = base;
    other[at] = '-';
    std::string dotted = base;
    dotted[at] = '.';
    Msg m;
    m.label(upper).ptr(kQname).head(16).str("upper").done();
    m.label(other).ptr(kQname).head(16).str("other").done();
    m.label(dotted).ptr(kQname).head(16).str("dotted").done();
    m.counts(3);
    auto a = m.parse(RType::TXT, base + ".example.com");
    ASSERT_EQ(a.records.size(), 1u) << at;
    EXPECT_EQ(a.records[0].strings[0], "upper");
    std::string escaped = base;
    escaped.replace(at, 1, "\\.");
    a = m.parse(RType::TXT, escaped + ".Example.COM");
    ASSERT_EQ(a.records.size(), 1u) << at;
    EXPECT_EQ(a.records[0].strings[0], "dotted");
    EXPECT_TRUE(m.parse(RType::TXT, dotted + ".example.com").records.empty());
    EXPECT_EQ(m.agreement(RType::TXT, base + ".example.com"), Agreement::Same);
    EXPECT_EQ(m.agreement(RType::TXT, escaped + ".example.com"), Agreement::Same);
  }
}

TEST(WireReader, ClassesAndOtherTypes) {
  Msg m(0, 1);
  m.ptr(kQname).head(1, 300, 3).u32(0x01020304).done();  // class CH: not ours
  m.ptr(kQname).head(1, 300, 1).u32(0x05060708).done();
  m.ptr(kQname).head(28).u32(1).u32(2).u32(3).u32(4).done();
  m.ptr(kQname).head(2).done();  // NS without data still counts as an NS (as convert() had it)
  m.ptr(kQname).head(6).done();
  m.ptr(kQname).head(65280).u32(7).done();
  m.counts(6);
  auto a = m.parse(RType::A);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].address.to_string(), "5.6.7.8");
  EXPECT_FALSE(m.parse(RType::AAAA).records.at(0).address.is_v4());
  EXPECT_EQ(m.parse(RType::NS).records.size(), 1u);
  EXPECT_EQ(m.parse(RType::SOA).records.size(), 1u);
  for (RType t : {RType::A, RType::AAAA, RType::NS, RType::SOA, RType::TXT}) {
    EXPECT_EQ(m.agreement(t), Agreement::Same) << to_string(t);
  }
}

// ---- The differential test -------------------------------------------------

constexpr RType kTypes[] = {RType::A,  RType::NS,  RType::CNAME, RType::SOA, RType::PTR,
                            RType::MX, RType::TXT, RType::AAAA,  RType::SPF};

// Well-formed random responses: names from a small pool (so that owners,
// CNAME chains and compression meet), compressed against earlier names with
// backward pointers only, every record's data of its type's shape.
class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  std::vector<std::uint8_t> response() {
    b_.clear();
    table_.clear();
    static constexpr unsigned kRcodes[] = {0, 0, 0, 0, 0, 0, 3, 3, 2, 5, 1, 4, 9};
    u16(pick(65536)), u16(0x8180 | kRcodes[pick(std::size(kRcodes))]);
    const unsigned an = pick(7), ns = pick(3), ar = pick(3);
    u16(1), u16(an), u16(ns), u16(ar);
    name(pick(4) == 0 ? std::vector<std::string>{"EXAMPLE", "com"} : std::vector<std::string>{"example", "com"});
    u16(static_cast<unsigned>(kTypes[pick(std::size(kTypes))])), u16(1);
    for (unsigned i = 0; i < an; ++i) record(false);
    for (unsigned i = 0; i < ns; ++i) record(true);
    for (unsigned i = 0; i < ar; ++i) {
      if (pick(2) == 0) {
        u8(0), u16(41), u16(1232), u32(0), u16(0);  // OPT
      } else {
        record(false);
      }
    }
    return b_;
  }

  unsigned pick(std::size_t n) { return static_cast<unsigned>(rng_() % n); }

 private:
  std::vector<std::string> some_name() {
    static const std::vector<std::vector<std::string>> kPool = {
        {"example", "com"}, {"Example", "COM"}, {"a", "example", "com"}, {"b", "example", "com"},
        {"c", "example", "com"}, {"a.b", "example", "com"}, {"example.com"}, {"other", "org"},
        {"mail", "example", "com"}, {"x\\y", "example", "com"}, {"Long-Label.With.Dots-0123456789", "Example"},
        {"long-label", "example", "com"}, {"LONG-LABEL", "EXAMPLE", "COM"}, {}};
    if (pick(12) == 0) {
      std::vector<std::string> out;
      for (unsigned i = 0, n = 1 + pick(4); i < n; ++i) {
        std::string l;
        for (unsigned j = 0, m = pick(12); j < m; ++j) l += static_cast<char>(pick(8) == 0 ? pick(256) : 'a' + pick(26));
        if (l.empty()) l = "z";
        out.push_back(l);
      }
      return out;
    }
    return kPool[pick(kPool.size())];
  }

  // Writes a name, with a backward pointer to an earlier copy of a suffix when
  // one is known (and the coin says so).
  void name(const std::vector<std::string>& labels) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::string suffix;
      for (std::size_t j = i; j < labels.size(); ++j) suffix += labels[j] + '\0';
      auto it = table_.find(suffix);
      if (it != table_.end() && pick(4) != 0) {
        u16(0xc000 | it->second);
        return;
      }
      if (b_.size() < 0x3fff) table_.emplace(suffix, static_cast<unsigned>(b_.size()));
      u8(static_cast<unsigned>(labels[i].size()));
      b_.insert(b_.end(), labels[i].begin(), labels[i].end());
    }
    u8(0);
  }

  void record(bool authority) {
    static constexpr std::uint16_t kAnswerTypes[] = {1, 1, 28, 15, 16, 16, 16, 99, 5, 5, 5, 12, 2, 6, 13, 65280};
    static constexpr std::uint16_t kAuthorityTypes[] = {6, 6, 2, 16};
    const std::uint16_t type =
        authority ? kAuthorityTypes[pick(std::size(kAuthorityTypes))] : kAnswerTypes[pick(std::size(kAnswerTypes))];
    // Half the owners are the names asked for.
    static const std::vector<std::string> kAsked[] = {{"example", "com"},    {"EXAMPLE", "Com"},
                                                      {"a", "example", "com"}, {"example.com"},
                                                      {"long-label", "example", "com"}, {"Long-LABEL", "example", "com"}};
    name(pick(2) == 0 ? kAsked[pick(std::size(kAsked))] : some_name());
    static constexpr std::uint32_t kTtls[] = {0, 1, 60, 300, 3600, 86400, 0x7fffffff, 0xffffffff};
    u16(type), u16(pick(10) == 0 ? 3 : 1), u32(pick(3) == 0 ? kTtls[pick(std::size(kTtls))] : pick(100000));
    const std::size_t length_at = b_.size();
    u16(0);
    const bool odd = pick(15) == 0;  // data of an unusual but consistent shape (ldns reads fewer fields)
    switch (type) {
      case 1: odd ? void() : u32(static_cast<std::uint32_t>(rng_())); break;
      case 28:
        if (!odd) u32(rng_()), u32(rng_()), u32(rng_()), u32(rng_());
        break;
      case 15:
        if (!odd) {
          u16(pick(100)), name(some_name());
        } else if (pick(2) == 0) {
          u16(pick(100));
        }
        break;
      case 16:
      case 99:
        if (!odd) {
          for (unsigned i = 0, n = 1 + pick(3); i < n; ++i) {
            const unsigned len = pick(10) == 0 ? 255 : pick(20);
            u8(len);
            for (unsigned j = 0; j < len; ++j) u8('a' + pick(26));
          }
        }
        break;
      case 5:
      case 12:
      case 2:
        if (!odd) name(some_name());
        break;
      case 6:
        name(some_name()), name(some_name());
        for (unsigned i = 0, n = odd ? pick(5) : 5; i < n; ++i) u32(pick(2) == 0 ? pick(1000) : rng_());
        break;
      case 13:  // HINFO: two character-strings
        u8(3), u8('c'), u8('p'), u8('u'), u8(2), u8('o'), u8('s');
        break;
      default:
        for (unsigned i = 0, n = pick(8); i < n; ++i) u8(pick(256));
    }
    const std::size_t len = b_.size() - length_at - 2;
    b_[length_at] = static_cast<std::uint8_t>(len >> 8);
    b_[length_at + 1] = static_cast<std::uint8_t>(len & 0xff);
  }

  void u8(unsigned v) { b_.push_back(static_cast<std::uint8_t>(v)); }
  void u16(unsigned v) { u8(v >> 8), u8(v & 0xff); }
  void u32(std::uint32_t v) { u16(v >> 16), u16(v & 0xffff); }

  std::mt19937 rng_;
  std::vector<std::uint8_t> b_;
  std::map<std::string, unsigned> table_;
};

std::string hex(const std::vector<std::uint8_t>& b) {
  std::string s;
  for (auto c : b) s += "0123456789abcdef"[c >> 4], s += "0123456789abcdef"[c & 15];
  return s;
}

struct Tally {
  std::size_t same = 0, rdata_shape = 0, pointer_rule = 0, different = 0, with_records = 0, malformed = 0;
};

void check(const std::vector<std::uint8_t>& m, Tally& t, bool well_formed) {
  for (RType type : kTypes) {
    for (std::string_view qname : {"example.com", "a.example.com", "example\\.com", "Long-Label.Example.COM.",
                                   "long-label\\.with\\.dots-0123456789.example"}) {
      const auto c = compare_with_ldns(m.data(), m.size(), qname, type);
      switch (c.agreement) {
        case Agreement::Same: ++t.same; break;
        case Agreement::RdataShape: ++t.rdata_shape; break;
        case Agreement::PointerRule: ++t.pointer_rule; break;
        case Agreement::Different: ++t.different; break;
      }
      if (c.agreement == Agreement::Same) {
        const auto a = parse_response(m.data(), m.size(), qname, type);
        t.with_records += !a.records.empty();
        t.malformed += a.status == Status::Error && a.detail.starts_with("malformed");
      }
      if (c.agreement == Agreement::Different || (well_formed && c.agreement != Agreement::Same)) {
        ADD_FAILURE() << c.message << "\n  qname " << qname << " message " << hex(m);
        if (t.different > 5) FAIL() << "too many differences";
      }
    }
  }
}

TEST(WireReaderDifferential, WellFormedResponsesGiveTheSameAnswerAsLdns) {
  Generator gen(20261127);
  Tally t;
  for (int i = 0; i < 6000 && !HasFatalFailure(); ++i) check(gen.response(), t, true);
  EXPECT_EQ(t.different, 0u);
  EXPECT_GT(t.with_records, 3000u);  // the test compares real answers, not just empty ones
  std::printf("well-formed: %zu comparisons, %zu with records\n", t.same + t.different, t.with_records);
}

TEST(WireReaderDifferential, MutatedResponsesDifferOnlyAsDocumented) {
  Generator gen(7);
  Tally t;
  for (int i = 0; i < 12000 && !HasFatalFailure(); ++i) {
    auto m = gen.response();
    for (unsigned k = 0, n = gen.pick(4) == 0 ? 2 : 1; k < n && !m.empty(); ++k) {
      const std::size_t at = gen.pick(m.size());
      switch (gen.pick(12)) {
        case 0: m[at] = static_cast<std::uint8_t>(gen.pick(256)); break;
        case 1: m[at] ^= static_cast<std::uint8_t>(1u << gen.pick(8)); break;
        case 2: m[at] = static_cast<std::uint8_t>(0xc0 | gen.pick(2)), m[(at + 1) % m.size()] = gen.pick(m.size()) & 0xff; break;
        case 3: m.resize(at); break;
        case 4: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(gen.pick(256))); break;
        case 5: m.erase(m.begin() + static_cast<std::ptrdiff_t>(at)); break;
        case 6: if (m.size() > 11) m[6 + gen.pick(6)] += static_cast<std::uint8_t>(gen.pick(3)) - 1; break;
        case 7:
        case 8:
        case 9: m[at] ^= 0x20; break;  // mostly changes the case of a letter: the answer must not change
        default: m[at] = static_cast<std::uint8_t>(gen.pick(2) == 0 ? 0 : 63 + gen.pick(3)); break;
      }
    }
    check(m, t, false);
  }
  EXPECT_EQ(t.different, 0u);
  // Not vacuous: most comparisons are exact, some with records, some malformed.
  const std::size_t total = t.same + t.rdata_shape + t.pointer_rule + t.different;
  EXPECT_GT(t.same, total / 2);
  EXPECT_GT(t.with_records, 2000u);
  EXPECT_GT(t.malformed, 2000u);
  std::printf("mutated: %zu comparisons, %zu same (%zu with records, %zu malformed), %zu rdata-shape, %zu pointer-rule\n",
              total, t.same, t.with_records, t.malformed, t.rdata_shape, t.pointer_rule);
}

}  // namespace
}  // namespace spfdoctor::dns
