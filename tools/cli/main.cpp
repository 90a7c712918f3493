// spfdoctor: the command-line tool. One function per command; the work is in
// the library.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "spfdoctor/dns.hpp"
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
  throw UserError("this build answers DNS from --zone master files only; give --zone FILE");
}

bool stdout_is_tty() { return isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr; }

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
};

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
  std::string line;
  std::size_t line_no = 0;
  int status = kExitOk;
  while (std::getline(*in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string ip_text, sender, helo, extra;
    words >> ip_text >> sender >> helo;
    if (ip_text.empty() || ip_text[0] == '#') continue;  // blank lines and comments
    nlohmann::json j;
    auto ip = IpAddress::parse_client(ip_text);
    if (!ip) {
      j = {{"line", line_no}, {"ip", ip_text}, {"sender", sender}, {"helo", helo},
           {"result", nullptr}, {"error", fmt::format("line {}: not an IP address: \"{}\"", line_no, ip_text)}};
      fmt::print(stderr, "spfdoctor: {}\n", j["error"].get<std::string>());
      status = kExitError;
    } else {
      Query q{*ip, sender == "<>" ? "" : sender, helo, a.receiver.empty() ? "unknown" : a.receiver};
      auto e = evaluate(resolver, q, opts);
      if (g.json) {
        j = report::to_json(e, opts.trace);
      } else {
        fmt::print("{}\n", report::to_text(e, q, stdout_is_tty()));
        continue;
      }
      j["ip"] = ip_text;
      j["sender"] = sender;
      j["helo"] = helo;
    }
    if (g.json || j.contains("error")) {
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
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

int main(int argc, char** argv) {
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
