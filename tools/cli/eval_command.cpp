// spfdoctor eval: what a receiving server decides (RFC 7208 check_host).
#include <fmt/format.h>

#include <bit>
#include <cctype>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <deque>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common.hpp"
#include "parallel_runner.hpp"
#include "spfdoctor/report.hpp"
#include "spfdoctor/spf.hpp"
#include "util/swar.hpp"

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
  int threads = 0;  // 0: one per CPU
};

// One line of a batch.
struct BatchLine {
  std::size_t line_no = 0;
  std::string ip, sender, helo;
  std::optional<Query> query;
  std::string error;
};

// What a batch line prints: its output line, or its error.
struct BatchOutput {
  std::string text;
  std::string error;
};

// isspace() in the "C" locale, whatever locale a library set.
bool is_space(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// Where the word at `i` ends: the next whitespace byte, or the end. Eight
// bytes at a time: a word is tens of bytes, and a byte-wise loop over every
// line of a batch was 1.5% of its instructions.
std::size_t word_end(std::string_view s, std::size_t i) {
  while (i + 8 <= s.size()) {
    // The lowest flagged byte is below 0x21 (higher flags may be borrows):
    // whitespace, or a control byte that belongs to the word.
    const std::uint64_t low = swar::bytes_below(swar::load8(s.data() + i), 0x21);
    if (low == 0) {
      i += 8;
      continue;
    }
    i += static_cast<std::size_t>(std::countr_zero(low) / 8);
    if (is_space(s[i])) return i;
    ++i;
  }
  while (i < s.size() && !is_space(s[i])) ++i;
  return i;
}

// The first three whitespace-separated words of `line` (fewer: left empty).
void split_words(std::string_view line, std::string& a, std::string& b, std::string& c) {
  std::string* out[] = {&a, &b, &c};
  std::size_t i = 0;
  for (std::string* word : out) {
    while (i < line.size() && is_space(line[i])) ++i;
    const std::size_t start = i;
    i = word_end(line, i);
    word->assign(line.substr(start, i - start));
  }
}

// Evaluates many queries at once on one event loop per thread; prints in input order.
int run_eval_batch(const GlobalOptions& g, const EvalArgs& a) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (a.batch != "-") {
    open_input(file, a.batch, "batch file");
    in = &file;
  }
  const std::size_t in_flight = static_cast<std::size_t>(std::max(1, a.concurrency));
  auto factory = make_resolver_factory(g, worker_count(static_cast<std::size_t>(a.threads), in_flight));
  EvalOptions opts;
  opts.trace = !a.no_trace;
  opts.prefetch = !g.no_prefetch;
  opts.query_timeout = std::chrono::milliseconds(g.zones.empty() ? static_cast<long long>(g.timeout * 1000) : 0);
  std::size_t line_no = 0;
  int status = kExitOk;
  const bool color = stdout_is_tty();
  std::string line;

  auto next = [&](BatchLine& m) {
    while (std::getline(*in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      m.line_no = line_no;
      split_words(line, m.ip, m.sender, m.helo);
      if (m.ip.empty() || m.ip[0] == '#') continue;  // blank lines and comments
      auto ip = IpAddress::parse_client(m.ip);
      if (!ip) {
        m.error = fmt::format("line {}: not an IP address: \"{}\"", line_no, m.ip);
        return true;
      }
      m.query = Query{*ip, m.sender == "<>" ? "" : m.sender, m.helo, a.receiver.empty() ? "unknown" : a.receiver};
      return true;
    }
    return false;
  };
  auto start = [&](BatchLine& m, dns::Resolver& resolver) -> std::optional<Task<Evaluation>> {
    if (!m.query) return std::nullopt;
    return evaluate_async(resolver, *m.query, opts);
  };
  auto finish = [&](BatchLine& m, Task<Evaluation>* task) {
    BatchOutput out;
    if (!m.error.empty()) {
      out.error = m.error;
      if (g.json) {
        nlohmann::json j = {{"line", m.line_no}, {"ip", m.ip},         {"sender", m.sender},
                            {"helo", m.helo},    {"result", nullptr}, {"error", m.error}};
        out.text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
      }
      return out;
    }
    auto e = task->take();
    if (g.json) {
      report::append_json_line(out.text, e, opts.trace, m.ip, m.sender, m.helo);
    } else {
      out.text = report::to_text(e, *m.query, color) + '\n';
    }
    return out;
  };
  // Into a file or pipe, lines go out in writes of 64 KiB (stdio's own
  // buffer is one 4 KiB block: 240 write() calls for the 2,100-line batch,
  // 3 ms of its 45 into a file), and at least every 100 ms when lines keep
  // coming. A terminal keeps stdio's line buffering.
  static char out_buffer[1 << 16];
  if (!color) std::setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
  constexpr auto kFlushAfter = std::chrono::milliseconds(100);
  auto last_flush = std::chrono::steady_clock::now();
  auto write = [&](BatchOutput& out) {
    if (!out.error.empty()) {
      std::cout.flush();
      fmt::print(stderr, "spfdoctor: {}\n", out.error);
      status = kExitError;
    }
    std::cout.write(out.text.data(), static_cast<std::streamsize>(out.text.size()));
    if (!color) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_flush >= kFlushAfter) {
        std::cout.flush();
        last_flush = now;
      }
    }
    if (std::cout.fail()) throw UserError(fmt::format("cannot write output: {}", std::strerror(errno ? errno : EIO)));
  };
  run_parallel<Evaluation, BatchLine, BatchOutput>(factory, static_cast<std::size_t>(a.threads),
                                                   in_flight, next, start,
                                                   finish, write);
  std::cout.flush();
  if (in->bad()) throw UserError(fmt::format("cannot read batch file \"{}\": read error", a.batch));
  return status;
}

int run_eval(const GlobalOptions& g, const EvalArgs& a) {
  if (a.batch.empty()) {
    if (a.ip.empty()) throw UserError("eval needs --ip (or --batch FILE)", kExitUsage);
    if (a.sender.empty() && a.helo.empty()) throw UserError("eval needs --sender or --helo", kExitUsage);
  }
  if (!a.batch.empty()) return run_eval_batch(g, a);
  auto resolver = make_resolver(g);
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
  cmd->add_option("--threads", args->threads,
                  "Event loops (threads) sharing the checks in --batch mode (default: one per CPU, at most 8)")
      ->check(CLI::Range(1, 64));
  return Command{cmd, [args, g] { return run_eval(*g, *args); }};
}

}  // namespace spfdoctor::cli
