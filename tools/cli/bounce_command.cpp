// spfdoctor bounce: read a bounce (NDR / DSN) and say what to do.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <vector>

#include "common.hpp"
#ifndef SPFDOCTOR_FULL_HELPER
#include "spfdoctor/bounce.hpp"
#include "spfdoctor/bounce_report.hpp"
#include "spfdoctor/diagnose.hpp"
#endif

namespace spfdoctor::cli {

namespace {

struct BounceArgs {
  std::string file;
  bool no_dns = false;
};

#ifdef SPFDOCTOR_FULL_HELPER
// The statically linked command runs bounce in spfdoctor-full (main.cpp), so
// that GMime, GLib and the shared libraries they load (gpgme, libmount,
// libunistring...) are not loaded by every other command: never here.
int run_bounce(const GlobalOptions&, const BounceArgs&) { throw UserError("bounce runs in spfdoctor-full"); }
#else
// Reads at most `limit` + 1 bytes, so that an oversized input is refused
// without reading it all. A directory, a file that cannot be opened and a
// read that fails are errors naming the file and the reason.
std::string read_input(const std::string& path, std::size_t limit) {
  int fd = STDIN_FILENO;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw UserError(fmt::format("cannot read \"{}\": {}", path, std::strerror(errno)));
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd != STDIN_FILENO) ::close(fd);
    }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    throw UserError(fmt::format("cannot read \"{}\": {}", path, std::strerror(EISDIR)));
  }
  std::string data;
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw UserError(fmt::format("cannot read \"{}\": {}", path, std::strerror(errno)));
    if (n == 0) break;
    data.append(buf.data(), static_cast<std::size_t>(n));
    if (data.size() > limit) {
      throw UserError(
          fmt::format("\"{}\" is larger than {} MiB; a bounce is never that big", path, limit / (1024 * 1024)));
    }
  }
  return data;
}

int run_bounce(const GlobalOptions& g, const BounceArgs& a) {
  bounce::ParseOptions po;
  const std::string data = read_input(a.file, po.max_bytes);
  if (data.empty()) throw UserError(fmt::format("\"{}\" is empty", a.file));
  bounce::Bounce b;
  try {
    b = bounce::parse(data, po);
  } catch (const bounce::ParseError& e) {
    throw UserError(fmt::format("\"{}\": {}", a.file, e.what()));
  }
  std::unique_ptr<dns::Resolver> resolver;
  diagnose::Options opts;
  if (!a.no_dns) {
    resolver = make_resolver(g);
    opts.resolver = resolver.get();
  }
  const auto d = diagnose::diagnose(b, opts);
  if (g.json) {
    std::cout << report::to_json(b, d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    std::cout << report::to_text(b, d, stdout_is_tty());
  }
  return kExitOk;
}
#endif

}  // namespace

Command add_bounce_command(CLI::App& app) {
  auto args = std::make_shared<BounceArgs>();
  auto g = std::make_shared<GlobalOptions>();
  auto* cmd = app.add_subcommand("bounce", "Read a bounce (NDR / DSN) and say what to do");
  g->add_to(*cmd);
  cmd->add_option("file", args->file, "The bounce message (.eml or mbox with one message); - for stdin")->required();
  cmd->add_flag("--no-dns", args->no_dns, "Skip the live SPF re-check and the A/MX check");
  return Command{cmd, [args, g] { return run_bounce(*g, *args); }};
}

}  // namespace spfdoctor::cli
