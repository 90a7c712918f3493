#include "bounce/status_codes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <vector>

#include "spfdoctor/bounce.hpp"

namespace spfdoctor::bounce {

namespace {

// RFC 3463 §3 classes and subjects.
constexpr std::array<std::string_view, 8> kSubjects = {
    "other or undefined status",
    "addressing status",
    "mailbox status",
    "mail system status",
    "network and routing status",
    "mail delivery protocol status",
    "message content or media status",
    "security or policy status",
};

// Enhanced status codes: RFC 3463, the IANA registry (RFC 5248 and later:
// 7.20-7.30), and the codes Microsoft 365 / Exchange Online writes in its NDRs
// (learn.microsoft.com, "Email non-delivery reports and SMTP errors in Exchange
// Online"). Codes listed without a class apply to 4.x.y and 5.x.y alike.
const std::vector<StatusInfo>& table() {
  static const std::vector<StatusInfo> t = {
      // --- RFC 3463 / IANA
      {"X.0.0", "Other undefined status", "Read the diagnostic text; the code says nothing more.", "", "RFC 3463"},
      {"X.1.0", "Other address status", "Check the recipient address.", "userunknown", "RFC 3463"},
      {"X.1.1", "Bad destination mailbox address: the recipient does not exist",
       "Check the recipient address for typos; ask the recipient for a working address.", "userunknown", "RFC 3463"},
      {"X.1.2", "Bad destination system address: the recipient's domain does not exist or takes no mail",
       "Check the domain part of the recipient address.", "hostunknown", "RFC 3463"},
      {"X.1.3", "Bad destination mailbox address syntax", "Correct the recipient address syntax.", "userunknown",
       "RFC 3463"},
      {"X.1.4", "Destination mailbox address ambiguous", "Use the recipient's exact address.", "filtered", "RFC 3463"},
      {"X.1.5", "Destination address valid", "Nothing to do.", "delivered", "RFC 3463"},
      {"X.1.6", "Destination mailbox has moved, no forwarding address", "Ask the recipient for the new address.",
       "hasmoved", "RFC 3463"},
      {"X.1.7", "Bad sender's mailbox address syntax", "Fix the envelope sender address your server uses.", "rejected",
       "RFC 3463"},
      {"X.1.8", "Bad sender's system address: the sender's domain cannot receive replies",
       "Make sure the sender's domain resolves and has MX (or A) records.", "rejected", "RFC 3463"},
      {"X.1.9", "Message relayed to non-compliant mailer", "Nothing to do on the sending side.", "systemerror",
       "RFC 3886"},
      {"X.1.10", "Recipient address has null MX: the domain accepts no mail", "Stop sending to this domain.",
       "notaccept", "RFC 7505"},
      {"X.2.0", "Other or undefined mailbox status", "Read the diagnostic text.", "filtered", "RFC 3463"},
      {"X.2.1", "Mailbox disabled, not accepting messages", "Ask the recipient another way.", "filtered", "RFC 3463"},
      {"X.2.2", "Mailbox full", "Try later or ask the recipient to make room.", "mailboxfull", "RFC 3463"},
      {"X.2.3", "Message length exceeds administrative limit", "Send a smaller message.", "exceedlimit", "RFC 3463"},
      {"X.2.4", "Mailing list expansion problem", "Tell the list owner.", "filtered", "RFC 3463"},
      {"X.3.0", "Other or undefined mail system status", "Try later; tell the receiving admin if it lasts.",
       "systemerror", "RFC 3463"},
      {"X.3.1", "Mail system full", "Try later.", "systemfull", "RFC 3463"},
      {"X.3.2", "System not accepting network messages", "Try later.", "notaccept", "RFC 3463"},
      {"X.3.3", "System not capable of selected features", "Send without the extension.", "systemerror", "RFC 3463"},
      {"X.3.4", "Message too big for system", "Send a smaller message.", "mesgtoobig", "RFC 3463"},
      {"X.3.5", "System incorrectly configured", "Tell the receiving admin.", "systemerror", "RFC 3463"},
      {"X.4.0", "Other or undefined network or routing status", "Check the recipient domain's MX records.",
       "networkerror", "RFC 3463"},
      {"X.4.1", "No answer from host", "The receiving server did not answer; it will be retried.", "expired",
       "RFC 3463"},
      {"X.4.2", "Bad connection", "Retry later.", "networkerror", "RFC 3463"},
      {"X.4.3", "Directory server failure (DNS)", "Retry later; check DNS.", "systemerror", "RFC 3463"},
      {"X.4.4", "Unable to route: no MX or A for the recipient domain", "Check the recipient domain's DNS.",
       "hostunknown", "RFC 3463"},
      {"X.4.5", "Mail system congestion", "Retry later.", "systemfull", "RFC 3463"},
      {"X.4.6", "Routing loop detected", "Fix the forwarding or MX loop.", "networkerror", "RFC 3463"},
      {"X.4.7", "Delivery time expired", "The message stayed queued too long; find out why delivery failed.", "expired",
       "RFC 3463"},
      {"X.4.8", "Retry on IPv4", "Deliver over IPv4.", "networkerror", "RFC 3463"},
      {"X.5.0", "Other or undefined protocol status", "Read the diagnostic text.", "", "RFC 3463"},
      {"X.5.1", "Invalid command", "A client software problem.", "", "RFC 3463"},
      {"X.5.2", "Syntax error", "A client software problem.", "syntaxerror", "RFC 3463"},
      {"X.5.3", "Too many recipients", "Send to fewer recipients at once.", "toomanyconn", "RFC 3463"},
      {"X.5.4", "Invalid command arguments", "A client software problem.", "systemerror", "RFC 3463"},
      {"X.5.5", "Wrong protocol version", "A client software problem.", "systemerror", "RFC 3463"},
      {"X.5.6", "Authentication exchange line is too long", "A client software problem.", "syntaxerror", "RFC 4954"},
      {"X.6.0", "Other or undefined media error", "Check the message format.", "contenterror", "RFC 3463"},
      {"X.6.1", "Media not supported", "Send in a supported format.", "contenterror", "RFC 3463"},
      {"X.6.2", "Conversion required and prohibited", "Send in a supported format.", "contenterror", "RFC 3463"},
      {"X.6.3", "Conversion required but not supported", "Send in a supported format.", "contenterror", "RFC 3463"},
      {"X.6.5", "Conversion failed", "Send in a supported format.", "contenterror", "RFC 3463"},
      {"X.6.6", "Message content not available", "Resend.", "contenterror", "RFC 4468"},
      {"X.6.7", "Non-ASCII addresses not permitted", "Use an ASCII address.", "contenterror", "RFC 6531"},
      {"X.6.8", "UTF-8 string reply required but not permitted", "", "contenterror", "RFC 6531"},
      {"X.6.9", "UTF-8 header cannot be transferred", "", "contenterror", "RFC 6531"},
      {"X.7.0", "Other or undefined security status", "Read the diagnostic text.", "securityerror", "RFC 3463"},
      {"X.7.1", "Delivery not authorized, message refused",
       "The receiver's policy refused the message; read the diagnostic text.", "securityerror", "RFC 3463"},
      {"X.7.2", "Mailing list expansion prohibited", "", "securityerror", "RFC 3463"},
      {"X.7.3", "Security conversion required but not possible", "", "securityerror", "RFC 3463"},
      {"X.7.4", "Security features not supported", "", "securityerror", "RFC 3463"},
      {"X.7.5", "Cryptographic failure", "", "securityerror", "RFC 3463"},
      {"X.7.6", "Cryptographic algorithm not supported", "", "securityerror", "RFC 3463"},
      {"X.7.7", "Message integrity failure", "", "securityerror", "RFC 3463"},
      {"X.7.8", "Authentication credentials invalid", "Fix the SMTP AUTH credentials.", "securityerror", "RFC 4954"},
      {"X.7.9", "Authentication mechanism is too weak", "", "securityerror", "RFC 4954"},
      {"X.7.10", "Encryption needed", "Enable TLS.", "securityerror", "RFC 5248"},
      {"X.7.11", "Encryption required for requested authentication mechanism", "", "securityerror", "RFC 4954"},
      {"X.7.12", "A password transition is needed", "", "securityerror", "RFC 4954"},
      {"X.7.13", "User account disabled", "", "suspend", "RFC 5248"},
      {"X.7.14", "Trust relationship required", "", "securityerror", "RFC 5248"},
      {"X.7.15", "Priority level is too low", "", "securityerror", "RFC 6710"},
      {"X.7.16", "Message is too big for the specified priority", "", "mesgtoobig", "RFC 6710"},
      {"X.7.17", "Mailbox owner has changed", "", "hasmoved", "RFC 7293"},
      {"X.7.18", "Domain owner has changed", "", "hasmoved", "RFC 7293"},
      {"X.7.19", "RRVS test cannot be completed", "", "securityerror", "RFC 7293"},
      {"X.7.20", "No passing DKIM signature found", "Sign the mail with DKIM for the From domain.", "authfailure",
       "RFC 7372"},
      {"X.7.21", "No acceptable DKIM signature found", "Sign with an acceptable DKIM key.", "authfailure", "RFC 7372"},
      {"X.7.22", "No valid author-matched DKIM signature found", "Sign with the From domain's DKIM key.", "authfailure",
       "RFC 7372"},
      {"X.7.23", "SPF validation failed: the sending IP is not allowed by the envelope domain's SPF record",
       "Add the server that sent the message to the domain's SPF record (or send through one that is listed).",
       "authfailure", "RFC 7372"},
      {"X.7.24", "SPF validation error: the SPF record could not be evaluated (permerror/temperror)",
       "Fix the SPF record (syntax, lookup limit) or the domain's DNS.", "authfailure", "RFC 7372"},
      {"X.7.25", "Reverse DNS validation failed", "Give the sending IP a PTR record whose name resolves back to it.",
       "requireptr", "RFC 7372"},
      {"X.7.26", "Multiple authentication checks failed (SPF, DKIM, DMARC)",
       "Make SPF or DKIM pass, aligned with the From domain.", "authfailure", "RFC 7372"},
      {"X.7.27", "Sender address has null MX", "Give the sending domain real MX records.", "notaccept", "RFC 7505"},
      {"X.7.28", "Mail flood detected", "Slow down; check for abuse.", "spamdetected", "RFC 8098"},
      {"X.7.29", "ARC validation failure", "", "authfailure", "RFC 8617"},
      {"X.7.30", "REQUIRETLS support required", "", "failedstarttls", "RFC 8689"},
      // --- Microsoft 365 / Exchange Online NDR codes
      {"4.4.316", "Connection refused or timed out to the destination", "Check the destination's MX and firewall.",
       "expired", "Microsoft"},
      {"4.7.26", "Access denied: a message sent over IPv6 must pass SPF or DKIM",
       "Publish SPF and DKIM for IPv6 senders.", "authfailure", "Microsoft"},
      {"4.7.500", "Server busy, access temporarily denied (throttling of a new or suspicious source)",
       "Send at a lower rate; it will be retried.", "speeding", "Microsoft"},
      {"4.7.650", "The sending IP has been temporarily rate limited due to IP reputation",
       "Improve the IP's reputation; see Microsoft's sender support.", "badreputation", "Microsoft"},
      {"5.0.350", "Generic error from the recipient's server", "Read the diagnostic text.", "", "Microsoft"},
      {"5.1.0", "Sender denied", "", "rejected", "Microsoft"},
      {"5.1.8", "Access denied, bad outbound sender: the account was blocked for sending spam",
       "Secure the account; an admin must release it in the Restricted entities portal.", "rejected", "Microsoft"},
      {"5.1.10", "Recipient not found", "Check the recipient address.", "userunknown", "Microsoft"},
      {"5.1.90", "The sender reached its daily sending limit", "Wait 24 hours.", "exceedlimit", "Microsoft"},
      {"5.1.351", "Recipient not found (RESOLVER) in the recipient's organization", "Check the recipient address.",
       "userunknown", "Microsoft"},
      {"5.2.121", "The recipient's per-hour message receive limit from this sender was reached", "Retry later.",
       "toomanyconn", "Microsoft"},
      {"5.2.122", "The recipient's per-hour message receive limit was reached", "Retry later.", "toomanyconn",
       "Microsoft"},
      {"5.4.1", "Recipient address rejected: access denied (the recipient's organization does not know the address)",
       "Check the recipient address; the receiving admin must accept the domain.", "userunknown", "Microsoft"},
      {"5.4.6", "Routing loop", "Fix the forwarding loop.", "networkerror", "Microsoft"},
      {"5.4.8", "MX record points back to the sending server", "Fix the MX record.", "networkerror", "Microsoft"},
      {"5.4.300", "Message expired", "Find out why delivery kept failing.", "expired", "Microsoft"},
      {"5.4.316", "Message expired: the connection to the destination was refused", "Check the destination.", "expired",
       "Microsoft"},
      {"5.7.12", "The sender was not authenticated by the recipient's organization (group only accepts internal mail)",
       "Ask the group owner to allow external senders.", "securityerror", "Microsoft"},
      {"5.7.57", "Client was not authenticated to send anonymous mail during MAIL FROM", "Authenticate (SMTP AUTH).",
       "securityerror", "Microsoft"},
      {"5.7.64", "TenantAttribution: relay access denied (connector)", "Fix the inbound connector.", "norelaying",
       "Microsoft"},
      {"5.7.124", "Sender not in the group's allowed senders list", "Ask the group owner.", "securityerror",
       "Microsoft"},
      {"5.7.133", "Sender not authenticated for group", "", "securityerror", "Microsoft"},
      {"5.7.134", "Sender was not authenticated for mailbox", "", "securityerror", "Microsoft"},
      {"5.7.501", "Access denied, spam abuse detected", "Secure the account.", "spamdetected", "Microsoft"},
      {"5.7.502", "Access denied, banned sender", "", "rejected", "Microsoft"},
      {"5.7.503", "Access denied, banned recipient", "", "rejected", "Microsoft"},
      {"5.7.504", "Recipient address rejected: access denied", "", "userunknown", "Microsoft"},
      {"5.7.505", "Access denied, banned recipient", "", "rejected", "Microsoft"},
      {"5.7.506", "Access denied, bad HELO", "Use a valid HELO name.", "blocked", "Microsoft"},
      {"5.7.507", "Access denied, rejected by recipient (IP)", "", "blocked", "Microsoft"},
      {"5.7.508", "Access denied, the sending IP is listed by the recipient's IP block list", "", "blocked",
       "Microsoft"},
      {"5.7.509", "Access denied: the sending domain does not pass DMARC verification and has a DMARC reject policy",
       "Make SPF or DKIM pass and align with the From domain, or relax the DMARC policy.", "authfailure", "Microsoft"},
      {"5.7.510", "Access denied: the recipient does not accept email over IPv4", "", "notaccept", "Microsoft"},
      {"5.7.511", "Access denied, banned sender (delist needed)", "Request delisting.", "blocked", "Microsoft"},
      {"5.7.512", "Access denied: the message must be RFC 5322 section 3.6.2 compliant (From header)",
       "Send a valid From header.", "notcompliantrfc", "Microsoft"},
      {"5.7.513", "Service unavailable: the client host is blocked by Microsoft", "Request delisting.", "blocked",
       "Microsoft"},
      {"5.7.515",
       "Access denied: the sending domain does not meet the required authentication level (SPF, DKIM and DMARC)",
       "Publish SPF, sign with DKIM and publish DMARC for the sending domain.", "authfailure", "Microsoft"},
      {"5.7.520", "Access denied: the organization does not accept this sender", "", "securityerror", "Microsoft"},
      {"5.7.550", "The group does not accept the sender", "", "securityerror", "Microsoft"},
      {"5.7.606", "Access denied, banned sending IP", "Request delisting at sender.office.com.", "blocked",
       "Microsoft"},
      {"5.7.700", "Access denied: the tenant has exceeded its limits or been blocked for sending spam",
       "Contact Microsoft support.", "securityerror", "Microsoft"},
      {"5.7.705", "Access denied: the tenant has exceeded its threshold for outbound spam",
       "Contact Microsoft support.", "spamdetected", "Microsoft"},
      {"5.7.708",
       "Access denied: traffic not accepted from this IP (the message came from a high-risk / unregistered source)",
       "Verify your domains in Microsoft 365; see the High Risk Delivery Pool advice.", "blocked", "Microsoft"},
      {"5.7.750", "Service unavailable: the client is blocked from sending from unregistered domains",
       "Add and verify every sending domain in Microsoft 365 (accepted domains).", "blocked", "Microsoft"},
  };
  return t;
}

}  // namespace

const StatusInfo* describe_status(std::string_view code) {
  if (code.size() < 5) return nullptr;
  // Exact match first (Microsoft codes are class specific), then X.y.z.
  for (const auto& e : table())
    if (e.code == code) return &e;
  std::string generic = "X" + std::string(code.substr(1));
  for (const auto& e : table())
    if (e.code == generic) return &e;
  return nullptr;
}

std::string_view status_class_meaning(char klass) {
  switch (klass) {
    case '2': return "success";
    case '4': return "persistent transient failure (the sender's server retries)";
    case '5': return "permanent failure";
    default: return "unknown class";
  }
}

std::string_view status_subject_meaning(std::string_view code) {
  if (code.size() < 3 || code[1] != '.' || code[2] < '0' || code[2] > '7') return "unknown subject";
  return kSubjects[static_cast<std::size_t>(code[2] - '0')];
}

namespace detail {

namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// Blanks out dotted-quad IPv4 addresses so that "192.0.2.1" is never read as a status.
std::string mask_ipv4(std::string s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!digit(s[i]) || (i > 0 && (digit(s[i - 1]) || s[i - 1] == '.'))) continue;
    std::size_t j = i;
    int dots = 0;
    while (j < s.size() && (digit(s[j]) || s[j] == '.')) {
      if (s[j] == '.') ++dots;
      ++j;
    }
    if (dots == 3 && digit(s[j - 1])) {
      for (std::size_t k = i; k < j; ++k) s[k] = '*';
    }
    i = j;
  }
  return s;
}

}  // namespace

bool valid_status(std::string_view code) {
  if (code.size() < 5 || code.size() > 7) return false;
  if (code[0] != '2' && code[0] != '4' && code[0] != '5') return false;
  if (code[1] != '.' || !digit(code[2]) || code[2] > '7' || code[3] != '.') return false;
  for (std::size_t i = 4; i < code.size(); ++i)
    if (!digit(code[i])) return false;
  return true;
}

std::string find_status(std::string_view text, char klass) {
  if (text.size() < 5) return {};
  const std::string s = " " + mask_ipv4(std::string(text)) + "   ";
  std::vector<std::string> found;
  std::string fallback;  // X.0.0 and 4.4.7 say little: used only when nothing better is written
  for (std::size_t i = 1; i + 4 < s.size(); ++i) {
    const char c = s[i];
    if (c != '2' && c != '4' && c != '5') continue;
    if (klass != 0 && c != klass) continue;
    if (s[i + 1] != '.') continue;
    const char prev = s[i - 1];
    if (digit(prev) || prev == '.' || prev == '/' || prev == 'v' || prev == 'V') continue;
    if (!digit(s[i + 2]) || s[i + 2] > '7' || s[i + 3] != '.' || !digit(s[i + 4])) continue;
    std::string code = s.substr(i, 5);
    std::size_t j = i + 5;
    int extra = 0;
    while (j < s.size() && digit(s[j]) && extra < 2) {  // the detail is 1 to 3 digits (RFC 3463)
      code += s[j];
      ++j;
      ++extra;
    }
    if (j < s.size() && digit(s[j])) continue;  // too many digits: not a status code
    if (j < s.size() && s[j] == '.' && j + 1 < s.size() && digit(s[j + 1])) continue;  // a version number
    if (code.substr(1) == ".0.0" || code == "4.4.7") {
      if (fallback.empty()) fallback = code;
      continue;
    }
    found.push_back(code);
  }
  if (!fallback.empty()) found.push_back(fallback);
  if (found.empty()) return {};
  std::string chosen = found[0];
  for (std::size_t k = 1; k < found.size(); ++k) chosen = prefer_status(chosen, found[k], "");
  return chosen;
}

std::string find_reply(std::string_view text, char klass) {
  static const std::vector<std::string_view> r2 = {"211", "214", "220", "221", "235", "250",
                                                   "251", "252", "253", "334", "354"};
  static const std::vector<std::string_view> r4 = {"421", "450", "451", "452", "422", "430",
                                                   "432", "453", "454", "455", "458", "459"};
  static const std::vector<std::string_view> r5 = {"550", "552", "553", "551", "521", "525", "523",
                                                   "524", "530", "533", "534", "535", "538", "555",
                                                   "556", "554", "500", "501", "502", "503", "504"};
  if (text.size() < 3) return {};
  std::string upper(text);
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (upper.find("X-UNIX") != std::string::npos) return {};
  const std::string s = " " + std::string(text) + " ";
  std::vector<const std::vector<std::string_view>*> lists;
  if (klass == '2')
    lists = {&r2};
  else if (klass == '4')
    lists = {&r4};
  else if (klass == '5')
    lists = {&r5};
  else
    lists = {&r5, &r4, &r2};
  for (const auto* list : lists) {
    for (auto code : *list) {
      std::size_t pos = 1;
      while ((pos = s.find(code, pos)) != std::string::npos) {
        const char before = s[pos - 1];
        const char after = s[pos + 3];
        const bool bad = (before >= '.' && before <= '9') || (after >= '.' && after <= '9');
        if (!bad) return std::string(code);
        pos += 3;
      }
    }
  }
  return {};
}

std::string prefer_status(const std::string& field, const std::string& in_text, const std::string& reply) {
  if (field.empty()) return in_text;
  if (in_text.empty()) return field;
  if (field.size() < 5) return in_text;
  if (in_text.size() < 5) return field;
  if (!reply.empty() && field[0] != in_text[0]) {
    if (reply[0] == field[0]) return field;
    if (reply[0] == in_text[0]) return in_text;
  }
  if (field == in_text) return field;
  const bool f_zero_any = field.find(".0") != std::string::npos;
  const bool t_zero_any = in_text.find(".0") != std::string::npos;
  const bool f_zero_both = field.find(".0.0") != std::string::npos;
  const bool t_zero_both = in_text.find(".0.0") != std::string::npos;
  if (f_zero_both) return t_zero_both ? field : in_text;
  if (f_zero_any && !t_zero_any) return in_text;
  if (t_zero_both) return field;
  // Codes that say less than whatever the text says.
  if (field == "4.4.7" || field == "4.7.0") return in_text;
  if (field.rfind("5.3.", 0) == 0) return in_text;
  const std::string_view sub = std::string_view(field).substr(1, 4);
  if (sub == ".5.1" || sub == ".5.2" || sub == ".5.4" || sub == ".5.5") return in_text;
  if (field == "5.1.1") {
    if (t_zero_any || in_text.rfind("5.5.", 0) == 0) return field;
    return in_text;
  }
  if (field == "5.1.3" && in_text.rfind("5.7.", 0) == 0) return in_text;
  return field;
}

std::string reason_of_status(std::string_view code) {
  // Sisimai's code-to-reason table: the 4.x.y column differs from the 5.x.y one.
  static const std::map<std::string, std::string, std::less<>> m = {
      {"2.1.5", "delivered"},      {"4.1.6", "hasmoved"},       {"4.1.7", "rejected"},
      {"4.1.8", "rejected"},       {"4.1.9", "systemerror"},    {"4.2.1", "blocked"},
      {"4.2.2", "mailboxfull"},    {"4.2.3", "exceedlimit"},    {"4.2.4", "filtered"},
      {"4.3.1", "systemfull"},     {"4.3.2", "notaccept"},      {"4.3.3", "systemerror"},
      {"4.3.5", "systemerror"},    {"4.4.1", "expired"},        {"4.4.2", "networkerror"},
      {"4.4.3", "systemerror"},    {"4.4.4", "networkerror"},   {"4.4.5", "systemfull"},
      {"4.4.6", "networkerror"},   {"4.4.7", "expired"},        {"4.4.8", "networkerror"},
      {"4.5.3", "systemerror"},    {"4.5.5", "systemerror"},    {"4.6.0", "contenterror"},
      {"4.6.2", "contenterror"},   {"4.6.5", "contenterror"},   {"4.7.1", "blocked"},
      {"4.7.2", "blocked"},        {"4.7.5", "securityerror"},  {"4.7.6", "securityerror"},
      {"4.7.7", "securityerror"},  {"4.7.12", "securityerror"}, {"4.7.15", "securityerror"},
      {"4.7.16", "mesgtoobig"},    {"4.7.24", "authfailure"},   {"4.7.25", "requireptr"},
      {"4.7.26", "authfailure"},   {"5.1.0", "userunknown"},    {"5.1.1", "userunknown"},
      {"5.1.2", "hostunknown"},    {"5.1.3", "userunknown"},    {"5.1.4", "filtered"},
      {"5.1.6", "hasmoved"},       {"5.1.7", "rejected"},       {"5.1.8", "rejected"},
      {"5.1.9", "systemerror"},    {"5.1.10", "notaccept"},     {"5.2.0", "filtered"},
      {"5.2.1", "filtered"},       {"5.2.2", "mailboxfull"},    {"5.2.3", "exceedlimit"},
      {"5.2.4", "filtered"},       {"5.3.0", "systemerror"},    {"5.3.1", "systemfull"},
      {"5.3.2", "notaccept"},      {"5.3.3", "systemerror"},    {"5.3.4", "mesgtoobig"},
      {"5.3.5", "systemerror"},    {"5.4.0", "networkerror"},   {"5.4.3", "systemerror"},
      {"5.4.4", "hostunknown"},    {"5.5.2", "syntaxerror"},    {"5.5.3", "toomanyconn"},
      {"5.5.4", "systemerror"},    {"5.5.5", "systemerror"},    {"5.5.6", "syntaxerror"},
      {"5.6.0", "contenterror"},   {"5.6.1", "contenterror"},   {"5.6.2", "contenterror"},
      {"5.6.3", "contenterror"},   {"5.6.5", "contenterror"},   {"5.6.6", "contenterror"},
      {"5.6.7", "contenterror"},   {"5.6.8", "contenterror"},   {"5.6.9", "contenterror"},
      {"5.7.0", "securityerror"},  {"5.7.1", "securityerror"},  {"5.7.2", "securityerror"},
      {"5.7.3", "securityerror"},  {"5.7.4", "securityerror"},  {"5.7.5", "securityerror"},
      {"5.7.6", "securityerror"},  {"5.7.7", "securityerror"},  {"5.7.8", "securityerror"},
      {"5.7.9", "securityerror"},  {"5.7.10", "securityerror"}, {"5.7.11", "securityerror"},
      {"5.7.13", "suspend"},       {"5.7.14", "securityerror"}, {"5.7.15", "securityerror"},
      {"5.7.16", "mesgtoobig"},    {"5.7.17", "hasmoved"},      {"5.7.18", "hasmoved"},
      {"5.7.19", "securityerror"}, {"5.7.20", "authfailure"},   {"5.7.21", "authfailure"},
      {"5.7.22", "authfailure"},   {"5.7.23", "authfailure"},   {"5.7.24", "authfailure"},
      {"5.7.25", "requireptr"},    {"5.7.26", "authfailure"},   {"5.7.27", "notaccept"},
      {"5.7.28", "spamdetected"},  {"5.7.29", "authfailure"},   {"5.7.30", "failedstarttls"},
  };
  auto it = m.find(code);
  return it == m.end() ? std::string() : it->second;
}

std::string pseudo_status(std::string_view reason, bool temporary) {
  static const std::map<std::string, std::string, std::less<>> m = {
      {"authfailure", "926"},     {"badreputation", "975"}, {"blocked", "971"},         {"contenterror", "960"},
      {"exceedlimit", "923"},     {"expired", "947"},       {"failedstarttls", "976"},  {"filtered", "910"},
      {"hasmoved", "916"},        {"hostunknown", "912"},   {"mailboxfull", "922"},     {"mailererror", "939"},
      {"mesgtoobig", "934"},      {"networkerror", "944"},  {"norelaying", "909"},      {"notaccept", "932"},
      {"notcompliantrfc", "974"}, {"onhold", "901"},        {"policyviolation", "972"}, {"rejected", "918"},
      {"requireptr", "973"},      {"securityerror", "970"}, {"spamdetected", "980"},    {"speeding", "946"},
      {"suppressed", "903"},      {"suspend", "921"},       {"systemerror", "930"},     {"systemfull", "931"},
      {"syntaxerror", "902"},     {"toomanyconn", "945"},   {"userunknown", "911"},     {"undefined", "900"},
      {"virusdetected", "981"},
  };
  auto it = m.find(reason);
  if (it == m.end()) return {};
  if (temporary) {
    // Filtered has its own temporary code; some reasons have none.
    if (reason == "hasmoved" || reason == "hostunknown" || reason == "userunknown") return {};
    if (reason == "filtered") return "4.0.924";
    return "4.0." + it->second;
  }
  return "5.0." + it->second;
}

bool text_is_temporary(std::string_view text) {
  std::string st = find_status(text);
  if (!st.empty()) return st[0] == '4';
  std::string r = find_reply(text);
  if (!r.empty()) return r[0] == '4';
  std::string low(text);
  for (auto& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return low.find("temporar") != std::string::npos || low.find("persistent transient") != std::string::npos;
}

bool text_is_permanent(std::string_view text) {
  std::string st = find_status(text);
  if (!st.empty()) return st[0] == '5';
  std::string r = find_reply(text);
  if (!r.empty()) return r[0] == '5';
  std::string low(text);
  for (auto& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return low.find("permanent") != std::string::npos;
}

}  // namespace detail
}  // namespace spfdoctor::bounce
