// spfdoctor eval: what a receiving server decides (RFC 7208 check_host).
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common.hpp"
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
  cmd->add_option("--concurrency", args->concurrency, "Checks in flight at once in --batch mode (default 128)")
      ->check(CLI::Range(1, 100000));
  return Command{cmd, [args, g] { return run_eval(*g, *args); }};
}

}  // namespace spfdoctor::cli
