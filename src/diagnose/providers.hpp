// Mail providers as data: who they are, what a customer adds to its SPF record
// to let them send, and how their servers are named. Shared by the bounce
// doctor and the linter.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "spfdoctor/ip.hpp"

namespace spfdoctor::diagnose {

struct Provider {
  std::string_view id;                          // stable id: "microsoft365", "google", ...
  std::string_view name;                        // for people: "Microsoft 365"
  std::string_view spf_include;                 // the domain customers include (include:<spf_include>)
  std::string_view mechanism;                   // what to add to the record, e.g. "include:spf.protection.outlook.com"
  std::vector<std::string_view> mx_suffixes;    // inbound MX host names end with one of these
  std::vector<std::string_view> host_suffixes;  // outbound server names (Received, PTR) end with one of these
};

// Every known provider, in a fixed order.
[[nodiscard]] std::span<const Provider> providers();
[[nodiscard]] const Provider* find_provider(std::string_view id);
// By an MX host name ("example-com.mail.protection.outlook.com").
[[nodiscard]] const Provider* find_provider_by_mx(std::string_view mx_host);
// By an include: domain ("_spf.google.com"); also matches sub-domains of it.
[[nodiscard]] const Provider* find_provider_by_include(std::string_view domain);
// By an outbound server's host name ("mail-db8eur05on2001.outbound.protection.outlook.com").
[[nodiscard]] const Provider* find_provider_by_host(std::string_view host);

// Microsoft 365's relay pool (forwarded/relayed mail leaves from here; the
// original sender's SPF cannot cover it). learn.microsoft.com: "Outbound
// delivery pools".
[[nodiscard]] bool in_microsoft_relay_pool(const IpAddress& ip);
// Microsoft's published Exchange Online outbound ranges (spf.protection.outlook.com).
[[nodiscard]] bool in_microsoft_outbound_ranges(const IpAddress& ip);

}  // namespace spfdoctor::diagnose
