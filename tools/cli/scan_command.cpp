// spfdoctor scan: lint many domains, one compact JSON document a line.
//
// Results come out in input order as whole lines, gathered into one write()
// of up to 64 KiB (or whatever is ready after 100 ms), so an interrupted scan
// (even kill -9) leaves complete lines plus at most one partial line: lines
// not yet written are simply not there. --resume drops the partial line and
// skips the domains already written: the first K lines of output are the
// first K domains of input.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <utility>
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "parallel_runner.hpp"
#include "spfdoctor/lint.hpp"
#include "spfdoctor/lint_report.hpp"

namespace spfdoctor::cli {

namespace {

struct ScanArgs {
  std::string input;
  std::string out;
  bool resume = false;
  int concurrency = 256;
  int threads = 0;  // 0: one per CPU
};

struct ScanItem {
  std::string domain;
  std::string error;
};

struct ScanOutput {
  std::string text;  // one whole line
  std::string verdict;
  std::vector<std::string> findings;  // their ids, for the summary
};

std::string clean_domain(std::string line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  std::size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  line.erase(0, start);
  // One trailing dot (the root) is dropped, as lint drops it; two are left
  // for the name check to refuse, as lint refuses them.
  if (!line.empty() && line.back() == '.' && (line.size() < 2 || line[line.size() - 2] != '.')) line.pop_back();
  for (auto& c : line) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return line;
}


// Writes all of `data` to fd, retrying short writes.
void write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw UserError(fmt::format("cannot write output: {}", std::strerror(errno)));
    }
    off += static_cast<std::size_t>(n);
  }
}

// --resume: cut a partial last line, count the complete ones, and return the
// domain of the last one (to check it matches the input). Each line is written
// with one write(), so only the tail can be damaged: every line is checked for
// the shape of a scan line ({"domain":"..."...}), and only the last one is
// parsed as JSON (a million lines resume in seconds, not minutes).
std::size_t prepare_resume(const std::string& path, std::string& last_domain) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;  // nothing yet: start from the beginning
  constexpr std::string_view kStart = "{\"domain\":\"";
  std::string line, last, before_last;
  std::size_t complete = 0;
  std::uint64_t good_bytes = 0, before_last_bytes = 0;
  std::uint64_t pos = 0;
  auto is_json = [](const std::string& text) { return nlohmann::json::accept(text); };
  while (std::getline(in, line)) {
    pos += line.size() + 1;
    if (in.eof()) break;  // no newline after it: partial
    if (!(line.starts_with(kStart) && line.back() == '}') && !is_json(line)) {
      // A damaged line: redo from here, if it is the last one. Damage in the
      // middle is not what an interrupted scan leaves: refuse to touch it.
      std::string after;
      if (std::getline(in, after) && !in.eof()) {
        throw UserError(fmt::format("--resume: line {} of \"{}\" is not a scan line and more follow; "
                                    "start again without --resume",
                                    complete + 1, path));
      }
      break;
    }
    ++complete;
    before_last_bytes = good_bytes;
    good_bytes = pos;
    before_last.swap(last);
    last.swap(line);
  }
  // The last line is parsed in full; if it is not JSON it is redone too.
  auto domain_of = [](const std::string& text, std::string& out) {
    try {
      out = nlohmann::json::parse(text).value("domain", "");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  if (complete > 0 && !domain_of(last, last_domain)) {
    --complete;
    good_bytes = before_last_bytes;
    last_domain.clear();
    if (complete > 0 && !domain_of(before_last, last_domain)) {
      throw UserError(fmt::format("--resume: \"{}\" is damaged before its last line; start again without --resume",
                                  path));
    }
  }
  if (::truncate(path.c_str(), static_cast<off_t>(good_bytes)) != 0) {
    throw UserError(fmt::format("--resume: cannot truncate \"{}\": {}", path, std::strerror(errno)));
  }
  return complete;
}

class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}
  void tick(std::size_t done) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && done != total_) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    std::string bar;
    if (total_ > 0) {
      auto filled = static_cast<std::size_t>(30.0 * static_cast<double>(done) / static_cast<double>(total_));
      bar = "[" + std::string(std::min<std::size_t>(filled, 30), '#') + std::string(30 - std::min<std::size_t>(filled, 30), '.') + "] ";
      double eta = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0;
      fmt::print(stderr, "\r{}{}/{} domains  {:.0f}/s  ETA {}:{:02d}  ", bar, done, total_, rate,
                 static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    } else {
      fmt::print(stderr, "\r{} domains  {:.0f}/s  ", done, rate);
    }
  }
  void finish() {
    if (enabled_) fmt::print(stderr, "\n");
  }

 private:
  std::size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

int run_scan(const GlobalOptions& g, const ScanArgs& a) {
  if (a.resume && a.out.empty()) throw UserError("--resume needs --out FILE", kExitUsage);
  std::ifstream file;
  std::istream* in = &std::cin;
  std::size_t total = 0;
  if (a.input != "-") {
    open_input(file, a.input);
    std::string line;
    while (std::getline(file, line)) total += clean_domain(line).empty() || line[0] == '#' ? 0 : 1;
    if (file.bad()) throw UserError(fmt::format("cannot read \"{}\": read error", a.input));
    file.clear();
    file.seekg(0);
    in = &file;
  }
  std::size_t skip = 0;
  std::string last_done;
  if (a.resume) skip = prepare_resume(a.out, last_done);
  // Made before --out is opened: a bad --zone leaves no file behind.
  const std::size_t in_flight = static_cast<std::size_t>(std::max(1, a.concurrency));
  auto factory = make_resolver_factory(g, worker_count(static_cast<std::size_t>(a.threads), in_flight));
  int fd = STDOUT_FILENO;
  if (!a.out.empty()) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (a.resume ? O_APPEND : O_TRUNC);
    fd = ::open(a.out.c_str(), flags, 0644);
    if (fd < 0) throw UserError(fmt::format("cannot write \"{}\": {}", a.out, std::strerror(errno)));
  }

  std::size_t done = skip;
  std::map<std::string, int> verdicts;
  std::map<std::string, int> finding_counts;
  Progress progress(total);
  std::size_t seen = 0;
  std::string line;
  auto next = [&](ScanItem& item) {
    while (std::getline(*in, line)) {
      auto d = clean_domain(line);
      if (d.empty() || d[0] == '#') continue;
      ++seen;
      if (seen <= skip) {
        if (seen == skip && !last_done.empty() && d != last_done) {
          throw UserError(fmt::format("--resume: line {} of the output is {}, but domain {} of the input is {}; "
                                      "is this the same input?",
                                      skip, last_done, skip, d));
        }
        continue;
      }
      item.domain = std::move(d);
      if (!lint::is_plausible_domain(item.domain)) item.error = "not a domain name";
      return true;
    }
    return false;
  };
  auto start = [&](ScanItem& item, dns::Resolver& resolver) -> std::optional<Task<lint::LintReport>> {
    if (!item.error.empty()) return std::nullopt;
    return lint::lint_async(resolver, item.domain, lint::LintOptions{});
  };
  // The JSON is made on the worker's thread; only the write is in order.
  auto finish = [&](ScanItem& item, Task<lint::LintReport>* task) {
    ScanOutput out;
    if (!item.error.empty()) {
      nlohmann::json j = {{"domain", item.domain}, {"error", item.error}, {"verdict", nullptr}};
      out.text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      out.verdict = "invalid";
    } else {
      auto r = task->take();
      out.text.reserve(4096);  // a typical line is 1-4 KB: no regrowth
      report::append_json_line(out.text, r);
      out.verdict = std::move(r.verdict);
      out.findings.reserve(r.findings.size());
      for (auto& f : r.findings) out.findings.push_back(std::move(f.id));
    }
    return out;
  };
  // Lines wait in `pending` (whole lines only) until there are 64 KiB of
  // them or the oldest has waited 100 ms, then go out in one write(): one
  // system call per few dozen lines, not one per line. The progress bar
  // counts lines written.
  constexpr std::size_t kFlushBytes = 64 * 1024;
  constexpr auto kFlushAfter = std::chrono::milliseconds(100);
  std::string pending;
  std::size_t pending_lines = 0;
  std::chrono::steady_clock::time_point pending_since{};
  auto flush = [&] {
    if (pending.empty()) return;
    const std::size_t lines = std::exchange(pending_lines, 0);
    // Cleared even when the write fails, so no line is ever written twice.
    struct Clear {
      std::string& s;
      ~Clear() { s.clear(); }
    } clear{pending};
    write_all(fd, pending);
    done += lines;
    progress.tick(done);
  };
  auto write = [&](ScanOutput& out) {
    auto now = std::chrono::steady_clock::now();
    if (pending.empty()) {
      pending_since = now;
      pending.reserve(kFlushBytes + 8192);
    }
    pending += out.text;
    ++pending_lines;
    ++verdicts[out.verdict];
    for (const auto& id : out.findings) ++finding_counts[id];
    if (pending.size() >= kFlushBytes || now - pending_since >= kFlushAfter) flush();
  };
  try {
    run_parallel<lint::LintReport, ScanItem, ScanOutput>(factory, static_cast<std::size_t>(a.threads), in_flight,
                                                         next, start, finish, write);
  } catch (...) {
    // The lines done so far still go out (as they did one by one before).
    try {
      flush();
    } catch (...) {
    }
    throw;
  }
  flush();
  progress.finish();
  if (fd != STDOUT_FILENO) ::close(fd);
  if (in->bad()) throw UserError(fmt::format("cannot read \"{}\": read error", a.input));

  std::vector<std::pair<int, std::string>> top;
  for (const auto& [id, n] : finding_counts) top.emplace_back(-n, id);
  std::sort(top.begin(), top.end());
  std::string common;
  for (std::size_t i = 0; i < top.size() && i < 5; ++i) {
    common += fmt::format("{}{} ({})", i ? ", " : "", top[i].second, -top[i].first);
  }
  fmt::print(stderr, "scan: {} domains ({} this run{}): {} ok, {} warnings, {} errors{}\n", done, done - skip,
             skip ? fmt::format(", {} resumed", skip) : "", verdicts["ok"], verdicts["warnings"], verdicts["errors"],
             verdicts["invalid"] ? fmt::format(", {} not domain names", verdicts["invalid"]) : "");
  if (!common.empty()) fmt::print(stderr, "scan: most common findings: {}\n", common);
  return kExitOk;
}

}  // namespace

Command add_scan_command(CLI::App& app) {
  auto args = std::make_shared<ScanArgs>();
  auto g = std::make_shared<GlobalOptions>();
  auto* cmd = app.add_subcommand("scan", "Lint many domains: one domain a line in, one JSON document a line out");
  g->add_to(*cmd);
  cmd->add_option("input", args->input, "File of domains, one a line (- for stdin)")->required();
  cmd->add_option("--out", args->out, "Write the JSON Lines here instead of stdout");
  cmd->add_flag("--resume", args->resume, "Continue an interrupted scan into --out: no domain lost or repeated");
  cmd->add_option("--concurrency", args->concurrency, "Domains checked at once (default 256, at most 4096)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--threads", args->threads, "Event loops (threads) sharing the domains (default: one per CPU, at most 8)")
      ->check(CLI::Range(1, 64));
  return Command{cmd, [args, g] { return run_scan(*g, *args); }};
}

}  // namespace spfdoctor::cli
