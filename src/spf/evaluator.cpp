// check_host() (RFC 7208 §4-§6) as a coroutine over the DNS interface.
//
// The shape follows the reference implementation, pyspf 2.0.14, wherever
// RFC 7208 leaves a choice, so that the two agree test for test: each record is
// first prepared term by term (syntax errors, macro expansion, the redirect
// lookup count, the exp= text) and then evaluated. Those choices are marked
// "pyspf:" and listed in docs/known-differences.md.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>
#include <unordered_map>
#include <utility>
#include <time.h>

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

// What a TXT answer says as SPF: how many SPF records it holds and the first,
// parsed. Answers are immutable and shared (zone memo, DNS cache), so this is
// worked out once per answer: a per-thread table keyed by the answer's
// address. The weak_ptr makes a reused address harmless: while it lives, the
// answer's memory block (make_shared) is not freed, so a live entry's address
// belongs to the answer it was made for, and an expired one is a miss.
struct SpfTxt {
  std::size_t count = 0;
  std::shared_ptr<const Record> first;
};

// The memo holds at most 4,096 answers and 32 MiB of parsed records
// (spf::footprint(), counted even when the parse cache has the same record:
// a bound, not a census). A giant record is not memoized: the result is
// handed out through `spare`, valid like a memo entry until the next call.
const SpfTxt& spf_of(const AnswerPtr& answer) {
  constexpr std::size_t kMaxEntries = 4096;
  constexpr std::size_t kMaxBytes = std::size_t{32} << 20;
  struct Entry {
    std::weak_ptr<const dns::Answer> owner;
    SpfTxt spf;
    std::size_t bytes = 0;
  };
  struct Memo {
    std::unordered_map<const dns::Answer*, Entry> map;
    std::size_t bytes = 0;
    SpfTxt spare;
  };
  thread_local Memo memo;
  if (auto it = memo.map.find(answer.get()); it != memo.map.end()) {
    if (!it->second.owner.expired()) return it->second.spf;
    memo.bytes -= it->second.bytes;
    memo.map.erase(it);
  }
  SpfTxt spf;
  std::string_view found;
  std::string joined;
  for (const auto& rr : answer->records) {
    if (rr.strings.empty()) continue;
    if (rr.strings.size() == 1) {  // almost every TXT record: its text is used in place
      if (!spf::is_spf_record(rr.strings.front())) continue;
      if (spf.count++ == 0) found = rr.strings.front();
    } else {
      auto text = dns::joined_text(rr);
      if (!spf::is_spf_record(text)) continue;
      if (spf.count++ == 0) {
        joined = std::move(text);
        found = joined;
      }
    }
  }
  if (spf.count == 1) spf.first = spf::parse_record_cached(found);
  const std::size_t cost = spf.first ? spf::footprint(*spf.first) : 0;
  if (cost > kMaxBytes / 8) {
    memo.spare = std::move(spf);
    return memo.spare;
  }
  if (memo.map.size() >= kMaxEntries || memo.bytes + cost > kMaxBytes) {
    memo.map.clear();
    memo.bytes = 0;
  }
  auto& entry = memo.map[answer.get()];
  entry.owner = answer;
  entry.spf = std::move(spf);
  entry.bytes = cost;
  memo.bytes += cost;
  return entry.spf;
}

class Evaluator {
 public:
  // `query` must outlive the evaluator (evaluate() holds it; evaluate_async
  // keeps a copy in its own frame).
  // The evaluation is made in `out`, which must outlive the evaluator too:
  // evaluate() hands the caller's own object, so nothing is moved at the end.
  Evaluator(dns::Resolver& resolver, const Query& query, const EvalOptions& options, Evaluation& out)
      : resolver_(resolver), options_(options), query_(query), eval_(out) {
    sender_ = query_.sender == "<>" ? std::string_view() : std::string_view(query_.sender);
    // §4.3 / pyspf: a null sender is checked as postmaster@HELO; a sender
    // without a local part uses "postmaster" for the l macro.
    s_ = sender_;
    if (s_.empty() && !query_.helo.empty()) {
      null_sender_ = "postmaster@" + query_.helo;
      s_ = null_sender_;
      eval_.identity = Identity::Helo;
    }
    if (sender_.empty()) {
      l_ = "postmaster";
      o_ = query_.helo;
    } else if (auto at = sender_.find('@'); at == std::string_view::npos) {
      l_ = "postmaster";
      o_ = sender_;
    } else {
      l_ = sender_.substr(0, at);
      if (l_.empty()) l_ = "postmaster";
      o_ = sender_.substr(at + 1);
    }
    v_ = query_.ip.is_v4() ? "in-addr" : "ip6";
    r_ = query_.receiver.empty() ? std::string_view("unknown") : std::string_view(query_.receiver);
    eval_.domain = std::string(o_);
    prefetch_ = options_.prefetch && resolver_.prefetches();
    // A per-query timeout as long as the budget itself would allow no query
    // at all: then the budget is counted on top of one query's time.
    auto budget =
        options_.query_timeout >= options_.budget ? options_.budget + options_.query_timeout : options_.budget;
    deadline_ = now() + budget;
  }

  // Evaluates into the evaluator's `out`.
  Task<bool> run() {
    Result result = Result::None;
    std::shared_ptr<const Record> record;
    // RFC 5321 §4.5.3.1: a path is at most 256 octets, a domain 255. Far longer
    // identities are refused before they reach macro expansion.
    if (sender_.size() > kMaxIdentity || query_.helo.size() > kMaxIdentity) {
      eval_.result = Result::None;
      eval_.problem =
          fmt::format("the sender or HELO name is longer than {} octets; nothing was checked", kMaxIdentity);
      co_return true;
    }
    if (options_.trace) {
      trace(0, "query", "check_host(ip={}, domain={}, sender={}) as {}", query_.ip.to_string(), o_, s_,
            to_string(eval_.identity));
    }
    if (co_await fetch_spf(o_, 0, record)) {
      if (!record) {
        trace(0, "result", "{} publishes no SPF record: none", o_.empty() ? "(empty)" : o_);
        result = Result::None;
      } else {
        eval_.record = SharedText(record, record->text);
        if (!co_await check_record(record, o_, nullptr, 0, result)) result = failure_result_;
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
    co_return true;
  }

 private:
  // ---- failures -------------------------------------------------------------
  bool fail(Result r, std::string why) {
    failure_result_ = r;
    problem_ = std::move(why);
    trace(depth_, "error", "{}: {}", to_string(r), problem_);
    return false;
  }

  // fail() with its message formatted here: in a coroutine, the formatted
  // string would be one more slot of the frame for every call site (GCC keeps
  // every temporary of a coroutine body in its frame).
  template <class... Args>
  bool failf(Result r, fmt::format_string<Args...> format, Args&&... args) {
    return fail(r, fmt::format(format, std::forward<Args>(args)...));
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

  // The budget's clock: the coarse monotonic clock (a few ms of resolution
  // against a 20 s budget) costs a fraction of the precise one.
  static std::chrono::steady_clock::time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }

  bool within_budget(std::string_view name, RType type) {
    if (now() + options_.query_timeout < deadline_) return true;
    return fail(Result::TempError,
                fmt::format("the check ran past its {} s budget (RFC 7208 §4.6.4) before asking {} {}",
                            options_.budget.count() / 1000.0, name, dns::to_string(type)));
  }

  // The name as it goes to DNS: no trailing dot, lower case (in `storage`
  // only when it had upper-case letters). False when it is not askable.
  static bool dns_name(std::string_view target, std::string& storage, std::string_view& name) {
    name = target;
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    bool upper = false;
    if (!askable(name, upper)) return false;
    if (upper) {
      storage = dns::normalize_name(name);
      name = storage;
    }
    return true;
  }

  // A prefetch hint (EvalOptions::prefetch); `budgeted` hints count toward
  // the per-check allowance of kMaxLookups.
  void hint(std::string_view target, RType type, bool budgeted) {
    if (!prefetch_) return;
    if (budgeted && prefetched_ >= kMaxLookups) return;
    std::string lowered;
    std::string_view name;
    if (!dns_name(target, lowered, name)) return;
    if (budgeted) ++prefetched_;
    resolver_.prefetch(name, type);
  }

  // Hints for what a record's terms will ask, in record order.
  void prefetch_terms(const Record& rec, const std::string_view* targets,
                      const std::optional<std::string>& redirect) {
    if (!prefetch_) return;
    const bool v4 = query_.ip.is_v4();
    bool first = true;  // the first lookup is asked at once anyway
    const std::size_t n = rec.terms.size();
    for (std::size_t k = 0; k < n; ++k) {
      const Term& t = rec.terms[k];
      if (!t.is_mechanism() || targets[k].empty()) continue;
      if (std::exchange(first, false)) continue;
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

  // ask() and fetch_spf() are on every check's path, so they are awaitables
  // rather than coroutines: their steps before and after their one DNS query
  // run in the awaiting coroutine's frame, and they need no frame (allocation,
  // start, hand-back) of their own. A query answered at once (zone data, a
  // warm cache) never suspends.
  class QueryStep : public dns::Waiter {
   public:
    void await_suspend(std::coroutine_handle<> h) { handle_ = h; }
    void complete(AnswerPtr answer) override {
      answer_ = std::move(answer);
      // Nothing may touch members after resume(): the coroutine may destroy us.
      if (handle_) std::exchange(handle_, {}).resume();
    }

   protected:
    explicit QueryStep(Evaluator& ev) : ev_(ev) {}
    ~QueryStep() = default;
    QueryStep(const QueryStep&) = delete;
    QueryStep& operator=(const QueryStep&) = delete;
    // Asks name_; true when the answer came at once.
    bool submit(RType type) {
      asked_ = true;
      ev_.resolver_.submit(name_, type, *this);
      return answer_ != nullptr;
    }

    Evaluator& ev_;
    std::string lowered_;   // the name in lower case, when it had upper case
    std::string_view name_;  // the name asked (views the target or lowered_)
    AnswerPtr answer_;
    std::coroutine_handle<> handle_;
    bool asked_ = false;
    bool decided_ = true;  // the outcome when nothing was asked
  };

  // Resolves `name`/`type`; `out` is null when the name is not askable.
  class Ask final : public QueryStep {
   public:
    Ask(Evaluator& ev, std::string_view target, RType type, bool ignore_void, AnswerPtr& out)
        : QueryStep(ev), target_(target), type_(type), ignore_void_(ignore_void), out_(out) {}
    bool await_ready() {
      out_.reset();
      if (!dns_name(target_, lowered_, name_)) return true;
      if (!ev_.within_budget(name_, type_)) {
        decided_ = false;
        return true;
      }
      return submit(type_);
    }
    bool await_resume() {
      if (!asked_) return decided_;
      out_ = std::move(answer_);
      return ev_.accept(*out_, name_, type_, ignore_void_);
    }

   private:
    std::string_view target_;
    RType type_;
    bool ignore_void_;
    AnswerPtr& out_;
  };
  Ask ask(std::string_view target, RType type, bool ignore_void, AnswerPtr& out) {
    return Ask(*this, target, type, ignore_void, out);
  }

  // §4.4-4.5: the SPF record of `domain` (parsed), or none.
  class FetchSpf final : public QueryStep {
   public:
    FetchSpf(Evaluator& ev, std::string_view domain, int depth, bool query_name, std::shared_ptr<const Record>& out)
        : QueryStep(ev), domain_(domain), depth_(depth), query_name_(query_name), out_(out) {}
    bool await_ready() {
      if (!ev_.fetch_spf_needs_query(domain_, depth_, query_name_, out_, lowered_, name_, decided_)) return true;
      return submit(RType::TXT);
    }
    bool await_resume() {
      if (!asked_) return decided_;
      return ev_.fetch_spf_answered(answer_, domain_, depth_, name_, out_);
    }

   private:
    std::string_view domain_;
    int depth_;
    bool query_name_;
    std::shared_ptr<const Record>& out_;
  };
  // `query_name`: `domain` is known to go to DNS as it is (a constant
  // domain-spec checked at parse time, MacroString::constant_is_query_name).
  FetchSpf fetch_spf(std::string_view domain, int depth, std::shared_ptr<const Record>& out,
                     bool query_name = false) {
    return FetchSpf(*this, domain, depth, query_name, out);
  }

  // fetch_spf() up to its query: false when the outcome (`decided`) is known
  // without one; otherwise `name` is the name to ask for TXT.
  bool fetch_spf_needs_query(std::string_view domain, int depth, bool query_name, std::shared_ptr<const Record>& out,
                             std::string& lowered, std::string_view& name, bool& decided) {
    out.reset();
    depth_ = depth;
    decided = true;
    if (auto it = options_.record_overrides.empty() ? options_.record_overrides.end()
                                                    : options_.record_overrides.find(lower(domain));
        it != options_.record_overrides.end()) {
      trace(depth, "record", "{}: using the given record \"{}\"", domain, it->second);
      // The checks a published record gets (§4.5, §3.1): not SPF is none.
      if (!spf::is_spf_record(it->second)) return false;
      auto parsed = spf::parse_record_cached(it->second);
      if (!parsed->ascii) {
        decided = fail(Result::PermError,
                       fmt::format("the SPF record of {} has non-ASCII bytes (RFC 7208 §3.1)", domain));
        return false;
      }
      out = std::move(parsed);
      return false;
    }
    // §4.3: a malformed domain gives none without a query (dns_name() checks
    // the labels; a trailing dot, which it would drop, is malformed here).
    if (query_name) {
      name = domain;
    } else {
      if (domain.empty() || domain.back() == '.') return false;
      if (!dns_name(domain, lowered, name)) return false;
    }
    if (!within_budget(name, RType::TXT)) {
      decided = false;
      return false;
    }
    return true;
  }

  // fetch_spf() once its TXT answer is in.
  bool fetch_spf_answered(const AnswerPtr& answer, std::string_view domain, int depth, std::string_view name,
                          std::shared_ptr<const Record>& out) {
    if (!accept(*answer, name, RType::TXT, false)) return false;
    const SpfTxt& spf = spf_of(answer);
    const std::size_t count = spf.count;
    if (count > 1) {
      return fail(Result::PermError,
                  fmt::format("{} publishes {} SPF records; exactly one is allowed (RFC 7208 §4.5)", domain, count));
    }
    if (count == 0) return true;
    if (!spf.first->ascii) {
      return fail(Result::PermError, fmt::format("the SPF record of {} has non-ASCII bytes (RFC 7208 §3.1)", domain));
    }
    trace(depth, "record", "{}: \"{}\"", domain, spf.first->text);
    out = spf.first;
    return true;
  }

  // The "p" macro (§7.3): a validated name of the client, computed once.
  Task<bool> ensure_p(std::string_view domain) {
    if (p_) co_return true;
    std::vector<std::string> names;
    if (!co_await validated_ptrs(names)) co_return false;
    if (names.empty()) {
      p_ = "unknown";
    } else if (std::find(names.begin(), names.end(), domain) != names.end()) {
      p_ = domain;
    } else {
      p_ = names.front();
      std::string suffix = "." + std::string(domain);
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

  bool expand(const spf::MacroString& spec, std::string_view domain, bool explanation, std::string& out) {
    // i, c and t are made only when a macro asks for them.
    if (spec.uses('i') && i_.empty()) i_ = query_.ip.to_dotted_nibbles();
    if (spec.uses('c') && c_.empty()) c_ = query_.ip.to_string();
    if (spec.uses('t') && t_.empty()) {
      auto now = options_.timestamp != 0 ? options_.timestamp
                                         : std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count();
      t_ = std::to_string(now);
    }
    MacroValues v{s_, l_, o_, domain, i_, p_ ? std::string_view(*p_) : std::string_view("unknown"),
                  v_, query_.helo, c_, r_, t_};
    out = expand_macros(spec, v, explanation);
    return true;
  }

  // pyspf expand_domain(): the current domain stands in for an absent
  // domain-spec, and is itself checked and expanded. `out` views the term's
  // constant expansion, the current domain, or `storage`.
  Task<bool> target_of(const Term& term, std::string_view domain, std::string& storage, std::string_view& out) {
    spf::MacroString implicit;
    const spf::MacroString* spec = &term.spec;
    if (term.has_arg && term.spec.constant) {
      out = *term.spec.constant;
    } else {
      if (!term.has_arg) {
        if (term.mechanism == Mechanism::A && spf::is_ip4_literal(domain)) {
          co_return failf(Result::PermError, "\"{}\": use ip4:{} for an IPv4 address", term.text, domain);
        }
        if (!spf::has_valid_domain_end(domain)) {
          co_return failf(Result::PermError, "\"{}\": the current domain \"{}\" is not a valid domain", term.text,
                          domain);
        }
        if (domain.back() != '.' && domain.size() <= 253 && domain.find('%') == std::string_view::npos) {
          // No macro, no trailing dot, not over 253 octets: the domain is
          // its own expansion (what compiling it would find, without the work).
          out = domain;
          co_return true;
        }
        implicit = spf::compile_macro_string(domain, spf::MacroContext::DomainSpec);
        if (implicit.error) co_return failf(Result::PermError, "\"{}\": {}", term.text, *implicit.error);
        spec = &implicit;
      }
      if (spec->constant && *spec->constant == domain) {
        out = domain;  // the usual implicit case: the domain expands to itself
      } else {
        if (spec->uses_p && !co_await ensure_p(domain)) co_return false;
        expand(*spec, domain, false, storage);
        out = storage;
      }
    }
    if (out.empty()) co_return failf(Result::PermError, "\"{}\" expands to an empty domain", term.text);
    co_return true;
  }

  // The exp= text (§6.2). Nothing that goes wrong here changes the result
  // (pyspf swallows every error), but void lookups made on the way still count.
  Task<bool> fetch_explanation(std::string_view target, std::string_view domain, int recursion) {
    auto saved_result = failure_result_;
    auto saved_problem = problem_;
    auto restore = [&] {
      failure_result_ = saved_result;
      problem_ = saved_problem;
    };
    std::string lowered;
    std::string_view name;
    if (!dns_name(target, lowered, name)) co_return true;
    if (now() + options_.query_timeout >= deadline_) co_return true;
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

  // The mx mechanism (§5.4), out of check_record() so that its locals are
  // not part of every record's frame (GCC keeps each local of a coroutine
  // body in the frame, whichever branch it is in: check_record's was 2,224
  // bytes, one for each record of a check in flight).
  Task<bool> match_mx(const Term& t, std::string_view target, bool v4, bool& match) {
    AnswerPtr mx;
    if (!co_await ask(target, RType::MX, false, mx)) co_return false;
    if (!mx) co_return true;
    if (mx->records.size() > static_cast<std::size_t>(kMaxMxNames)) {
      co_return failf(Result::PermError, "{} has {} MX records; more than {} is an error (RFC 7208 §4.6.4)", target,
                      mx->records.size(), kMaxMxNames);
    }
    // pyspf: every exchange is looked up (each may be a void lookup)
    // before any address is compared.
    std::vector<const dns::Record*> order;
    for (const auto& rr : mx->records) order.push_back(&rr);
    std::stable_sort(order.begin(), order.end(),
                     [](const dns::Record* x, const dns::Record* y) { return x->preference < y->preference; });
    const int prefix = v4 ? t.cidr4.value_or(32) : t.cidr6.value_or(128);
    for (const auto* rr : order) hint(rr->target, v4 ? RType::A : RType::AAAA, false);
    for (const auto* rr : order) {
      AnswerPtr a;
      if (!co_await ask(rr->target, v4 ? RType::A : RType::AAAA, false, a)) co_return false;
      if (a && any_in(*a, prefix)) match = true;
    }
    co_return true;
  }

  // The ptr mechanism (§5.5), out of check_record() for the same reason.
  Task<bool> match_ptr(std::string_view target, bool& match) {
    std::vector<std::string> names;
    if (!co_await validated_ptrs(names)) co_return false;
    const std::string want = lower(target);
    for (const auto& n : names) {
      const std::string name = lower(n);
      if (name == want ||
          (name.size() > want.size() && name.ends_with(want) && name[name.size() - want.size() - 1] == '.')) {
        match = true;
        break;
      }
    }
    co_return true;
  }

  // A term of `held` (the record of `domain`) matched: its result goes to
  // `out`, and the branch of the include tree that decided is recorded. An
  // include keeps the path its record matched on; any other term ends the
  // path here. Below the top only a pass can be on that path (an include
  // matches on pass alone, §5.2), so other matches there record nothing.
  void on_match(const Term& t, const std::shared_ptr<const Record>& held, std::string_view domain,
                const std::shared_ptr<const Record>* domain_owner, int recursion, Result& out) {
    out = spf::qualifier_result(t.qualifier);
    if (options_.trace) trace(recursion, "match", "{} matched: {}", t.text, to_string(out));
    if (recursion == 0 || out == Result::Pass) {
      auto level = static_cast<std::size_t>(recursion);
      MatchStep step{domain_owner ? SharedText(*domain_owner, domain) : SharedText(domain), SharedText(held, t.text)};
      if (t.mechanism != Mechanism::Include || path_.size() <= level) {
        path_.reserve(level + 1);  // the deepest step comes first: one allocation for the path
        path_.resize(level);
        path_.push_back(std::move(step));
      } else {
        path_[level] = std::move(step);
      }
    }
    if (recursion == 0) {
      eval_.matched = path_[0].term;
      eval_.matched_domain = path_[0].domain;
      eval_.match_path = std::move(path_);  // a top-level match ends the check
    }
  }

  // Evaluates one record (§4.6, §5, §6).
  // `held` and `domain` outlive the call (the caller holds them). When
  // `domain_owner` is set, `domain` is text inside that record (an include's
  // constant target), which the match path then shares instead of copying.
  Task<bool> check_record(const std::shared_ptr<const Record>& held, std::string_view domain,
                          const std::shared_ptr<const Record>* domain_owner, int recursion, Result& out) {
    const Record& rec = *held;
    if (recursion > kMaxRecursion) co_return fail(Result::PermError, "include nesting too deep");
    depth_ = recursion;
    // Pass 1 (pyspf): terms in order; syntax errors, expansions, the redirect
    // lookup, and the exp= text. Targets view the terms' constant expansions
    // or the current domain; only macro expansions need storage of their own.
    constexpr std::size_t kInline = 16;
    // Left uninitialised (pass 1 sets each mechanism's entry before pass 2 or
    // the prefetch hints read it): zeroing all 16 cost more than the rest.
    union InlineTargets {
      InlineTargets() {}
      std::string_view at[kInline];
    } inline_targets;
    std::vector<std::string_view> more_targets;
    std::string_view* targets = inline_targets.at;
    // The term count, read once: size() divides by sizeof(Term), and in a
    // coroutine nothing stays in a register across the loops.
    const std::size_t count = rec.terms.size();
    const Term* const terms = rec.terms.data();
    if (count > kInline) {
      more_targets.resize(count);
      targets = more_targets.data();
    }
    std::vector<std::string> expansions;  // stable: reserved before the first use
    std::optional<std::string> redirect;
    for (std::size_t k = 0; k < count; ++k) {
      const Term& t = terms[k];
      if (t.error) {
        co_return failf(Result::PermError, "syntax error in the record of {} at byte {}: {}", domain, t.error_offset,
                        *t.error);
      }
      switch (t.kind) {
        case TermKind::Redirect: {
          if (!count_lookup(t, domain)) co_return false;
          std::string target;
          if (t.spec.uses_p && !co_await ensure_p(domain)) co_return false;
          expand(t.spec, domain, false, target);
          if (target.empty()) co_return failf(Result::PermError, "\"{}\" expands to nothing", t.text);
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
            if (t.has_arg && t.spec.constant && !t.spec.constant->empty()) {
              targets[k] = *t.spec.constant;  // no macros: expanded at parse time
            } else {
              if (expansions.empty()) expansions.reserve(count);
              if (!co_await target_of(t, domain, expansions.emplace_back(), targets[k])) co_return false;
            }
            if (t.mechanism == Mechanism::Include && targets[k] == domain) {
              co_return failf(Result::PermError, "\"{}\" in the record of {} includes itself", t.text, domain);
            }
          } else {
            targets[k] = {};
          }
          break;
      }
    }
    prefetch_terms(rec, targets, redirect);
    // Pass 2: mechanisms left to right (§4.6.2).
    const bool v4 = query_.ip.is_v4();
    for (std::size_t k = 0; k < count; ++k) {
      const Term& t = terms[k];
      if (!t.is_mechanism()) continue;
      depth_ = recursion;
      trace(recursion, "term", "{}", t.text);
      bool match = false;
      std::string_view target = targets[k];
      switch (t.mechanism) {
        case Mechanism::All: match = true; break;
        case Mechanism::Include: {
          if (!count_lookup(t, domain)) co_return false;
          std::shared_ptr<const Record> sub;
          // targets[k] is the term's constant when it has one (pass 1).
          const bool query_name = t.has_arg && t.spec.constant_is_query_name;
          // A constant target is text in this record: the path can share it.
          const bool constant = t.has_arg && t.spec.constant && target.data() == t.spec.constant->data();
          if (!co_await fetch_spf(target, recursion + 1, sub, query_name)) co_return false;
          if (!sub) {
            co_return failf(Result::PermError, "{} (included by {}) publishes no SPF record (RFC 7208 §5.2)", target,
                            domain);
          }
          Result r = Result::None;
          if (!co_await check_record(sub, target, constant ? &held : nullptr, recursion + 1, r)) co_return false;
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
        case Mechanism::Mx:
          if (!count_lookup(t, domain)) co_return false;
          if (!co_await match_mx(t, target, v4, match)) co_return false;
          break;
        case Mechanism::Ip4:
        case Mechanism::Ip6:
          match = t.network && t.network->address.family() == query_.ip.family() && t.network->contains(query_.ip);
          break;
        case Mechanism::Ptr:
          if (!count_lookup(t, domain)) co_return false;
          if (!co_await match_ptr(target, match)) co_return false;
          break;
      }
      if (match) {
        on_match(t, held, domain, domain_owner, recursion, out);
        co_return true;
      }
    }
    if (redirect) {
      // §6.1: no mechanism matched; the redirect target's record decides.
      trace(recursion, "redirect", "redirect to {}", *redirect);
      std::shared_ptr<const Record> sub;
      if (!co_await fetch_spf(*redirect, recursion, sub)) co_return false;
      if (!sub) {
        co_return failf(Result::PermError, "redirect target {} (from {}) publishes no SPF record (RFC 7208 §6.1)",
                        *redirect, domain);
      }
      if (recursion == 0) explanation_.reset();  // the target's exp= applies, not ours
      co_return co_await check_record(sub, *redirect, nullptr, recursion, out);
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
  const Query& query_;
  Evaluation& eval_;
  std::string_view sender_;          // the MAIL FROM, "<>" read as empty
  std::string null_sender_;          // "postmaster@HELO" for a null sender
  std::string_view s_, l_, o_, v_, r_;  // macro values (§7.3) that view the query
  std::string i_, c_, t_;            // made when a macro first asks

  std::optional<std::string> p_;
  std::optional<std::string> explanation_;
  std::vector<MatchStep> path_;
  std::chrono::steady_clock::time_point deadline_;
  int lookups_ = 0;
  int voids_ = 0;
  int prefetched_ = 0;
  bool prefetch_ = false;
  int depth_ = 0;
  Result failure_result_ = Result::PermError;
  std::string problem_;
};

// The task owns its copy of the query (in its frame, which the evaluator views).
Task<Evaluation> run_evaluator_owned(dns::Resolver& resolver, Query query, const EvalOptions& options) {
  Evaluation result;
  Evaluator ev(resolver, query, options, result);
  (void)co_await ev.run();
  co_return std::move(result);
}

}  // namespace

Task<Evaluation> evaluate_async(dns::Resolver& resolver, Query query, const EvalOptions& options) {
  return run_evaluator_owned(resolver, std::move(query), options);
}

Evaluation evaluate(dns::Resolver& resolver, const Query& query, const EvalOptions& options) {
  Evaluation result;
  {
    Evaluator ev(resolver, query, options, result);  // outlives the task: no frame of its own
    auto task = ev.run();
    task.start();
    while (!task.done()) resolver.run_once();
    (void)task.take();  // rethrows what the evaluation threw
  }
  return result;  // made in place (NRVO): never moved
}

}  // namespace spfdoctor
