// Senders that many domains use, as data: the SPF domain to include, and the
// MX host suffixes that show a domain receives (and usually sends) through them.
#include "spfdoctor/lint.hpp"

namespace spfdoctor::lint {

const std::vector<Provider>& providers() {
  static const std::vector<Provider> kProviders = {
      {"m365", "Microsoft 365", "spf.protection.outlook.com", {"mail.protection.outlook.com", "mx.microsoft"}},
      {"google", "Google Workspace", "_spf.google.com", {"aspmx.l.google.com", "googlemail.com", "smtp.google.com"}},
      {"zoho", "Zoho Mail", "zoho.com", {"zoho.com", "zoho.eu", "zoho.in"}},
      {"amazonses", "Amazon SES", "amazonses.com", {"amazonaws.com"}},
      {"sendgrid", "SendGrid", "sendgrid.net", {}},
      {"mailchimp", "Mailchimp / Mandrill", "servers.mcsv.net", {}},
      {"mailgun", "Mailgun", "mailgun.org", {"mailgun.org"}},
      {"fastmail", "Fastmail", "spf.messagingengine.com", {"messagingengine.com"}},
      {"protonmail", "Proton Mail", "_spf.protonmail.ch", {"protonmail.ch"}},
      {"icloud", "iCloud Mail", "icloud.com", {"mail.icloud.com"}},
      {"mimecast", "Mimecast", "_netblocks.mimecast.com", {"mimecast.com"}},
      {"postmark", "Postmark", "spf.mtasv.net", {}},
      {"sparkpost", "SparkPost", "sparkpostmail.com", {}},
      {"ovh", "OVHcloud", "mx.ovh.com", {"mail.ovh.net", "ovh.net"}},
      {"gandi", "Gandi", "_mailcust.gandi.net", {"gandi.net"}},
  };
  return kProviders;
}

bool is_plausible_domain(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 253) return false;
  std::size_t label = 0;
  for (char c : d) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

const Provider* provider_by_id(std::string_view id) {
  for (const auto& p : providers()) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const Provider* provider_by_mx(std::string_view mx_host) {
  for (const auto& p : providers()) {
    for (auto suffix : p.mx_suffixes) {
      if (mx_host == suffix ||
          (mx_host.size() > suffix.size() && mx_host.ends_with(suffix) && mx_host[mx_host.size() - suffix.size() - 1] == '.')) {
        return &p;
      }
    }
  }
  return nullptr;
}

}  // namespace spfdoctor::lint
