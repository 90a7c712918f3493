// The bounce doctor's reasoning. Each cause says how sure it is: "confirmed"
// when the bounce or DNS proves it, "likely"/"possible" when it only fits the
// facts, with the way to confirm it.
#include "spfdoctor/diagnose.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "diagnose/providers.hpp"

namespace spfdoctor::diagnose {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string domain_of(std::string_view addr) {
  auto at = addr.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d = lower(addr.substr(at + 1));
  while (!d.empty() && (d.back() == '>' || d.back() == '.')) d.pop_back();
  return d;
}

std::string address_in(std::string_view s) {
  static const RE2 re("([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})");
  std::string a;
  RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re, &a);
  return lower(a);
}

bool ends_with(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

bool matches(std::string_view text, const RE2& re) {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

const RE2& spf_words() {
  static const RE2 re("(?i)\\bspf\\b|sender policy framework|not designate .* permitted sender");
  return re;
}
const RE2& dmarc_words() {
  static const RE2 re("(?i)\\bdmarc\\b");
  return re;
}
const RE2& outbound_spam_words() {
  static const RE2 re(
      "(?i)high[- ]risk delivery pool|\\bhrdp\\b|outbound spam|identified as spam by (?:microsoft|office 365)|"
      "relayed through the high risk|5\\.7\\.708|5\\.7\\.750|traffic not accepted from this ip");
  return re;
}
const RE2& no_a_mx_words() {
  static const RE2 re("(?i)(?:domain|sender).{0,40}(?:has )?no (?:valid )?(?:a|mx)(?: or (?:a|mx))? record");
  return re;
}

bool is_microsoft_host(std::string_view h) {
  const std::string l = lower(h);
  return ends_with(l, ".outlook.com") || ends_with(l, ".protection.outlook.com") ||
         ends_with(l, ".outlook.office365.com") || ends_with(l, ".exchangelabs.com");
}

Evaluation check_mechanism(dns::Resolver& r, const IpAddress& ip, std::string_view mechanism) {
  static constexpr std::string_view probe = "provider-check.spfdoctor.invalid";
  EvalOptions opts;
  opts.trace = false;
  opts.record_overrides[std::string(probe)] = "v=spf1 " + std::string(mechanism) + " -all";
  Query q{ip, "postmaster@" + std::string(probe), std::string(probe), "unknown"};
  return evaluate(r, q, opts);
}

bool has_records(dns::Resolver& r, const std::string& name, dns::RType t) {
  auto a = r.query(name, t);
  return a && a->ok() && !a->records.empty();
}

std::vector<std::string> included_domains(const std::string& record) {
  std::vector<std::string> out;
  static const RE2 re("(?i)(?:^|\\s)[+~?-]?(?:include:|redirect=)([^\\s]+)");
  re2::StringPiece in(record);
  std::string d;
  while (RE2::FindAndConsume(&in, re, &d)) out.push_back(lower(d));
  return out;
}

void add_step(std::vector<std::string>& steps, std::string s) {
  if (std::find(steps.begin(), steps.end(), s) == steps.end()) steps.push_back(std::move(s));
}

std::string quote_block(std::string_view s) {
  std::string out = "    ";
  std::size_t col = 4;
  for (char c : s) {
    out += c;
    ++col;
    if (c == ' ' && col > 90) {
      out += "\n    ";
      col = 4;
    }
  }
  return out;
}

}  // namespace

Diagnosis diagnose(const bounce::Bounce& b, const Options& options) {
  Diagnosis d;
  const bounce::RecipientReport* primary = nullptr;
  std::string kind = "none";
  for (const auto& r : b.recipients) {
    const std::string& st = r.status;
    const bool spf = ends_with(st, ".7.23") || ends_with(st, ".7.24") ||
                     (matches(r.diagnostic, spf_words()) && !matches(r.diagnostic, dmarc_words()));
    const bool dmarc =
        st == "5.7.509" || st == "5.7.515" || matches(r.diagnostic, dmarc_words()) || (ends_with(st, ".7.26") && !spf);
    if (spf) {
      primary = &r;
      kind = "spf";
      break;
    }
    if (dmarc && kind != "dmarc") {
      primary = &r;
      kind = "dmarc";
    }
  }
  if (primary == nullptr && !b.recipients.empty()) {
    primary = &b.recipients.front();
    kind = "other";
  }
  d.kind = kind;

  const auto& o = b.original;
  std::string envelope = o.envelope_from;
  std::string envelope_note;
  if (envelope.empty()) {
    envelope = address_in(o.from);
    if (!envelope.empty())
      envelope_note = "the bounce does not show the envelope sender; the From address is used instead";
  }
  d.envelope_domain = domain_of(envelope);
  std::optional<IpAddress> ip;
  if (!o.sending_ip.empty()) ip = IpAddress::parse_client(o.sending_ip);

  const std::string all_text = [&] {
    std::string t = b.subject + "\n";
    for (const auto& r : b.recipients) t += r.diagnostic + "\n";
    return t;
  }();
  const bool outbound_spam = matches(all_text, outbound_spam_words());
  bool microsoft_sender = is_microsoft_host(b.generating_server) || is_microsoft_host(b.reporting_mta);
  std::string microsoft_evidence;
  if (microsoft_sender) microsoft_evidence = "the bounce was written by Microsoft 365 (" + b.generating_server + ")";
  for (const auto& hop : o.received) {
    if (microsoft_sender) break;
    if (is_microsoft_host(hop.by_host) || is_microsoft_host(hop.from_host)) {
      microsoft_sender = true;
      microsoft_evidence = "the original message passed through Microsoft 365 (" +
                           (is_microsoft_host(hop.by_host) ? hop.by_host : hop.from_host) + ")";
    }
  }
  bool microsoft_ip_hop = false;  // the sending IP appears with a Microsoft host name
  for (const auto& hop : o.received)
    if (!o.sending_ip.empty() && hop.from_ip == o.sending_ip && is_microsoft_host(hop.from_host))
      microsoft_ip_hop = true;

  const std::string detail = primary != nullptr ? primary->diagnostic : std::string();
  auto cite = [&](const bounce::RecipientReport& r) {
    std::string s = r.status.empty() ? std::string() : r.status + " ";
    return fmt::format("the receiver said: \"{}\"", r.diagnostic.empty() ? s : r.diagnostic);
  };

  // --- Not an authentication problem at all.
  if (kind == "other" || kind == "none") {
    Cause c;
    c.id = "not-spf";
    c.confidence = kind == "none" ? "possible" : "confirmed";
    if (primary != nullptr) {
      const auto* info = bounce::describe_status(primary->status);
      c.summary = fmt::format("Not an SPF problem: {} ({}{}).", bounce::describe_reason(primary->reason),
                              primary->status.empty() ? "no status code" : "status " + primary->status,
                              info != nullptr ? ": " + std::string(info->meaning) : "");
      c.evidence.push_back(fmt::format("reason {} for {}", primary->reason, primary->recipient));
      if (!primary->diagnostic.empty()) c.evidence.push_back(cite(*primary));
      if (info != nullptr && !info->fix.empty()) c.fix = std::string(info->fix);
    } else {
      c.summary = "No bounced recipient was found in this message; it may not be a bounce.";
    }
    d.causes.push_back(c);
    d.summary = c.summary;
    if (!c.fix.empty()) add_step(d.steps, c.fix);
    add_step(d.steps, "Nothing in your SPF record needs to change for this bounce.");
  }

  // --- SPF / DMARC: re-check, then find the cause.
  std::optional<Evaluation> eval;
  bool no_a_mx = false;
  bool dns = options.resolver != nullptr;
  d.dns_checked = dns;
  const Provider* provider_for_ip = nullptr;
  bool ms_include_authorizes = false;
  bool ms_include_checked = false;
  bool microsoft_ptr = false;
  std::vector<std::string> record_includes;
  if ((kind == "spf" || kind == "dmarc") && dns && !d.envelope_domain.empty()) {
    auto& res = *options.resolver;
    if (ip) {
      Query q{*ip, envelope, b.generating_server.empty() ? "unknown" : b.generating_server, "unknown"};
      EvalOptions eo;
      eo.trace = true;
      Evaluation e = evaluate(res, q, eo);
      d.spf = SpfCheck{q, e};
      eval = e;
      if (e.record) record_includes = included_domains(e.record->str());
      if (e.result != Result::Pass) {
        for (const auto& p : providers()) {
          Evaluation pe = check_mechanism(res, *ip, p.mechanism);
          if (p.id == "microsoft365") {
            ms_include_checked = true;
            ms_include_authorizes = pe.result == Result::Pass;
          }
          if (pe.result == Result::Pass && provider_for_ip == nullptr) provider_for_ip = &p;
        }
      } else {
        Evaluation pe = check_mechanism(res, *ip, "include:spf.protection.outlook.com");
        ms_include_checked = true;
        ms_include_authorizes = pe.result == Result::Pass;
      }
    }
    if (ip) {
      // A Microsoft outbound server's reverse name (mail-...outbound.protection.outlook.com).
      auto ptr = res.query(ip->reverse_name(), dns::RType::PTR);
      if (ptr && ptr->ok())
        for (const auto& rr : ptr->records)
          if (is_microsoft_host(rr.target)) microsoft_ptr = true;
    }
    const bool has_a =
        has_records(res, d.envelope_domain, dns::RType::A) || has_records(res, d.envelope_domain, dns::RType::AAAA);
    const bool has_mx = has_records(res, d.envelope_domain, dns::RType::MX);
    no_a_mx = !has_a && !has_mx;
  }
  const bool no_a_mx_said = matches(all_text, no_a_mx_words());
  if (no_a_mx_said) no_a_mx = true;
  bool record_has_ms = false;
  for (const auto& inc : record_includes)
    if (const auto* p = find_provider_by_include(inc); p != nullptr && p->id == "microsoft365") record_has_ms = true;
  if (record_has_ms && !microsoft_sender) {
    microsoft_sender = true;
    microsoft_evidence =
        "the SPF record of " + d.envelope_domain + " includes spf.protection.outlook.com (Microsoft 365)";
  }

  if (kind == "spf" || kind == "dmarc") {
    std::vector<Cause> specific;
    std::optional<Cause> generic;

    if (kind == "dmarc") {
      Cause c;
      c.id = "dmarc-policy";
      c.confidence = "confirmed";
      c.summary =
          "The receiver rejected the message on the From domain's DMARC policy: neither SPF nor DKIM passed "
          "aligned with the From domain.";
      c.evidence.push_back(cite(*primary));
      c.fix =
          "Make SPF pass for the envelope domain and align it with the From domain, or sign with DKIM for the "
          "From domain; then keep the DMARC policy.";
      specific.push_back(c);
    }

    if (ip && in_microsoft_relay_pool(*ip)) {
      Cause c;
      c.id = "relay-pool";
      c.confidence = "confirmed";
      c.summary = fmt::format(
          "{} is in Microsoft 365's relay pool (40.95.0.0/16): the message was forwarded or relayed "
          "by Microsoft 365, and the original sender's SPF record cannot cover that pool.",
          o.sending_ip);
      c.evidence.push_back(fmt::format("sending IP {} (found in the {})", o.sending_ip, o.sending_ip_source));
      c.fix =
          "Do not try to add the relay pool to SPF. Sign the mail with DKIM (it survives forwarding), or have the "
          "forwarding tenant rewrite the sender (SRS) or deliver directly instead of forwarding.";
      specific.push_back(c);
    }

    if (no_a_mx) {
      Cause c;
      c.id = "domain-no-a-mx";
      c.confidence = "confirmed";
      c.summary = fmt::format(
          "{} has neither an A nor an MX record; Microsoft 365 sends mail from such domains "
          "through its High Risk Delivery Pool, whose IPs no SPF record covers.",
          d.envelope_domain);
      c.evidence.push_back(no_a_mx_said ? std::string("the bounce says the sending domain has no A or MX record")
                                        : fmt::format("DNS: no A, AAAA or MX record for {}", d.envelope_domain));
      c.fix = fmt::format("Publish an MX record (and/or an A record) for {}.", d.envelope_domain);
      specific.push_back(c);
    }

    if (eval) {
      const Evaluation& e = *eval;
      const std::string res = std::string(to_string(e.result));
      if (provider_for_ip != nullptr && (e.result == Result::Fail || e.result == Result::SoftFail ||
                                         e.result == Result::Neutral || e.result == Result::None)) {
        bool already = false;
        for (const auto& inc : record_includes)
          if (find_provider_by_include(inc) == provider_for_ip) already = true;
        if (!already && !(ip && in_microsoft_relay_pool(*ip))) {
          Cause c;
          c.id = "provider-include-missing";
          c.confidence = "confirmed";
          c.provider = std::string(provider_for_ip->name);
          c.include = std::string(provider_for_ip->mechanism);
          c.summary = fmt::format("{} is one of {}'s sending servers, but the SPF record of {} does not include it.",
                                  o.sending_ip, provider_for_ip->name, d.envelope_domain);
          c.evidence.push_back(
              fmt::format("{} authorizes {} (checked in DNS)", provider_for_ip->mechanism, o.sending_ip));
          c.evidence.push_back(e.record ? fmt::format("record of {}: {}", d.envelope_domain, *e.record)
                                        : fmt::format("{} publishes no SPF record", d.envelope_domain));
          c.fix = e.record ? fmt::format("Add {} to the SPF record of {} (before the all term).",
                                         provider_for_ip->mechanism, d.envelope_domain)
                           : fmt::format("Publish \"v=spf1 {} -all\" as a TXT record of {}.",
                                         provider_for_ip->mechanism, d.envelope_domain);
          specific.push_back(c);
        }
      }
      Cause g;
      g.evidence.push_back(fmt::format("spfdoctor eval --ip {} --sender {}: {}", o.sending_ip, envelope, res));
      if (!envelope_note.empty()) g.evidence.push_back(envelope_note);
      switch (e.result) {
        case Result::None:
          g.id = "spf-no-record";
          g.confidence = "confirmed";
          g.summary = fmt::format("{} publishes no SPF record, so no receiver can verify its mail.", d.envelope_domain);
          g.fix = fmt::format(
              "Publish one TXT record for {} that starts with v=spf1 and lists every server that "
              "sends its mail, ending in -all.",
              d.envelope_domain);
          break;
        case Result::PermError:
          g.id = "spf-permerror";
          g.confidence = "confirmed";
          g.summary =
              fmt::format("The SPF record of {} is broken: {}.", d.envelope_domain, e.problem.value_or("permerror"));
          if (e.record) g.evidence.push_back("record: " + e.record->str());
          if (e.problem) g.evidence.push_back("problem: " + *e.problem);
          g.fix = "Fix the record (run spfdoctor lint " + d.envelope_domain +
                  "): one v=spf1 record, valid terms, at "
                  "most 10 DNS-querying terms.";
          break;
        case Result::TempError:
          g.id = "spf-temperror";
          g.confidence = "likely";
          g.summary = fmt::format("The DNS of {} did not answer the SPF check: {}.", d.envelope_domain,
                                  e.problem.value_or("temperror"));
          g.fix = "Make the domain's DNS servers answer reliably (check every authoritative server).";
          break;
        case Result::Fail:
        case Result::SoftFail:
        case Result::Neutral:
          g.id = "spf-ip-not-authorized";
          g.confidence = "confirmed";
          g.summary = fmt::format("The SPF record of {} does not authorize {} (result {}).", d.envelope_domain,
                                  o.sending_ip, res);
          if (e.record) g.evidence.push_back("record: " + e.record->str());
          if (e.matched) g.evidence.push_back("deciding term: " + e.matched->str());
          g.fix = fmt::format(
              "Add the server that sent this mail ({}) to the SPF record of {}, e.g. ip{}:{}, or the "
              "include: of the service it belongs to.",
              o.sending_ip, d.envelope_domain, ip && ip->is_v4() ? "4" : "6", o.sending_ip);
          break;
        case Result::Pass:
          g.id = "spf-passes-now";
          g.confidence = "possible";
          g.summary = fmt::format(
              "The SPF record of {} authorizes {} now: either the record was fixed since, or the "
              "receiver saw a different IP than the one in the bounce.",
              d.envelope_domain, o.sending_ip);
          g.fix = "Ask the receiving admin which IP their server saw (their log for this message).";
          break;
      }
      if (kind == "spf" || e.result != Result::Pass) generic = g;
    }

    // Microsoft 365's High Risk Delivery Pool: the seed's step 2.
    {
      bool suspect = false;
      std::vector<std::string> ev;
      if (outbound_spam) {
        suspect = true;
        ev.push_back("the bounce says the message was treated as outbound spam / sent from a high-risk pool");
      }
      const bool spf_failed = eval && eval->result != Result::Pass && eval->result != Result::TempError;
      if (microsoft_sender && kind == "spf" && !(ip && in_microsoft_relay_pool(*ip))) {
        if (!dns || !ip) {
          suspect = true;
          ev.push_back(microsoft_evidence);
          ev.push_back(dns ? "the bounce does not show the IP the receiver saw"
                           : "not checked in DNS (--no-dns): the IP may be outside spf.protection.outlook.com");
        } else if (ms_include_checked && !ms_include_authorizes &&
                   (microsoft_ip_hop || in_microsoft_outbound_ranges(*ip) || spf_failed)) {
          if (microsoft_ip_hop || in_microsoft_outbound_ranges(*ip) || microsoft_ptr) {
            suspect = true;
            ev.push_back(microsoft_evidence);
            ev.push_back(fmt::format("spf.protection.outlook.com does not authorize {}", o.sending_ip));
          }
        } else if (eval && eval->result == Result::Pass) {
          suspect = true;
          ev.push_back(microsoft_evidence);
          ev.push_back(fmt::format("{} passes SPF now, yet the receiver reported an SPF failure", o.sending_ip));
        }
      }
      if (no_a_mx && microsoft_sender) {
        suspect = true;
        ev.push_back(fmt::format("{} has no A or MX record", d.envelope_domain));
      }
      if (suspect) {
        Cause c;
        c.id = "high-risk-pool-suspected";
        c.confidence = outbound_spam ? "likely" : "possible";
        c.summary =
            "Microsoft 365 may have sent this message through its High Risk Delivery Pool (outbound mail it "
            "judged to be spam, or from a domain without A/MX); those IPs pass no one's SPF.";
        c.evidence = ev;
        c.how_to_confirm =
            "Only the tenant's message trace proves it: in the Exchange admin center run a message trace for this "
            "message (or Get-MessageTraceDetail in Exchange Online PowerShell) and look at OutboundIpPoolName in the "
            "Send event's data: HighRiskPool means the High Risk Delivery Pool.";
        c.fix =
            "Find out why Microsoft judged the mail as spam (compromised account, bulk content, missing A/MX), fix "
            "that, and check the account is not restricted; SPF changes cannot cover that pool.";
        specific.push_back(c);
      }
    }

    if (!dns && kind == "spf") {
      Cause c;
      c.id = "spf-ip-not-authorized";
      c.confidence = "possible";
      c.summary = o.sending_ip.empty()
                      ? "The receiver says SPF failed; the bounce does not show the sending IP and DNS was not checked."
                      : fmt::format("The receiver says SPF failed for {}; not re-checked (--no-dns).", o.sending_ip);
      c.evidence.push_back(cite(*primary));
      c.how_to_confirm = o.sending_ip.empty() || d.envelope_domain.empty()
                             ? "Run spfdoctor lint on the sender's domain."
                             : fmt::format("Run: spfdoctor eval --ip {} --sender {}", o.sending_ip, envelope);
      c.fix = "List every server that sends the domain's mail in its SPF record.";
      generic = c;
    } else if (kind == "spf" && !generic) {
      Cause c;
      c.id = "spf-ip-not-authorized";
      c.confidence = "possible";
      c.summary =
          "The receiver says SPF failed, but the bounce does not show the sending IP or the sender's domain, so "
          "it could not be re-checked.";
      c.evidence.push_back(cite(*primary));
      c.how_to_confirm =
          "Find the sending IP in your outbound server's log, then run spfdoctor eval --ip IP --sender ADDR.";
      c.fix = "List every server that sends the domain's mail in its SPF record.";
      generic = c;
    }

    // Rank: what explains the failure best comes first.
    for (auto& c : specific)
      if (c.id != "dmarc-policy") d.causes.push_back(c);
    for (auto& c : specific)
      if (c.id == "dmarc-policy") d.causes.insert(d.causes.begin(), c);
    // The generic SPF result comes after the specific explanation of it.
    if (generic) d.causes.push_back(*generic);
    if (no_a_mx) {
      // domain-no-a-mx explains the pool and the failure: first.
      auto it = std::find_if(d.causes.begin(), d.causes.end(), [](const Cause& c) { return c.id == "domain-no-a-mx"; });
      if (it != d.causes.end()) std::rotate(d.causes.begin(), it, it + 1);
    }

    for (const auto& c : d.causes) {
      if (!c.how_to_confirm.empty() && c.confidence != "confirmed") add_step(d.steps, "Confirm: " + c.how_to_confirm);
      if (!c.fix.empty()) add_step(d.steps, c.fix);
    }
    if (!d.envelope_domain.empty())
      add_step(d.steps, fmt::format("Check the record after each change: spfdoctor lint {}{}", d.envelope_domain,
                                    o.sending_ip.empty() ? "" : " --ip " + o.sending_ip));
    add_step(d.steps, "If it still fails, send the text below (for_remote_admin) to the receiving server's admin.");
    d.summary = d.causes.empty() ? "The receiver rejected the message on SPF." : d.causes.front().summary;
  }

  // --- A short text for the receiving admin, quoting their server's words (seed step 3).
  if (primary != nullptr) {
    std::string t;
    t += "Hello,\n\n";
    t += fmt::format("Our message to {} was not accepted by your mail system", primary->recipient);
    if (!primary->remote_mta.empty()) t += " (" + primary->remote_mta + ")";
    const std::string when = !primary->last_attempt.empty() ? primary->last_attempt
                             : !b.bounce_date.empty()       ? b.bounce_date
                                                            : o.date;
    if (!when.empty()) t += " on " + when;
    t += ". Your server answered:\n\n";
    std::string words = primary->diagnostic.empty() ? primary->status : primary->diagnostic;
    t += quote_block(words) + "\n\n";
    std::vector<std::string> facts;
    if (!o.sending_ip.empty()) facts.push_back("sending IP " + o.sending_ip);
    if (!envelope.empty()) facts.push_back("envelope sender " + envelope);
    if (!o.message_id.empty()) facts.push_back("Message-ID " + o.message_id);
    if (!o.date.empty()) facts.push_back("sent " + o.date);
    if (!facts.empty()) {
      t += "The message details: ";
      for (std::size_t i = 0; i < facts.size(); ++i) t += (i ? ", " : "") + facts[i];
      t += ".\n";
    }
    if (d.spf) {
      const auto& e = d.spf->evaluation;
      t += fmt::format("Our SPF check of {} for that IP gives \"{}\"{}.\n", d.envelope_domain, to_string(e.result),
                       e.record ? " (record: " + e.record->str() + ")" : "");
    }
    if (kind == "spf" || kind == "dmarc")
      t += "Could you tell us which IP address and envelope sender your server saw for this message, and what your "
           "SPF/DMARC evaluation logged?\n";
    else
      t += "Could you tell us what your server logged for this message?\n";
    t += "\nThank you.\n";
    d.for_remote_admin = t;
  }
  return d;
}

}  // namespace spfdoctor::diagnose
