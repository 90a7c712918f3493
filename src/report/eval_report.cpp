#include <fmt/format.h>

#include "spfdoctor/report.hpp"

namespace spfdoctor::report {

namespace {

template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Records and DNS data may hold any bytes; JSON output must stay valid UTF-8.
// Control characters and bytes that are not UTF-8 are shown as \xNN.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len == 1 && (c < 0x20 || c == 0x7f)) ok = false;
    if (ok && len == 2 && c < 0xc2) ok = false;  // overlong
    if (!ok) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

nlohmann::json opt_printable(const std::optional<std::string>& v) {
  return v ? nlohmann::json(printable(*v)) : nlohmann::json(nullptr);
}

const char* color_of(Result r) {
  switch (r) {
    case Result::Pass: return "\033[32m";
    case Result::Fail:
    case Result::PermError: return "\033[31m";
    case Result::SoftFail:
    case Result::TempError: return "\033[33m";
    default: return "\033[36m";
  }
}

}  // namespace

nlohmann::json to_json(const Evaluation& e, bool with_trace) {
  nlohmann::json j;
  j["result"] = to_string(e.result);
  j["domain"] = printable(e.domain);
  j["identity"] = to_string(e.identity);
  j["record"] = opt_printable(e.record);
  j["matched"] = opt_printable(e.matched);
  j["matched_domain"] = opt_printable(e.matched_domain);
  j["explanation"] = opt_printable(e.explanation);
  j["problem"] = opt_printable(e.problem);
  auto& path = j["match_path"] = nlohmann::json::array();
  for (const auto& step : e.match_path) path.push_back({{"domain", printable(step.domain)}, {"term", printable(step.term)}});
  j["lookups"] = e.lookups;
  j["void_lookups"] = e.void_lookups;
  if (with_trace) {
    auto& t = j["trace"] = nlohmann::json::array();
    for (const auto& step : e.trace) {
      t.push_back({{"depth", step.depth}, {"kind", step.kind}, {"text", printable(step.text)}});
    }
  }
  return j;
}

std::string to_text(const Evaluation& e, const Query& q, bool color) {
  auto paint = [&](const char* code, std::string_view s) {
    return color ? fmt::format("{}{}\033[0m", code, s) : std::string(s);
  };
  std::string out;
  out += fmt::format("SPF {} for {} from {}\n", paint(color_of(e.result), to_string(e.result)), printable(e.domain),
                     q.ip.to_string());
  out += fmt::format("  identity     {} (sender {}, HELO {})\n", to_string(e.identity),
                     q.sender.empty() ? "<>" : printable(q.sender), q.helo.empty() ? "-" : printable(q.helo));
  out += fmt::format("  record       {}\n", e.record ? printable(*e.record) : "(none)");
  if (e.matched) out += fmt::format("  matched      {} (in {})\n", printable(*e.matched), printable(*e.matched_domain));
  if (e.explanation) out += fmt::format("  explanation  {}\n", printable(*e.explanation));
  if (e.problem) out += fmt::format("  problem      {}\n", printable(*e.problem));
  out += fmt::format("  lookups      {}/10, void lookups {}/2\n", e.lookups, e.void_lookups);
  if (!e.trace.empty()) {
    out += "  trace\n";
    for (const auto& step : e.trace) {
      out += fmt::format("    {:{}}{:<7} {}\n", "", step.depth * 2, step.kind, printable(step.text));
    }
  }
  return out;
}

}  // namespace spfdoctor::report
