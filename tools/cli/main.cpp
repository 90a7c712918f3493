// spfdoctor: the command-line tool. One file per command; the work is in the
// library. See docs/cli.md.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "common.hpp"

namespace {

using namespace spfdoctor::cli;

int run_main(int argc, char** argv) {
  CLI::App app{"spfdoctor: why did my mail bounce with an SPF error, and what do I change?"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spfdoctor ") + "0.1.0");

  std::vector<Command> commands;
  commands.push_back(add_eval_command(app));
  commands.push_back(add_bounce_command(app));
  commands.push_back(add_lint_command(app));
  commands.push_back(add_scan_command(app));
  commands.push_back(add_serve_command(app));

  // CLI11 says only "A subcommand is required" for a mistyped command or an
  // option before the command: name what was wrong.
  std::string known;
  for (const auto& c : commands) known += (known.empty() ? "" : ", ") + c.app->get_name();
  if (argc < 2) {
    fmt::print(stderr, "spfdoctor: no command given (commands: {}; spfdoctor --help)\n", known);
    return kExitUsage;
  }
  const std::string first = argv[1];
  const bool help_or_version = first == "-h" || first == "--help" || first == "--version";
  if (!help_or_version && first.starts_with("-")) {
    fmt::print(stderr, "spfdoctor: unknown option \"{}\": options come after the command (spfdoctor COMMAND --help)\n",
               first);
    return kExitUsage;
  }
  if (!help_or_version && std::none_of(commands.begin(), commands.end(),
                                       [&](const Command& c) { return c.app->get_name() == first; })) {
    fmt::print(stderr, "spfdoctor: unknown command \"{}\" (commands: {})\n", first, known);
    return kExitUsage;
  }
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
    for (auto& c : commands) {
      if (!c.app->parsed()) continue;
      const int status = c.run();
      // Output that could not be written is an error, not a quiet success.
      errno = 0;
      std::cout.flush();
      if (std::cout.fail() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
        throw UserError(fmt::format("cannot write output: {}", std::strerror(errno ? errno : EIO)));
      }
      return status;
    }
  } catch (const UserError& e) {
    fmt::print(stderr, "spfdoctor: {}\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "spfdoctor: {}\n", e.what());
    return kExitError;
  }
  return kExitUsage;
}

}  // namespace

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
