// spfdoctor bounce: read a bounce (NDR / DSN) and say what to do.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "common.hpp"
#include "spfdoctor/bounce.hpp"
#include "spfdoctor/bounce_report.hpp"
#include "spfdoctor/diagnose.hpp"

namespace spfdoctor::cli {

namespace {

struct BounceArgs {
  std::string file;
  bool no_dns = false;
};

// Reads at most `limit` + 1 bytes, so that an oversized input is refused without reading it all.
std::string read_input(const std::string& path, std::size_t limit) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) throw UserError(fmt::format("cannot read \"{}\": {}", path, std::strerror(errno)));
    in = &file;
  }
  std::string data;
  std::vector<char> buf(1 << 16);
  while (*in) {
    in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
    data.append(buf.data(), static_cast<std::size_t>(in->gcount()));
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
