#include "bounce/systems.hpp"

#include "bounce/regex_cache.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace spfdoctor::bounce::detail {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

RE2::Options ci() {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  return o;
}

// --- Recognising the system that wrote the bounce.
enum class Where : unsigned char { Header, From, Subject, Body };
struct Signature {
  std::string_view system;
  Where where;
  std::string_view header;   // for Where::Header: the field name
  std::string_view pattern;  // RE2, case-insensitive
};

const std::vector<Signature>& signatures() {
  static const std::vector<Signature> s = {
      {"office365", Where::Header, "X-MS-Exchange-Message-Is-Ndr", ""},
      {"office365", Where::Body, "", "Diagnostic information for administrators"},
      {"office365", Where::Body, "", "Generating server: "},
      {"amazonses", Where::Header, "X-SES-Outgoing", ""},
      {"amazonses", Where::From, "", "amazonses\\.com"},
      {"amazonworkmail", Where::Header, "X-Mailer", "Amazon WorkMail"},
      {"gmail", Where::Body, "", "Delivery to the following recipients? failed"},
      {"gmail", Where::Body, "", "Technical details of (?:permanent|temporary) failure"},
      {"googlegroups", Where::Body, "", "Google Groups"},
      {"qmail", Where::Body, "", "This is the qmail-send program"},
      {"qmail", Where::Body, "", "qmail-send"},
      {"yahoo", Where::Body, "", "Sorry, we were unable to deliver your message to the following address"},
      {"postfix", Where::Body, "", "This is the mail system at host"},
      {"postfix", Where::Header, "X-Postfix-Queue-ID", ""},
      {"postfix", Where::Body, "", "X-Postfix-Queue-ID"},
      {"exim", Where::Header, "X-Failed-Recipients", ""},
      {"exim", Where::Body, "", "This message was created automatically by mail delivery software"},
      {"sendmail", Where::Body, "", "----- Transcript of session follows -----"},
      {"sendmail", Where::Body, "", "The original message was received at"},
      {"dragonfly", Where::Body, "", "This is the DragonFly Mail Agent"},
      {"opensmtpd", Where::Body, "", "This is the MAILER-DAEMON, please DO NOT REPLY"},
      {"exchange", Where::Header, "X-MS-Embedded-Report", ""},
      {"exchange", Where::Body, "", "did not reach the following recipient"},
      {"courier", Where::Body, "", "Courier mail server"},
      {"domino", Where::Body, "", "was not delivered to:"},
      {"notes", Where::Body, "", "Lotus Notes"},
      {"mailru", Where::From, "", "mail\\.ru"},
      {"yandex", Where::From, "", "yandex"},
      {"zoho", Where::From, "", "zoho"},
      {"messagingserver", Where::Body, "", "This report relates to a message you sent"},
      {"rfc3464", Where::Header, "Content-Type", "report-type=\"?delivery-status"},
  };
  return s;
}

// --- Where the copy of the original message starts.
const std::vector<std::string_view>& original_markers() {
  static const std::vector<std::string_view> m = {
      "^[ \\t]*[-=_]{2,}[^\\n]*(?:original message|copy of (?:the|your) message|returned message|undelivered message|"
      "message headers|headers follow|original mail|copy of the message|rfc822|original e-?mail|unsent "
      "message)[^\\n]*$",
      "^[ \\t]*Original message headers:?[ \\t]*$",
      "^[ \\t]*Message headers follow\\.?[ \\t]*$",
      "^[ \\t]*Below this line is a copy of the message\\.?[ \\t]*$",
      "^[ \\t]*The header of the original message is following\\.?[ \\t]*$",
      "^[ \\t]*Original message follows\\.?[ \\t]*$",
      "^[ \\t]*Below is a copy of the original message:?[ \\t]*$",
      "^[ \\t]*Original Message:?[ \\t]*$",
      "^[ \\t]*-+ ?Original Message Header ?-+[ \\t]*$",
      "^[ \\t]*Content-Type: message/rfc822[ \\t]*$",
      "^[ \\t]*Content-Type: text/rfc822-headers[ \\t]*$",
  };
  return m;
}

// --- Which SMTP command failed.
struct CommandPattern {
  std::string_view pattern;
  std::string_view command;  // "" means: take it from capture group 1
};

const std::vector<CommandPattern>& command_patterns() {
  static const std::vector<CommandPattern> p = {
      {"in reply to (?:the )?(RCPT TO|MAIL FROM|end of DATA|DATA|HELO|EHLO|STARTTLS)", ""},
      {"after (RCPT TO|MAIL FROM|end of data|DATA|initial connection|HELO|EHLO|STARTTLS|pipelined MAIL FROM|"
       "pipelined RCPT TO)",
       ""},
      {">>> ?(RCPT|MAIL|DATA|HELO|EHLO|STARTTLS)\\b", ""},
      {"\\[(RCPT_TO|MAIL_FROM|DATA)\\]", ""},
      {"most progress was (RCPT TO|MAIL FROM|DATA) response", ""},
      {"did not like our (RCPT TO|MAIL FROM|final DATA|DATA|HELO|EHLO)", ""},
      {"for (RCPT TO|MAIL FROM) response", ""},
      {"SMTP:(RCPT|MAIL|DATA) host", ""},
      {"Error following (RCPT|MAIL|DATA) command", ""},
      {"but sender was rejected", "MAIL"},
      {"but my name was rejected", "HELO"},
      {"Connected to [^\\n]* but connection died", "CONN"},
      {"SMTP error from remote (?:mail server|mailer) after (RCPT|MAIL|DATA)", ""},
      {"(RCPT TO|MAIL FROM):<[^>]*>[^\\n]*\\n?[^\\n]*(?:said|error)", ""},
  };
  return p;
}

std::string normalize_command(std::string_view raw) {
  std::string c = lower(raw);
  if (c.find("rcpt") != std::string::npos) return "RCPT";
  if (c.find("mail") != std::string::npos) return "MAIL";
  if (c.find("data") != std::string::npos) return "DATA";
  if (c.find("ehlo") != std::string::npos) return "EHLO";
  if (c.find("helo") != std::string::npos) return "HELO";
  if (c.find("starttls") != std::string::npos) return "STARTTLS";
  if (c.find("connection") != std::string::npos) return "CONN";
  return {};
}

// --- Reasons in each system's own words (modelled on Sisimai's Lhost modules).
struct SystemPhrase {
  std::string_view system;  // "" = any system
  std::string_view reason;
  std::string_view pattern;  // RE2, case-insensitive
};

const std::vector<SystemPhrase>& system_phrases() {
  static const std::vector<SystemPhrase> p = {
      // Exim
      {"exim", "expired?", "retry timeout exceeded"},
      {"exim", "expired", "No action is required on your part"},
      {"exim", "expired", "retry time not reached for any host after a long failure period"},
      {"exim", "hostunknown", "all relevant MX records point to non-existent hosts"},
      {"exim", "hostunknown", "Unrouteable address"},
      {"exim", "hostunknown", "all host address lookups failed permanently"},
      {"exim", "mailboxfull", "mailbox is full"},
      {"exim", "mailboxfull", "error: quota exceed"},
      {"exim", "notaccept", "an MX or SRV record indicated no SMTP service"},
      {"exim", "notaccept", "no host found for existing SMTP connection"},
      {"exim", "systemerror", "delivery to (?:file|pipe) forbidden"},
      {"exim", "systemerror", "local delivery failed"},
      {"exim", "systemerror", "LMTP error after "},
      {"exim", "userunknown", "user not found"},
      {"exim", "mailererror", "pipe to \\|"},
      {"exim", "contenterror", "Too many \"Received\" headers"},
      // qmail
      {"qmail", "hostunknown", "Sorry, I couldn.t find any host (?:named|by that name)"},
      {"qmail", "networkerror", "Sorry, I wasn.t able to establish an SMTP connection"},
      {"qmail", "notaccept", "Sorry, I couldn.t find a mail exchanger or IP address"},
      {"qmail", "systemerror", "Sorry\\. Although I.m listed as a best-preference MX or A for that host"},
      {"qmail", "systemerror", "Unable to chdir to maildir"},
      {"qmail", "systemerror", "Unable to switch to "},
      {"qmail", "userunknown", "Sorry, no mailbox here by that name"},
      {"qmail", "mailboxfull", "The users mailfolder is over the allowed quota"},
      {"qmail", "mailboxfull", "disk quota exceeded"},
      {"qmail", "mesgtoobig", "Message is too large"},
      {"qmail", "suspend", "Mailbox (?:is )?disabled"},
      {"qmail", "expired?", "this message has been in the queue too long"},
      {"qmail", "systemerror", "Unable to contact LDAP server"},
      // Postfix
      {"postfix", "hostunknown", "Host or domain name not found"},
      {"postfix", "networkerror", "Name service error for "},
      {"postfix", "mailboxfull", "mail for [^ ]+ loops back to myself"},
      // Sendmail
      {"sendmail", "hostunknown", "Host unknown \\(Name server: "},
      // DragonFly Mail Agent
      {"dragonfly", "expired", "Could not deliver for the last \\d+ seconds"},
      {"dragonfly", "hostunknown", "DNS lookup failure: host .* not found"},
      // OpenSMTPD
      {"opensmtpd", "expired", "Envelope expired"},
      {"opensmtpd", "networkerror", "Network error on destination MXs"},
      {"opensmtpd", "hostunknown", "Domain not found|Destination seem to reject all mails"},
      // Lotus Domino / Notes
      {"domino", "userunknown", "not listed in (?:Domino|public name & address book)"},
      {"domino", "userunknown", "User some\\.name|is not a known user"},
      {"notes", "userunknown", "not listed in public Name & Address Book"},
      // Exchange 2003 / 2007
      {"exchange", "userunknown", "The recipient name is not recognized"},
      {"exchange", "userunknown", "Unknown Recipient"},
      // Gmail
      {"gmail", "expired", "delivery to the following recipient has been delayed"},
      {"gmail", "expired", "The recipient server did not accept our requests to connect"},
      {"gmail", "hostunknown", "DNS Error: Domain name not found"},
      {"gmail", "hostunknown", "DNS Error: DNS server returned answer with no data"},
      {"gmail", "networkerror", "DNS Error: Could not contact DNS servers"},
      {"gmail", "systemerror",
       "Delivery to the following recipient failed permanently:\\s+[^\\s]+\\s+Technical details of permanent "
       "failure:\\s+DNS Error"},
      // Google Groups
      {"googlegroups", "rejected", "(?:group|グループ)"},
      // Office 365 / Exchange Online
      {"office365", "userunknown", "RESOLVER\\.ADR\\.RecipNotFound"},
      {"office365", "userunknown", "RESOLVER\\.ADR\\.RecipientNotFound"},
      {"office365", "userunknown", "RESOLVER\\.ADR\\.ExRecipNotFound"},
      {"office365", "securityerror", "RESOLVER\\.RST\\.AuthRequired"},
      {"office365", "filtered", "RESOLVER\\.RST\\.NotAuthorized"},
      {"office365", "filtered", "RESOLVER\\.RST\\.RecipSizeLimit"},
      {"office365", "mesgtoobig", "RESOLVER\\.RST\\.SendSizeLimit"},
      {"office365", "expired", "Message expired"},
      {"office365", "expired", "QUEUE\\.Expired"},
      {"office365", "rejected", "Access denied, bad outbound sender"},
      {"office365", "mailboxfull", "mailbox is full"},
      {"office365", "networkerror", "routing loop"},
      // Exchange 2003/2007
      {"exchange", "userunknown", "RESOLVER\\.ADR\\.RecipNotFound"},
      {"exchange", "userunknown", "The recipient's e-mail address was not found"},
      {"exchange", "mailboxfull", "RESOLVER\\.RST\\.RecipSizeLimit|mailbox is full"},
      {"exchange", "expired", "QUEUE\\.Expired"},
      // Amazon SES
      {"amazonses", "suppressed", "on the suppression list"},
      // any system
      {"", "expired", "could not be delivered within .* days"},
      {"", "expired", "Message expired"},
      {"", "expired", "Host not reachable"},
      {"", "userunknown", "Requested action not taken: mailbox unavailable"},
      {"", "userunknown", "Unknown user: "},
      {"yahoo", "userunknown", "User unknown"},
      {"qmail", "userunknown", "User unknown"},
      {"", "userunknown", "No valid recipients for this MM"},
      {"", "expired", "Delivery failed \\d+ attempts"},
  };
  return p;
}

struct CompiledPhrases {
  std::unique_ptr<RE2::Set> set;
  std::vector<std::size_t> index;  // pattern -> phrase
};

const CompiledPhrases& compiled_system_phrases() {
  static const CompiledPhrases c = [] {
    CompiledPhrases out;
    out.set = std::make_unique<RE2::Set>(ci(), RE2::UNANCHORED);
    const auto& p = system_phrases();
    for (std::size_t i = 0; i < p.size(); ++i)
      if (out.set->Add(p[i].pattern, nullptr) >= 0) out.index.push_back(i);
    out.set->Compile();
    return out;
  }();
  return c;
}

// --- What the receiving side's own codes and words mean (modelled on Sisimai's Rhost modules).
struct RemoteRule {
  std::string_view hosts;    // host name suffixes, space separated
  std::string_view status;   // exact status code, or "" for any
  std::string_view pattern;  // RE2 (case-insensitive) on the text, or "" for any
  std::string_view reason;
};

const std::vector<RemoteRule>& remote_rules() {
  static const std::vector<RemoteRule> r = {
      // Microsoft 365 / Outlook.com (learn.microsoft.com NDR table)
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.7.606", "", "blocked"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.7.509", "", "authfailure"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.7.515", "", "authfailure"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.7.23", "", "authfailure"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "4.7.650", "", "badreputation"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.4.1", "", "userunknown"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.1.10", "", "userunknown"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.7.1",
       "Service unavailable, Client host .* blocked", "blocked"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "",
       "mailbox (?:is )?full|mailbox unavailable.*full", "mailboxfull"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.7.708", "", "blocked"},
      {".protection.outlook.com .outlook.com .hotmail.com .live.com .msn.com", "5.7.750", "", "blocked"},
      // Any host: codes and links that only one operator writes.
      {"*", "", "LPN007_416|Adresse destinataire invalide", "userunknown"},
      {"*", "", "LPN007_426|Le compte du destinataire est bloque", "suspend"},
      {"*", "", "OFR005_505", "systemerror"},
      {"*", "", "LPN001_108|OFR004_104", "blocked"},
      {"*", "", "cox\\.com/residential/support", "blocked"},
      {"*", "", "community\\.mimecast\\.com/docs", "policyviolation"},
      {"*", "", "MCSpamSignature", "virusdetected"},
      {"*", "", "turn on SMTP Authentication", "securityerror"},
      // Symantec MessageLabs
      {"messagelabs.com", "", "No such user", "userunknown"},
      // Google
      {"google.com googlemail.com gmail.com", "", "Our system has detected that this message is likely unsolicited",
       "spamdetected"},
      {"google.com googlemail.com gmail.com", "", "The user you are trying to contact is receiving mail at a rate",
       "speeding"},
      {"google.com googlemail.com gmail.com", "",
       "The email account that you tried to reach is over quota|out of storage space", "mailboxfull"},
      {"google.com googlemail.com gmail.com", "", "The email account that you tried to reach is disabled|is inactive",
       "suspend"},
      {"google.com googlemail.com gmail.com", "", "The email account that you tried to reach does not exist",
       "userunknown"},
      {"google.com googlemail.com gmail.com", "",
       "DMARC policy|Unauthenticated email from|is not accepted due to domain's", "authfailure"},
      {"google.com googlemail.com gmail.com", "", "does not have a PTR record|PTR record setup", "requireptr"},
      {"google.com googlemail.com gmail.com", "",
       "The IP you.re using to send mail is not authorized to send email directly", "blocked"},
      {"google.com googlemail.com gmail.com", "", "not RFC 5322 compliant|rfcmessagenoncompliant", "notcompliantrfc"},
      {"google.com googlemail.com gmail.com", "",
       "Message rejected\\. .*Multiple destination domains per transaction is unsupported", "rejected"},
      {"google.com googlemail.com gmail.com", "", "has been blocked.*policy|Message rejected\\.\\s+See", "blocked"},
      // Yahoo
      {"yahoodns.net yahoo.com yahoo.co.jp", "", "temporarily deferred due to unexpected volume or user complaints",
       "badreputation"},
      {"yahoodns.net yahoo.com yahoo.co.jp", "", "This mailbox is disabled|user doesn.t have a yahoo", "userunknown"},
      {"yahoodns.net yahoo.com", "", "Messages from .* temporarily deferred", "blocked"},
      // Apple iCloud
      {"icloud.com me.com mac.com", "", "user doesn.t exist|recipient is not available", "userunknown"},
      {"icloud.com me.com mac.com", "", "Message rejected due to local policy", "policyviolation"},
      {"icloud.com me.com mac.com", "", "mailbox is full|over quota", "mailboxfull"},
      {"icloud.com me.com mac.com", "", "blocked|rejected by the recipient's mail system", "blocked"},
      // AOL
      {"aol.com aim.com", "", "mailbox unavailable|user unknown|no such user", "userunknown"},
      {"aol.com aim.com", "", "over quota|mailbox full", "mailboxfull"},
      // Tencent (QQ)
      {"qq.com", "", "Mailbox not found|mailbox unavailable", "userunknown"},
      {"qq.com", "", "mailbox is full|quota", "mailboxfull"},
      {"qq.com", "", "Message too large", "mesgtoobig"},
      {"qq.com", "", "Connection frequency limited|Ip frequency limited", "toomanyconn"},
      // Cox
      {"cox.net", "", "IP address blocked|CXBL", "blocked"},
      // GoDaddy / Secureserver
      {"secureserver.net", "", "IB\\d+|blocked", "blocked"},
      // Mimecast
      {"mimecast.com", "", "Anti-Spoofing policy|Rejected by header based Anti-Spoofing", "policyviolation"},
      {"mimecast.com", "", "Recipient address rejected|unknown user|Invalid Recipient", "userunknown"},
      // Symantec MessageLabs
      {"messagelabs.com", "", "Please inspect your SPF settings|SPF", "authfailure"},
      {"messagelabs.com", "", "no such user|Invalid recipient", "userunknown"},
      // Orange / SFR (France)
      {"orange.fr wanadoo.fr sfr.fr", "", "Mailbox full|boite du destinataire pleine", "mailboxfull"},
      {"orange.fr wanadoo.fr sfr.fr", "",
       "Utilisateur inconnu|user unknown|Adresse d au moins un destinataire invalide", "userunknown"},
      {"orange.fr wanadoo.fr sfr.fr", "", "Service refused|Mail rejete|abus detecte|IP bloquee", "blocked"},
      // Spectrum / Charter
      {"charter.net spectrum.net", "", "AUP#|blocked", "blocked"},
  };
  return r;
}

}  // namespace

std::string detect_system(const Headers& headers, std::string_view text) {
  const std::string from = header_value(headers, "From");
  const std::string subject = header_value(headers, "Subject");
  for (const auto& s : signatures()) {
    std::string_view target;
    std::string holder;
    switch (s.where) {
      case Where::Header: {
        auto values = header_values(headers, s.header);
        if (values.empty()) continue;
        if (s.pattern.empty()) return std::string(s.system);
        holder = values.front();
        target = holder;
        break;
      }
      case Where::From: target = from; break;
      case Where::Subject: target = subject; break;
      case Where::Body: target = text.substr(0, std::min<std::size_t>(text.size(), 20000)); break;
    }
    const RE2& re = cached_regex(s.pattern, ci());
    if (RE2::PartialMatch(re2::StringPiece(target.data(), target.size()), re)) return std::string(s.system);
  }
  return {};
}

std::size_t original_message_offset(std::string_view text) {
  std::size_t best = std::string_view::npos;
  RE2::Options o = ci();
  o.set_never_nl(false);
  for (auto pattern : original_markers()) {
    const RE2& re = cached_regex("(?m)" + std::string(pattern), o);
    re2::StringPiece in(text.data(), text.size());
    re2::StringPiece m;
    if (re.Match(in, 0, text.size(), RE2::UNANCHORED, &m, 1)) {
      auto off = static_cast<std::size_t>(m.data() - text.data());
      best = std::min(best, off);
    }
  }
  return best;
}

std::size_t report_start_offset(std::string_view) {
  return 0;
}

std::string failed_command(std::string_view text) {
  std::size_t best_pos = std::string_view::npos;
  std::string best;
  for (const auto& p : command_patterns()) {
    const RE2& re = cached_regex(p.pattern, ci());
    re2::StringPiece in(text.data(), text.size());
    re2::StringPiece m[2];
    if (!re.Match(in, 0, text.size(), RE2::UNANCHORED, m, 2)) continue;
    auto pos = static_cast<std::size_t>(m[0].data() - text.data());
    // The last command mentioned is the one that failed.
    if (best_pos != std::string_view::npos && pos < best_pos) continue;
    std::string c =
        p.command.empty() ? normalize_command(std::string_view(m[1].data(), m[1].size())) : std::string(p.command);
    if (c.empty()) continue;
    best_pos = pos;
    best = c;
  }
  return best;
}

std::string system_reason(std::string_view system, std::string_view text) {
  if (text.empty()) return {};
  const auto& c = compiled_system_phrases();
  std::vector<int> matched;
  c.set->Match(re2::StringPiece(text.data(), text.size()), &matched);
  std::sort(matched.begin(), matched.end());
  const auto& p = system_phrases();
  for (int m : matched) {
    const auto& phrase = p[c.index[static_cast<std::size_t>(m)]];
    if (phrase.system.empty() || phrase.system == system) return std::string(phrase.reason);
  }
  return {};
}

std::string remote_host_reason(std::string_view host, std::string_view status, std::string_view reply,
                               std::string_view text) {
  (void)reply;
  const std::string h = "." + lower(host);
  if (h.size() < 3) return {};
  for (const auto& rule : remote_rules()) {
    bool host_ok = false;
    std::string_view hosts = rule.hosts;
    while (!hosts.empty()) {
      auto sp = hosts.find(' ');
      std::string_view one = hosts.substr(0, sp);
      std::string suffix = one[0] == '.' ? std::string(one) : "." + std::string(one);
      if (one == "*" || ends_with(h, suffix)) host_ok = true;
      if (sp == std::string_view::npos) break;
      hosts.remove_prefix(sp + 1);
    }
    if (!host_ok) continue;
    if (!rule.status.empty() && rule.status != status) continue;
    if (!rule.pattern.empty()) {
      const RE2& re = cached_regex(rule.pattern, ci());
      if (!RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re)) continue;
    }
    return std::string(rule.reason);
  }
  return {};
}

bool says_delayed(std::string_view subject, std::string_view text) {
  static const RE2 subj(
      "(?:Delivery Status Notification \\(Delay\\)|Delayed Mail|Warning: (?:message|could not send)|"
      "Delivery delayed|still undelivered|Mail delivery delayed)",
      ci());
  static const RE2 body(
      "(?:has been delayed|will (?:continue to )?(?:try|retry)|this is a warning message only|"
      "YOU DO NOT NEED TO RESEND YOUR MESSAGE|Delivery attempts will continue)",
      ci());
  return RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), subj) ||
         RE2::PartialMatch(re2::StringPiece(text.data(), std::min<std::size_t>(text.size(), 4000)), body);
}

}  // namespace spfdoctor::bounce::detail
