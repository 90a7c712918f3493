// The web checker: cpp-httplib's thread pool serves the page and the JSON API.
//
// Checks wait on DNS, so they are bounded separately from the HTTP threads:
// at most max_checks run at once and the rest get 503 at once, which keeps
// threads free for /healthz, the page, and quick requests.
//
// cpp-httplib parses requests and writes responses; each connection's loop
// (keep-alive, pipelining, the head and body limits) is ours (HttpServer,
// server/connection.hpp), and the same loop serves bytes from memory for
// Server::respond() and the fuzzer.
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <stdexcept>
#include <utility>

#include "server/connection.hpp"
#include "spfdoctor/bounce.hpp"
#include "spfdoctor/bounce_report.hpp"
#include "spfdoctor/diagnose.hpp"
#include "spfdoctor/lint.hpp"
#include "spfdoctor/lint_report.hpp"
#include "spfdoctor/report.hpp"
#include "spfdoctor/server.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor::server {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_assets();

namespace {

// Thrown by handlers for input the client got wrong: 400 with its message.
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void send_json(httplib::Response& res, int status, const nlohmann::json& j) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

std::string param(const httplib::Request& req, const char* name, std::size_t max_len = 4096) {
  if (!req.has_param(name)) return "";
  auto v = req.get_param_value(name);
  if (v.size() > max_len) throw BadRequest(fmt::format("parameter \"{}\" is longer than {} bytes", name, max_len));
  return v;
}


// On every answer (docs/web.md).
constexpr std::array<std::pair<const char*, const char*>, 4> kSecurityHeaders{{
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"Accept-Ranges", "none"},
}};

// The connection this thread is serving, for the handlers that need to know
// about a limit hit while cpp-httplib was reading the request.
thread_local Connection* t_connection = nullptr;

class CurrentConnection {
 public:
  explicit CurrentConnection(Connection& c) : previous_(t_connection) { t_connection = &c; }
  ~CurrentConnection() { t_connection = previous_; }
  CurrentConnection(const CurrentConnection&) = delete;
  CurrentConnection& operator=(const CurrentConnection&) = delete;

 private:
  Connection* previous_;
};

// cpp-httplib's server with our connection loop in place of its own.
class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(const ConnectionLimits& limits) : limits_(limits) {}

  // Serves requests from `conn` until it ends, the client asks to close, a
  // limit is hit, or the keep-alive count is used up. `next_request` waits
  // for the next request's first byte. `on_response` is called after each.
  template <class Next, class OnResponse>
  void serve(Connection& conn, Next&& next_request, OnResponse&& on_response) {
    const CurrentConnection current(conn);
    for (std::size_t count = 0; count < keep_alive_max_count_; ++count) {
      if (!next_request()) return;
      conn.begin_request();
      bool closed = false;
      // Range requests are not supported (RFC 9110 §14.2 lets a server ignore
      // Range): the whole answer, always. cpp-httplib would cut a JSON body
      // into pieces, even under a 200.
      const bool ok = process_request(conn, count + 1 == keep_alive_max_count_, closed,
                                      [](httplib::Request& req) { req.ranges.clear(); });
      // A request line longer than the head limit ends cpp-httplib's reading
      // before it can answer: answer here.
      if (!ok && conn.head_too_large()) write_head_too_large(conn);
      if (conn.request_started()) on_response();
      if (!ok || closed || conn.must_close()) return;
    }
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    // Without it every keep-alive response waits for the client's delayed ACK
    // (about 40 ms): 2,000 requests/s instead of 15,000 (docs/web.md, Load).
    int one = 1;
    (void)::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SocketConnection conn(sock, limits_, static_cast<int>(read_timeout_sec_ * 1000 + read_timeout_usec_ / 1000),
                          static_cast<int>(write_timeout_sec_ * 1000 + write_timeout_usec_ / 1000));
    const int idle_ms = static_cast<int>(keep_alive_timeout_sec_ * 1000);
    serve(
        conn, [&] { return conn.wait_for_request(idle_ms, [this] { return svr_sock_ == INVALID_SOCKET; }); },
        [] {});
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }

  static void write_head_too_large(Connection& conn) {
    const std::string body =
        nlohmann::json{{"error", fmt::format("the request line and header fields are larger than {} bytes",
                                             conn.limits().max_head)}}
            .dump(2) +
        "\n";
    std::string response =
        "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Type: application/json\r\n"
        "Cache-Control: no-store\r\n";
    for (const auto& [name, value] : kSecurityHeaders) response += fmt::format("{}: {}\r\n", name, value);
    response += fmt::format("Content-Length: {}\r\n\r\n{}", body.size(), body);
    (void)conn.write(response.data(), response.size());
  }

  ConnectionLimits limits_;
};

std::string lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServeOptions o) : options(std::move(o)), http(ConnectionLimits{options.max_head, options.max_body}) {}

  ServeOptions options;
  HttpServer http;
  std::atomic<int> checks{0};
  int port = 0;

  // A slot for one check, or nothing when all are taken.
  class CheckSlot {
   public:
    explicit CheckSlot(Impl& impl) : impl_(impl) { taken_ = impl_.checks.fetch_add(1) < impl_.options.max_checks; }
    ~CheckSlot() { impl_.checks.fetch_sub(1); }
    CheckSlot(const CheckSlot&) = delete;
    CheckSlot& operator=(const CheckSlot&) = delete;
    [[nodiscard]] bool taken() const { return taken_; }

   private:
    Impl& impl_;
    bool taken_ = false;
  };

  template <class F>
  void guarded(httplib::Response& res, F&& work) {
    CheckSlot slot(*this);
    if (!slot.taken()) {
      res.set_header("Retry-After", "2");
      send_json(res, 503, {{"error", "too many checks running; try again in a moment"}});
      return;
    }
    try {
      work();
    } catch (const BadRequest& e) {
      send_json(res, 400, {{"error", e.what()}});
    } catch (const std::invalid_argument& e) {
      send_json(res, 400, {{"error", e.what()}});
    }
  }

  void routes() {
    http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, {{"status", "ok"}, {"checks_running", std::max(0, checks.load())}});
    });

    http.Get("/api/v1/lint", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        auto domain = param(req, "domain", 300);
        if (domain.empty()) throw BadRequest("missing parameter \"domain\"");
        if (!lint::is_plausible_domain(domain)) throw BadRequest(fmt::format("not a domain name: \"{}\"", domain));
        if (domain.back() == '.') domain.pop_back();
        lint::LintOptions o;
        if (req.has_param("record")) {
          auto record = param(req, "record");
          if (!record.empty()) o.record = record;
        }
        if (auto ip = param(req, "ip", 64); !ip.empty()) {
          auto addr = IpAddress::parse_client(ip);
          if (!addr) throw BadRequest(fmt::format("not an IP address: \"{}\"", ip));
          o.ip = *addr;
        }
        if (auto sender = param(req, "sender", 320); !sender.empty()) o.sender = sender;
        for (std::size_t i = 0; i < req.get_param_value_count("provider") && i < 8; ++i) {
          auto p = req.get_param_value("provider", i);
          if (!lint::is_known_provider(p)) throw BadRequest(fmt::format("unknown provider \"{}\"", p));
          o.providers.push_back(p);
        }
        auto resolver = options.make_resolver();
        send_json(res, 200, report::to_json(lint::lint(*resolver, domain, o)));
      });
    });

    http.Get("/api/v1/eval", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        auto ip_text = param(req, "ip", 64);
        if (ip_text.empty()) throw BadRequest("missing parameter \"ip\"");
        auto ip = IpAddress::parse_client(ip_text);
        if (!ip) throw BadRequest(fmt::format("not an IP address: \"{}\"", ip_text));
        auto sender = param(req, "sender", 320);
        auto helo = param(req, "helo", 255);
        if (sender.empty() && helo.empty()) throw BadRequest("missing parameter \"sender\" (or \"helo\")");
        Query q{*ip, sender == "<>" ? "" : sender, helo, "unknown"};
        auto resolver = options.make_resolver();
        auto j = report::to_json(evaluate(*resolver, q));
        j["ip"] = ip_text;
        j["sender"] = sender;
        j["helo"] = helo;
        send_json(res, 200, j);
      });
    });

    // The body is read here, not by cpp-httplib: it would parse a body sent
    // as application/x-www-form-urlencoded (curl's default for --data-binary)
    // as a form, and refuse one over 8 KiB with 413. A multipart/form-data
    // upload (curl -F file=@bounce.eml) gives its first part.
    http.Post("/api/v1/bounce", [this](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& content) {
      std::string body;
      bool read = false;
      if (req.is_multipart_form_data()) {
        int parts = 0;
        read = content([&](const httplib::MultipartFormData&) { return ++parts > 0; },
                       [&](const char* data, std::size_t n) {
                         if (parts == 1) body.append(data, n);
                         return true;
                       });
      } else {
        read = content([&](const char* data, std::size_t n) {
          body.append(data, n);
          return true;
        });
      }
      // cpp-httplib has set the status (400, or 413 past the limit); the
      // error handler words it.
      if (!read) return;
      if (!options.bounce) {
        send_json(res, 501, {{"error", "this build cannot read bounces"}});
        return;
      }
      guarded(res, [&] {
        if (body.empty()) throw BadRequest("empty body: send the bounce message (.eml) as the request body");
        auto resolver = options.make_resolver();
        send_json(res, 200, options.bounce(body, *resolver));
      });
    });

    auto serve_asset = [](std::string_view name, httplib::Response& res) {
      for (const auto& [n, body] : embedded_assets()) {
        if (n == name) {
          res.set_content(std::string(body), std::string(content_type(name)).c_str());
          return true;
        }
      }
      return false;
    };
    http.Get("/", [serve_asset](const httplib::Request&, httplib::Response& res) {
      serve_asset("index.html", res);
      res.set_header("Cache-Control", "no-cache");
    });
    http.Get(R"(/([a-z0-9_-]+\.(js|css|svg)))", [serve_asset](const httplib::Request& req, httplib::Response& res) {
      if (!serve_asset(req.matches[1].str(), res)) {
        send_json(res, 404, {{"error", "no such file"}});
        return;
      }
      res.set_header("Cache-Control", "max-age=300");
    });

    // How long the body is must be beyond doubt before it is read (RFC 9112
    // §6.3): cpp-httplib takes "Content-Length: abc" for 0, reads the first
    // of two lengths, a body on GET as the next request, and a Transfer-Encoding
    // other than exactly "chunked" as no coding at all. Any of these, and a
    // body over the limit, is answered at once and the connection closed (the
    // unread body would be read as the next request).
    auto refuse_body = [this](const httplib::Request& req, httplib::Response& res) {
      std::string problem;
      int status = 400;
      const std::size_t lengths = req.get_header_value_count("Content-Length");
      const bool chunked = req.has_header("Transfer-Encoding");
      std::string length = lengths ? req.get_header_value("Content-Length") : "";
      for (std::size_t i = 1; i < lengths; ++i) {
        if (req.get_header_value("Content-Length", i) != length) problem = "two different Content-Length fields";
      }
      const bool has_body = chunked || (lengths && length != "0");
      if (!problem.empty()) {
      } else if (lengths && (length.empty() || length.size() > 19 ||
                             length.find_first_not_of("0123456789") != std::string::npos)) {
        problem = fmt::format("Content-Length \"{}\" is not a number", length);
      } else if (chunked && lengths) {
        problem = "both Transfer-Encoding and Content-Length";
      } else if (chunked && lower(req.get_header_value("Transfer-Encoding")) != "chunked") {
        problem = fmt::format("Transfer-Encoding \"{}\": only chunked is understood",
                              req.get_header_value("Transfer-Encoding"));
      } else if (has_body && req.method != "POST" && req.method != "PUT" && req.method != "PATCH" &&
                 req.method != "DELETE") {
        problem = fmt::format("a {} request has no body", req.method);
      } else if (lengths && std::stoull(length) > options.max_body) {
        status = 413;
        problem = fmt::format("the request body is larger than {} bytes", options.max_body);
      }
      if (problem.empty()) return false;
      if (t_connection) t_connection->close_after_response();
      send_json(res, status, {{"error", problem}});
      return true;
    };
    http.set_expect_100_continue_handler([refuse_body](const httplib::Request& req, httplib::Response& res) {
      return refuse_body(req, res) ? res.status : 100;
    });
    http.set_pre_routing_handler([refuse_body](const httplib::Request& req, httplib::Response& res) {
      return refuse_body(req, res) ? httplib::Server::HandlerResponse::Handled
                                   : httplib::Server::HandlerResponse::Unhandled;
    });

    http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      // cpp-httplib offers ranges on HEAD; we never send them.
      res.headers.erase("Accept-Ranges");
      if (t_connection && t_connection->must_close()) {
        res.headers.erase("Keep-Alive");
        res.headers.erase("Connection");
        res.set_header("Connection", "close");
      }
      for (const auto& [name, value] : kSecurityHeaders) res.set_header(name, value);
    });
    http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      // A Range header that does not parse gets 416 before our code runs, with
      // the ranges parsed so far attached, which would cut this answer too.
      // `req` is process_request()'s own non-const Request, so clearing them
      // is well-defined.
      if (res.status == 416) const_cast<httplib::Request&>(req).ranges.clear();
      // Limits hit while cpp-httplib read the request (server/connection.hpp)
      // reach it as a failed read: 400.
      if (t_connection && t_connection->head_too_large()) {
        send_json(res, 431,
                  {{"error", fmt::format("the request line and header fields are larger than {} bytes",
                                         options.max_head)}});
        return;
      }
      if (t_connection && t_connection->body_too_large()) {
        send_json(res, 413, {{"error", fmt::format("the request body is larger than {} bytes", options.max_body)}});
        return;
      }
      if (!res.body.empty()) return;
      // cpp-httplib could not read the request: where the next one would
      // begin is unknown, so read no further (RFC 9112 §9.6).
      if ((res.status == 400 || res.status == 414) && t_connection) t_connection->close_after_response();
      std::string what =
          res.status == 404   ? fmt::format("no such route: {} {}", req.method, req.path)
          : res.status == 413 ? "a form (application/x-www-form-urlencoded) body is larger than 8192 bytes"
          : res.status == 414 ? "the request line is longer than 8192 bytes"
          : res.status == 416 ? "the Range header does not parse (this server sends whole answers only)"
          : res.status == 400 ? "bad request: the request line, a header field or the body could not be read"
                              : fmt::format("bad request ({})", res.status);
      send_json(res, res.status, {{"error", what}});
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "internal error";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      send_json(res, 500, {{"error", what}});
    });
  }
};

nlohmann::json read_bounce(std::string_view raw, dns::Resolver& resolver) {
  bounce::Bounce b;
  try {
    b = bounce::parse(raw, bounce::ParseOptions{});
  } catch (const bounce::ParseError& e) {
    throw std::invalid_argument(e.what());
  }
  diagnose::Options d;
  d.resolver = &resolver;
  return report::to_json(b, diagnose::diagnose(b, d));
}

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  const int threads = std::max(2, impl_->options.threads);
  impl_->http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  impl_->http.set_payload_max_length(impl_->options.max_body);
  impl_->http.set_read_timeout(impl_->options.read_timeout_s, 0);
  impl_->http.set_write_timeout(impl_->options.read_timeout_s, 0);
  impl_->http.set_keep_alive_max_count(1000);
  impl_->http.set_keep_alive_timeout(2);
  impl_->http.set_tcp_nodelay(true);
  impl_->routes();
}

Server::~Server() = default;

int Server::bind() {
  const auto& o = impl_->options;
  int port =
      o.port == 0 ? impl_->http.bind_to_any_port(o.host) : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) throw std::runtime_error(fmt::format("cannot listen on {}:{}", o.host, o.port));
  impl_->port = port;
  return port;
}

void Server::run() {
  impl_->http.listen_after_bind();
}

void Server::stop() {
  impl_->http.stop();
}

std::vector<std::string> Server::respond(std::string_view request_bytes) {
  MemoryConnection conn(request_bytes, ConnectionLimits{impl_->options.max_head, impl_->options.max_body});
  std::vector<std::string> responses;
  std::size_t written = 0;
  impl_->http.serve(
      conn, [&] { return conn.has_buffered(); },
      [&] {
        responses.push_back(conn.output().substr(written));
        written = conn.output().size();
      });
  return responses;
}

}  // namespace spfdoctor::server
