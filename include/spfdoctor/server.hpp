// The checker on the web: the page and the JSON API (docs/web.md).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "spfdoctor/dns.hpp"

namespace spfdoctor::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8025;
  // Makes one resolver per request; resolvers share the zone or the DNS cache.
  std::function<std::unique_ptr<dns::Resolver>()> make_resolver;
  // Reads a bounce and returns the `bounce` JSON; throws std::invalid_argument
  // for input that is not a message. Null: the route answers 501.
  std::function<nlohmann::json(std::string_view raw, dns::Resolver& resolver)> bounce;
  int threads = 24;                  // HTTP worker threads
  int max_checks = 16;               // checks running at once; more get 503 (health stays fast)
  std::size_t max_body = 10u << 20;  // request body as sent, bytes: more gets 413
  std::size_t max_head = 32u << 10;  // request line and header fields, bytes: more gets 431
  int read_timeout_s = 10;
  std::string zone_note;  // shown on the page when answering from --zone
};

// What `spfdoctor serve` answers POST /api/v1/bounce with: bounce::parse,
// then the diagnosis with `resolver`, as the `bounce` JSON. Throws
// std::invalid_argument for input that is not a mail message.
[[nodiscard]] nlohmann::json read_bounce(std::string_view raw, dns::Resolver& resolver);

class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Binds; throws std::runtime_error naming the address when it cannot.
  // Returns the bound port (useful with port 0).
  int bind();
  // Serves until stop() (from another thread or a signal handler thread).
  void run();
  void stop();

  // Serves `request_bytes` as if one client had sent them on one connection
  // (keep-alive, pipelining, every limit) and returns each response as written,
  // one string per request read. No socket: for tests and fuzz/fuzz_http.cpp.
  [[nodiscard]] std::vector<std::string> respond(std::string_view request_bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spfdoctor::server
