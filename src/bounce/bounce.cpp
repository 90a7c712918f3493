// Turning a raw bounce into recipients, statuses, reasons and the original
// message: RFC 3464 fields when the bounce has them, the system's own report
// text otherwise, and Sisimai's way of choosing status and reason.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "bounce/mime.hpp"
#include "bounce/reasons.hpp"
#include "bounce/status_codes.hpp"
#include "bounce/systems.hpp"
#include "bounce/regex_cache.hpp"
#include "spfdoctor/bounce.hpp"
#include "spfdoctor/ip.hpp"

namespace spfdoctor::bounce {

using namespace detail;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Collapses runs of whitespace into one space.
std::string sweep(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    out.push_back(text.substr(pos, eol - pos));
    if (eol == text.size()) break;
    pos = eol + 1;
  }
  return out;
}

RE2::Options ci() {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  return o;
}

const RE2& address_re() {
  static const RE2 re(
      "([A-Za-z0-9!#$%&'*+/=?^_`{|}~.\"-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z]{2,}"
      "|[A-Za-z0-9._%+=-]+@\\[[0-9.]+\\])");
  return re;
}

// The first e-mail address in `s`, or "".
std::string first_address(std::string_view s) {
  std::string a;
  if (!RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), address_re(), &a)) return {};
  while (!a.empty() && (a.front() == '"' || a.front() == '\'' || a.front() == '.')) a.erase(a.begin());
  while (!a.empty() && (a.back() == '.' || a.back() == '"')) a.pop_back();
  return lower(a);
}

// Value of an RFC 3464 field like "rfc822; user@example.com": the part after "type;".
std::string typed_value(std::string_view v, std::string* type = nullptr) {
  const auto semi = v.find(';');
  if (semi == std::string_view::npos) return trim(v);
  if (type != nullptr) *type = trim(v.substr(0, semi));
  return trim(v.substr(semi + 1));
}

// --- RFC 3464 §2.2 / §2.3: per-message and per-recipient fields.
struct DsnRecipient {
  std::map<std::string, std::string> fields;  // lower-case name -> value (continuations joined)
};
struct Dsn {
  std::map<std::string, std::string> message;
  std::vector<DsnRecipient> recipients;
};

Dsn parse_dsn(std::string_view text) {
  Dsn out;
  // Blocks separated by blank lines; the first with Reporting-MTA (or without
  // recipient fields) is per-message.
  std::vector<std::vector<std::pair<std::string, std::string>>> blocks(1);
  for (auto line : lines_of(text)) {
    if (trim(line).empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !blocks.back().empty()) {
      blocks.back().back().second += " " + trim(line);
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      if (!blocks.back().empty()) blocks.back().back().second += " " + trim(line);
      continue;
    }
    std::string name = lower(trim(line.substr(0, colon)));
    if (name.find(' ') != std::string::npos) {
      if (!blocks.back().empty()) blocks.back().back().second += " " + trim(line);
      continue;
    }
    blocks.back().emplace_back(std::move(name), trim(line.substr(colon + 1)));
  }
  for (auto& block : blocks) {
    if (block.empty()) continue;
    bool per_recipient = false;
    for (auto& [n, v] : block)
      if (n == "final-recipient" || n == "original-recipient") per_recipient = true;
    if (!per_recipient) {
      for (auto& [n, v] : block) out.message.emplace(n, v);
      continue;
    }
    // Some writers run several recipients together without blank lines.
    DsnRecipient r;
    for (auto& [n, v] : block) {
      if (n == "final-recipient" && r.fields.count("final-recipient") != 0) {
        out.recipients.push_back(std::move(r));
        r = {};
      }
      if (r.fields.count(n) == 0) r.fields[n] = v;
    }
    out.recipients.push_back(std::move(r));
  }
  return out;
}

// --- Reading the human-readable report.
struct TextRecipient {
  std::string address;
  std::string diagnostic;  // the paragraph about it
  std::size_t order = 0;
};

bool is_header_like(std::string_view line) {
  static const RE2 re(
      "^(?:From|To|Cc|Subject|Date|Reply-To|Sender|Return-Path|Received|Message-I[Dd]|X-[A-Za-z-]+|"
      "Delivered-To|Envelope-To|Original-Recipient|Final-Recipient|Reporting-MTA|Content-[A-Za-z-]+|"
      "In-Reply-To|References|DKIM-Signature|Authentication-Results|ARC-[A-Za-z-]+):",
      ci());
  return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), re);
}

// A line that names a recipient: the address comes first ("<a@b>:", "a@b",
// "  a@b (reason)"), or a sentence that introduces one.
std::string recipient_on_line(std::string_view raw) {
  std::string line = trim(raw);
  if (line.empty() || line.size() > 400) return {};
  if (is_header_like(line)) return {};
  std::string s = line;
  // Strip list markers and quoting.
  while (!s.empty() && (s[0] == '*' || s[0] == '-' || s[0] == '>' || s[0] == '|' || s[0] == '"' || s[0] == '\'' ||
                        s[0] == '(' || s[0] == ' ' || s[0] == '\t'))
    s.erase(s.begin());
  if (s.rfind("mailto:", 0) == 0) s = s.substr(7);
  // "554 <a@b>... Remote protocol error" (sendmail's summary lines).
  static const RE2 reply_first("^[245][0-9][0-9][ -](?:[245]\\.[0-9]\\.[0-9]{1,3} )?<");
  if (RE2::PartialMatch(s, reply_first)) s = s.substr(s.find('<'));
  if (s.rfind("RCPT TO:", 0) == 0 || s.rfind("rcpt to:", 0) == 0) return {};
  std::string_view v = s;
  if (!v.empty() && v[0] == '<') v.remove_prefix(1);
  static const RE2 starts("^([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.\\[\\]-]+\\.?[A-Za-z0-9\\]]*)");
  std::string addr;
  if (RE2::PartialMatch(re2::StringPiece(v.data(), v.size()), starts, &addr)) {
    if (addr.find('@') == std::string::npos || addr.find('.', addr.find('@')) == std::string::npos) return {};
    std::string_view rest = v.substr(addr.size());
    while (!rest.empty() && (rest[0] == '>' || rest[0] == '.' || rest[0] == ' ')) rest.remove_prefix(1);
    // "addr... User unknown" (sendmail) is a diagnostic line, still naming the recipient.
    (void)rest;
    while (!addr.empty() && addr.back() == '.') addr.pop_back();
    return lower(addr);
  }
  // Sentences that introduce the recipient on the same line.
  static const RE2 sentence(
      "(?:delivering your (?:mail|message) to|could not be delivered to|was not delivered to|"
      "delivery to the following recipients? (?:failed|has been delayed)[^:]*:?|your message to|"
      "unable to deliver (?:your )?(?:message|mail) to|message (?:for|to) the recipient|"
      "following (?:address|recipient)(?:es|s)?\\(?e?s?\\)?[^:]*:|failed to deliver to|"
      "message could not be delivered to|couldn't be delivered to|recipient:|address:|rejected recipient|"
      "mailbox is full:|undeliverable to|delivery failed for)\\s*<?"
      "([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})",
      ci());
  if (RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), sentence, &addr)) return lower(addr);
  return {};
}

std::vector<TextRecipient> text_recipients(std::string_view report, const std::set<std::string>& exclude) {
  std::vector<TextRecipient> out;
  std::map<std::string, std::size_t> index;
  auto lines = lines_of(report);
  struct Mention {
    std::size_t line;
    std::string address;
  };
  std::vector<Mention> mentions;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string a = recipient_on_line(lines[i]);
    if (a.empty() || exclude.count(a) != 0) continue;
    // The same address again right after (a wrapped diagnostic) continues the paragraph.
    if (!mentions.empty() && mentions.back().address == a && i - mentions.back().line <= 3) continue;
    mentions.push_back({i, a});
  }
  for (std::size_t m = 0; m < mentions.size(); ++m) {
    const std::size_t begin = mentions[m].line;
    std::size_t end = m + 1 < mentions.size() ? mentions[m + 1].line : lines.size();
    end = std::min(end, begin + 40);
    std::string para;
    // Sendmail's summary line "550 <a@b>... User unknown" says it all on one line; the
    // session transcript lines that name the same address tell the command.
    static const RE2 summary("^\\s*(?:[245][0-9][0-9][ -])?<?[^<>\\s]+@[^<>\\s]+>?\\.\\.\\.\\s*\\S");
    if (RE2::PartialMatch(re2::StringPiece(lines[begin].data(), lines[begin].size()), summary)) {
      const std::string& who = mentions[m].address;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i == begin) continue;
        if (lower(lines[i]).find(who) != std::string::npos && lines[i].find(">>>") != std::string_view::npos) {
          para.append(lines[i]);
          para += '\n';
        }
      }
      para.append(lines[begin]);
      para += '\n';
    } else {
      for (std::size_t i = begin; i < end; ++i) {
        para.append(lines[i]);
        para += '\n';
      }
    }
    const std::string& a = mentions[m].address;
    auto it = index.find(a);
    if (it == index.end()) {
      index[a] = out.size();
      out.push_back({a, para, out.size()});
    } else {
      // Mentioned again (e.g. in "Diagnostic information for administrators"):
      // keep the paragraph that carries a code.
      auto& r = out[it->second];
      const bool old_has_code = !find_status(r.diagnostic).empty() || !find_reply(r.diagnostic).empty();
      const bool new_has_code = !find_status(para).empty() || !find_reply(para).empty();
      if (new_has_code && !old_has_code)
        r.diagnostic = para;
      else if (new_has_code == old_has_code)
        r.diagnostic += para;
    }
  }
  return out;
}

// The remote server's own words inside a paragraph of the report ("the detailed
// external error"): after "Remote Server returned", "said:", ... (data, first match wins).
std::string server_words(std::string_view para) {
  static const std::vector<std::string> patterns = {
      "(?is)Remote Server returned '(.*?)'\\s*(?:\\n|$)",
      "(?is)The error that the other server returned was:\\s*(.*?)(?:\\n\\s*\\n|$)",
      "(?is)Remote host said:\\s*(.*?)(?:\\n\\s*\\n|$)",
      "(?is)\\ssaid:\\s*(.*?)(?:\\n\\s*\\n|$)",
      "(?is)\\]:\\s*([245][0-9][0-9][ -].*?)(?:\\n\\s*\\n|$)",
      "(?is)<<< ([245][0-9][0-9].*?)(?:\\n\\s*\\n|$)",
  };
  for (const auto& p : patterns) {
    static thread_local std::map<std::string, std::unique_ptr<RE2>> cache;
    auto& re = cache[p];
    if (!re) re = std::make_unique<RE2>(p);
    std::string w;
    if (RE2::PartialMatch(re2::StringPiece(para.data(), para.size()), *re, &w)) {
      w = sweep(w);
      if (w.size() > 3) return w;
    }
  }
  return {};
}

// --- The original message.
ReceivedHop parse_received_impl(std::string_view value) {
  ReceivedHop hop;
  hop.raw = sweep(value);
  const std::string& v = hop.raw;
  const auto semi = v.rfind(';');
  std::string head = semi == std::string::npos ? v : v.substr(0, semi);
  if (semi != std::string::npos) hop.date = trim(v.substr(semi + 1));
  static const RE2 from_re("(?i)^\\s*from\\s+(\\S+)");
  static const RE2 by_re("(?i)\\bby\\s+([^\\s;()]+)");
  static const RE2 with_re("(?i)\\bwith\\s+([^\\s;()]+)");
  static const RE2 id_re("(?i)\\bid\\s+<?([^\\s;()>]+)");
  static const RE2 for_re("(?i)\\bfor\\s+<?([^\\s;()<>]+@[^\\s;()<>]+)>?");
  RE2::PartialMatch(head, from_re, &hop.from_host);
  RE2::PartialMatch(head, by_re, &hop.by_host);
  RE2::PartialMatch(head, with_re, &hop.with);
  RE2::PartialMatch(head, id_re, &hop.id);
  RE2::PartialMatch(head, for_re, &hop.for_addr);
  // The client IP is in the "from" clause: "[192.0.2.1]", "(192.0.2.1)", "(host [IPv6:2001:db8::1])".
  std::string from_clause = head;
  static const RE2 by_split("(?i)\\sby\\s");
  re2::StringPiece fc(from_clause);
  re2::StringPiece m;
  if (by_split.Match(fc, 0, fc.size(), RE2::UNANCHORED, &m, 1))
    from_clause = from_clause.substr(0, static_cast<std::size_t>(m.data() - from_clause.data()));
  static const RE2 ip_re(
      "[\\[(\\s=]((?:IPv6:)?[0-9A-Fa-f:]*[0-9A-Fa-f]:[0-9A-Fa-f:.]+|\\d{1,3}(?:\\.\\d{1,3}){3})(?::\\d+)?[\\])\\s]");
  re2::StringPiece in(from_clause);
  std::string ip;
  while (RE2::FindAndConsume(&in, ip_re, &ip)) {
    if (ip.rfind("IPv6:", 0) == 0) ip = ip.substr(5);
    if (IpAddress::parse_client(ip)) {
      hop.from_ip = IpAddress::parse_client(ip)->to_string();
      break;
    }
  }
  if (hop.from_ip.empty()) {
    if (auto p = IpAddress::parse_client(hop.from_host))
      hop.from_ip = p->to_string();
    else if (hop.from_host.size() > 2 && hop.from_host.front() == '[') {
      if (auto q = IpAddress::parse_client(hop.from_host.substr(1, hop.from_host.size() - 2)))
        hop.from_ip = q->to_string();
    }
  }
  for (auto* s : {&hop.from_host, &hop.by_host})
    while (!s->empty() && (s->back() == '.' || s->back() == ')')) s->pop_back();
  return hop;
}

bool is_public(const IpAddress& ip) {
  const auto& b = ip.bytes();
  if (ip.is_v4()) {
    if (b[0] == 10 || b[0] == 127 || b[0] == 0) return false;
    if (b[0] == 172 && (b[1] & 0xf0) == 16) return false;
    if (b[0] == 192 && b[1] == 168) return false;
    if (b[0] == 169 && b[1] == 254) return false;
    if (b[0] == 100 && (b[1] & 0xc0) == 64) return false;
    return true;
  }
  if ((b[0] & 0xfe) == 0xfc) return false;  // ULA
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;
  bool zero = true;
  for (int i = 0; i < 15; ++i) zero = zero && b[static_cast<std::size_t>(i)] == 0;
  return !zero;
}

// An IP the receiving server quotes as the client ("sender IP is ...", "client [x]", "[x]" in Gmail's words).
std::string ip_in_diagnostic(std::string_view diag, const std::set<std::string>& not_these) {
  static const std::vector<std::string> patterns = {
      "(?i)sender ip (?:is|address)?:?\\s*\\[?([0-9a-f.:]+[0-9a-f])",
      "(?i)client[- ]ip[=: ]+\\[?([0-9a-f.:]+[0-9a-f])",
      "(?i)(?:connecting|sending|client|source|your|remote) ip(?: address)?(?: is| "
      "was|:)?\\s*\\[?([0-9a-f.:]+[0-9a-f])",
      "(?i)\\bip[=:]\\s*\\[?([0-9a-f.:]+[0-9a-f])",
      "(?i)(?:from|client host|client) \\[([0-9a-f.:]+[0-9a-f])\\]",
      "(?i)\\[([0-9]{1,3}(?:\\.[0-9]{1,3}){3})\\s",
      "(?i)\\(([0-9]{1,3}(?:\\.[0-9]{1,3}){3})\\)",
      "(?i)\\[([0-9]{1,3}(?:\\.[0-9]{1,3}){3})\\]",
  };
  for (const auto& p : patterns) {
    const RE2& re = detail::cached_regex(p, RE2::Options());
    re2::StringPiece in(diag.data(), diag.size());
    std::string ip;
    while (RE2::FindAndConsume(&in, re, &ip)) {
      auto parsed = IpAddress::parse_client(ip);
      if (!parsed || !is_public(*parsed)) continue;
      std::string canon = parsed->to_string();
      if (not_these.count(canon) != 0) continue;
      return canon;
    }
  }
  return {};
}

// IPs that belong to the remote server ("host mx.example.com[192.0.2.1] said").
std::set<std::string> remote_ips(std::string_view text) {
  std::set<std::string> out;
  static const RE2 re(
      "(?i)(?:host|server|to|talking to|connect to|mx|MTA)\\s*[^\\s\\[]*\\s*\\[([0-9a-f.:]+)\\]|"
      "\\[([0-9a-f.:]+)\\]:?\\s*(?:said|refused|:)");
  re2::StringPiece in(text.data(), text.size());
  std::string a, b;
  while (RE2::FindAndConsume(&in, re, &a, &b)) {
    for (const auto& s : {a, b}) {
      if (auto p = IpAddress::parse_client(s)) out.insert(p->to_string());
    }
  }
  return out;
}

std::string strip_angle(std::string_view s) {
  std::string a = first_address(s);
  if (!a.empty()) return a;
  std::string t = trim(s);
  if (t == "<>") return {};
  return t;
}

void fill_original(Bounce& b, const Headers& h) {
  auto& o = b.original;
  o.headers_present = !h.empty();
  o.from = header_value(h, "From");
  o.to = header_value(h, "To");
  o.subject = header_value(h, "Subject");
  o.message_id = trim(header_value(h, "Message-ID"));
  if (o.message_id.empty()) o.message_id = trim(header_value(h, "Message-Id"));
  o.date = header_value(h, "Date");
  std::string rp = header_value(h, "Return-Path");
  if (!rp.empty()) o.envelope_from = strip_angle(rp);
  for (const auto& v : header_values(h, "Received")) o.received.push_back(parse_received_impl(v));
}

// RFC 7601 / Microsoft: "spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=..."
std::string ip_in_auth_results(const Headers& h, std::string* mailfrom) {
  static const RE2 sender_ip("(?i)sender IP is ([0-9a-f.:]+[0-9a-f])");
  static const RE2 client_ip("(?i)client-ip=([0-9a-f.:]+[0-9a-f])");
  static const RE2 mf("(?i)smtp\\.mailfrom=([^\\s;]+)");
  static const RE2 env("(?i)envelope-from=\"?<?([^\\s;\">]+)");
  for (const char* name : {"Authentication-Results", "ARC-Authentication-Results", "Received-SPF"}) {
    for (const auto& v : header_values(h, name)) {
      std::string ip;
      if (mailfrom != nullptr && mailfrom->empty()) {
        std::string m;
        if (RE2::PartialMatch(v, mf, &m) || RE2::PartialMatch(v, env, &m)) *mailfrom = strip_angle(m);
      }
      if (RE2::PartialMatch(v, sender_ip, &ip) || RE2::PartialMatch(v, client_ip, &ip)) {
        if (auto p = IpAddress::parse_client(ip)) return p->to_string();
      }
    }
  }
  return {};
}

std::string host_of(std::string_view addr) {
  auto at = addr.rfind('@');
  return at == std::string_view::npos ? std::string() : lower(addr.substr(at + 1));
}

// Remote MTA name from the diagnostic text: "host mx.example.com[192.0.2.1]", "by mx.example.com".
std::string remote_mta_in(std::string_view text) {
  static const RE2 re(
      "(?i)(?:host|talking to|connect(?:ed|ion)? to|rejected by the server for the recipient domain [^ ]+ by|"
      "remote host|server)\\s+([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)\\.?\\s*[\\[(:]");
  std::string host;
  if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re, &host)) {
    if (!IpAddress::parse(host)) return lower(host);
  }
  return {};
}

}  // namespace

ReceivedHop parse_received(std::string_view value) {
  return parse_received_impl(value);
}

std::string_view describe_reason(std::string_view reason) {
  static const std::map<std::string, std::string, std::less<>> m = {
      {"authfailure", "rejected because SPF, DKIM or DMARC failed"},
      {"badreputation", "rejected because of the sending IP's or domain's reputation"},
      {"blocked", "the receiver refused the sending IP address or host name"},
      {"contenterror", "rejected because of the message's format or headers"},
      {"delivered", "delivered (not an error)"},
      {"exceedlimit", "the message exceeds a size limit of the recipient's mailbox"},
      {"expired", "delivery gave up after retrying for too long"},
      {"failedstarttls", "delivery failed because of a STARTTLS/TLS problem"},
      {"feedback", "a complaint (feedback report) forwarded by a mailbox provider"},
      {"filtered", "the recipient's server or the recipient filtered the message out"},
      {"hasmoved", "the recipient's mailbox has moved"},
      {"hostunknown", "the recipient's domain does not exist or takes no mail"},
      {"mailboxfull", "the recipient's mailbox is full"},
      {"mailererror", "a mail program on the receiving side failed"},
      {"mesgtoobig", "the message is too big"},
      {"networkerror", "a DNS or network problem on the way"},
      {"norelaying", "the server refused to relay the message"},
      {"notaccept", "the recipient's server or domain accepts no mail"},
      {"notcompliantrfc", "the message does not comply with RFC 5322"},
      {"onhold", "the bounce does not say enough to tell the reason"},
      {"policyviolation", "the receiver's policy refused the message"},
      {"rejected", "the receiver refused the envelope sender"},
      {"requireptr", "the sending IP has no (valid) reverse DNS"},
      {"securityerror", "a security or policy check failed"},
      {"spamdetected", "the receiver judged the message to be spam"},
      {"speeding", "rate limited: too many messages too fast"},
      {"suppressed", "the address is on the sender's suppression list"},
      {"suspend", "the recipient's mailbox is suspended or disabled"},
      {"syntaxerror", "an SMTP command syntax error"},
      {"systemerror", "an error on the receiving system"},
      {"systemfull", "the receiving system is out of space"},
      {"toomanyconn", "too many connections or recipients at once"},
      {"undefined", "the reason could not be determined"},
      {"userunknown", "the recipient address does not exist"},
      {"vacation", "an automatic out-of-office reply"},
      {"virusdetected", "the receiver found a virus"},
  };
  auto it = m.find(reason);
  return it == m.end() ? std::string_view("unknown reason") : std::string_view(it->second);
}

namespace {

// JSON nested at most 32 levels deep, else a discarded value (checked before
// parsing, strings skipped).
nlohmann::json shallow_json(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > 32) return nlohmann::json(nlohmann::json::value_t::discarded);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return nlohmann::json::parse(text, nullptr, false);
}

// Keeps at most `max` bytes of `s`, not cutting a UTF-8 sequence; true if cut.
bool cut_to(std::string& s, std::size_t max) {
  if (s.size() <= max) return false;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  s += "...";
  return true;
}

// The report repeats what the bounce says; a header field of megabytes or a
// hundred thousand Received hops would only make it that large (docs/cli.md,
// bounce limits).
void apply_output_limits(Bounce& b, const ParseOptions& o) {
  bool cut = false;
  for (auto* s : {&b.subject, &b.bounce_from, &b.bounce_date, &b.reporting_mta, &b.generating_server,
                  &b.arrival_date, &b.original.from, &b.original.envelope_from, &b.original.to, &b.original.subject,
                  &b.original.message_id, &b.original.date}) {
    cut = cut_to(*s, o.max_field) || cut;
  }
  if (b.recipients.size() > o.max_recipients) {
    b.notes.push_back("the bounce names " + std::to_string(b.recipients.size()) + " recipients; the first " +
                      std::to_string(o.max_recipients) + " are listed");
    b.recipients.resize(o.max_recipients);
  }
  for (auto& r : b.recipients) {
    for (auto* s : {&r.recipient, &r.status, &r.reply_code, &r.action, &r.remote_mta, &r.command,
                    &r.original_recipient, &r.last_attempt, &r.diagnostic_type}) {
      cut = cut_to(*s, o.max_field) || cut;
    }
    cut = cut_to(r.diagnostic, o.max_diagnostic) || cut;
  }
  if (b.original.received.size() > o.max_hops) {
    b.notes.push_back("the original message has " + std::to_string(b.original.received.size()) +
                      " Received: fields; the first " + std::to_string(o.max_hops) + " are listed");
    b.original.received.resize(o.max_hops);
  }
  for (auto& hop : b.original.received) {
    for (auto* s : {&hop.from_host, &hop.from_ip, &hop.by_host, &hop.with, &hop.id, &hop.for_addr, &hop.date, &hop.raw}) {
      cut = cut_to(*s, o.max_field) || cut;
    }
  }
  if (cut) {
    b.notes.push_back("fields longer than " + std::to_string(o.max_field) + " bytes (diagnostics: " +
                      std::to_string(o.max_diagnostic) + ") are cut, ending in \"...\"");
  }
}

}  // namespace

Bounce parse(std::string_view raw, const ParseOptions& options) {
  if (raw.size() > options.max_bytes) {
    throw ParseError("message is " + std::to_string(raw.size()) + " bytes, over the limit of " +
                     std::to_string(options.max_bytes) + " bytes");
  }
  std::string text = normalize_line_ends(raw);
  std::string mbox_rest;
  // mbox with one message: drop the "From " separator line; stop at the next one.
  if (text.rfind("From ", 0) == 0) {
    auto eol = text.find('\n');
    text = eol == std::string::npos ? std::string() : text.substr(eol + 1);
    auto next = text.find("\n\nFrom ");
    if (next != std::string::npos) {
      // More messages follow: read them too and add their recipients.
      mbox_rest = text.substr(next + 2);
      text.resize(next + 1);
    }
  }
  std::size_t lead = 0;
  while (lead < text.size() && text[lead] == '\n') ++lead;
  text.erase(0, lead);
  {
    std::size_t consumed = 0;
    Headers probe = parse_header_block(text, &consumed);
    bool has_core = false;
    for (const auto& hdr : probe) {
      std::string n = lower(hdr.name);
      if (n == "from" || n == "subject" || n == "date" || n == "received" || n == "to" || n == "content-type" ||
          n == "message-id" || n == "return-path" || n == "mime-version")
        has_core = true;
    }
    if (probe.empty() || !has_core) throw ParseError("not a mail message: it does not start with header fields");
  }

  MimeLimits limits;
  limits.max_depth = options.max_depth;
  limits.max_parts = options.max_parts;
  MimeDigest d = read_mime(text, limits);
  if (d.headers.empty()) throw ParseError("not a mail message: no header fields could be read");

  if (d.text.empty() && d.delivery_status.empty()) {
    // A multipart whose boundary never appears: the body is plain text after all.
    auto end = text.find("\n\n");
    if (end != std::string::npos) d.text = text.substr(end + 2);
  }
  // A bounce that only forwards another bounce (the real report is the attached message).
  if (d.delivery_status.empty() && d.feedback_report.empty() && !d.original_raw.empty() && options.max_depth > 0 &&
      lower(header_value(parse_header_block(d.original_raw), "Content-Type")).find("report-type=delivery-status") !=
          std::string::npos) {
    ParseOptions inner = options;
    inner.max_depth = options.max_depth > 4 ? options.max_depth - 4 : 0;
    try {
      Bounce nested = parse(d.original_raw, inner);
      if (!nested.recipients.empty()) {
        nested.notes.push_back("the bounce forwarded another bounce; that one was read");
        return nested;
      }
    } catch (const ParseError&) {
      // Read the outer message instead.
    }
  }
  Bounce b;
  if (d.limits_hit) b.notes.push_back("MIME structure deeper or larger than the limits; the rest was not read");
  b.subject = header_value(d.headers, "Subject");
  b.bounce_from = header_value(d.headers, "From");
  b.bounce_date = header_value(d.headers, "Date");
  b.system = detect_system(d.headers, d.text);
  b.is_dsn = !d.delivery_status.empty();

  // The report (before the copy of the original) and the original's headers.
  std::string report = d.text;
  const std::size_t cut = original_message_offset(d.text);
  Headers original = d.original_headers;
  if (cut != std::string::npos) {
    report = d.text.substr(0, cut);
    if (!d.has_original) {
      std::string_view rest(d.text);
      rest.remove_prefix(cut);
      auto eol = rest.find('\n');
      rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
      // Skip blank lines and stray text before the first header field.
      auto ls = lines_of(rest);
      std::size_t off = 0;
      for (std::size_t i = 0; i < ls.size() && i < 12; ++i) {
        static const RE2 field("^[A-Za-z][A-Za-z0-9-]*:\\s");
        if (RE2::PartialMatch(re2::StringPiece(ls[i].data(), ls[i].size()), field)) break;
        off += ls[i].size() + 1;
      }
      if (off < rest.size()) original = parse_header_block(rest.substr(off));
    }
  }
  fill_original(b, original);

  // Generating server (Microsoft) and the reporting MTA.
  {
    static const RE2 gen("(?i)Generating server:\\s*([^\\s]+)");
    std::string g;
    if (RE2::PartialMatch(d.text, gen, &g)) b.generating_server = lower(g);
  }

  // --- Recipients from RFC 3464 fields.
  struct Draft {
    RecipientReport r;
    std::string dsn_status;
    std::string text_para;  // what the human-readable report says about it
  };
  std::vector<Draft> drafts;
  std::vector<std::string> dsn_texts = d.delivery_status;
  if (dsn_texts.empty()) {
    // Some bounces paste the DSN fields into the text.
    static const RE2 inline_dsn("(?mi)^(?:Final|Original)-Recipient:\\s*\\S");
    if (RE2::PartialMatch(d.text, inline_dsn)) {
      auto p = d.text.find("Reporting-MTA:");
      if (p == std::string::npos) p = d.text.find("Final-Recipient:");
      if (p == std::string::npos) p = d.text.find("Original-Recipient:");
      if (p != std::string::npos)
        dsn_texts.push_back(d.text.substr(p, cut != std::string::npos && cut > p ? cut - p : std::string::npos));
    }
  }
  for (const auto& ds : dsn_texts) {
    Dsn dsn = parse_dsn(ds);
    if (b.reporting_mta.empty() && dsn.message.count("reporting-mta") != 0)
      b.reporting_mta = lower(typed_value(dsn.message["reporting-mta"]));
    if (b.arrival_date.empty() && dsn.message.count("arrival-date") != 0) b.arrival_date = dsn.message["arrival-date"];
    if (b.original.envelope_from.empty()) {
      for (const char* f : {"x-postfix-sender", "x-original-sender", "x-sender"}) {
        if (dsn.message.count(f) != 0) {
          b.original.envelope_from = strip_angle(typed_value(dsn.message[f]));
          break;
        }
      }
    }
    for (auto& dr : dsn.recipients) {
      Draft x;
      auto get = [&](const char* n) { return dr.fields.count(n) != 0 ? dr.fields[n] : std::string(); };
      std::string fr = get("final-recipient");
      std::string orr = get("original-recipient");
      x.r.recipient = first_address(typed_value(fr.empty() ? orr : fr));
      if (x.r.recipient.empty()) x.r.recipient = first_address(typed_value(orr));
      x.r.original_recipient = typed_value(orr);
      x.r.action = lower(trim(get("action")));
      if (auto sp = x.r.action.find(' '); sp != std::string::npos) x.r.action.resize(sp);
      std::string st = trim(get("status"));
      x.dsn_status = find_status(st);
      if (x.dsn_status.empty() && valid_status(st.substr(0, st.find(' ')))) x.dsn_status = st.substr(0, st.find(' '));
      x.r.remote_mta = lower(typed_value(get("remote-mta")));
      std::string type;
      x.r.diagnostic = typed_value(get("diagnostic-code"), &type);
      if (x.r.diagnostic.empty() && st.find('(') != std::string::npos) {
        // "Status: 4.0.0 (host name lookup failure)": the comment is all the bounce says.
        x.r.diagnostic = trim(st.substr(st.find('(')));
      }
      x.r.diagnostic_type = lower(type);
      x.r.last_attempt = get("last-attempt-date");
      if (x.r.recipient.empty()) continue;
      drafts.push_back(std::move(x));
    }
  }

  // Amazon SES notifications delivered as JSON (SNS): bouncedRecipients, complaints, deliveries.
  if (drafts.empty() && d.text.find("notificationType") != std::string::npos) {
    try {
      const auto open = d.text.find('{');
      const auto close = d.text.rfind('}');
      const std::string_view json_text = std::string_view(d.text).substr(
          open == std::string::npos ? d.text.size() : open,
          close == std::string::npos || close < open ? std::string::npos : close - open + 1);
      // nlohmann::json parses deep nesting without recursion, but copies and
      // dumps it recursively: 200,000 '[' overflowed the stack (a crash of
      // `bounce`, and of `serve` for everyone). A notification is 5 levels deep.
      const auto outer = shallow_json(json_text);
      const nlohmann::json* msg = &outer;
      nlohmann::json inner;
      if (outer.is_object() && outer.contains("Message") && outer["Message"].is_string()) {
        inner = shallow_json(outer["Message"].get_ref<const std::string&>());
        msg = &inner;
      }
      // Members by reference: value() would copy whole subtrees.
      auto member = [](const nlohmann::json& o, const char* k) -> const nlohmann::json* {
        if (!o.is_object()) return nullptr;
        auto it = o.find(k);
        return it == o.end() ? nullptr : &*it;
      };
      auto array_of = [&](const nlohmann::json* o, const char* k) {
        static const nlohmann::json kEmpty = nlohmann::json::array();
        const nlohmann::json* a = o ? member(*o, k) : nullptr;
        return a && a->is_array() ? std::cref(*a) : std::cref(kEmpty);
      };
      if (msg->is_object()) {
        auto js = [&](const nlohmann::json* o, const char* k) {
          const nlohmann::json* v = o ? member(*o, k) : nullptr;
          return v && v->is_string() ? v->get<std::string>() : std::string();
        };
        const std::string type = js(msg, "notificationType");
        b.system = "amazonses";
        const nlohmann::json* bounce_part = member(*msg, "bounce");
        const nlohmann::json* complaint = member(*msg, "complaint");
        const nlohmann::json* delivery = member(*msg, "delivery");
        if (type == "Bounce" && bounce_part) {
          for (const auto& r : array_of(bounce_part, "bouncedRecipients").get()) {
            Draft x;
            x.r.recipient = lower(js(&r, "emailAddress"));
            x.r.action = js(&r, "action");
            x.dsn_status = js(&r, "status");
            std::string type2;
            x.r.diagnostic = typed_value(js(&r, "diagnosticCode"), &type2);
            x.r.diagnostic_type = lower(type2);
            if (!x.r.recipient.empty()) drafts.push_back(std::move(x));
          }
        } else if (type == "Complaint" && complaint) {
          for (const auto& r : array_of(complaint, "complainedRecipients").get()) {
            Draft x;
            x.r.recipient = lower(js(&r, "emailAddress"));
            x.r.reason = "feedback";
            if (!x.r.recipient.empty()) drafts.push_back(std::move(x));
          }
          b.feedback_type = lower(js(complaint, "complaintFeedbackType"));
        } else if (type == "Delivery" && delivery) {
          const std::string resp = js(delivery, "smtpResponse");
          for (const auto& r : array_of(delivery, "recipients").get()) {
            if (!r.is_string()) continue;
            Draft x;
            x.r.recipient = lower(r.get<std::string>());
            x.r.diagnostic = resp;
            x.r.action = "delivered";
            drafts.push_back(std::move(x));
          }
        }
        if (const nlohmann::json* mail = member(*msg, "mail"); mail && mail->is_object()) {
          std::string src = js(mail, "source");
          if (!src.empty() && b.original.envelope_from.empty()) b.original.envelope_from = lower(src);
          std::string ip = js(mail, "sourceIp");
          if (!ip.empty()) b.notes.push_back("Amazon SES sourceIp " + ip);
        }
      }
    } catch (const std::exception&) {
      // Not JSON after all: read it as text below.
    }
  }

  // ARF (RFC 5965): one row per reported recipient.
  if (!d.feedback_report.empty()) {
    Dsn fb = parse_dsn(d.feedback_report);
    b.feedback_type = lower(trim(fb.message["feedback-type"]));
    if (drafts.empty()) {
      std::vector<std::string> rcpts;
      for (auto line : lines_of(d.feedback_report)) {
        std::string l = lower(line);
        if (l.rfind("original-rcpt-to:", 0) == 0 || l.rfind("removal-recipient:", 0) == 0) {
          std::string a = first_address(line);
          if (!a.empty()) rcpts.push_back(a);
        }
      }
      if (rcpts.empty()) {
        std::string a = first_address(b.original.to);
        if (!a.empty()) rcpts.push_back(a);
      }
      for (auto& a : rcpts) {
        Draft x;
        x.r.recipient = a;
        x.r.reason = "feedback";
        drafts.push_back(std::move(x));
      }
    }
  }

  // RFC 3834 automatic replies (vacation): the one who replied is the "recipient".
  bool auto_reply = false;
  if (drafts.empty() && d.feedback_report.empty()) {
    static const RE2 auto_subject(
        "(?i)^(?:auto(?:matic)?[ -]?(?:reply|response)|out of (?:the )?office|vacation|"
        "away until|auto:|absence|自動返信|自動応答)");
    static const RE2 bounce_words(
        "(?i)mailer-daemon|postmaster|mail delivery|undeliver|delivery status|failure|"
        "returned mail|failed|non.?delivery|error");
    const std::string as = lower(header_value(d.headers, "Auto-Submitted"));
    const bool says_auto = as.rfind("auto-replied", 0) == 0 || !header_value(d.headers, "X-Autoreply").empty() ||
                           !header_value(d.headers, "X-Autorespond").empty() ||
                           lower(header_value(d.headers, "Precedence")) == "auto_reply" ||
                           RE2::PartialMatch(b.subject, auto_subject);
    const bool looks_bounce =
        RE2::PartialMatch(b.bounce_from, bounce_words) || RE2::PartialMatch(b.subject, bounce_words);
    std::string who = first_address(b.bounce_from);
    if (says_auto && !looks_bounce && !who.empty()) {
      auto_reply = true;
      Draft x;
      x.r.recipient = who;
      x.r.reason = "vacation";
      drafts.push_back(std::move(x));
    }
  }

  // --- The human-readable report.
  std::set<std::string> exclude;
  for (const auto& a : {b.bounce_from, header_value(d.headers, "Sender")}) {
    std::string x = first_address(a);
    if (!x.empty()) exclude.insert(x);
  }
  auto texts = text_recipients(report, exclude);
  {
    // The original sender (the bounce's To) named in the report is rarely a recipient.
    const std::string to = first_address(header_value(d.headers, "To"));
    if (texts.size() > 1 && !to.empty()) {
      texts.erase(std::remove_if(texts.begin(), texts.end(), [&](const TextRecipient& t) { return t.address == to; }),
                  texts.end());
    }
  }
  if (drafts.empty() && d.feedback_report.empty() && !auto_reply) {
    for (auto& t : texts) {
      Draft x;
      x.r.recipient = t.address;
      x.text_para = t.diagnostic;
      drafts.push_back(std::move(x));
    }
    if (drafts.empty()) {
      for (const auto& v : header_values(d.headers, "X-Failed-Recipients")) {
        re2::StringPiece in(v);
        std::string a;
        while (RE2::FindAndConsume(&in, address_re(), &a)) {
          Draft x;
          x.r.recipient = lower(a);
          x.text_para = report;
          drafts.push_back(std::move(x));
        }
      }
    }
  } else {
    for (auto& x : drafts) {
      for (auto& t : texts)
        if (t.address == x.r.recipient) x.text_para = t.diagnostic;
    }
  }

  if (drafts.empty() && !report.empty()) {
    // Any address the report names that is not the bounce's own sender.
    for (auto line : lines_of(report)) {
      if (is_header_like(trim(line))) continue;
      std::string a = first_address(line);
      if (a.empty() || exclude.count(a) != 0 || a == first_address(header_value(d.headers, "To"))) continue;
      Draft x;
      x.r.recipient = a;
      x.text_para = report;
      drafts.push_back(std::move(x));
      break;
    }
  }
  if (drafts.empty() && !report.empty()) {
    // Last resort: the original recipient.
    std::string a = first_address(b.original.to);
    if (!a.empty()) {
      Draft x;
      x.r.recipient = a;
      x.text_para = report;
      drafts.push_back(std::move(x));
    }
  }

  if (drafts.size() > options.max_recipients) {
    b.notes.push_back("the bounce names " + std::to_string(drafts.size()) + " recipients; the first " +
                      std::to_string(options.max_recipients) + " are listed");
    drafts.erase(drafts.begin() + static_cast<std::ptrdiff_t>(options.max_recipients), drafts.end());
  }
  const bool delayed = says_delayed(b.subject, report);
  for (auto& x : drafts) {
    auto& r = x.r;
    if (r.reason == "feedback" || r.reason == "vacation") {
      r.status.clear();
      r.action.clear();
      b.recipients.push_back(std::move(r));
      continue;
    }
    std::string words = r.diagnostic;
    if (words.empty()) words = server_words(x.text_para);
    if (words.empty()) {
      // The paragraph without the line that only names the recipient.
      std::string_view p = x.text_para;
      auto eol = p.find('\n');
      std::string first = trim(p.substr(0, eol));
      std::string rest = eol == std::string_view::npos ? std::string() : std::string(p.substr(eol + 1));
      std::string a = first_address(first);
      words = (trim(rest).empty() || first.size() > a.size() + 12) ? std::string(p) : rest;
    }
    const std::string context = x.text_para + "\n" + r.diagnostic;
    r.diagnostic = sweep(words);
    if (r.command.empty()) r.command = failed_command(context);
    if (r.remote_mta.empty()) r.remote_mta = remote_mta_in(context);
    if (r.action.empty()) r.action = delayed ? "delayed" : "";

    // Status: the Status: field, or the code in the words (Sisimai's preference rules).
    std::string in_text = find_status(r.diagnostic);
    std::string reply = find_reply(r.diagnostic, in_text.empty() ? 0 : in_text[0]);
    r.status = prefer_status(x.dsn_status, in_text, reply);
    r.reply_code = reply;

    // Reason: the system's own words, the receiving host's rules, then the generic tables.
    Fact f;
    f.status = r.status;
    f.reply = r.reply_code;
    f.diagnostic = lower(r.diagnostic);
    f.command = r.command;
    f.action = r.action;
    // Only a mailer (X-Unix) diagnostic changes how the words are read.
    f.spec = r.diagnostic_type.rfind("x-unix", 0) == 0 ? "X-UNIX" : "SMTP";
    f.reason = system_reason(b.system, context);
    std::string reason;
    // What the system says is final, except the reasons worth checking again
    // against the receiver's rules and the status code.
    static const std::set<std::string> recheck = {"userunknown", "hostunknown", "onhold", "undefined"};
    // A trailing '?' marks a weak phrase: used only when nothing else decides.
    std::string weak;
    if (!f.reason.empty() && f.reason.back() == '?') {
      weak = f.reason.substr(0, f.reason.size() - 1);
      f.reason.clear();
    }
    if (!f.reason.empty() && recheck.count(f.reason) == 0) {
      reason = f.reason;
    } else {
      for (const auto& host : {r.remote_mta, host_of(r.recipient)}) {
        if (!reason.empty() || host.empty()) continue;
        std::string rr = remote_host_reason(host, r.status, r.reply_code, r.diagnostic);
        if (reason_is_explicit(rr)) reason = rr;
      }
      if (reason.empty()) reason = decide_reason(f);
      if (!reason_is_explicit(reason) && reason_is_explicit(f.reason)) reason = f.reason;
      if (!reason_is_explicit(reason) && !weak.empty()) reason = weak;
    }
    r.reason = reason;

    if (r.status.empty()) {
      const std::string probe = r.reply_code + " " + r.diagnostic;
      // Temporary only when a 4xx code says so (Sisimai's rule).
      const std::string code_in = find_status(probe);
      static const RE2 temp_words("(?i)retry timeout exceeded|technical details of temporary failure");
      const bool temporary = (!r.reply_code.empty() && r.reply_code[0] == '4') ||
                             (!code_in.empty() && code_in[0] == '4') || RE2::PartialMatch(probe, temp_words);
      r.status = pseudo_status(r.reason, temporary);
      if (r.status.empty()) r.status = pseudo_status(r.reason, false);
    }
    if (!r.reply_code.empty() && !r.status.empty() && r.reply_code[0] != r.status[0]) {
      std::string again = find_reply(r.diagnostic, r.status[0]);
      r.reply_code = again;
    }
    if (r.reason == "expired") r.action = "delayed";
    if (r.action.empty() && !r.status.empty() && (r.status[0] == '5' || r.status[0] == '4')) r.action = "failed";
    b.recipients.push_back(std::move(r));
  }

  // --- The envelope sender and the IP the receiver saw.
  auto& o = b.original;
  std::string mailfrom;
  std::string auth_ip = ip_in_auth_results(original, &mailfrom);
  if (o.envelope_from.empty() && !mailfrom.empty()) o.envelope_from = mailfrom;
  if (o.envelope_from.empty()) {
    // Received: ... (envelope-from <a@b>)
    for (const auto& hop : o.received) {
      static const RE2 env("(?i)envelope-from\\s*<?([^\\s>)]+@[^\\s>)]+)");
      std::string a;
      if (RE2::PartialMatch(hop.raw, env, &a)) {
        o.envelope_from = lower(a);
        break;
      }
    }
  }
  std::set<std::string> not_sender;
  for (const auto& r : b.recipients) {
    auto ips = remote_ips(r.diagnostic);
    not_sender.insert(ips.begin(), ips.end());
  }
  {
    auto ips = remote_ips(report);
    not_sender.insert(ips.begin(), ips.end());
  }
  for (const auto& r : b.recipients) {
    if (!o.sending_ip.empty()) break;
    std::string ip = ip_in_diagnostic(r.diagnostic, not_sender);
    if (!ip.empty()) {
      o.sending_ip = ip;
      o.sending_ip_source = "diagnostic";
    }
  }
  if (o.sending_ip.empty() && !auth_ip.empty()) {
    o.sending_ip = auth_ip;
    o.sending_ip_source = "authentication-results";
  }
  if (o.sending_ip.empty()) {
    for (const auto& hop : o.received) {
      auto ip = IpAddress::parse_client(hop.from_ip);
      if (ip && is_public(*ip)) {
        o.sending_ip = ip->to_string();
        o.sending_ip_source = "received";
        break;
      }
    }
  }
  if (b.reporting_mta.empty()) b.reporting_mta = b.generating_server;
  if (b.generating_server.empty()) {
    auto recv = header_values(d.headers, "Received");
    if (!recv.empty()) b.generating_server = lower(parse_received_impl(recv.front()).from_host);
    if (b.generating_server.empty() || b.generating_server.find('.') == std::string::npos)
      b.generating_server = b.reporting_mta;
  }
  static constexpr std::string_view kMboxCut =
      "the mbox holds more messages than are read (one, and one more for each level of MIME nesting allowed); "
      "the recipients of the first ones are listed";
  if (!mbox_rest.empty() && options.max_depth == 0) {
    b.notes.emplace_back(kMboxCut);
  } else if (!mbox_rest.empty()) {
    ParseOptions more = options;
    more.max_depth = options.max_depth - 1;
    try {
      Bounce next = parse(mbox_rest, more);
      for (auto& r : next.recipients) b.recipients.push_back(std::move(r));
      const bool rest_cut = std::find(next.notes.begin(), next.notes.end(), kMboxCut) != next.notes.end();
      b.notes.emplace_back(rest_cut ? kMboxCut : "the mbox holds more than one message; the recipients of all are listed");
    } catch (const ParseError&) {
      b.notes.push_back("the mbox holds more than one message; only the first could be read");
    }
  }
  if (b.recipients.empty()) b.notes.push_back("no bounced recipient could be found in this message");
  apply_output_limits(b, options);
  return b;
}

}  // namespace spfdoctor::bounce
