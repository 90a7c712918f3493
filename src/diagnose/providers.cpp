#include "diagnose/providers.hpp"

#include <algorithm>
#include <string>

namespace spfdoctor::diagnose {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  // ASCII only, as tolower() in the C locale, without a call per byte.
  for (auto& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// True when `host` is `suffix` or a name under it.
bool under(std::string_view host, std::string_view suffix) {
  if (suffix.empty() || host.size() < suffix.size()) return false;
  if (host.substr(host.size() - suffix.size()) != suffix) return false;
  return host.size() == suffix.size() || host[host.size() - suffix.size() - 1] == '.' || suffix.front() == '.';
}

const std::vector<Provider>& table() {
  static const std::vector<Provider> t = {
      {"microsoft365",
       "Microsoft 365 / Exchange Online",
       "spf.protection.outlook.com",
       "include:spf.protection.outlook.com",
       {"mail.protection.outlook.com", "mx.microsoft"},
       {"outbound.protection.outlook.com", "protection.outlook.com", "prod.outlook.com", "outlook.com"}},
      {"google",
       "Google Workspace / Gmail",
       "_spf.google.com",
       "include:_spf.google.com",
       {"aspmx.l.google.com", "google.com", "googlemail.com", "smtp.google.com"},
       {"google.com", "googlemail.com"}},
      {"amazonses",
       "Amazon SES",
       "amazonses.com",
       "include:amazonses.com",
       {"amazonaws.com", "amazonses.com"},
       {"amazonses.com", "smtp-out.amazonses.com"}},
      {"sendgrid", "SendGrid (Twilio)", "sendgrid.net", "include:sendgrid.net", {"sendgrid.net"}, {"sendgrid.net"}},
      {"mailchimp",
       "Mailchimp",
       "servers.mcsv.net",
       "include:servers.mcsv.net",
       {},
       {"mcsv.net", "mcdlv.net", "rsgsv.net"}},
      {"mandrill",
       "Mailchimp Transactional (Mandrill)",
       "spf.mandrillapp.com",
       "include:spf.mandrillapp.com",
       {},
       {"mandrillapp.com"}},
      {"mailgun", "Mailgun", "mailgun.org", "include:mailgun.org", {"mailgun.org"}, {"mailgun.net", "mailgun.org"}},
      {"zoho",
       "Zoho Mail",
       "zoho.com",
       "include:zoho.com",
       {"zoho.com", "zoho.eu", "zoho.in"},
       {"zoho.com", "zoho.eu", "zohomail.com"}},
      {"proofpoint",
       "Proofpoint Essentials",
       "dispatch-us.ppe-hosted.com",
       "a:dispatch-us.ppe-hosted.com",
       {"pphosted.com", "ppe-hosted.com"},
       {"pphosted.com", "ppe-hosted.com"}},
      {"mimecast",
       "Mimecast",
       "_netblocks.mimecast.com",
       "include:_netblocks.mimecast.com",
       {"mimecast.com"},
       {"mimecast.com"}},
      {"sparkpost", "SparkPost (Bird)", "sparkpostmail.com", "include:sparkpostmail.com", {}, {"sparkpostmail.com"}},
      {"postmark", "Postmark", "spf.mtasv.net", "include:spf.mtasv.net", {}, {"mtasv.net"}},
      {"mailjet", "Mailjet", "spf.mailjet.com", "include:spf.mailjet.com", {}, {"mailjet.com"}},
      {"brevo", "Brevo (Sendinblue)", "spf.brevo.com", "include:spf.brevo.com", {}, {"sendinblue.com", "brevo.com"}},
      {"salesforce", "Salesforce", "_spf.salesforce.com", "include:_spf.salesforce.com", {}, {"salesforce.com"}},
      {"zendesk", "Zendesk", "mail.zendesk.com", "include:mail.zendesk.com", {}, {"zendesk.com"}},
      {"fastmail",
       "Fastmail",
       "spf.messagingengine.com",
       "include:spf.messagingengine.com",
       {"messagingengine.com"},
       {"messagingengine.com"}},
      {"protonmail",
       "Proton Mail",
       "_spf.protonmail.ch",
       "include:_spf.protonmail.ch",
       {"protonmail.ch"},
       {"protonmail.ch"}},
      {"icloud", "iCloud Mail", "icloud.com", "include:icloud.com", {"mail.icloud.com"}, {"icloud.com", "me.com"}},
      {"godaddy",
       "GoDaddy (Secureserver)",
       "secureserver.net",
       "include:secureserver.net",
       {"secureserver.net"},
       {"secureserver.net"}},
      {"yahoo",
       "Yahoo Mail",
       "_spf.mail.yahoo.com",
       "include:_spf.mail.yahoo.com",
       {"yahoodns.net"},
       {"yahoo.com", "yahoodns.net"}},
      {"barracuda",
       "Barracuda Email Security",
       "_spf.ess.barracudanetworks.com",
       "include:_spf.ess.barracudanetworks.com",
       {"barracudanetworks.com"},
       {"barracudanetworks.com"}},
  };
  return t;
}

struct Cidr {
  const char* net;
  int prefix;
};

bool in_ranges(const IpAddress& ip, std::initializer_list<Cidr> ranges) {
  for (const auto& c : ranges) {
    auto net = IpAddress::parse(c.net);
    if (net && Network{*net, c.prefix}.contains(ip)) return true;
  }
  return false;
}

}  // namespace

std::span<const Provider> providers() {
  return table();
}

const Provider* find_provider(std::string_view id) {
  for (const auto& p : table())
    if (p.id == id) return &p;
  return nullptr;
}

const Provider* find_provider_by_mx(std::string_view mx_host) {
  const std::string h = lower(mx_host);
  for (const auto& p : table())
    for (auto s : p.mx_suffixes)
      if (under(h, s)) return &p;
  return nullptr;
}

const Provider* find_provider_by_include(std::string_view domain) {
  const std::string d = lower(domain);
  for (const auto& p : table())
    if (under(d, p.spf_include)) return &p;
  return nullptr;
}

const Provider* find_provider_by_host(std::string_view host) {
  const std::string h = lower(host);
  for (const auto& p : table())
    for (auto s : p.host_suffixes)
      if (under(h, s)) return &p;
  return nullptr;
}

bool in_microsoft_relay_pool(const IpAddress& ip) {
  return in_ranges(ip, {{"40.95.0.0", 16}});
}

bool in_microsoft_outbound_ranges(const IpAddress& ip) {
  return in_ranges(ip, {{"40.92.0.0", 15},
                        {"40.107.0.0", 16},
                        {"52.100.0.0", 14},
                        {"104.47.0.0", 17},
                        {"2a01:111:f400::", 48},
                        {"2a01:111:f403::", 48}});
}

}  // namespace spfdoctor::diagnose
