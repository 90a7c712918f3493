// The SPF checker: fetch a domain's record, walk its include/redirect tree,
// count lookups as RFC 7208 §4.6.4 does, and say what is wrong and how to fix it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spfdoctor/dns.hpp"
#include "spfdoctor/ip.hpp"
#include "spfdoctor/spf.hpp"
#include "spfdoctor/task.hpp"

namespace spfdoctor::lint {

enum class Severity : std::uint8_t { Error, Warning, Info };
[[nodiscard]] std::string_view to_string(Severity s);

struct Finding {
  std::string id;  // stable id, see docs/lint.md
  Severity severity = Severity::Warning;
  std::string message;  // plain words
  std::string fix;      // what to do
  std::optional<std::string> domain;
  std::optional<std::string> term;
  std::optional<std::size_t> position;  // byte offset of the term in the record
};

// One record in the include/redirect tree.
struct TreeNode {
  std::string domain;
  std::string via;   // "top", "include" or "redirect"
  std::string term;  // the term that led here, as written ("" for the top)
  std::optional<std::string> record;
  std::vector<std::string> records;  // every v=spf1 TXT record at the name
  int own_lookups = 0;  // this record's a, mx, ptr, exists (and includes it could not follow)
  int lookups = 0;      // what this branch costs: the include/redirect leading here, own_lookups, descendants
  int void_lookups = 0;              // void lookups caused by this record's own terms
  // Networks this record authorizes (ip4:, a, mx), as Network::to_string()
  // writes them (the JSON writer relies on that: nothing in them to escape).
  std::vector<std::string> ip4;
  std::vector<std::string> ip6;
  std::vector<std::string> mx_hosts;  // MX names looked up for its mx terms
  std::optional<std::string> problem;  // why this node could not be followed
  bool has_macros = false;             // depends on the sender (cannot be resolved statically)
  std::vector<TreeNode> children;
};

struct FlattenSuggestion {
  std::vector<std::string> flatten;  // include targets to replace by their addresses
  std::string record;                // the resulting record
  int lookups_after = 0;
  std::string note;
};

struct ProviderAdvice {
  std::string provider;        // e.g. "Microsoft 365"
  std::string include;         // e.g. "spf.protection.outlook.com"
  std::string detected_by;     // "mx" or "option"
  bool included = false;
};

struct LintOptions {
  std::optional<std::string> record;  // test this record instead of the published one
  std::optional<IpAddress> ip;        // also: would mail from this IP pass?
  std::optional<std::string> sender;  // for --ip: the sender (default postmaster@DOMAIN)
  std::optional<std::string> helo;
  std::vector<std::string> providers;  // --provider ids (m365, google, ...)
};

struct LintReport {
  std::string domain;
  std::optional<std::string> record;
  std::vector<std::string> records;
  bool record_given = false;  // --record was used
  int lookups = 0;            // across the whole tree, counted past the limit
  int void_lookups = 0;
  int max_mx_names = 0;       // the most MX names any mx term has to look up
  TreeNode tree;
  std::vector<Finding> findings;
  std::string verdict;  // ok, warnings, errors
  std::optional<Evaluation> ip_check;
  std::vector<ProviderAdvice> providers;
  std::optional<FlattenSuggestion> flatten;
};

[[nodiscard]] Task<LintReport> lint_async(dns::Resolver& resolver, std::string domain, LintOptions options);
[[nodiscard]] LintReport lint(dns::Resolver& resolver, const std::string& domain, const LintOptions& options = {});

// A name a user may type as a domain to check: letters, digits, '-', '_';
// labels of 1-63 octets; at most 253 in all; one trailing dot allowed; the
// last label not all digits (an IPv4 address is not a domain name).
[[nodiscard]] bool is_plausible_domain(std::string_view name);

// Sending providers --provider knows (data: src/diagnose/providers.cpp,
// shared with the bounce doctor). "m365" is accepted for "microsoft365".
[[nodiscard]] std::vector<std::string> provider_ids();
[[nodiscard]] bool is_known_provider(std::string_view id);

}  // namespace spfdoctor::lint
