// spfdoctor serve: the checker on the web.
#include <fmt/format.h>

#include <csignal>
#include <thread>

#include "common.hpp"
#ifndef SPFDOCTOR_FULL_HELPER
#include "spfdoctor/server.hpp"
#endif

namespace spfdoctor::cli {

namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8025";
  int threads = 24;
  int max_checks = 16;
};

#ifdef SPFDOCTOR_FULL_HELPER
// The statically linked command runs serve in spfdoctor-full (main.cpp): never here.
int run_serve(const GlobalOptions&, const ServeArgs&) {
  throw UserError("serve runs in spfdoctor-full");
}
#else
// "ADDR:PORT", "[V6]:PORT" or ":PORT".
void split_listen(const std::string& text, std::string& host, int& port) {
  std::string p;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw UserError(fmt::format("--listen \"{}\": expected [ADDR]:PORT", text), kExitUsage);
    }
    host = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
      throw UserError(fmt::format("--listen \"{}\": expected ADDR:PORT", text), kExitUsage);
    host = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (host.empty()) host = "127.0.0.1";
  }
  if (!IpAddress::parse(host)) throw UserError(fmt::format("--listen \"{}\": not an IP address", text), kExitUsage);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) > 65535) {
    throw UserError(fmt::format("--listen \"{}\": bad port", text), kExitUsage);
  }
  port = std::stoi(p);
}

int run_serve(const GlobalOptions& g, const ServeArgs& a) {
  server::ServeOptions o;
  split_listen(a.listen, o.host, o.port);
  o.threads = a.threads;
  o.max_checks = a.max_checks;
  o.make_resolver = make_resolver_factory(g);
  o.bounce = server::read_bounce;
  // Signals go to one thread that stops the server; the others never see them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  server::Server srv(o);
  int port = 0;
  try {
    port = srv.bind();
  } catch (const std::exception& e) {
    throw UserError(e.what());
  }
  std::thread waiter([&srv, set] {
    int sig = 0;
    sigwait(&set, &sig);
    srv.stop();
  });
  std::string shown = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  fmt::print(stderr, "spfdoctor: serving on http://{}:{}/{}\n", shown, port,
             g.zones.empty() ? "" : " (answering DNS from --zone files)");
  srv.run();
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return kExitOk;
}
#endif

}  // namespace

Command add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto g = std::make_shared<GlobalOptions>();
  auto* cmd = app.add_subcommand("serve", "The checker on the web: the page and the JSON API");
  g->add_to(*cmd);
  cmd->add_option("--listen", args->listen, "ADDR:PORT to listen on (default 127.0.0.1:8025; port 0 picks one)");
  cmd->add_option("--threads", args->threads, "HTTP worker threads (default 24)")->check(CLI::Range(2, 1024));
  cmd->add_option("--max-checks", args->max_checks, "Checks running at once; more get 503 (default 16)")
      ->check(CLI::Range(1, 1000));
  return Command{cmd, [args, g] { return run_serve(*g, *args); }};
}

}  // namespace spfdoctor::cli
