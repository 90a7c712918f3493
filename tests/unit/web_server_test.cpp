// The web server's request handling without a socket (Server::respond runs the
// same connection loop a socket does): the limits on the request head and
// body, Range (never honoured), pipelining, and the JSON errors (docs/web.md).
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "spfdoctor/dns.hpp"
#include "spfdoctor/server.hpp"

namespace spfdoctor {
namespace {

struct Answer {
  int status = 0;
  std::string head;
  std::string body;
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  [[nodiscard]] bool has(std::string_view header_line) const {
    return head.find("\r\n" + std::string(header_line) + "\r\n") != std::string::npos;
  }
};

Answer parse(std::string_view r) {
  Answer a;
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  if (r.starts_with(kContinue)) r.remove_prefix(kContinue.size());
  EXPECT_TRUE(r.starts_with("HTTP/1.1 ")) << r.substr(0, 100);
  if (r.size() < 12) return a;
  a.status = std::stoi(std::string(r.substr(9, 3)));
  auto end = r.find("\r\n\r\n");
  a.head = std::string(r.substr(0, end + 2));
  a.body = std::string(r.substr(end + 4));
  return a;
}

class WebServer : public ::testing::Test {
 protected:
  static std::unique_ptr<server::Server> make(std::size_t max_head = 32u << 10, std::size_t max_body = 10u << 20) {
    auto zone = std::make_shared<dns::ZoneData>(dns::load_master_file(std::string(SPFDOCTOR_TEST_DATA) + "/lint.zone"));
    std::shared_ptr<const dns::ZoneData> shared = std::move(zone);
    server::ServeOptions o;
    o.make_resolver = [shared] { return std::unique_ptr<dns::Resolver>(std::make_unique<dns::ZoneResolver>(shared)); };
    o.bounce = server::read_bounce;
    o.max_head = max_head;
    o.max_body = max_body;
    return std::make_unique<server::Server>(std::move(o));
  }

  std::vector<Answer> send(std::string_view bytes) {
    std::vector<Answer> out;
    for (const auto& r : server_->respond(bytes)) out.push_back(parse(r));
    return out;
  }

  std::unique_ptr<server::Server> server_ = make();
};

TEST_F(WebServer, AnswersAndKeepsTheConnection) {
  auto a = send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 200);
  EXPECT_EQ(a[0].json()["status"], "ok");
  EXPECT_TRUE(a[0].has("X-Content-Type-Options: nosniff"));
  EXPECT_TRUE(a[0].has("Accept-Ranges: none"));
}

TEST_F(WebServer, PipelinedRequestsAreAnsweredInOrder) {
  auto a = send(
      "GET /healthz HTTP/1.1\r\n\r\n"
      "GET /api/v1/lint?domain=clean.example HTTP/1.1\r\n\r\n"
      "GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n"
      "GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_EQ(a.size(), 3u) << "nothing is read after Connection: close";
  EXPECT_EQ(a[0].status, 200);
  EXPECT_EQ(a[1].status, 200);
  EXPECT_EQ(a[1].json()["verdict"], "ok");
  EXPECT_EQ(a[2].status, 404);
  EXPECT_TRUE(a[2].has("Connection: close"));
}

// cpp-httplib would send a piece of the JSON under a 200, or a multipart of
// pieces; RFC 9110 §14.2 lets a server ignore Range, and we do.
TEST_F(WebServer, RangeIsIgnored) {
  for (const char* range : {"bytes=0-10", "bytes=0-1,3-4", "bytes=-5", "bytes=99999-"}) {
    auto a = send(std::string("GET /healthz HTTP/1.1\r\nRange: ") + range + "\r\n\r\n");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].status, 200) << range;
    EXPECT_TRUE(a[0].json().is_object()) << range << ": " << a[0].body;
    EXPECT_EQ(a[0].head.find("Content-Range"), std::string::npos) << range;
  }
}

// A Range that does not parse is refused by cpp-httplib before our code runs;
// the error still comes whole.
TEST_F(WebServer, RangeThatDoesNotParseIsAWholeJsonError) {
  for (const char* range : {"garbage", "bytes=0-1,5-2", "bytes=99999999999999999999-"}) {
    auto a = send(std::string("GET /healthz HTTP/1.1\r\nRange: ") + range + "\r\n\r\n");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].status, 416) << range;
    ASSERT_TRUE(a[0].json().is_object()) << range << ": " << a[0].body;
    EXPECT_NE(a[0].json()["error"].get<std::string>().find("Range"), std::string::npos);
  }
}

TEST_F(WebServer, HeadAnswersWithoutBodyAndWithoutRanges) {
  auto a = send("HEAD /healthz HTTP/1.1\r\n\r\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 200);
  EXPECT_TRUE(a[0].body.empty());
  EXPECT_TRUE(a[0].has("Accept-Ranges: none"));
  EXPECT_EQ(a[0].head.find("Accept-Ranges: bytes"), std::string::npos);
}

// Limits (docs/web.md): the head of a request (request line and header
// fields) is at most 32 KiB; cpp-httplib alone takes any number of lines.
TEST_F(WebServer, HeaderFieldsOver32KiBGet431AndTheConnectionCloses) {
  std::string req = "GET /healthz HTTP/1.1\r\n";
  for (int i = 0; i < 1000; ++i) req += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'a') + "\r\n";
  req += "\r\nGET /healthz HTTP/1.1\r\n\r\n";
  ASSERT_GT(req.size(), 32u << 10);
  auto a = send(req);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 431);
  EXPECT_NE(a[0].json()["error"].get<std::string>().find("32768 bytes"), std::string::npos);
  EXPECT_TRUE(a[0].has("Connection: close"));
}

TEST_F(WebServer, HeadOfExactly32KiBIsServed) {
  std::string req = "GET /healthz HTTP/1.1\r\n";
  for (int i = 0; req.size() + 4000 < (32u << 10); ++i) req += "X-" + std::to_string(i) + ": " + std::string(3990, 'a') + "\r\n";
  req += "X-Last: " + std::string((32u << 10) - req.size() - 12, 'a') + "\r\n\r\n";
  ASSERT_EQ(req.size(), 32u << 10);
  auto a = send(req);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 200);
}

TEST_F(WebServer, HeaderLineOver8KiBIs400) {
  auto a = send("GET /healthz HTTP/1.1\r\nX-Long: " + std::string(9000, 'a') + "\r\n\r\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 400);
  EXPECT_TRUE(a[0].json()["error"].is_string());
}

TEST_F(WebServer, RequestLineOver8KiBIs414AndOverTheHeadLimitIs431) {
  auto a = send("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 414);
  EXPECT_TRUE(a[0].json()["error"].is_string());
  // Past the head limit cpp-httplib cannot answer at all; the loop does.
  a = send("GET /" + std::string(40000, 'a') + " HTTP/1.1\r\n\r\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 431);
  EXPECT_TRUE(a[0].json()["error"].is_string());
  EXPECT_TRUE(a[0].has("X-Content-Type-Options: nosniff"));
}

// The body: 10 MiB. A larger Content-Length is refused before the body is read.
TEST_F(WebServer, ContentLengthOverTheLimitIs413AtOnce) {
  auto a = send("POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 10485761\r\n\r\nFrom: a\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_EQ(a.size(), 1u) << "the unread body must not be taken for a request";
  EXPECT_EQ(a[0].status, 413);
  EXPECT_NE(a[0].json()["error"].get<std::string>().find("10485760 bytes"), std::string::npos);
  EXPECT_TRUE(a[0].has("Connection: close"));
}

TEST_F(WebServer, ExpectContinueWithATooLargeBodyIs413WithoutContinue) {
  auto r = server_->respond("POST /api/v1/bounce HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].starts_with("HTTP/1.1 413")) << r[0].substr(0, 40);
}

// Chunked bodies and bodies without a length: cpp-httplib reads them to any
// size; the connection stops at the limit (chunk framing counted).
TEST_F(WebServer, ChunkedBodyOverTheLimitIs413) {
  auto small = make(32u << 10, 4096);
  std::string req = "POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) req += "400\r\n" + std::string(1024, 'a') + "\r\n";
  req += "0\r\n\r\n";
  auto r = small->respond(req);
  ASSERT_EQ(r.size(), 1u);
  auto a = parse(r[0]);
  EXPECT_EQ(a.status, 413);
  EXPECT_TRUE(a.json()["error"].is_string());
}

TEST_F(WebServer, ChunkedBodyUnderTheLimitIsRead) {
  std::string req = "POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  req += "5\r\nhello\r\n0\r\n\r\n";
  auto a = send(req);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 400) << "a body that is not a message";
  EXPECT_NE(a[0].json()["error"].get<std::string>().find("not a mail message"), std::string::npos) << a[0].body;
}

TEST_F(WebServer, MalformedRequestsAreJsonErrors) {
  for (std::string_view req : {"BREW /healthz HTTP/1.1\r\n\r\n", "GET /healthz\r\n\r\n", "GET /healthz HTTP/1.1\nHost: x\n\n",
                               "\r\n\r\n"}) {
    auto a = send(req);
    ASSERT_EQ(a.size(), 1u) << req;
    EXPECT_EQ(a[0].status, 400) << req;
    EXPECT_TRUE(a[0].json()["error"].is_string()) << req << ": " << a[0].body;
  }
}

// A body whose length is in doubt is refused, and the connection closed: the
// bytes after it are not taken for the next request (RFC 9112 §6.3).
TEST_F(WebServer, AmbiguousBodiesAreRefusedAndTheConnectionCloses) {
  const std::string next = "GET /healthz HTTP/1.1\r\n\r\n";
  for (std::string head : {"GET /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
                           "GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                           "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                           "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                           "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                           "POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                           "POST /api/v1/bounce HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"}) {
    auto a = send(head + "hello" + next);
    ASSERT_EQ(a.size(), 1u) << head;
    EXPECT_EQ(a[0].status, 400) << head;
    EXPECT_TRUE(a[0].json()["error"].is_string()) << head;
    EXPECT_TRUE(a[0].has("Connection: close")) << head;
  }
  // The same length twice is one length.
  auto a = send("POST /api/v1/bounce HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello" + next);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].status, 400);  // not a mail message
  EXPECT_EQ(a[1].status, 200);
}

TEST_F(WebServer, NoBytesNoAnswer) {
  EXPECT_TRUE(server_->respond("").empty());
}

}  // namespace
}  // namespace spfdoctor
