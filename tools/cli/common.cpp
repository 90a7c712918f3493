#include "common.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "spfdoctor/net_resolver.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SPFDOCTOR_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SPFDOCTOR_LEAK_CHECKED 1
#endif
#endif

namespace spfdoctor::cli {

void GlobalOptions::add_to(CLI::App& cmd) {
  cmd.add_option("--dns-server", dns_servers, "Ask this DNS server (ADDR[:PORT], repeatable)");
  cmd.add_option("--zone", zones, "Answer every query from this RFC 1035 master file (repeatable)");
  // Up to an hour: a check's budget grows with it (docs/cli.md), and the
  // value becomes milliseconds in a 64-bit count.
  cmd.add_option("--timeout", timeout, "Per-query timeout in seconds (default 5, at most 3600)")
      ->check(CLI::Validator(
          [](std::string& text) {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v) || v <= 0 || v > 3600) {
              return fmt::format("\"{}\" is not a number of seconds above 0 and at most 3600", text);
            }
            return std::string();
          },
          "SECONDS"));
  cmd.add_option("--dns-in-flight", dns_in_flight,
                 "DNS queries on the wire at once; more wait their turn (default 192)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{65535}));
  cmd.add_flag("--no-prefetch", no_prefetch,
               "Ask each name only when its term is evaluated (default: a record's names are asked together)");
  cmd.add_flag("--json", json, "Machine-readable output");
}

ResolverFactory make_resolver_factory(const GlobalOptions& g, std::size_t loops) {
  if (!g.zones.empty()) {
    auto data = std::make_shared<dns::ZoneData>();
    for (const auto& path : g.zones) {
      try {
        data->merge(dns::load_master_file(path));
      } catch (const std::exception& e) {
        throw UserError(fmt::format("--zone: {}", e.what()));
      }
    }
    std::shared_ptr<const dns::ZoneData> shared = std::move(data);
    return [shared] { return std::unique_ptr<dns::Resolver>(std::make_unique<dns::ZoneResolver>(shared)); };
  }
  dns::NetworkOptions net;
  net.servers = g.dns_servers;
  net.timeout = std::chrono::milliseconds(static_cast<long long>(g.timeout * 1000));
  loops = std::max<std::size_t>(1, loops);
  net.max_in_flight = std::max<std::size_t>(1, (g.dns_in_flight + loops - 1) / loops);
  try {
    for (const auto& s : net.servers) (void)dns::parse_server_address(s);
  } catch (const std::invalid_argument& e) {
    throw UserError(e.what(), kExitUsage);
  }
  // Freeing a full cache (about 1.5 M instructions after a 2,100-check batch)
  // is left to the exit where nothing checks for leaks.
  auto cache = skip_teardown() ? std::shared_ptr<dns::DnsCache>(new dns::DnsCache, [](dns::DnsCache*) {})
                               : std::make_shared<dns::DnsCache>();
  return [net, cache] {
    std::unique_ptr<dns::Resolver> ares;
    try {
      ares = std::make_unique<dns::AresResolver>(net);
    } catch (const std::exception& e) {
      throw UserError(e.what());
    }
    return std::unique_ptr<dns::Resolver>(std::make_unique<dns::CachingResolver>(cache, std::move(ares)));
  };
}

std::unique_ptr<dns::Resolver> make_resolver(const GlobalOptions& g) {
  return make_resolver_factory(g)();
}

bool skip_teardown() {
#ifdef SPFDOCTOR_LEAK_CHECKED
  return false;
#else
  // valgrind's memcheck (not its other tools) preloads its own library.
  static const bool skip = [] {
    const char* preload = std::getenv("LD_PRELOAD");
    const bool memcheck = preload != nullptr && std::strstr(preload, "vgpreload_memcheck") != nullptr;
    return !memcheck && std::getenv("SPFDOCTOR_FULL_TEARDOWN") == nullptr;
  }();
  return skip;
#endif
}

bool stdout_is_tty() {
  return isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

void open_input(std::ifstream& file, const std::string& path, const std::string& what) {
  const std::string name = (what.empty() ? "" : what + " ") + "\"" + path + "\"";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    throw UserError(fmt::format("cannot read {}: {}", name, std::strerror(EISDIR)));
  }
  errno = 0;
  file.open(path, std::ios::binary);
  if (!file) throw UserError(fmt::format("cannot read {}: {}", name, std::strerror(errno ? errno : EIO)));
}

IpAddress parse_ip_or_throw(const std::string& text, int code) {
  auto ip = IpAddress::parse_client(text);
  if (!ip) throw UserError(fmt::format("not an IP address: \"{}\"", text), code);
  return *ip;
}

}  // namespace spfdoctor::cli
