#include "spfdoctor/bounce_report.hpp"

#include <fmt/format.h>

#include "spfdoctor/report.hpp"

namespace spfdoctor::report {

namespace {

nlohmann::json str(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

}  // namespace

nlohmann::json to_json(const bounce::Bounce& b, const diagnose::Diagnosis& d) {
  nlohmann::json j;
  auto& rs = j["recipients"] = nlohmann::json::array();
  for (const auto& r : b.recipients) {
    const auto* info = bounce::describe_status(r.status);
    rs.push_back(
        {{"recipient", r.recipient},
         {"status", str(r.status)},
         {"reply_code", str(r.reply_code)},
         {"action", str(r.action)},
         {"remote_mta", str(r.remote_mta)},
         {"diagnostic", str(r.diagnostic)},
         {"reason", str(r.reason)},
         {"command", str(r.command)},
         {"status_meaning", info != nullptr ? nlohmann::json(std::string(info->meaning)) : nlohmann::json(nullptr)},
         {"last_attempt", str(r.last_attempt)}});
  }
  j["reporting_mta"] = str(b.reporting_mta);
  j["generating_server"] = str(b.generating_server);
  j["system"] = str(b.system);
  j["subject"] = str(b.subject);
  j["feedback_type"] = str(b.feedback_type);
  const auto& o = b.original;
  nlohmann::json received = nlohmann::json::array();
  for (const auto& h : o.received) {
    received.push_back({{"from_host", str(h.from_host)},
                        {"from_ip", str(h.from_ip)},
                        {"by_host", str(h.by_host)},
                        {"with", str(h.with)},
                        {"id", str(h.id)},
                        {"for", str(h.for_addr)},
                        {"date", str(h.date)}});
  }
  j["original"] = {{"from", str(o.from)},
                   {"envelope_from", str(o.envelope_from)},
                   {"to", str(o.to)},
                   {"subject", str(o.subject)},
                   {"message_id", str(o.message_id)},
                   {"date", str(o.date)},
                   {"sending_ip", str(o.sending_ip)},
                   {"sending_ip_source", str(o.sending_ip_source)},
                   {"received", received}};
  nlohmann::json causes = nlohmann::json::array();
  for (const auto& c : d.causes) {
    nlohmann::json cj = {{"id", c.id},           {"confidence", c.confidence},
                         {"summary", c.summary}, {"evidence", c.evidence},
                         {"fix", str(c.fix)},    {"how_to_confirm", str(c.how_to_confirm)}};
    if (!c.provider.empty()) cj["provider"] = c.provider;
    if (!c.include.empty()) cj["include"] = c.include;
    causes.push_back(cj);
  }
  nlohmann::json spf = nullptr;
  if (d.spf) {
    spf = to_json(d.spf->evaluation, true);
    spf["ip"] = d.spf->query.ip.to_string();
    spf["sender"] = d.spf->query.sender;
  }
  j["diagnosis"] = {{"kind", d.kind},
                    {"summary", d.summary},
                    {"causes", causes},
                    {"steps", d.steps},
                    {"spf", spf},
                    {"for_remote_admin", str(d.for_remote_admin)},
                    {"envelope_domain", str(d.envelope_domain)},
                    {"dns_checked", d.dns_checked}};
  j["notes"] = b.notes;
  return j;
}

std::string to_text(const bounce::Bounce& b, const diagnose::Diagnosis& d, bool color) {
  const char* bold = color ? "\x1b[1m" : "";
  const char* red = color ? "\x1b[31m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  std::string t;
  t += fmt::format("{}{}{}\n", bold, d.summary.empty() ? "Bounce read." : d.summary, reset);
  for (const auto& r : b.recipients) {
    t += fmt::format("\n{}{}{}  {} {} ({})\n", red, r.recipient, reset, r.status.empty() ? "-" : r.status, r.reply_code,
                     r.reason);
    if (!r.remote_mta.empty()) t += fmt::format("  remote server  {}\n", r.remote_mta);
    if (!r.diagnostic.empty()) t += fmt::format("  said           {}\n", r.diagnostic);
    if (const auto* info = bounce::describe_status(r.status)) t += fmt::format("  meaning        {}\n", info->meaning);
  }
  const auto& o = b.original;
  t += "\nOriginal message\n";
  auto line = [&](const char* k, const std::string& v) {
    if (!v.empty()) t += fmt::format("  {:<14} {}\n", k, v);
  };
  line("from", o.from);
  line("envelope from", o.envelope_from);
  line("to", o.to);
  line("subject", o.subject);
  line("message-id", o.message_id);
  line("date", o.date);
  line("sending IP", o.sending_ip.empty() ? "" : o.sending_ip + " (from the " + o.sending_ip_source + ")");
  if (!d.causes.empty()) {
    t += fmt::format("\n{}Causes{}\n", bold, reset);
    for (const auto& c : d.causes) {
      t += fmt::format("  [{}] {} ({})\n", c.id, c.summary, c.confidence);
      for (const auto& e : c.evidence) t += fmt::format("      - {}\n", e);
      if (!c.how_to_confirm.empty()) t += fmt::format("      confirm: {}\n", c.how_to_confirm);
    }
  }
  if (d.spf) {
    const auto& e = d.spf->evaluation;
    t += fmt::format("\nSPF now: {} for {} from {}{}\n", to_string(e.result), e.domain, d.spf->query.ip.to_string(),
                     e.record ? "\n  record  " + *e.record : "");
  }
  if (!d.steps.empty()) {
    t += fmt::format("\n{}What to do{}\n", bold, reset);
    int n = 1;
    for (const auto& s : d.steps) t += fmt::format("  {}. {}\n", n++, s);
  }
  if (!d.for_remote_admin.empty()) {
    t += fmt::format("\n{}For the receiving admin{}\n", bold, reset);
    t += d.for_remote_admin;
  }
  return t;
}

}  // namespace spfdoctor::report
