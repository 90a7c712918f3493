// From a parsed bounce to what the sender should do: ranked causes with
// evidence (contract cause ids), steps in order, an SPF re-check of the
// sending IP, and a short text for the receiving admin.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spfdoctor/bounce.hpp"
#include "spfdoctor/dns.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor::diagnose {

struct Cause {
  std::string id;          // spf-ip-not-authorized, relay-pool, ... (docs/cli.md)
  std::string confidence;  // confirmed (DNS or the bounce proves it), likely, possible
  std::string summary;     // one sentence
  std::vector<std::string> evidence;
  std::string fix;             // what to change
  std::string how_to_confirm;  // when the bounce alone cannot prove it
  std::string provider;        // provider-include-missing: the provider's name
  std::string include;         // provider-include-missing: the mechanism to add
};

struct SpfCheck {
  Query query;
  Evaluation evaluation;
};

struct Diagnosis {
  std::string kind;     // spf, dmarc, other, none
  std::string summary;  // one sentence
  std::vector<Cause> causes;
  std::vector<std::string> steps;
  std::optional<SpfCheck> spf;  // unless --no-dns or nothing to check
  std::string for_remote_admin;
  std::string envelope_domain;
  bool dns_checked = false;
};

struct Options {
  // Resolver for the SPF re-check and the A/MX check; null means --no-dns.
  dns::Resolver* resolver = nullptr;
};

[[nodiscard]] Diagnosis diagnose(const bounce::Bounce& bounce, const Options& options);

}  // namespace spfdoctor::diagnose
