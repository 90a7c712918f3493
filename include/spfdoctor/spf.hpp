// check_host() (RFC 7208 §4) with a trace of why.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <ostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spfdoctor/dns.hpp"
#include "spfdoctor/ip.hpp"
#include "spfdoctor/result.hpp"
#include "spfdoctor/task.hpp"

namespace spfdoctor {

enum class Identity : std::uint8_t { MailFrom, Helo };
[[nodiscard]] constexpr std::string_view to_string(Identity i) {
  return i == Identity::Helo ? "helo" : "mailfrom";
}

struct Query {
  IpAddress ip;
  std::string sender;                // MAIL FROM; empty (or "<>") means the null sender
  std::string helo;                  // HELO/EHLO name
  std::string receiver = "unknown";  // the "r" macro
};

struct EvalOptions {
  bool trace = true;
  // Records to use instead of what DNS publishes, by domain (lint --record).
  std::map<std::string, std::string> record_overrides;
  // The "t" macro; 0 means now.
  std::int64_t timestamp = 0;
  // RFC 7208 §4.6.4: a check that takes longer than this is a temperror
  // (checked before each DNS query).
  std::chrono::milliseconds budget{20000};
  // The longest one DNS query may take (the resolver's timeout). A query that
  // could end past the budget is not started, so a check never runs past it.
  std::chrono::milliseconds query_timeout{0};
  // Ask at once for the names a record's terms will need (include targets'
  // TXT, a/mx/exists names, every MX exchange's addresses), up to 10 names
  // per check beyond what is evaluated, so that a resolver with a cache
  // (CachingResolver) has them in flight together instead of one after
  // another. Results, counts and the trace are the same either way; only the
  // number of DNS queries can grow, when an early term matches.
  bool prefetch = true;
};

struct TraceStep {
  int depth = 0;
  std::string kind;  // record, term, dns, match, result, error, ...
  std::string text;
};

// Text an evaluation reports from a record (the record itself, the deciding
// term, an include's target): a view into the parsed record, which a shared
// pointer keeps alive, so a check copies no strings from its records. Text
// from elsewhere (the query's domain, a macro's expansion) is a copy of its
// own. Reads as a std::string_view; copies share.
class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string_view text) { copy(text); }         // NOLINT: implicit, like a string
  SharedText(const std::string& text) { copy(text); }       // NOLINT
  SharedText(const char* text) { copy(text); }              // NOLINT
  // A view into `owner`'s storage; without an owner the text is copied.
  SharedText(std::shared_ptr<const void> owner, std::string_view view) : owner_(std::move(owner)), view_(view) {
    if (!owner_) copy(view);
  }

  [[nodiscard]] std::string_view view() const noexcept { return view_; }
  operator std::string_view() const noexcept { return view_; }  // NOLINT: reads as a string_view
  [[nodiscard]] std::string str() const { return std::string(view_); }
  [[nodiscard]] bool empty() const noexcept { return view_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return view_.size(); }

  friend bool operator==(const SharedText& a, const SharedText& b) noexcept { return a.view_ == b.view_; }
  friend bool operator==(const SharedText& a, std::string_view b) noexcept { return a.view_ == b; }
  friend bool operator==(const SharedText& a, const std::string& b) noexcept { return a.view_ == b; }
  friend bool operator==(const SharedText& a, const char* b) noexcept { return a.view_ == b; }
  friend std::string operator+(std::string_view a, const SharedText& b) { return std::string(a).append(b.view_); }
  friend std::string operator+(const SharedText& a, std::string_view b) { return std::string(a.view_).append(b); }
  friend std::ostream& operator<<(std::ostream& os, const SharedText& t) { return os << t.view_; }

 private:
  // Text of its own: one block, shared by copies.
  void copy(std::string_view text) {
    if (text.empty()) {
      owner_.reset();
      view_ = {};
      return;
    }
    auto block = std::make_shared_for_overwrite<char[]>(text.size());
    std::memcpy(block.get(), text.data(), text.size());
    view_ = std::string_view(block.get(), text.size());
    owner_ = std::move(block);
  }

  std::shared_ptr<const void> owner_;  // keeps view_'s storage alive
  std::string_view view_;
};

// One step of the path through the include tree to the deciding term.
struct MatchStep {
  SharedText domain;  // whose record
  SharedText term;    // the term that matched there, as written
};

struct Evaluation {
  Result result = Result::None;
  Identity identity = Identity::MailFrom;
  std::string domain;                         // the domain whose policy was evaluated
  std::optional<SharedText> record;           // the top-level record, when one was found
  std::optional<SharedText> matched;          // the deciding term, as written
  std::optional<SharedText> matched_domain;   // the domain whose record holds it
  std::vector<MatchStep> match_path;          // top record first; ends at the deciding term
  std::optional<std::string> explanation;     // fail only: the expanded exp= text
  std::optional<std::string> problem;         // permerror/temperror: why
  int lookups = 0;
  int void_lookups = 0;
  std::vector<TraceStep> trace;
};

// Evaluates `query` (RFC 7208 §4). Never throws for bad DNS data or records.
[[nodiscard]] Task<Evaluation> evaluate_async(dns::Resolver& resolver, Query query, const EvalOptions& options);
// Same, driving the resolver until the answer is known.
[[nodiscard]] Evaluation evaluate(dns::Resolver& resolver, const Query& query, const EvalOptions& options = {});

// The default explanation receivers use when there is no exp= (pyspf's words).
inline constexpr std::string_view kDefaultExplanation = "SPF fail - not authorized";

}  // namespace spfdoctor
