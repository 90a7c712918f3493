#include <fmt/format.h>

#include "report/json_writer.hpp"
#include "spfdoctor/report.hpp"

namespace spfdoctor::report {

namespace {

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

template <JsonWriter W, class Text>
void opt_printable(W& w, const std::optional<Text>& v) {
  if (v) {
    w.printable(*v);
  } else {
    w.null();
  }
}

}  // namespace

// Keys in byte-wise order (see json_writer.hpp).
template <JsonWriter W>
void write_eval(W& w, const Evaluation& e, bool with_trace, const QueryEcho* echo) {
  w.begin_object();
  w.key("domain");
  w.printable(e.domain);
  w.key("explanation");
  opt_printable(w, e.explanation);
  if (echo != nullptr) {
    w.key("helo");
    w.string(echo->helo);
  }
  w.key("identity");
  w.string(to_string(e.identity));
  if (echo != nullptr) {
    w.key("ip");
    w.string(echo->ip);
  }
  w.key("lookups");
  w.integer(e.lookups);
  w.key("match_path");
  w.begin_array();
  for (const auto& step : e.match_path) {
    w.begin_object();
    w.key("domain");
    w.printable(step.domain);
    w.key("term");
    w.printable(step.term);
    w.end_object();
  }
  w.end_array();
  w.key("matched");
  opt_printable(w, e.matched);
  w.key("matched_domain");
  opt_printable(w, e.matched_domain);
  w.key("problem");
  opt_printable(w, e.problem);
  w.key("record");
  opt_printable(w, e.record);
  w.key("result");
  w.string(to_string(e.result));
  if (echo != nullptr) {
    w.key("sender");
    w.string(echo->sender);
  }
  if (with_trace) {
    w.key("trace");
    w.begin_array();
    for (const auto& step : e.trace) {
      w.begin_object();
      w.key("depth");
      w.integer(step.depth);
      w.key("kind");
      w.string(step.kind);
      w.key("text");
      w.printable(step.text);
      w.end_object();
    }
    w.end_array();
  }
  w.key("void_lookups");
  w.integer(e.void_lookups);
  w.end_object();
}

template void write_eval(JsonStringWriter&, const Evaluation&, bool, const QueryEcho*);
template void write_eval(JsonTreeWriter&, const Evaluation&, bool, const QueryEcho*);

nlohmann::json to_json(const Evaluation& e, bool with_trace) {
  JsonTreeWriter w;
  write_eval(w, e, with_trace, nullptr);
  return w.take();
}

void append_json_line(std::string& out, const Evaluation& e, bool with_trace, std::string_view ip,
                      std::string_view sender, std::string_view helo) {
  const QueryEcho echo{ip, sender, helo};
  out.reserve(out.size() + 512);  // a line without trace is about 470 bytes: no regrowth
  JsonStringWriter w(out);
  write_eval(w, e, with_trace, &echo);
  out += '\n';
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
