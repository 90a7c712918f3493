// spfdoctor lint: the SPF checker.
#include <iostream>

#include "common.hpp"
#include "spfdoctor/lint.hpp"
#include "spfdoctor/lint_report.hpp"

namespace spfdoctor::cli {

namespace {

struct LintArgs {
  std::string domain;
  std::string record;
  bool record_given = false;
  std::string ip;
  std::string sender;
  std::vector<std::string> providers;
};


int run_lint(const GlobalOptions& g, const LintArgs& a) {
  if (IpAddress::parse(a.domain)) {
    throw UserError("not a domain name: \"" + a.domain + "\" is an IP address (--ip tests one)", kExitUsage);
  }
  if (!lint::is_plausible_domain(a.domain)) throw UserError("not a domain name: \"" + a.domain + "\"", kExitUsage);
  std::string domain = a.domain;
  if (domain.back() == '.') domain.pop_back();
  lint::LintOptions o;
  if (a.record_given) o.record = a.record;
  if (!a.ip.empty()) o.ip = parse_ip_or_throw(a.ip, kExitUsage);
  if (!a.sender.empty()) o.sender = a.sender;
  for (const auto& p : a.providers) {
    if (!lint::is_known_provider(p)) {
      std::string known;
      for (const auto& x : lint::provider_ids()) known += (known.empty() ? "" : ", ") + x;
      throw UserError("unknown --provider \"" + p + "\" (known: " + known + ")", kExitUsage);
    }
    o.providers.push_back(p);
  }
  auto resolver = make_resolver(g);
  auto report = lint::lint(*resolver, domain, o);
  if (g.json) {
    std::cout << report::to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    std::cout << report::to_text(report, stdout_is_tty());
  }
  return kExitOk;
}

}  // namespace

Command add_lint_command(CLI::App& app) {
  auto args = std::make_shared<LintArgs>();
  auto g = std::make_shared<GlobalOptions>();
  auto* cmd = app.add_subcommand("lint", "The SPF checker: record, include tree, lookup counts, problems and fixes");
  g->add_to(*cmd);
  cmd->add_option("domain", args->domain, "The domain to check")->required();
  cmd->add_option("--record", args->record, "Check this record instead of the published one (what-if)")
      ->each([args](const std::string&) { args->record_given = true; });
  cmd->add_option("--ip", args->ip, "Also say whether mail from this IP would pass, and through which branch");
  cmd->add_option("--sender", args->sender, "With --ip: the sender address (default postmaster@DOMAIN)");
  cmd->add_option("--provider", args->providers, "Check the record covers this provider (m365, google, ...)");
  return Command{cmd, [args, g] { return run_lint(*g, *args); }};
}

}  // namespace spfdoctor::cli
