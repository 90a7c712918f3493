// spfdoctor: the command-line tool. One file per command; the work is in the
// library. See docs/cli.md.
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "common.hpp"

namespace {

using namespace spfdoctor::cli;

#ifdef SPFDOCTOR_FULL_HELPER
// Two commands need libraries the others do not: `serve` needs cpp-httplib, a
// shared library that brings libstdc++, OpenSSL and more with it and
// initialises OpenSSL in its constructor; `bounce` needs GMime, whose GLib and
// GPG parts load nine more shared libraries (gpgme, libassuan, libmount,
// libblkid, libselinux, libpcre2, libunistring...) and run GLib's type-system
// set-up: 1.3 ms of every start. This command is linked statically without
// them (cmake/static_deps.cmake); those two run in spfdoctor-full, the same
// program linked with everything, found beside this one (the build tree) or
// at SPFDOCTOR_FULL_HELPER relative to it (installed: libexec/spfdoctor/).
// Same process (exec), same arguments, so the same output, exit status and pid.
[[noreturn]] void exec_full_helper(char** argv) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string tried;
  int err = ec ? ec.value() : ENOENT;
  if (!ec) {
    for (const char* rel : {"spfdoctor-full", SPFDOCTOR_FULL_HELPER}) {
      const std::string path = (self.parent_path() / rel).lexically_normal().string();
      ::execv(path.c_str(), argv);
      err = errno;
      tried += (tried.empty() ? "" : ", ") + path;
    }
  }
  std::fprintf(stderr, "spfdoctor: cannot run %s: spfdoctor-full (%s): %s\n",
               std::string_view(argv[1]) == "serve" ? "the web server" : "the bounce reader",
               tried.empty() ? "/proc/self/exe" : tried.c_str(), std::strerror(err));
  std::exit(kExitError);
}
#endif

int run_main(int argc, char** argv) {
#ifdef SPFDOCTOR_FULL_HELPER
  if (argc >= 2 && (std::string_view(argv[1]) == "serve" || std::string_view(argv[1]) == "bounce")) {
    exec_full_helper(argv);
  }
#endif
  CLI::App app{"spfdoctor: why did my mail bounce with an SPF error, and what do I change?"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spfdoctor ") + "0.1.0");

  // Each command's options are a few hundred CLI11 objects to build: only the
  // command asked for is added (all of them for --help, none for --version).
  struct Maker {
    std::string_view name;
    Command (*add)(CLI::App&);
  };
  static constexpr Maker kMakers[] = {{"eval", add_eval_command},
                                      {"bounce", add_bounce_command},
                                      {"lint", add_lint_command},
                                      {"scan", add_scan_command},
                                      {"serve", add_serve_command}};

  // CLI11 says only "A subcommand is required" for a mistyped command or an
  // option before the command: name what was wrong.
  std::string known;
  for (const auto& m : kMakers) known += (known.empty() ? "" : ", ") + std::string(m.name);
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
  if (!help_or_version &&
      std::none_of(std::begin(kMakers), std::end(kMakers), [&](const Maker& m) { return m.name == first; })) {
    fmt::print(stderr, "spfdoctor: unknown command \"{}\" (commands: {})\n", first, known);
    return kExitUsage;
  }
  std::vector<Command> commands;
  for (const auto& m : kMakers) {
    if ((help_or_version && first != "--version") || m.name == first) commands.push_back(m.add(app));
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
      // Everything is written and checked: what is left is freeing memory,
      // closing sockets and running static destructors, which the exit does
      // anyway. Not for serve (it has stopped its server already; no gain),
      // nor where a leak checker wants the teardown (skip_teardown()).
      if (skip_teardown() && c.app->get_name() != "serve") {
        std::fflush(stderr);
        std::_Exit(status);
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
