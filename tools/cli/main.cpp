// spfdoctor: the command-line tool. One function per command; the work is in
// the library.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <deque>

#include "spfdoctor/dns.hpp"
#include "spfdoctor/net_resolver.hpp"
#include "spfdoctor/report.hpp"
#include "spfdoctor/spf.hpp"

namespace {

using namespace spfdoctor;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// A failure the user can fix: printed as one line, exit status 1 (or 2).
struct UserError : std::runtime_error {
  UserError(const std::string& what, int code = kExitError) : std::runtime_error(what), exit_code(code) {}
  int exit_code;
};

struct GlobalOptions {
  std::vector<std::string> dns_servers;
  std::vector<std::string> zones;
  double timeout = 5.0;
  bool json = false;

  void add_to(CLI::App& cmd) {
    cmd.add_option("--dns-server", dns_servers, "Ask this DNS server (ADDR[:PORT], repeatable)");
    cmd.add_option("--zone", zones, "Answer every query from this RFC 1035 master file (repeatable)");
    cmd.add_option("--timeout", timeout, "Per-query timeout in seconds (default 5)")->check(CLI::PositiveNumber);
    cmd.add_flag("--json", json, "Machine-readable output");
  }
};

std::unique_ptr<dns::Resolver> make_resolver(const GlobalOptions& g) {
  if (!g.zones.empty()) {
    auto data = std::make_shared<dns::ZoneData>();
    for (const auto& path : g.zones) {
      try {
        data->merge(dns::load_master_file(path));
      } catch (const std::exception& e) {
        throw UserError(fmt::format("--zone: {}", e.what()));
      }
    }
    return std::make_unique<dns::ZoneResolver>(std::move(data));
  }
  dns::NetworkOptions net;
  net.servers = g.dns_servers;
  net.timeout = std::chrono::milliseconds(static_cast<long long>(g.timeout * 1000));
  std::unique_ptr<dns::Resolver> ares;
  try {
    ares = std::make_unique<dns::AresResolver>(net);
  } catch (const std::invalid_argument& e) {
    throw UserError(e.what(), kExitUsage);
  } catch (const std::exception& e) {
    throw UserError(e.what());
  }
  return std::make_unique<dns::CachingResolver>(std::make_shared<dns::DnsCache>(), std::move(ares));
}

bool stdout_is_tty() {
  return isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

IpAddress parse_ip_or_throw(const std::string& text, int code) {
  auto ip = IpAddress::parse_client(text);
  if (!ip) throw UserError(fmt::format("not an IP address: \"{}\"", text), code);
  return *ip;
}

// ---- eval -------------------------------------------------------------------

struct EvalArgs {
  std::string ip;
  std::string sender;
  std::string helo;
  std::string receiver;
  std::string batch;
  bool no_trace = false;
  int concurrency = 128;
};

// One line of a batch: its query, and the check when it is running.
struct BatchItem {
  std::size_t line_no = 0;
  std::string ip, sender, helo;
  std::optional<Query> query;
  std::optional<Task<Evaluation>> task;
  std::string error;
  [[nodiscard]] bool done() const { return !task || task->done(); }
};

// Evaluates many queries at once on one event loop; prints in input order.
int run_eval_batch(const GlobalOptions& g, const EvalArgs& a, dns::Resolver& resolver) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (a.batch != "-") {
    file.open(a.batch);
    if (!file) throw UserError(fmt::format("cannot read batch file \"{}\": {}", a.batch, std::strerror(errno)));
    in = &file;
  }
  EvalOptions opts;
  opts.trace = !a.no_trace;
  const std::size_t in_flight_max = static_cast<std::size_t>(std::max(1, a.concurrency));
  const std::size_t window_max = in_flight_max * 4;  // finished, waiting for an earlier line
  std::deque<BatchItem> window;
  std::size_t running = 0;
  std::size_t line_no = 0;
  bool more = true;
  int status = kExitOk;
  const bool color = stdout_is_tty();

  auto print = [&](BatchItem& item) {
    if (!item.error.empty()) {
      nlohmann::json j = {{"line", item.line_no}, {"ip", item.ip},     {"sender", item.sender},
                          {"helo", item.helo},    {"result", nullptr}, {"error", item.error}};
      fmt::print(stderr, "spfdoctor: {}\n", item.error);
      if (g.json) std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      status = kExitError;
      return;
    }
    auto e = item.task->take();
    if (g.json) {
      auto j = report::to_json(e, opts.trace);
      j["ip"] = item.ip;
      j["sender"] = item.sender;
      j["helo"] = item.helo;
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
      std::cout << report::to_text(e, *item.query, color) << '\n';
    }
  };

  while (true) {
    // Start new checks while there is room.
    while (more && running < in_flight_max && window.size() < window_max) {
      std::string line;
      if (!std::getline(*in, line)) {
        more = false;
        break;
      }
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::istringstream words(line);
      BatchItem item;
      item.line_no = line_no;
      words >> item.ip >> item.sender >> item.helo;
      if (item.ip.empty() || item.ip[0] == '#') continue;  // blank lines and comments
      auto ip = IpAddress::parse_client(item.ip);
      if (!ip) {
        item.error = fmt::format("line {}: not an IP address: \"{}\"", line_no, item.ip);
      } else {
        item.query =
            Query{*ip, item.sender == "<>" ? "" : item.sender, item.helo, a.receiver.empty() ? "unknown" : a.receiver};
      }
      window.push_back(std::move(item));
      auto& back = window.back();
      if (back.query) {
        back.task.emplace(evaluate_async(resolver, *back.query, opts));
        ++running;
        back.task->start();
      }
    }
    // Print every finished line at the front, in order.
    while (!window.empty() && window.front().done()) {
      print(window.front());
      window.pop_front();
    }
    running = 0;
    for (const auto& item : window) running += item.done() ? 0 : 1;
    if (window.empty() && !more) break;
    if (running > 0 && (running >= in_flight_max || window.size() >= window_max || !more)) resolver.run_once();
  }
  std::cout.flush();
  return status;
}

int run_eval(const GlobalOptions& g, const EvalArgs& a) {
  if (a.batch.empty()) {
    if (a.ip.empty()) throw UserError("eval needs --ip (or --batch FILE)", kExitUsage);
    if (a.sender.empty() && a.helo.empty()) throw UserError("eval needs --sender or --helo", kExitUsage);
  }
  auto resolver = make_resolver(g);
  if (!a.batch.empty()) return run_eval_batch(g, a, *resolver);
  Query q{parse_ip_or_throw(a.ip, kExitUsage), a.sender == "<>" ? "" : a.sender, a.helo,
          a.receiver.empty() ? "unknown" : a.receiver};
  EvalOptions opts;
  opts.trace = !a.no_trace;
  auto e = evaluate(*resolver, q, opts);
  if (g.json) {
    auto j = report::to_json(e, opts.trace);
    j["ip"] = a.ip;
    j["sender"] = a.sender;
    j["helo"] = a.helo;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    std::cout << report::to_text(e, q, stdout_is_tty());
  }
  return kExitOk;
}

}  // namespace

int run_main(int argc, char** argv) {
  CLI::App app{"spfdoctor: why did my mail bounce with an SPF error, and what do I change?"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spfdoctor ") + "0.1.0");

  GlobalOptions g;
  EvalArgs ea;
  auto* eval = app.add_subcommand("eval", "What a receiving server decides: RFC 7208 check_host()");
  g.add_to(*eval);
  eval->add_option("--ip", ea.ip, "The client IP address (IPv4 or IPv6)");
  eval->add_option("--sender", ea.sender, "MAIL FROM address; <> or empty for the null sender");
  eval->add_option("--helo", ea.helo, "HELO/EHLO name");
  eval->add_option("--receiver", ea.receiver, "This receiver's name (the %{r} macro)");
  eval->add_option("--batch", ea.batch, "Evaluate one 'IP SENDER HELO' query per line of FILE (- for stdin)");
  eval->add_flag("--no-trace", ea.no_trace, "Leave the trace out");
  eval->add_option("--concurrency", ea.concurrency, "Checks in flight at once in --batch mode (default 128)")
      ->check(CLI::Range(1, 100000));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "spfdoctor: {}\n", e.what());
    return kExitUsage;
  }
  try {
    if (eval->parsed()) return run_eval(g, ea);
  } catch (const UserError& e) {
    fmt::print(stderr, "spfdoctor: {}\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "spfdoctor: {}\n", e.what());
    return kExitError;
  }
  return kExitUsage;
}

int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spfdoctor: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "spfdoctor: unexpected error\n");
  }
  return kExitError;
}
