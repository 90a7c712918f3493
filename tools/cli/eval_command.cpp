// spfdoctor eval: what a receiving server decides (RFC 7208 check_host).
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "ordered_runner.hpp"
#include "spfdoctor/report.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor::cli {

namespace {

struct EvalArgs {
  std::string ip;
  std::string sender;
  std::string helo;
  std::string receiver;
  std::string batch;
  bool no_trace = false;
  int concurrency = 512;
};

// One line of a batch.
struct BatchLine {
  std::size_t line_no = 0;
  std::string ip, sender, helo;
  std::optional<Query> query;
  std::string error;
};

// Evaluates many queries at once on one event loop; prints in input order.
int run_eval_batch(const GlobalOptions& g, const EvalArgs& a, dns::Resolver& resolver) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (a.batch != "-") {
    open_input(file, a.batch, "batch file");
    in = &file;
  }
  EvalOptions opts;
  opts.trace = !a.no_trace;
  opts.prefetch = !g.no_prefetch;
  opts.query_timeout = std::chrono::milliseconds(g.zones.empty() ? static_cast<long long>(g.timeout * 1000) : 0);
  std::size_t line_no = 0;
  int status = kExitOk;
  const bool color = stdout_is_tty();
  using BatchSlot = Slot<Evaluation, BatchLine>;

  auto next = [&](BatchSlot& slot) {
    std::string line;
    while (std::getline(*in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::istringstream words(line);
      auto& m = slot.meta;
      m = BatchLine{};
      m.line_no = line_no;
      words >> m.ip >> m.sender >> m.helo;
      if (m.ip.empty() || m.ip[0] == '#') continue;  // blank lines and comments
      auto ip = IpAddress::parse_client(m.ip);
      if (!ip) {
        m.error = fmt::format("line {}: not an IP address: \"{}\"", line_no, m.ip);
        return true;
      }
      m.query = Query{*ip, m.sender == "<>" ? "" : m.sender, m.helo, a.receiver.empty() ? "unknown" : a.receiver};
      slot.task.emplace(evaluate_async(resolver, *m.query, opts));
      return true;
    }
    return false;
  };
  auto emit = [&](BatchSlot& slot) {
    const auto& m = slot.meta;
    if (!m.error.empty()) {
      nlohmann::json j = {{"line", m.line_no}, {"ip", m.ip},         {"sender", m.sender},
                          {"helo", m.helo},    {"result", nullptr}, {"error", m.error}};
      fmt::print(stderr, "spfdoctor: {}\n", m.error);
      if (g.json) std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      status = kExitError;
      return;
    }
    auto e = slot.task->take();
    if (g.json) {
      auto j = report::to_json(e, opts.trace);
      j["ip"] = m.ip;
      j["sender"] = m.sender;
      j["helo"] = m.helo;
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
      std::cout << report::to_text(e, *m.query, color) << '\n';
    }
  };
  run_ordered<Evaluation, BatchLine>(resolver, static_cast<std::size_t>(std::max(1, a.concurrency)), next, emit);
  std::cout.flush();
  if (in->bad()) throw UserError(fmt::format("cannot read batch file \"{}\": read error", a.batch));
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
  opts.prefetch = !g.no_prefetch;
  opts.query_timeout = std::chrono::milliseconds(g.zones.empty() ? static_cast<long long>(g.timeout * 1000) : 0);
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

Command add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto g = std::make_shared<GlobalOptions>();
  auto* cmd = app.add_subcommand("eval", "What a receiving server decides: RFC 7208 check_host()");
  g->add_to(*cmd);
  cmd->add_option("--ip", args->ip, "The client IP address (IPv4 or IPv6)");
  cmd->add_option("--sender", args->sender, "MAIL FROM address; <> or empty for the null sender");
  cmd->add_option("--helo", args->helo, "HELO/EHLO name");
  cmd->add_option("--receiver", args->receiver, "This receiver's name (the %{r} macro)");
  cmd->add_option("--batch", args->batch, "Evaluate one 'IP SENDER HELO' query per line of FILE (- for stdin)");
  cmd->add_flag("--no-trace", args->no_trace, "Leave the trace out");
  cmd->add_option("--concurrency", args->concurrency, "Checks in flight at once in --batch mode (default 512)")
      ->check(CLI::Range(1, 100000));
  return Command{cmd, [args, g] { return run_eval(*g, *args); }};
}

}  // namespace spfdoctor::cli
