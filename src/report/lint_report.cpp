// Rendering lint reports: JSON for programs, a checker-page-like text for people.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "report/json_writer.hpp"
#include "spfdoctor/lint_report.hpp"
#include "spfdoctor/report.hpp"

namespace spfdoctor::report {

namespace {

template <JsonWriter W>
void opt_string(W& w, const std::optional<std::string>& v) {
  if (v) {
    w.string(*v);
  } else {
    w.null();
  }
}

template <JsonWriter W>
void strings(W& w, const std::vector<std::string>& v) {
  w.begin_array();
  for (const auto& s : v) w.string(s);
  w.end_array();
}

// Keys in byte-wise order (see json_writer.hpp), here and in write_lint.
template <JsonWriter W>
void write_node(W& w, const lint::TreeNode& n) {
  w.begin_object();
  w.key("children");
  w.begin_array();
  for (const auto& c : n.children) write_node(w, c);
  w.end_array();
  w.key("depends_on_sender");
  w.boolean(n.has_macros);
  w.key("domain");
  w.string(n.domain);
  // Network::to_string() text (digits, hex, '.', ':', '/'): nothing to escape.
  w.key("ip4");
  w.plain_strings(n.ip4);
  w.key("ip6");
  w.plain_strings(n.ip6);
  w.key("lookups");
  w.integer(n.lookups);
  w.key("mx_hosts");
  strings(w, n.mx_hosts);
  w.key("own_lookups");
  w.integer(n.own_lookups);
  w.key("problem");
  opt_string(w, n.problem);
  w.key("record");
  opt_string(w, n.record);
  w.key("records");
  strings(w, n.records);
  w.key("term");
  if (n.term.empty()) {
    w.null();
  } else {
    w.string(n.term);
  }
  w.key("via");
  w.string(n.via);
  w.key("void_lookups");
  w.integer(n.void_lookups);
  w.end_object();
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

template <JsonWriter W>
void write_lint(W& w, const lint::LintReport& r) {
  w.begin_object();
  w.key("domain");
  w.string(r.domain);
  w.key("findings");
  w.begin_array();
  for (const auto& f : r.findings) {
    w.begin_object();
    w.key("domain");
    opt_string(w, f.domain);
    w.key("fix");
    w.string(f.fix);
    w.key("id");
    w.string(f.id);
    w.key("message");
    w.string(f.message);
    w.key("position");
    if (f.position) {
      w.integer(*f.position);
    } else {
      w.null();
    }
    w.key("severity");
    w.string(lint::to_string(f.severity));
    w.key("term");
    opt_string(w, f.term);
    w.end_object();
  }
  w.end_array();
  w.key("flatten");
  if (r.flatten) {
    w.begin_object();
    w.key("flatten");
    strings(w, r.flatten->flatten);
    w.key("lookups_after");
    w.integer(r.flatten->lookups_after);
    w.key("note");
    w.string(r.flatten->note);
    w.key("record");
    w.string(r.flatten->record);
    w.end_object();
  } else {
    w.null();
  }
  w.key("ip_check");
  if (r.ip_check) {
    write_eval(w, *r.ip_check, false, nullptr);
  } else {
    w.null();
  }
  w.key("lookup_limit");
  w.integer(10);
  w.key("lookups");
  w.integer(r.lookups);
  w.key("max_mx_names");
  w.integer(r.max_mx_names);
  w.key("providers");
  w.begin_array();
  for (const auto& p : r.providers) {
    w.begin_object();
    w.key("detected_by");
    w.string(p.detected_by);
    w.key("include");
    w.string(p.include);
    w.key("included");
    w.boolean(p.included);
    w.key("provider");
    w.string(p.provider);
    w.end_object();
  }
  w.end_array();
  w.key("record");
  opt_string(w, r.record);
  w.key("record_given");
  w.boolean(r.record_given);
  w.key("records");
  strings(w, r.records);
  w.key("tree");
  write_node(w, r.tree);
  w.key("verdict");
  w.string(r.verdict);
  w.key("void_lookup_limit");
  w.integer(2);
  w.key("void_lookups");
  w.integer(r.void_lookups);
  w.end_object();
}

template void write_lint(JsonStringWriter&, const lint::LintReport&);
template void write_lint(JsonTreeWriter&, const lint::LintReport&);

nlohmann::json to_json(const lint::LintReport& r) {
  JsonTreeWriter w;
  write_lint(w, r);
  return w.take();
}

void append_json_line(std::string& out, const lint::LintReport& r) {
  // Room for a typical line (3.5 KiB in the bench world) at once, rather
  // than growing through eight reallocations and copies.
  out.reserve(out.size() + 4096);
  JsonStringWriter w(out);
  write_lint(w, r);
  out += '\n';
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
