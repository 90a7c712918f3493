// Rendering lint reports: JSON for programs, a checker-page-like text for people.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "spfdoctor/lint_report.hpp"
#include "spfdoctor/report.hpp"

namespace spfdoctor::report {

namespace {

nlohmann::json node_json(const lint::TreeNode& n) {
  nlohmann::json j;
  j["domain"] = n.domain;
  j["via"] = n.via;
  j["term"] = n.term.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.term);
  j["record"] = n.record ? nlohmann::json(*n.record) : nlohmann::json(nullptr);
  j["records"] = n.records;
  j["lookups"] = n.lookups;
  j["own_lookups"] = n.own_lookups;
  j["void_lookups"] = n.void_lookups;
  j["ip4"] = n.ip4;
  j["ip6"] = n.ip6;
  j["mx_hosts"] = n.mx_hosts;
  j["problem"] = n.problem ? nlohmann::json(*n.problem) : nlohmann::json(nullptr);
  j["depends_on_sender"] = n.has_macros;
  auto& children = j["children"] = nlohmann::json::array();
  for (const auto& c : n.children) children.push_back(node_json(c));
  return j;
}

const char* severity_color(lint::Severity s) {
  switch (s) {
    case lint::Severity::Error: return "\033[31m";
    case lint::Severity::Warning: return "\033[33m";
    default: return "\033[36m";
  }
}

void tree_text(const lint::TreeNode& n, const std::string& indent, bool last, bool root, std::string& out) {
  std::string line = root ? "" : indent + (last ? "`-- " : "|-- ");
  std::string label = root ? n.domain : fmt::format("{} ({})", n.domain, n.via);
  out += fmt::format("  {}{}  [{} lookup{}{}]\n", line, label, n.lookups, n.lookups == 1 ? "" : "s",
                     n.void_lookups ? fmt::format(", {} void", n.void_lookups) : "");
  std::string child_indent = root ? "" : indent + (last ? "    " : "|   ");
  std::string pad = root ? "      " : child_indent + "      ";
  if (n.record) out += fmt::format("  {}{}\n", pad, *n.record);
  if (n.problem) out += fmt::format("  {}! {}\n", pad, *n.problem);
  std::vector<std::string> nets(n.ip4.begin(), n.ip4.end());
  nets.insert(nets.end(), n.ip6.begin(), n.ip6.end());
  if (!nets.empty()) {
    constexpr std::size_t kShown = 6;
    std::vector<std::string> shown(nets.begin(), nets.begin() + static_cast<long>(std::min(nets.size(), kShown)));
    out += fmt::format("  {}allows {}{}\n", pad, fmt::join(shown, " "),
                       nets.size() > kShown ? fmt::format(" (+{} more)", nets.size() - kShown) : "");
  }
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    tree_text(n.children[i], child_indent, i + 1 == n.children.size(), false, out);
  }
}

}  // namespace

nlohmann::json to_json(const lint::LintReport& r) {
  nlohmann::json j;
  j["domain"] = r.domain;
  j["record"] = r.record ? nlohmann::json(*r.record) : nlohmann::json(nullptr);
  j["records"] = r.records;
  j["record_given"] = r.record_given;
  j["lookups"] = r.lookups;
  j["void_lookups"] = r.void_lookups;
  j["lookup_limit"] = 10;
  j["void_lookup_limit"] = 2;
  j["max_mx_names"] = r.max_mx_names;
  j["tree"] = node_json(r.tree);
  auto& findings = j["findings"] = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json x;
    x["id"] = f.id;
    x["severity"] = lint::to_string(f.severity);
    x["message"] = f.message;
    x["fix"] = f.fix;
    x["domain"] = f.domain ? nlohmann::json(*f.domain) : nlohmann::json(nullptr);
    x["term"] = f.term ? nlohmann::json(*f.term) : nlohmann::json(nullptr);
    x["position"] = f.position ? nlohmann::json(*f.position) : nlohmann::json(nullptr);
    findings.push_back(std::move(x));
  }
  j["verdict"] = r.verdict;
  auto& providers = j["providers"] = nlohmann::json::array();
  for (const auto& p : r.providers) {
    providers.push_back(
        {{"provider", p.provider}, {"include", p.include}, {"detected_by", p.detected_by}, {"included", p.included}});
  }
  if (r.flatten) {
    j["flatten"] = {{"flatten", r.flatten->flatten},
                    {"record", r.flatten->record},
                    {"lookups_after", r.flatten->lookups_after},
                    {"note", r.flatten->note}};
  } else {
    j["flatten"] = nullptr;
  }
  j["ip_check"] = r.ip_check ? to_json(*r.ip_check, false) : nlohmann::json(nullptr);
  return j;
}

std::string to_text(const lint::LintReport& r, bool color) {
  auto paint = [&](const char* code, std::string_view s) {
    return color ? fmt::format("{}{}\033[0m", code, s) : std::string(s);
  };
  std::string out;
  const char* verdict_color = r.verdict == "ok" ? "\033[32m" : r.verdict == "warnings" ? "\033[33m" : "\033[31m";
  out += fmt::format("SPF check of {}: {}\n\n", r.domain, paint(verdict_color, r.verdict));
  out += fmt::format("  record   {}{}\n", r.record ? *r.record : "(none)", r.record_given ? "   (given with --record)" : "");
  if (r.records.size() > 1) {
    for (const auto& rec : r.records) out += fmt::format("           also: {}\n", rec);
  }
  int filled = std::min(r.lookups, 10);
  std::string gauge = std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(10 - filled), '.');
  out += fmt::format("  lookups  [{}] {}/10{}   void lookups {}/2\n\n", gauge, r.lookups,
                     r.lookups > 10 ? paint("\033[31m", fmt::format("  ({} over)", r.lookups - 10)) : "",
                     r.void_lookups);
  out += "Include tree\n";
  tree_text(r.tree, "", true, true, out);
  out += "\n";
  if (r.findings.empty()) {
    out += "Findings: none\n";
  } else {
    out += "Findings\n";
    for (const auto& f : r.findings) {
      out += fmt::format("  {} {}: {}\n", paint(severity_color(f.severity), fmt::format("{:<7}", lint::to_string(f.severity))),
                         f.id, f.message);
      out += fmt::format("          fix: {}\n", f.fix);
    }
  }
  for (const auto& p : r.providers) {
    out += fmt::format("\nProvider: {} (detected by {}): {}\n", p.provider, p.detected_by,
                       p.included ? fmt::format("include:{} is present", p.include)
                                  : fmt::format("add include:{}", p.include));
  }
  if (r.flatten) {
    out += fmt::format("\nTo get under 10 lookups, flatten {}:\n  {}\n  ({} lookups after; {})\n",
                       fmt::join(r.flatten->flatten, ", "), r.flatten->record, r.flatten->lookups_after,
                       r.flatten->note);
  }
  if (r.ip_check) {
    const auto& e = *r.ip_check;
    out += fmt::format("\nWould mail from this IP pass?  {}\n", to_string(e.result));
    for (const auto& step : e.match_path) out += fmt::format("  {} -> {}\n", step.domain, step.term);
    if (e.problem) out += fmt::format("  problem: {}\n", *e.problem);
  }
  return out;
}

}  // namespace spfdoctor::report
