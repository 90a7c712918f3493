// What every command shares: global options, resolvers, errors, exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "spfdoctor/dns.hpp"
#include "spfdoctor/ip.hpp"

namespace spfdoctor::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// A failure the user can fix: printed as one line, exit status 1 (or 2).
struct UserError : std::runtime_error {
  explicit UserError(const std::string& what, int code = kExitError) : std::runtime_error(what), exit_code(code) {}
  int exit_code;
};

// The options of every command that resolves names (product contract).
struct GlobalOptions {
  std::vector<std::string> dns_servers;
  std::vector<std::string> zones;
  double timeout = 5.0;
  std::size_t dns_in_flight = 192;  // queries on the wire at once, in all
  bool no_prefetch = false;         // ask one name at a time, as the terms are evaluated
  bool json = false;

  void add_to(CLI::App& cmd);
};

// --zone files, else c-ares (with a shared cache) on --dns-server or the system's servers.
[[nodiscard]] std::unique_ptr<dns::Resolver> make_resolver(const GlobalOptions& g);
// Makes resolvers that share one zone or one DNS cache (one per thread or request).
using ResolverFactory = std::function<std::unique_ptr<dns::Resolver>()>;
// `loops`: how many event loops will use it at once; --dns-in-flight is shared
// evenly between them.
[[nodiscard]] ResolverFactory make_resolver_factory(const GlobalOptions& g, std::size_t loops = 1);
[[nodiscard]] bool stdout_is_tty();
// True where the process may end without freeing what it holds (std::_Exit
// after the output is written; caches left to the exit): false under
// AddressSanitizer/LeakSanitizer, ThreadSanitizer and valgrind's memcheck,
// and with SPFDOCTOR_FULL_TEARDOWN set in the environment.
[[nodiscard]] bool skip_teardown();
[[nodiscard]] IpAddress parse_ip_or_throw(const std::string& text, int code);
// Opens `path` for reading, or throws UserError (exit 1)
// `cannot read [WHAT ]"PATH": REASON`. A directory, which opens and then
// reads as nothing, is refused like a file that cannot be opened.
void open_input(std::ifstream& file, const std::string& path, const std::string& what = "");

// A command adds its subcommand to the app and returns what runs it.
using Runner = std::function<int()>;
struct Command {
  CLI::App* app;
  Runner run;
};

Command add_eval_command(CLI::App& app);
Command add_bounce_command(CLI::App& app);
Command add_lint_command(CLI::App& app);
Command add_scan_command(CLI::App& app);
Command add_serve_command(CLI::App& app);

}  // namespace spfdoctor::cli
