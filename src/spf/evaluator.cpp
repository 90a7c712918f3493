// check_host() (RFC 7208 §4-§6) as a coroutine over the DNS interface.
//
// The shape follows the reference implementation, pyspf 2.0.14, wherever
// RFC 7208 leaves a choice, so that the two agree test for test: each record is
// first prepared term by term (syntax errors, macro expansion, the redirect
// lookup count, the exp= text) and then evaluated. Those choices are marked
// "pyspf:" and listed in docs/known-differences.md.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "dns/await.hpp"
#include "spf/macro.hpp"
#include "spfdoctor/record.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor {

namespace {

using dns::AnswerPtr;
using dns::RType;
using spf::Mechanism;
using spf::Record;
using spf::Term;
using spf::TermKind;

constexpr int kMaxLookups = 10;     // §4.6.4
constexpr int kMaxVoidLookups = 2;  // §4.6.4
constexpr int kMaxMxNames = 10;     // §4.6.4
constexpr int kMaxPtrNames = 10;    // §4.6.4
constexpr int kMaxRecursion = 20;
constexpr std::size_t kMaxIdentity = 1024;  // belt and braces; the lookup limit bounds depth first

// pyspf: a query name with an empty label or a label over 63 octets is not
// asked; it yields no data and is not a void lookup.
bool askable(std::string_view name) {
  if (name.empty()) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = name.find('.', start);
    auto len = (dot == std::string_view::npos ? name.size() : dot) - start;
    if (len == 0 || len > 63) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string ordinal(int n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class Evaluator {
 public:
  Evaluator(dns::Resolver& resolver, Query query, const EvalOptions& options)
      : resolver_(resolver), options_(options), query_(std::move(query)) {
    if (query_.sender == "<>") query_.sender.clear();
    // §4.3 / pyspf: a null sender is checked as postmaster@HELO; a sender
    // without a local part uses "postmaster" for the l macro.
    s_ = query_.sender;
    if (s_.empty() && !query_.helo.empty()) {
      s_ = "postmaster@" + query_.helo;
      eval_.identity = Identity::Helo;
    }
    if (query_.sender.empty()) {
      l_ = "postmaster";
      o_ = query_.helo;
    } else if (auto at = query_.sender.find('@'); at == std::string::npos) {
      l_ = "postmaster";
      o_ = query_.sender;
    } else {
      l_ = query_.sender.substr(0, at);
      if (l_.empty()) l_ = "postmaster";
      o_ = query_.sender.substr(at + 1);
    }
    const auto& ip = query_.ip;
    i_ = ip.to_dotted_nibbles();
    c_ = ip.to_string();
    v_ = ip.is_v4() ? "in-addr" : "ip6";
    r_ = query_.receiver.empty() ? "unknown" : query_.receiver;
    auto now =
        options_.timestamp != 0
            ? options_.timestamp
            : std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
    t_ = std::to_string(now);
    eval_.domain = o_;
    // A per-query timeout as long as the budget itself would allow no query
    // at all: then the budget is counted on top of one query's time.
    auto budget =
        options_.query_timeout >= options_.budget ? options_.budget + options_.query_timeout : options_.budget;
    deadline_ = std::chrono::steady_clock::now() + budget;
  }

  Task<Evaluation> run() {
    Result result = Result::None;
    std::optional<std::string> record;
    // RFC 5321 §4.5.3.1: a path is at most 256 octets, a domain 255. Far longer
    // identities are refused before they reach macro expansion.
    if (query_.sender.size() > kMaxIdentity || query_.helo.size() > kMaxIdentity) {
      eval_.result = Result::None;
      eval_.problem =
          fmt::format("the sender or HELO name is longer than {} octets; nothing was checked", kMaxIdentity);
      co_return std::move(eval_);
    }
    trace(0, "query", "check_host(ip={}, domain={}, sender={}) as {}", c_, o_, s_, to_string(eval_.identity));
    if (co_await fetch_spf(o_, 0, record)) {
      if (!record) {
        trace(0, "result", "{} publishes no SPF record: none", o_.empty() ? "(empty)" : o_);
        result = Result::None;
      } else {
        eval_.record = *record;
        if (!co_await check_record(*record, o_, 0, result)) result = failure_result_;
      }
    } else {
      result = failure_result_;
    }
    eval_.result = result;
    if (result == Result::PermError || result == Result::TempError) {
      eval_.problem = problem_;
      eval_.matched.reset();
      eval_.matched_domain.reset();
      eval_.match_path.clear();
    }
    if (result == Result::Fail && explanation_) eval_.explanation = explanation_;
    eval_.lookups = lookups_;
    eval_.void_lookups = voids_;
    trace(0, "result", "{}", to_string(result));
    co_return std::move(eval_);
  }

 private:
  // ---- failures -------------------------------------------------------------
  bool fail(Result r, std::string why) {
    failure_result_ = r;
    problem_ = std::move(why);
    trace(depth_, "error", "{}: {}", to_string(r), problem_);
    return false;
  }

  // Formats only when tracing is on: the trace is for people, not for speed.
  template <class... Args>
  void trace(int depth, std::string_view kind, fmt::format_string<Args...> format, Args&&... args) {
    if (!options_.trace) return;
    eval_.trace.push_back(TraceStep{depth, std::string(kind), fmt::format(format, std::forward<Args>(args)...)});
  }

  // §4.6.4: at most 10 terms that cause DNS lookups.
  bool count_lookup(const Term& term, std::string_view domain) {
    ++lookups_;
    if (lookups_ > kMaxLookups) {
      return fail(Result::PermError, fmt::format("more than {} DNS lookups: {} in the record of {} was the {}",
                                                 kMaxLookups, term.text, domain, ordinal(lookups_)));
    }
    return true;
  }

  // Looks at a DNS answer: maps errors to temperror and counts void lookups.
  bool accept(const dns::Answer& a, std::string_view name, RType type, bool ignore_void) {
    if (options_.trace) {
      std::string summary;
      if (a.ok()) {
        summary = a.records.empty() ? "no data" : fmt::format("{} record(s)", a.records.size());
      } else {
        summary = std::string(dns::to_string(a.status));
      }
      trace(depth_, "dns", "{} {} -> {}", name, dns::to_string(type), summary);
    }
    if (a.status != dns::Status::Ok && a.status != dns::Status::NxDomain) {
      return fail(Result::TempError, fmt::format("DNS {} for {} {}{}", dns::to_string(a.status), name,
                                                 dns::to_string(type), a.detail.empty() ? "" : ": " + a.detail));
    }
    if (!ignore_void && a.is_void()) {
      ++voids_;
      if (voids_ > kMaxVoidLookups) {
        return fail(Result::PermError,
                    fmt::format("more than {} void DNS lookups: {} {} was the {} lookup with no answer",
                                kMaxVoidLookups, name, dns::to_string(type), ordinal(voids_)));
      }
    }
    return true;
  }

  bool within_budget(std::string_view name, RType type) {
    if (std::chrono::steady_clock::now() + options_.query_timeout <= deadline_) return true;
    return fail(Result::TempError,
                fmt::format("the check ran past its {} s budget (RFC 7208 §4.6.4) before asking {} {}",
                            options_.budget.count() / 1000.0, name, dns::to_string(type)));
  }

  // The name as it goes to DNS: no trailing dot, lower case; nullopt when it
  // is not askable.
  static std::optional<std::string> query_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (!askable(name)) return std::nullopt;
    return dns::normalize_name(name);
  }

  // A prefetch hint (EvalOptions::prefetch); `budgeted` hints count toward
  // the per-check allowance of kMaxLookups.
  void hint(std::string_view target, RType type, bool budgeted) {
    if (!options_.prefetch) return;
    if (budgeted && prefetched_ >= kMaxLookups) return;
    auto name = query_name(target);
    if (!name) return;
    if (budgeted) ++prefetched_;
    resolver_.prefetch(*name, type);
  }

  // Hints for what a record's terms will ask, in record order.
  void prefetch_terms(const Record& rec, const std::vector<std::string>& targets,
                      const std::optional<std::string>& redirect) {
    if (!options_.prefetch) return;
    const bool v4 = query_.ip.is_v4();
    for (std::size_t k = 0; k < rec.terms.size(); ++k) {
      const Term& t = rec.terms[k];
      if (!t.is_mechanism() || targets[k].empty()) continue;
      switch (t.mechanism) {
        case Mechanism::Include:
          if (options_.record_overrides.empty() || !options_.record_overrides.contains(lower(targets[k])))
            hint(targets[k], RType::TXT, true);
          break;
        case Mechanism::A: hint(targets[k], v4 ? RType::A : RType::AAAA, true); break;
        case Mechanism::Mx: hint(targets[k], RType::MX, true); break;
        case Mechanism::Exists: hint(targets[k], RType::A, true); break;
        default: break;
      }
    }
    if (redirect) hint(*redirect, RType::TXT, true);
  }

  // Resolves `name`/`type`; `out` is null when the name is not askable.
  Task<bool> ask(std::string_view target, RType type, bool ignore_void, AnswerPtr& out) {
    out.reset();
    auto normalized = query_name(target);
    if (!normalized) co_return true;
    std::string name = std::move(*normalized);
    if (!within_budget(name, type)) co_return false;
    out = co_await dns::AnswerAwaiter(resolver_, name, type);
    co_return accept(*out, name, type, ignore_void);
  }

  // §4.4-4.5: the SPF record of `domain`, or none.
  Task<bool> fetch_spf(const std::string& domain, int depth, std::optional<std::string>& out) {
    out.reset();
    depth_ = depth;
    if (auto it = options_.record_overrides.empty() ? options_.record_overrides.end()
                                                    : options_.record_overrides.find(lower(domain));
        it != options_.record_overrides.end()) {
      trace(depth, "record", "{}: using the given record \"{}\"", domain, it->second);
      out = it->second;
      co_return true;
    }
    // §4.3: a malformed domain gives none without a query.
    if (!askable(domain)) co_return true;
    AnswerPtr answer;
    if (!co_await ask(domain, RType::TXT, false, answer)) co_return false;
    std::vector<std::string> found;
    for (const auto& rr : answer->records) {
      if (rr.strings.empty()) continue;
      auto joined = dns::joined_text(rr);
      if (spf::is_spf_record(joined)) found.push_back(std::move(joined));
    }
    if (found.size() > 1) {
      co_return fail(
          Result::PermError,
          fmt::format("{} publishes {} SPF records; exactly one is allowed (RFC 7208 §4.5)", domain, found.size()));
    }
    if (found.empty()) co_return true;
    if (!is_ascii(found.front())) {
      co_return fail(Result::PermError,
                     fmt::format("the SPF record of {} has non-ASCII bytes (RFC 7208 §3.1)", domain));
    }
    trace(depth, "record", "{}: \"{}\"", domain, found.front());
    out = std::move(found.front());
    co_return true;
  }

  // The "p" macro (§7.3): a validated name of the client, computed once.
  Task<bool> ensure_p(const std::string& domain) {
    if (p_) co_return true;
    std::vector<std::string> names;
    if (!co_await validated_ptrs(names)) co_return false;
    if (names.empty()) {
      p_ = "unknown";
    } else if (std::find(names.begin(), names.end(), domain) != names.end()) {
      p_ = domain;
    } else {
      p_ = names.front();
      std::string suffix = "." + domain;
      for (const auto& n : names) {
        if (n.ends_with(suffix)) {
          p_ = n;
          break;
        }
      }
    }
    co_return true;
  }

  // §5.5: names from the PTR answer (the first 10) whose address records hold
  // the client address.
  Task<bool> validated_ptrs(std::vector<std::string>& out) {
    out.clear();
    AnswerPtr ptrs;
    if (!co_await ask(query_.ip.reverse_name(), RType::PTR, false, ptrs)) co_return false;
    if (!ptrs) co_return true;
    RType type = query_.ip.is_v4() ? RType::A : RType::AAAA;
    int n = 0;
    for (const auto& rr : ptrs->records) {
      if (n++ >= kMaxPtrNames) break;
      hint(rr.target, type, false);
    }
    n = 0;
    for (const auto& rr : ptrs->records) {
      if (n++ >= kMaxPtrNames) break;
      AnswerPtr addrs;
      if (!co_await ask(rr.target, type, false, addrs)) co_return false;
      if (!addrs) continue;
      for (const auto& a : addrs->records) {
        if (a.address == query_.ip) {
          out.push_back(rr.target);
          break;
        }
      }
    }
    co_return true;
  }

  bool expand(const spf::MacroString& spec, const std::string& domain, bool explanation, std::string& out) {
    MacroValues v{s_, l_, o_, domain, i_, p_ ? *p_ : std::string("unknown"), v_, query_.helo, c_, r_, t_};
    out = expand_macros(spec, v, explanation);
    return true;
  }

  // pyspf expand_domain(): the current domain stands in for an absent
  // domain-spec, and is itself checked and expanded.
  Task<bool> target_of(const Term& term, const std::string& domain, std::string& out) {
    spf::MacroString implicit;
    const spf::MacroString* spec = &term.spec;
    if (!term.has_arg) {
      if (term.mechanism == Mechanism::A && spf::is_ip4_literal(domain)) {
        co_return fail(Result::PermError, fmt::format("\"{}\": use ip4:{} for an IPv4 address", term.text, domain));
      }
      if (!spf::has_valid_domain_end(domain)) {
        co_return fail(Result::PermError,
                       fmt::format("\"{}\": the current domain \"{}\" is not a valid domain", term.text, domain));
      }
      implicit = spf::compile_macro_string(domain, spf::MacroContext::DomainSpec);
      if (implicit.error) co_return fail(Result::PermError, fmt::format("\"{}\": {}", term.text, *implicit.error));
      spec = &implicit;
    }
    if (spec->uses_p && !co_await ensure_p(domain)) co_return false;
    expand(*spec, domain, false, out);
    if (out.empty()) co_return fail(Result::PermError, fmt::format("\"{}\" expands to an empty domain", term.text));
    co_return true;
  }

  // The exp= text (§6.2). Nothing that goes wrong here changes the result
  // (pyspf swallows every error), but void lookups made on the way still count.
  Task<bool> fetch_explanation(const std::string& target, const std::string& domain, int recursion) {
    auto saved_result = failure_result_;
    auto saved_problem = problem_;
    auto restore = [&] {
      failure_result_ = saved_result;
      problem_ = saved_problem;
    };
    auto normalized = query_name(target);
    if (!normalized) co_return true;
    std::string name = std::move(*normalized);
    if (std::chrono::steady_clock::now() + options_.query_timeout > deadline_) co_return true;
    AnswerPtr answer = co_await dns::AnswerAwaiter(resolver_, name, RType::TXT);
    if (options_.trace) {
      trace(depth_, "dns", "{} TXT (exp=) -> {}", name,
            answer->ok() ? fmt::format("{} record(s)", answer->records.size())
                         : std::string(dns::to_string(answer->status)));
    }
    if (!answer->ok()) co_return true;
    std::vector<std::string> texts;
    for (const auto& rr : answer->records) {
      if (rr.strings.empty()) continue;
      texts.push_back(dns::joined_text(rr));
    }
    if (texts.size() != 1 || !is_ascii(texts.front())) co_return true;
    auto ms = spf::compile_macro_string(texts.front(), spf::MacroContext::Explanation);
    if (ms.error) co_return true;
    if (ms.uses_p && !co_await ensure_p(domain)) {
      restore();
      co_return true;
    }
    std::string text;
    expand(ms, domain, true, text);
    if (!text.empty() && recursion == 0) explanation_ = std::move(text);
    co_return true;
  }

  // Evaluates one record (§4.6, §5, §6).
  Task<bool> check_record(const std::string& text, const std::string& domain, int recursion, Result& out) {
    if (recursion > kMaxRecursion) co_return fail(Result::PermError, "include nesting too deep");
    depth_ = recursion;
    auto parsed = spf::parse_record_cached(text);
    const Record& rec = *parsed;
    // Pass 1 (pyspf): terms in order; syntax errors, expansions, the redirect
    // lookup, and the exp= text.
    std::vector<std::string> targets(rec.terms.size());
    std::optional<std::string> redirect;
    for (std::size_t k = 0; k < rec.terms.size(); ++k) {
      const Term& t = rec.terms[k];
      if (t.error) {
        co_return fail(Result::PermError, fmt::format("syntax error in the record of {} at byte {}: {}", domain,
                                                      t.error_offset, *t.error));
      }
      switch (t.kind) {
        case TermKind::Redirect: {
          if (!count_lookup(t, domain)) co_return false;
          std::string target;
          if (t.spec.uses_p && !co_await ensure_p(domain)) co_return false;
          expand(t.spec, domain, false, target);
          if (target.empty()) co_return fail(Result::PermError, fmt::format("\"{}\" expands to nothing", t.text));
          redirect = std::move(target);
          break;
        }
        case TermKind::Explanation: {
          std::string target;
          if (t.spec.uses_p && !co_await ensure_p(domain)) co_return false;
          expand(t.spec, domain, false, target);
          if (!target.empty()) {
            (void)co_await fetch_explanation(target, domain, recursion);
          }
          break;
        }
        case TermKind::UnknownModifier:
          if (t.spec.uses_p && !co_await ensure_p(domain)) co_return false;
          break;
        case TermKind::Mechanism:
          if (t.needs_domain()) {
            if (!co_await target_of(t, domain, targets[k])) co_return false;
            if (t.mechanism == Mechanism::Include && targets[k] == domain) {
              co_return fail(Result::PermError,
                             fmt::format("\"{}\" in the record of {} includes itself", t.text, domain));
            }
          }
          break;
      }
    }
    prefetch_terms(rec, targets, redirect);
    // Pass 2: mechanisms left to right (§4.6.2).
    const bool v4 = query_.ip.is_v4();
    for (std::size_t k = 0; k < rec.terms.size(); ++k) {
      const Term& t = rec.terms[k];
      if (!t.is_mechanism()) continue;
      depth_ = recursion;
      trace(recursion, "term", "{}", t.text);
      bool match = false;
      const std::string& target = targets[k];
      switch (t.mechanism) {
        case Mechanism::All: match = true; break;
        case Mechanism::Include: {
          if (!count_lookup(t, domain)) co_return false;
          std::optional<std::string> sub;
          if (!co_await fetch_spf(target, recursion + 1, sub)) co_return false;
          if (!sub) {
            co_return fail(Result::PermError,
                           fmt::format("{} (included by {}) publishes no SPF record (RFC 7208 §5.2)", target, domain));
          }
          Result r = Result::None;
          if (!co_await check_record(*sub, target, recursion + 1, r)) co_return false;
          depth_ = recursion;
          match = r == Result::Pass;
          break;
        }
        case Mechanism::Exists: {
          if (!count_lookup(t, domain)) co_return false;
          AnswerPtr a;
          if (!co_await ask(target, RType::A, false, a)) co_return false;
          match = a && !a->records.empty();
          break;
        }
        case Mechanism::A: {
          if (!count_lookup(t, domain)) co_return false;
          AnswerPtr a;
          if (!co_await ask(target, v4 ? RType::A : RType::AAAA, false, a)) co_return false;
          match = a && any_in(*a, v4 ? t.cidr4.value_or(32) : t.cidr6.value_or(128));
          break;
        }
        case Mechanism::Mx: {
          if (!count_lookup(t, domain)) co_return false;
          AnswerPtr mx;
          if (!co_await ask(target, RType::MX, false, mx)) co_return false;
          if (!mx) break;
          if (mx->records.size() > static_cast<std::size_t>(kMaxMxNames)) {
            co_return fail(Result::PermError,
                           fmt::format("{} has {} MX records; more than {} is an error (RFC 7208 §4.6.4)", target,
                                       mx->records.size(), kMaxMxNames));
          }
          // pyspf: every exchange is looked up (each may be a void lookup)
          // before any address is compared.
          std::vector<const dns::Record*> order;
          for (const auto& rr : mx->records) order.push_back(&rr);
          std::stable_sort(order.begin(), order.end(),
                           [](const dns::Record* x, const dns::Record* y) { return x->preference < y->preference; });
          int prefix = v4 ? t.cidr4.value_or(32) : t.cidr6.value_or(128);
          for (const auto* rr : order) hint(rr->target, v4 ? RType::A : RType::AAAA, false);
          for (const auto* rr : order) {
            AnswerPtr a;
            if (!co_await ask(rr->target, v4 ? RType::A : RType::AAAA, false, a)) co_return false;
            if (a && any_in(*a, prefix)) match = true;
          }
          break;
        }
        case Mechanism::Ip4:
        case Mechanism::Ip6:
          match = t.network && t.network->address.family() == query_.ip.family() && t.network->contains(query_.ip);
          break;
        case Mechanism::Ptr: {
          if (!count_lookup(t, domain)) co_return false;
          std::vector<std::string> names;
          if (!co_await validated_ptrs(names)) co_return false;
          std::string want = lower(target);
          for (const auto& n : names) {
            std::string name = lower(n);
            if (name == want ||
                (name.size() > want.size() && name.ends_with(want) && name[name.size() - want.size() - 1] == '.')) {
              match = true;
              break;
            }
          }
          break;
        }
      }
      if (match) {
        out = spf::qualifier_result(t.qualifier);
        trace(recursion, "match", "{} matched: {}", t.text, to_string(out));
        // The branch of the include tree that decided: an include keeps the
        // path its record matched on; any other term ends the path here.
        auto level = static_cast<std::size_t>(recursion);
        if (t.mechanism != Mechanism::Include || path_.size() <= level) path_.resize(level + 1);
        path_[level] = MatchStep{domain, t.text};
        if (recursion == 0) {
          eval_.matched = t.text;
          eval_.matched_domain = domain;
          eval_.match_path = path_;
        }
        co_return true;
      }
    }
    if (redirect) {
      // §6.1: no mechanism matched; the redirect target's record decides.
      trace(recursion, "redirect", "redirect to {}", *redirect);
      std::optional<std::string> sub;
      if (!co_await fetch_spf(*redirect, recursion, sub)) co_return false;
      if (!sub) {
        co_return fail(
            Result::PermError,
            fmt::format("redirect target {} (from {}) publishes no SPF record (RFC 7208 §6.1)", *redirect, domain));
      }
      if (recursion == 0) explanation_.reset();  // the target's exp= applies, not ours
      co_return co_await check_record(*sub, *redirect, recursion, out);
    }
    out = Result::Neutral;  // §4.7: no match, no redirect
    trace(recursion, "default", "no term matched in {}: neutral", domain);
    if (recursion == 0) {
      eval_.matched.reset();
      eval_.matched_domain.reset();
      eval_.match_path.clear();
    }
    co_return true;
  }

  bool any_in(const dns::Answer& a, int prefix) const {
    for (const auto& rr : a.records) {
      if (rr.address.family() == query_.ip.family() && rr.address.same_network(query_.ip, prefix)) return true;
    }
    return false;
  }

  dns::Resolver& resolver_;
  const EvalOptions& options_;
  Query query_;
  Evaluation eval_;
  std::string s_, l_, o_, i_, c_, v_, r_, t_;
  std::optional<std::string> p_;
  std::optional<std::string> explanation_;
  std::vector<MatchStep> path_;
  std::chrono::steady_clock::time_point deadline_;
  int lookups_ = 0;
  int voids_ = 0;
  int prefetched_ = 0;
  int depth_ = 0;
  Result failure_result_ = Result::PermError;
  std::string problem_;
};

Task<Evaluation> run_evaluator(dns::Resolver& resolver, Query query, const EvalOptions& options) {
  Evaluator ev(resolver, std::move(query), options);
  co_return co_await ev.run();
}

}  // namespace

Task<Evaluation> evaluate_async(dns::Resolver& resolver, Query query, const EvalOptions& options) {
  return run_evaluator(resolver, std::move(query), options);
}

Evaluation evaluate(dns::Resolver& resolver, const Query& query, const EvalOptions& options) {
  auto task = evaluate_async(resolver, query, options);
  task.start();
  while (!task.done()) resolver.run_once();
  return task.take();
}

}  // namespace spfdoctor
