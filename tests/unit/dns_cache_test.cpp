// The DNS cache, the caching resolver, and the response parser.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "spfdoctor/net_resolver.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor::dns {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + 1000s;
  DnsCache::Clock fn() {
    return [this] { return now; };
  }
};

AnswerPtr answer_with(Status st, std::uint32_t ttl, int records = 1) {
  auto a = std::make_shared<Answer>();
  a->status = st;
  a->ttl = ttl;
  for (int i = 0; i < records; ++i) {
    Record rr;
    rr.type = RType::A;
    rr.ttl = ttl;
    rr.address = *IpAddress::parse("192.0.2.1");
    a->records.push_back(rr);
  }
  return a;
}

TEST(DnsCache, HonoursTtl) {
  FakeClock clock;
  DnsCache cache(1000, 0, 86400, clock.fn());
  cache.put("example.com", RType::A, answer_with(Status::Ok, 60));
  EXPECT_NE(cache.get("example.com", RType::A), nullptr);
  EXPECT_EQ(cache.get("example.com", RType::TXT), nullptr);
  clock.now += 59s;
  EXPECT_NE(cache.get("example.com", RType::A), nullptr);
  clock.now += 2s;
  EXPECT_EQ(cache.get("example.com", RType::A), nullptr);
}

TEST(DnsCache, NegativeAnswersAreCachedErrorsAreNot) {
  FakeClock clock;
  DnsCache cache(1000, 0, 86400, clock.fn());
  cache.put("nx.example.com", RType::TXT, answer_with(Status::NxDomain, 300, 0));
  cache.put("nodata.example.com", RType::TXT, answer_with(Status::Ok, 300, 0));
  cache.put("broken.example.com", RType::TXT, answer_with(Status::ServFail, 300, 0));
  cache.put("slow.example.com", RType::TXT, answer_with(Status::Timeout, 300, 0));
  EXPECT_NE(cache.get("nx.example.com", RType::TXT), nullptr);
  EXPECT_NE(cache.get("nodata.example.com", RType::TXT), nullptr);
  EXPECT_EQ(cache.get("broken.example.com", RType::TXT), nullptr);
  EXPECT_EQ(cache.get("slow.example.com", RType::TXT), nullptr);
}

TEST(DnsCache, BoundedInMemory) {
  DnsCache cache(160);
  for (int i = 0; i < 5000; ++i)
    cache.put("h" + std::to_string(i) + ".example.com", RType::A, answer_with(Status::Ok, 600));
  EXPECT_LE(cache.size(), 160u);
  EXPECT_NE(cache.get("h4999.example.com", RType::A), nullptr);  // the newest survive
}

AnswerPtr txt_answer(std::size_t bytes, char fill = 'x') {
  auto a = std::make_shared<Answer>();
  a->ttl = 600;
  Record rr;
  rr.type = RType::TXT;
  rr.ttl = 600;
  for (std::size_t done = 0; done < bytes; done += 255) rr.strings.emplace_back(std::min<std::size_t>(255, bytes - done), fill);
  a->records.push_back(std::move(rr));
  return a;
}

// A hostile server answers 64 KB a question: the cache is bounded in bytes
// as well as in answers, and its count is the sum of what it holds.
TEST(DnsCache, BoundedInBytes) {
  constexpr std::size_t kBudget = 16 * 40000;  // 40,000 bytes a shard
  DnsCache cache(100000, 0, 86400, {}, kBudget);
  const std::size_t one = DnsCache::footprint(question_key("big0.example.com", RType::TXT).size(), *txt_answer(8000));
  EXPECT_GT(one, 8000u);
  EXPECT_LT(one, 8000u + 4000u);  // the text and a few hundred bytes of bookkeeping per string
  std::size_t max_seen = 0;
  for (int i = 0; i < 2000; ++i) {
    cache.put("big" + std::to_string(i) + ".example.com", RType::TXT, txt_answer(8000));
    max_seen = std::max(max_seen, cache.bytes());
  }
  EXPECT_LE(max_seen, kBudget);
  EXPECT_GT(cache.size(), 16u);        // several answers a shard
  EXPECT_LT(cache.size(), 16u * 5u);   // but no more than 40,000 bytes of them
  EXPECT_NE(cache.get("big1999.example.com", RType::TXT), nullptr);  // the newest survive
  EXPECT_EQ(cache.get("big0.example.com", RType::TXT), nullptr);

  // bytes() is the sum of the answers held: replacing one changes it by the difference.
  DnsCache exact(1000, 0, 86400, {}, std::size_t{64} << 20);
  exact.put("a.example.com", RType::TXT, txt_answer(1000));
  const std::size_t small = exact.bytes();
  exact.put("a.example.com", RType::TXT, txt_answer(3000));
  EXPECT_EQ(exact.size(), 1u);
  EXPECT_EQ(exact.bytes(), DnsCache::footprint(question_key("a.example.com", RType::TXT).size(), *txt_answer(3000)));
  EXPECT_GT(exact.bytes(), small + 1900);
  exact.put("b.example.com", RType::TXT, txt_answer(1000));
  EXPECT_EQ(exact.bytes(), small + DnsCache::footprint(question_key("a.example.com", RType::TXT).size(), *txt_answer(3000)));
}

// An answer bigger than a shard's share is not kept, and does not leave an
// older answer to the same question behind it.
TEST(DnsCache, AnswerOverItsShareIsNotKept) {
  FakeClock clock;
  DnsCache cache(1000, 0, 86400, clock.fn(), 16 * 20000);
  cache.put("x.example.com", RType::TXT, txt_answer(500, 'a'));
  ASSERT_NE(cache.get("x.example.com", RType::TXT), nullptr);
  cache.put("x.example.com", RType::TXT, txt_answer(30000, 'b'));
  EXPECT_EQ(cache.get("x.example.com", RType::TXT), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  // Expired entries leave the count with them.
  cache.put("y.example.com", RType::TXT, txt_answer(500));
  EXPECT_GT(cache.bytes(), 500u);
  clock.now += 601s;
  EXPECT_EQ(cache.get("y.example.com", RType::TXT), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

// Lookups search the index with a probe (name, type, hash) rather than a
// built key: every name length and both halves of the key must count.
TEST(DnsCache, KeysAreNameAndType) {
  DnsCache cache;
  std::vector<std::pair<std::string, AnswerPtr>> put;
  for (std::size_t len = 1; len <= 40; ++len) {
    std::string name(len, 'a');
    name.back() = 'z';  // names that differ only in their last byte from the all-'a' ones
    for (const auto& n : {std::string(len, 'a'), name}) {
      for (RType t : {RType::A, RType::AAAA, RType::TXT}) {
        auto a = answer_with(Status::Ok, 600);
        cache.put(n, t, a);
        put.emplace_back(n + "/" + std::string(to_string(t)), a);
      }
    }
  }
  std::size_t k = 0;
  for (std::size_t len = 1; len <= 40; ++len) {
    std::string name(len, 'a');
    name.back() = 'z';
    for (const auto& n : {std::string(len, 'a'), name}) {
      for (RType t : {RType::A, RType::AAAA, RType::TXT}) {
        EXPECT_EQ(cache.get(n, t), put[k].second) << put[k].first;
        ++k;
      }
    }
  }
  EXPECT_EQ(cache.get("aaaa", RType::MX), nullptr);
  EXPECT_EQ(cache.get("aaaaa", RType::SPF), nullptr);
  EXPECT_EQ(cache.hits(), k);
  EXPECT_EQ(cache.misses(), 2u);
}

// The cache is shared by threads (serve, eval --batch, scan): hammered from
// two at once it stays consistent (and the sanitizer build watches).
TEST(DnsCache, SharedByThreads) {
  DnsCache cache(64);  // small: evictions happen while others read
  constexpr int kOps = 20000;
  auto work = [&](int seed) {
    for (int i = 0; i < kOps; ++i) {
      auto name = "h" + std::to_string((i * 7 + seed) % 200) + ".example.com";
      if (i % 3 == 0) {
        cache.put(name, RType::TXT, answer_with(Status::Ok, 600));
      } else if (auto a = cache.get(name, RType::TXT)) {
        EXPECT_EQ(a->records.size(), 1u);
      }
    }
  };
  std::thread other(work, 1);
  work(2);
  other.join();
  const std::uint64_t gets = 2 * (kOps - (kOps + 2) / 3);
  EXPECT_EQ(cache.hits() + cache.misses(), gets);
  EXPECT_LE(cache.size(), 64u);
}

TEST(DnsCache, TtlClamp) {
  FakeClock clock;
  DnsCache cache(1000, 30, 120, clock.fn());
  cache.put("short.example.com", RType::A, answer_with(Status::Ok, 1));
  cache.put("long.example.com", RType::A, answer_with(Status::Ok, 99999));
  clock.now += 20s;
  EXPECT_NE(cache.get("short.example.com", RType::A), nullptr);
  clock.now += 101s;
  EXPECT_EQ(cache.get("long.example.com", RType::A), nullptr);
}

std::shared_ptr<ZoneData> spf_zone() {
  auto z = std::make_shared<ZoneData>();
  Record txt;
  txt.type = RType::TXT;
  txt.ttl = 300;
  txt.strings = {"v=spf1 include:_spf.example.net -all"};
  z->add("example.com", txt);
  txt.strings = {"v=spf1 ip4:192.0.2.0/24 -all"};
  z->add("_spf.example.net", txt);
  return z;
}

TEST(CachingResolver, SecondIdenticalCheckSendsNoQuery) {
  auto inner = std::make_unique<ZoneResolver>(spf_zone());
  ZoneResolver* counter = inner.get();
  CachingResolver r(std::make_shared<DnsCache>(), std::move(inner));
  Query q{*IpAddress::parse("192.0.2.7"), "a@example.com", "h.example"};
  EXPECT_EQ(evaluate(r, q).result, Result::Pass);
  auto after_first = counter->queries();
  EXPECT_EQ(after_first, 2u);
  EXPECT_EQ(evaluate(r, q).result, Result::Pass);
  EXPECT_EQ(counter->queries(), after_first);
}

TEST(CachingResolver, TtlExpiryRefreshes) {
  FakeClock clock;
  auto inner = std::make_unique<ZoneResolver>(spf_zone());
  ZoneResolver* counter = inner.get();
  CachingResolver r(std::make_shared<DnsCache>(1000, 0, 86400, clock.fn()), std::move(inner));
  Query q{*IpAddress::parse("192.0.2.7"), "a@example.com", "h.example"};
  (void)evaluate(r, q);
  clock.now += 301s;
  (void)evaluate(r, q);
  EXPECT_EQ(counter->queries(), 4u);
}

// A CachingResolver answers a question it asked a moment ago from its own
// recent answers (a slot per hash value): with far more names than slots,
// every answer must still be the asked name's own, and the shared cache must
// answer what the slots lost.
TEST(CachingResolver, RecentAnswersBelongToTheirQuestion) {
  auto zone = std::make_shared<ZoneData>();
  constexpr int kNames = 500;
  auto address = [](int i) { return "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256); };
  for (int i = 0; i < kNames; ++i) {
    Record rr;
    rr.type = RType::A;
    rr.ttl = 300;
    rr.address = *IpAddress::parse(address(i));
    zone->add("h" + std::to_string(i) + ".example", rr);
    Record txt;
    txt.type = RType::TXT;
    txt.ttl = 300;
    txt.strings = {"t" + std::to_string(i)};
    zone->add("h" + std::to_string(i) + ".example", txt);
  }
  auto inner = std::make_unique<ZoneResolver>(zone);
  ZoneResolver* counter = inner.get();
  auto cache = std::make_shared<DnsCache>();
  CachingResolver r(cache, std::move(inner));
  struct Got final : Waiter {
    AnswerPtr a;
    void complete(AnswerPtr x) override { a = std::move(x); }
  };
  auto ask = [&](int i, RType type) {
    Got got;
    r.submit("h" + std::to_string(i) + ".example", type, got);
    return got.a;
  };
  std::uint64_t asked = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kNames; ++i) {
      for (int again = 0; again < 2; ++again) {  // the second time from the recent answers
        auto a = ask(i, RType::A);
        ASSERT_TRUE(a);
        ASSERT_EQ(a->records.size(), 1u);
        EXPECT_EQ(a->records[0].address.to_string(), address(i)) << "round " << round << " h" << i;
        auto t = ask(i, RType::TXT);  // same name, other type: its own answer
        ASSERT_TRUE(t);
        ASSERT_EQ(t->records.size(), 1u);
        EXPECT_EQ(t->records[0].strings.at(0), "t" + std::to_string(i));
        asked += 2;
      }
    }
  }
  EXPECT_EQ(counter->queries(), 2u * kNames);  // asked once each, then cached
  EXPECT_EQ(r.recent_hits() + cache->hits(), asked - 2u * kNames);
  EXPECT_GT(r.recent_hits(), 0u);
  EXPECT_GT(cache->hits(), 0u);  // 1,000 questions do not fit in the slots
}

// A resolver that holds queries until told to answer, to test coalescing.
class HeldResolver final : public Resolver {
 public:
  void submit(std::string_view name, RType type, Waiter& w) override { held_.push_back({std::string(name), type, &w}); }
  void run_once() override {
    auto held = std::move(held_);
    for (auto& h : held) {
      auto a = std::make_shared<Answer>(zone_->lookup(h.name, h.type));
      h.waiter->complete(a);
    }
  }
  std::size_t submitted_total() const { return total_; }
  struct Held {
    std::string name;
    RType type;
    Waiter* waiter;
  };
  std::shared_ptr<ZoneData> zone_ = spf_zone();
  std::vector<Held> held_;
  std::size_t total_ = 0;
};

TEST(CachingResolver, ConcurrentIdenticalQueriesAreSentOnce) {
  auto inner = std::make_unique<HeldResolver>();
  HeldResolver* held = inner.get();
  CachingResolver r(std::make_shared<DnsCache>(), std::move(inner));
  EvalOptions opts;
  Query q{*IpAddress::parse("192.0.2.7"), "a@example.com", "h.example"};
  std::vector<Task<Evaluation>> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(evaluate_async(r, q, opts));
    tasks.back().start();
  }
  EXPECT_EQ(held->held_.size(), 1u);  // five checks, one query on the wire
  while (!std::all_of(tasks.begin(), tasks.end(), [](auto& t) { return t.done(); })) r.run_once();
  for (auto& t : tasks) EXPECT_EQ(t.take().result, Result::Pass);
}

TEST(CachingResolver, PrefetchStartsAQueryThatLaterAsksJoin) {
  auto inner = std::make_unique<HeldResolver>();
  HeldResolver* held = inner.get();
  CachingResolver r(std::make_shared<DnsCache>(), std::move(inner));
  r.prefetch("example.com", RType::TXT);
  ASSERT_EQ(held->held_.size(), 1u);
  r.prefetch("example.com", RType::TXT);  // already on its way
  EXPECT_EQ(held->held_.size(), 1u);
  struct Got final : Waiter {
    AnswerPtr a;
    void complete(AnswerPtr x) override { a = std::move(x); }
  } got;
  r.submit("example.com", RType::TXT, got);
  EXPECT_EQ(held->held_.size(), 1u);  // joined the prefetch
  r.run_once();
  ASSERT_TRUE(got.a);
  ASSERT_EQ(got.a->records.size(), 1u);
  r.prefetch("example.com", RType::TXT);  // cached now: nothing sent
  EXPECT_TRUE(held->held_.empty());
}

// Round trips a check needs when every answer takes one round: prefetching
// sends the lookups of a record's terms together instead of one by one, and
// changes nothing else.
TEST(CachingResolver, PrefetchCutsSequentialRoundsNotResults) {
  auto zone = std::make_shared<ZoneData>();
  auto txt = [&](const char* name, const char* text) {
    Record rr;
    rr.type = RType::TXT;
    rr.ttl = 300;
    rr.strings = {text};
    zone->add(name, rr);
  };
  auto a = [&](const char* name, const char* ip) {
    Record rr;
    rr.type = RType::A;
    rr.ttl = 300;
    rr.address = *IpAddress::parse(ip);
    zone->add(name, rr);
  };
  txt("example.com", "v=spf1 mx include:one.example include:two.example a:www.example.com ~all");
  txt("one.example", "v=spf1 include:deep.example -all");
  txt("deep.example", "v=spf1 ip4:198.51.100.0/24 -all");
  txt("two.example", "v=spf1 ip4:203.0.113.0/24 -all");
  for (const char* mx : {"mx1.example.com", "mx2.example.com", "mx3.example.com"}) {
    Record rr;
    rr.type = RType::MX;
    rr.ttl = 300;
    rr.target = mx;
    rr.preference = 10;
    zone->add("example.com", rr);
    a(mx, "192.0.2.1");
  }
  a("www.example.com", "192.0.2.80");
  auto rounds_for = [&](const char* ip, bool prefetch, Evaluation& out) {
    auto inner = std::make_unique<HeldResolver>();
    inner->zone_ = zone;
    CachingResolver r(std::make_shared<DnsCache>(), std::move(inner));
    EvalOptions opts;
    opts.prefetch = prefetch;
    opts.timestamp = 1;
    auto task = evaluate_async(r, Query{*IpAddress::parse(ip), "a@example.com", "h.example"}, opts);
    task.start();
    int rounds = 0;
    while (!task.done() && rounds < 100) {
      r.run_once();
      ++rounds;
    }
    out = task.take();
    return rounds;
  };
  for (const char* ip : {"192.0.2.80", "203.0.113.9", "10.0.0.1"}) {
    SCOPED_TRACE(ip);
    Evaluation seq, par;
    int sequential = rounds_for(ip, false, seq);
    int parallel = rounds_for(ip, true, par);
    EXPECT_EQ(seq.result, par.result);
    EXPECT_EQ(seq.lookups, par.lookups);
    EXPECT_EQ(seq.void_lookups, par.void_lookups);
    EXPECT_EQ(seq.matched, par.matched);
    ASSERT_EQ(seq.trace.size(), par.trace.size());
    for (std::size_t i = 0; i < seq.trace.size(); ++i) EXPECT_EQ(seq.trace[i].text, par.trace[i].text);
    // Without prefetch: TXT, MX, three A, one, deep, two, www = 9 rounds for
    // a miss. With it: TXT; then MX, one, two and www together; then the
    // three exchanges' A (asked when the mx term runs); then deep (known
    // once one's record is read, which the evaluator does after mx).
    EXPECT_LT(parallel, sequential);
    if (std::string_view(ip) == "10.0.0.1") {
      EXPECT_EQ(sequential, 9);
      EXPECT_EQ(parallel, 4);
    }
  }
}

// A hand-made DNS response: header, question, answer records.
std::vector<unsigned char> response(int rcode, const std::vector<std::vector<unsigned char>>& answers,
                                    const std::vector<std::vector<unsigned char>>& authority = {}) {
  std::vector<unsigned char> m;
  auto put = [&](std::initializer_list<int> bytes) {
    for (int b : bytes) m.push_back(static_cast<unsigned char>(b));
  };
  put({0x12, 0x34, 0x81, 0x80 | rcode, 0, 1, 0, static_cast<int>(answers.size()), 0, static_cast<int>(authority.size()),
       0, 0});
  put({7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 16, 0, 1});
  for (const auto& a : answers) {
    for (auto b : a) m.push_back(b);
  }
  for (const auto& a : authority) {
    for (auto b : a) m.push_back(b);
  }
  return m;
}

std::vector<unsigned char> txt_rr(const std::string& text, unsigned ttl) {
  std::vector<unsigned char> rr;
  for (int b : {0xc0, 0x0c, 0, 16, 0, 1, 0, 0, static_cast<int>(ttl >> 8), static_cast<int>(ttl & 0xff), 0,
                static_cast<int>(text.size() + 1), static_cast<int>(text.size())}) {
    rr.push_back(static_cast<unsigned char>(b));
  }
  for (char c : text) rr.push_back(static_cast<unsigned char>(c));
  return rr;
}

TEST(ParseResponse, TxtRecordsAndTtl) {
  auto m = response(0, {txt_rr("v=spf1 -all", 300), txt_rr("other", 120)});
  auto a = parse_response(m.data(), m.size(), "example.com", RType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  ASSERT_EQ(a.records.size(), 2u);
  EXPECT_EQ(a.records[0].strings, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_EQ(a.ttl, 120u);
}

TEST(ParseResponse, NxDomainWithSoaGivesNegativeTtl) {
  std::vector<unsigned char> soa = {0xc0, 0x0c, 0,    6, 0,   1,    0,    0, 0x0e, 0x10, 0, 29, 2, 'n',
                                    's',  0xc0, 0x0c, 1, 'h', 0xc0, 0x0c, 0, 0,    0,    1, 0,  0, 0,
                                    2,    0,    0,    0, 3,   0,    0,    0, 4,    0,    0, 0,  60};
  auto m = response(3, {}, {soa});
  auto a = parse_response(m.data(), m.size(), "example.com", RType::TXT);
  EXPECT_EQ(a.status, Status::NxDomain);
  EXPECT_EQ(a.ttl, 60u);
}

TEST(ParseResponse, ErrorsAndGarbage) {
  auto m = response(2, {});
  EXPECT_EQ(parse_response(m.data(), m.size(), "example.com", RType::TXT).status, Status::ServFail);
  m = response(5, {});
  EXPECT_EQ(parse_response(m.data(), m.size(), "example.com", RType::TXT).status, Status::Refused);
  const unsigned char junk[] = {1, 2, 3};
  EXPECT_EQ(parse_response(junk, sizeof junk, "example.com", RType::TXT).status, Status::Error);
  auto truncated = response(0, {txt_rr("v=spf1 -all", 300)});
  truncated.resize(truncated.size() - 4);
  EXPECT_EQ(parse_response(truncated.data(), truncated.size(), "example.com", RType::TXT).status, Status::Error);
}

TEST(ServerAddress, Forms) {
  EXPECT_EQ(parse_server_address("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(parse_server_address("127.0.0.1:5353"), "127.0.0.1:5353");
  EXPECT_EQ(parse_server_address("::1"), "[::1]");
  EXPECT_EQ(parse_server_address("[::1]:5353"), "[::1]:5353");
  EXPECT_THROW((void)parse_server_address("localhost"), std::invalid_argument);
  EXPECT_THROW((void)parse_server_address("127.0.0.1:99999"), std::invalid_argument);
  EXPECT_THROW((void)parse_server_address("[::1:53"), std::invalid_argument);
  EXPECT_THROW((void)parse_server_address("127.0.0.1:"), std::invalid_argument);
}

// A TXT record with its owner written out (no compression pointer).
std::vector<unsigned char> txt_rr_owned(const std::vector<std::string>& labels, const std::string& text) {
  std::vector<unsigned char> rr;
  for (const auto& l : labels) {
    rr.push_back(static_cast<unsigned char>(l.size()));
    rr.insert(rr.end(), l.begin(), l.end());
  }
  rr.push_back(0);
  for (int b : {0, 16, 0, 1, 0, 0, 1, 0, 0, static_cast<int>(text.size() + 1), static_cast<int>(text.size())}) {
    rr.push_back(static_cast<unsigned char>(b));
  }
  rr.insert(rr.end(), text.begin(), text.end());
  return rr;
}

// Only records owned by the asked name count: compared case-insensitively,
// label by label (a dot inside a label is not a label boundary).
TEST(ParseResponse, OwnerMustBeTheAskedName) {
  auto m = response(0, {txt_rr_owned({"EXAMPLE", "Com"}, "upper"), txt_rr_owned({"other", "com"}, "other"),
                        txt_rr_owned({"example.com"}, "one label"), txt_rr_owned({"example", "com", "x"}, "longer"),
                        txt_rr_owned({"example", "co"}, "shorter"), txt_rr_owned({"example", "com"}, "lower")});
  auto a = parse_response(m.data(), m.size(), "example.com", RType::TXT);
  ASSERT_EQ(a.status, Status::Ok);
  ASSERT_EQ(a.records.size(), 2u);
  EXPECT_EQ(a.records[0].strings, std::vector<std::string>{"upper"});
  EXPECT_EQ(a.records[1].strings, std::vector<std::string>{"lower"});
  // The one-label owner "example\.com" is its own name.
  auto b = parse_response(m.data(), m.size(), "example\\.com", RType::TXT);
  ASSERT_EQ(b.records.size(), 1u);
  EXPECT_EQ(b.records[0].strings, std::vector<std::string>{"one label"});
}

}  // namespace
}  // namespace spfdoctor::dns
