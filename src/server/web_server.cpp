// The web checker: cpp-httplib's thread pool serves the page and the JSON API.
//
// Checks wait on DNS, so they are bounded separately from the HTTP threads:
// at most max_checks run at once and the rest get 503 at once, which keeps
// threads free for /healthz, the page, and quick requests.
#include <httplib.h>

#include <fmt/format.h>

#include <atomic>
#include <stdexcept>

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


std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

struct Server::Impl {
  ServeOptions options;
  httplib::Server http;
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

    http.Post("/api/v1/bounce", [this](const httplib::Request& req, httplib::Response& res) {
      if (!options.bounce) {
        send_json(res, 501, {{"error", "this build cannot read bounces"}});
        return;
      }
      guarded(res, [&] {
        if (req.body.empty()) throw BadRequest("empty body: send the bounce message (.eml) as the request body");
        auto resolver = options.make_resolver();
        send_json(res, 200, options.bounce(req.body, *resolver));
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

    http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                     "frame-ancestors 'none'");
      res.set_header("Referrer-Policy", "no-referrer");
    });
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      std::string what = res.status == 404   ? fmt::format("no such route: {} {}", req.method, req.path)
                         : res.status == 413 ? "request body too large"
                         : res.status == 405 ? "method not allowed"
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

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const int threads = std::max(2, impl_->options.threads);
  impl_->http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  impl_->http.set_payload_max_length(impl_->options.max_body);
  impl_->http.set_read_timeout(impl_->options.read_timeout_s, 0);
  impl_->http.set_write_timeout(impl_->options.read_timeout_s, 0);
  impl_->http.set_keep_alive_max_count(1000);
  impl_->http.set_keep_alive_timeout(2);
  // Without it every keep-alive response waits for the client's delayed ACK
  // (about 40 ms): 2,000 requests/s instead of 15,000 (docs/web.md, Load).
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

}  // namespace spfdoctor::server
