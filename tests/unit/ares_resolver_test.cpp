// AresResolver's UDP path (c-ares with our socket functions: queries of one
// loop turn sent together, answers read in batches) against a DNS responder
// in this test, on loopback: every answer reaches the query it belongs to,
// c-ares' sockets are set up as c-ares itself would (non-blocking,
// close-on-exec), and a refused send or read is an error, not a timeout.
#include <ares.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "spfdoctor/net_resolver.hpp"

namespace spfdoctor::dns {
namespace {

struct Collect final : Waiter {
  AnswerPtr answer;
  void complete(AnswerPtr a) override { answer = std::move(a); }
};

// A UDP socket on 127.0.0.1 that the test reads and answers by hand.
struct TestServer {
  int fd = -1;
  int port = 0;
  TestServer() {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~TestServer() { ::close(fd); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }

  // Reads the queries waiting (up to `want`, waiting at most a few seconds for them).
  struct Query {
    std::vector<unsigned char> wire;
    sockaddr_storage from{};
    socklen_t from_len = sizeof(sockaddr_storage);
  };
  std::vector<Query> read(std::size_t want) {
    std::vector<Query> out;
    while (out.size() < want) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      Query q;
      q.wire.resize(4096);
      const ssize_t n = ::recvfrom(fd, q.wire.data(), q.wire.size(), 0, reinterpret_cast<sockaddr*>(&q.from),
                                   &q.from_len);
      if (n <= 0) break;
      q.wire.resize(static_cast<std::size_t>(n));
      out.push_back(std::move(q));
    }
    return out;
  }
  // Answers `q` with one TXT record holding `text` (the question copied back).
  void answer(const Query& q, const std::string& text) {
    std::vector<unsigned char> r(q.wire.begin(), q.wire.begin() + 12);
    r[2] = 0x84 | (q.wire[2] & 0x01);  // QR, AA, RD copied
    r[3] = 0x00;
    r[4] = 0, r[5] = 1;   // QDCOUNT
    r[6] = 0, r[7] = 1;   // ANCOUNT
    r[8] = r[9] = r[10] = r[11] = 0;
    std::size_t i = 12;
    while (i < q.wire.size() && q.wire[i] != 0) i += q.wire[i] + 1;
    i += 1 + 4;  // root label, QTYPE, QCLASS
    r.insert(r.end(), q.wire.begin() + 12, q.wire.begin() + static_cast<long>(i));
    const unsigned char rr[] = {0xC0, 0x0C, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10};
    r.insert(r.end(), std::begin(rr), std::end(rr));
    const auto len = static_cast<unsigned>(text.size() + 1);
    r.push_back(static_cast<unsigned char>(len >> 8));
    r.push_back(static_cast<unsigned char>(len & 0xff));
    r.push_back(static_cast<unsigned char>(text.size()));
    r.insert(r.end(), text.begin(), text.end());
    ::sendto(fd, r.data(), r.size(), 0, reinterpret_cast<const sockaddr*>(&q.from), q.from_len);
  }
};

// Answers `q` with no records and the given rcode (the question copied back).
void reply_empty(int fd, const TestServer::Query& q, unsigned rcode) {
  std::vector<unsigned char> r(q.wire.begin(), q.wire.begin() + 12);
  r[2] = 0x84 | (q.wire[2] & 0x01);
  r[3] = static_cast<unsigned char>(rcode);
  r[4] = 0, r[5] = 1;
  r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
  std::size_t i = 12;
  while (i < q.wire.size() && q.wire[i] != 0) i += q.wire[i] + 1;
  i += 1 + 4;
  r.insert(r.end(), q.wire.begin() + 12, q.wire.begin() + static_cast<long>(i));
  ::sendto(fd, r.data(), r.size(), 0, reinterpret_cast<const sockaddr*>(&q.from), q.from_len);
}

// The first name in a query's question, dotted.
std::string question_name(const std::vector<unsigned char>& wire) {
  std::string name;
  std::size_t i = 12;
  while (i < wire.size() && wire[i] != 0) {
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(&wire[i + 1]), wire[i]);
    i += wire[i] + 1;
  }
  return name;
}

// Options for a resolver that asks `server` only.
NetworkOptions only(const TestServer& server, int tries = 2) {
  NetworkOptions opts;
  opts.servers = {server.address()};
  opts.tries = tries;
  return opts;
}

// Turns the resolver's loop on a thread of its own until nothing is pending
// (the test's thread answers meanwhile).
std::thread turn(AresResolver& resolver) {
  return std::thread([&resolver] {
    while (resolver.pending() > 0) resolver.run_once();
  });
}

// The query c-ares itself would make of `name`, with `id` (EDNS size 0: none).
std::vector<unsigned char> ares_would_send(const std::string& name, RType type, unsigned id, int edns) {
  unsigned char* buf = nullptr;
  int len = 0;
  EXPECT_EQ(ares_create_query(name.c_str(), 1, static_cast<int>(type), static_cast<unsigned short>(id), 1, &buf, &len,
                              edns),
            ARES_SUCCESS)
      << name;
  std::vector<unsigned char> out(buf, buf + len);
  ares_free_string(buf);
  return out;
}

unsigned query_id(const std::vector<unsigned char>& wire) { return (static_cast<unsigned>(wire[0]) << 8) | wire[1]; }

// The flags (as in /proc/self/fdinfo, octal) of every socket this process has
// open besides `except`.
std::vector<unsigned long> socket_flags(int except) {
  std::vector<unsigned long> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(e.path(), ec);
    if (ec || target.string().rfind("socket:", 0) != 0) continue;
    const int fd = std::stoi(e.path().filename().string());
    if (fd == except) continue;
    std::ifstream info("/proc/self/fdinfo/" + std::to_string(fd));
    std::string key;
    while (info >> key) {
      if (key == "flags:") {
        std::string value;
        info >> value;
        out.push_back(std::stoul(value, nullptr, 8));
        break;
      }
    }
  }
  return out;
}

TEST(AresResolver, ManyQueriesAtOnceEachGetTheirOwnAnswer) {
  TestServer server;
  NetworkOptions opts;
  opts.servers = {server.address()};
  opts.timeout = std::chrono::milliseconds(5000);
  AresResolver resolver(opts);
  constexpr int kQueries = 100;  // more than one read batch (32) and one send batch
  std::vector<Collect> waiters(kQueries);
  for (int i = 0; i < kQueries; ++i) {
    resolver.submit("q" + std::to_string(i) + ".example.com", RType::TXT, waiters[static_cast<std::size_t>(i)]);
  }
  // The queries leave on the resolver's next turn (one sendmmsg); poll() there
  // times out quickly as nothing has answered yet... so turn it from a thread
  // of its own while this one answers.
  std::thread loop([&] {
    while (resolver.pending() > 0) resolver.run_once();
  });
  auto queries = server.read(kQueries);
  ASSERT_EQ(queries.size(), static_cast<std::size_t>(kQueries));
  // c-ares' socket is non-blocking and close-on-exec, as c-ares makes its own.
  const auto flags = socket_flags(server.fd);
  ASSERT_FALSE(flags.empty());
  for (unsigned long f : flags) {
    EXPECT_TRUE(f & O_NONBLOCK) << std::oct << f;
    EXPECT_TRUE(f & O_CLOEXEC) << std::oct << f;
  }
  // Answered in reverse order: each answer must still find its own query.
  for (auto it = queries.rbegin(); it != queries.rend(); ++it) {
    server.answer(*it, "v=spf1 -all for " + question_name(it->wire));
  }
  loop.join();
  for (int i = 0; i < kQueries; ++i) {
    const auto& a = waiters[static_cast<std::size_t>(i)].answer;
    ASSERT_TRUE(a) << i;
    ASSERT_EQ(a->status, Status::Ok) << i << ": " << a->detail;
    ASSERT_EQ(a->records.size(), 1u) << i;
    ASSERT_EQ(a->records[0].strings.size(), 1u) << i;
    EXPECT_EQ(a->records[0].strings[0], "v=spf1 -all for q" + std::to_string(i) + ".example.com");
  }
  EXPECT_EQ(resolver.queries_sent(), static_cast<std::uint64_t>(kQueries));
}

TEST(AresResolver, OneQueryAtATimeReusesNothingStale) {
  // c-ares closes its UDP socket when no query is left and opens a new one
  // for the next: each of these goes through a fresh socket.
  TestServer server;
  NetworkOptions opts;
  opts.servers = {server.address()};
  AresResolver resolver(opts);
  for (int i = 0; i < 5; ++i) {
    Collect w;
    const std::string name = "one" + std::to_string(i) + ".example.org";
    resolver.submit(name, RType::TXT, w);
    std::thread loop([&] {
      while (resolver.pending() > 0) resolver.run_once();
    });
    auto q = server.read(1);
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(question_name(q[0].wire), name);
    server.answer(q[0], "answer " + name);
    loop.join();
    ASSERT_TRUE(w.answer);
    ASSERT_EQ(w.answer->status, Status::Ok) << w.answer->detail;
    EXPECT_EQ(w.answer->records.at(0).strings.at(0), "answer " + name);
  }
}

TEST(AresResolver, QueriesAreTheBytesAresQueryWouldSend) {
  // Ordinary names are composed by the resolver itself and go out through
  // ares_send(); names with escapes go through ares_query(). Either way the
  // datagram must be what ares_create_query() makes of the name (EDNS 1232,
  // RD set), but for the id c-ares picks.
  TestServer server;
  AresResolver resolver(only(server));
  const std::string label63(63, 'x');
  const std::string long_name = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'y');  // 253
  const std::vector<std::pair<std::string, RType>> asked{
      {"example.com", RType::TXT},      {"mail.example.com", RType::A},   {"mail.example.com", RType::AAAA},
      {"example.org", RType::MX},       {"trailing.example.net.", RType::TXT},
      {"1.2.0.192.in-addr.arpa", RType::PTR}, {".", RType::TXT},      {label63 + ".example", RType::TXT},
      {long_name, RType::TXT},          {long_name + ".", RType::A},     {"esc\\.aped.example", RType::TXT},
      {"MiXeD-Case_x.Example", RType::TXT},
  };
  std::vector<Collect> waiters(asked.size());
  for (std::size_t i = 0; i < asked.size(); ++i) resolver.submit(asked[i].first, asked[i].second, waiters[i]);
  std::thread loop = turn(resolver);
  auto queries = server.read(asked.size());
  ASSERT_EQ(queries.size(), asked.size());
  std::vector<bool> seen(asked.size());
  for (const auto& q : queries) {
    bool matched = false;
    for (std::size_t i = 0; i < asked.size() && !matched; ++i) {
      if (!seen[i] && ares_would_send(asked[i].first, asked[i].second, query_id(q.wire), 1232) == q.wire) {
        seen[i] = matched = true;
      }
    }
    EXPECT_TRUE(matched) << "a query no name of ours makes: " << question_name(q.wire);
    reply_empty(server.fd, q, 3);
  }
  loop.join();
  for (std::size_t i = 0; i < asked.size(); ++i) {
    ASSERT_TRUE(waiters[i].answer) << asked[i].first;
    EXPECT_EQ(waiters[i].answer->status, Status::NxDomain) << asked[i].first;
  }
}

TEST(AresResolver, NamesDnsCannotCarryNeverLeave) {
  // c-ares' own refusals (ARES_EBADNAME) stand: an empty label, a label over
  // 63 octets, a name over 255 octets.
  TestServer server;
  AresResolver resolver(only(server));
  const std::vector<std::string> bad{"a..example.com", ".leading.example", std::string(64, 'l') + ".example",
                                     std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                         std::string(63, 'c') + "." + std::string(63, 'd'),
                                     "double.dot.example.."};
  std::vector<Collect> waiters(bad.size());
  for (std::size_t i = 0; i < bad.size(); ++i) resolver.submit(bad[i], RType::TXT, waiters[i]);
  while (resolver.pending() > 0) resolver.run_once();
  for (std::size_t i = 0; i < bad.size(); ++i) {
    ASSERT_TRUE(waiters[i].answer) << bad[i];
    EXPECT_EQ(waiters[i].answer->status, Status::NxDomain) << bad[i];
    EXPECT_EQ(waiters[i].answer->detail, "not a valid DNS name") << bad[i];
  }
  pollfd p{server.fd, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 100), 0) << "a refused name went out";
}

TEST(AresResolver, EachRcodeGivesItsStatus) {
  // What ares_query()'s callback made of each reply, kept now that ordinary
  // queries go through ares_send(). SERVFAIL, NOTIMP and REFUSED make c-ares
  // try the next server and then give up with its own status; the others end
  // the query.
  struct Case {
    unsigned rcode;
    Status status;
    std::string detail;
  };
  const std::vector<Case> cases{
      {0, Status::Ok, ""},
      {3, Status::NxDomain, ""},
      {9, Status::Error, "the server answered RCODE 9"},
      {2, Status::ServFail, "no DNS server gave a usable answer (SERVFAIL, REFUSED or connection refused)"},
      {5, Status::ServFail, "no DNS server gave a usable answer (SERVFAIL, REFUSED or connection refused)"},
      {4, Status::ServFail, "no DNS server gave a usable answer (SERVFAIL, REFUSED or connection refused)"},
  };
  for (const auto& c : cases) {
    TestServer server;
    AresResolver resolver(only(server, 1));
    Collect w;
    resolver.submit("rcode.example.com", RType::TXT, w);
    std::thread loop = turn(resolver);
    auto q = server.read(1);
    ASSERT_EQ(q.size(), 1u);
    reply_empty(server.fd, q[0], c.rcode);
    loop.join();
    ASSERT_TRUE(w.answer) << c.rcode;
    EXPECT_EQ(w.answer->status, c.status) << c.rcode << ": " << w.answer->detail;
    EXPECT_EQ(w.answer->detail, c.detail) << c.rcode;
    EXPECT_TRUE(w.answer->records.empty()) << c.rcode;
  }
}

TEST(AresResolver, FormerrWithoutOptTurnsEdnsOffForLaterQueriesToo) {
  // A server that does not know EDNS answers FORMERR without an OPT record:
  // c-ares asks again without EDNS and leaves EDNS off for the channel. The
  // queries this resolver composes itself must follow.
  TestServer server;
  AresResolver resolver(only(server, 1));
  Collect first;
  resolver.submit("old-server.example.com", RType::TXT, first);
  std::thread loop = turn(resolver);
  auto q = server.read(1);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].wire, ares_would_send("old-server.example.com", RType::TXT, query_id(q[0].wire), 1232));
  reply_empty(server.fd, q[0], 1);
  auto again = server.read(1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].wire, ares_would_send("old-server.example.com", RType::TXT, query_id(again[0].wire), 0));
  reply_empty(server.fd, again[0], 1);  // FORMERR again, now without EDNS: the query's answer
  loop.join();
  ASSERT_TRUE(first.answer);
  EXPECT_EQ(first.answer->status, Status::Error) << first.answer->detail;
  EXPECT_EQ(first.answer->detail, ares_strerror(ARES_EFORMERR));

  Collect second;
  resolver.submit("later.example.com", RType::TXT, second);
  std::thread loop2 = turn(resolver);
  auto later = server.read(1);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].wire, ares_would_send("later.example.com", RType::TXT, query_id(later[0].wire), 0));
  server.answer(later[0], "v=spf1 -all");
  loop2.join();
  ASSERT_TRUE(second.answer);
  EXPECT_EQ(second.answer->status, Status::Ok) << second.answer->detail;
}

TEST(AresResolver, RefusedPortIsAnErrorNotATimeout) {
  // A port nobody listens on: the ICMP port-unreachable comes back as
  // ECONNREFUSED on the socket, which c-ares must see (through our read).
  int port = 0;
  {
    TestServer gone;
    port = gone.port;
  }
  NetworkOptions opts;
  opts.servers = {"127.0.0.1:" + std::to_string(port)};
  opts.timeout = std::chrono::milliseconds(20000);
  AresResolver resolver(opts);
  std::vector<Collect> waiters(3);
  for (std::size_t i = 0; i < waiters.size(); ++i) {
    resolver.submit("refused" + std::to_string(i) + ".example.com", RType::TXT, waiters[i]);
  }
  while (resolver.pending() > 0) resolver.run_once();
  for (const auto& w : waiters) {
    ASSERT_TRUE(w.answer);
    EXPECT_EQ(w.answer->status, Status::ServFail) << w.answer->detail;
  }
}

}  // namespace
}  // namespace spfdoctor::dns
