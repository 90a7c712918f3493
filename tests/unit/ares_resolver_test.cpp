// AresResolver's UDP path (c-ares with our socket functions: queries of one
// loop turn sent together, answers read in batches) against a DNS responder
// in this test, on loopback: every answer reaches the query it belongs to,
// c-ares' sockets are set up as c-ares itself would (non-blocking,
// close-on-exec), and a refused send or read is an error, not a timeout.
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
