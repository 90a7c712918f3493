// The SPF checker (RFC 7208 §4.6.4 counting, §5 mechanisms, §6 modifiers).
//
// The linter walks every branch of the include/redirect tree, not just the
// one an evaluation would take, so that it can show the whole tree and count
// the worst case: a receiver may have to follow every include. It counts past
// the limits so that the user sees how far over they are.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "dns/await.hpp"
#include "lint/providers.hpp"
#include "lint/record_facts.hpp"
#include "spfdoctor/lint.hpp"
#include "spfdoctor/record.hpp"

namespace spfdoctor::lint {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
  }
  return "info";
}

namespace {

using dns::AnswerPtr;
using dns::RType;
using spf::Mechanism;
using spf::TermKind;

constexpr int kMaxLookups = 10;
constexpr int kMaxVoid = 2;
constexpr int kMaxMxNames = 10;
constexpr std::size_t kUdpLimit = 512;
constexpr int kMaxDepth = 20;
// The linter follows every branch, not just the ones an evaluation takes, so
// nothing like the 10-lookup limit stops it: a record including the same name
// twice, whose record does the same, doubles the work at each level (2^20
// records for 20 names). Real trees have a few dozen records at most.
constexpr int kMaxTreeRecords = 100;
constexpr int kMaxQueries = 500;
// The parsed records of the branch being walked stay in memory until it is
// done. A 64 KB record of one-letter terms parses to ~12 MB, and a chain of
// such records (each including the next) held them all: 21 of them took
// 355 MB. Past this many bytes held (approximate_bytes()), no more records
// are walked, as past the other limits.
constexpr std::size_t kMaxHeldBytes = std::size_t{64} << 20;
constexpr const char* kNotFollowed = "not followed: the tree is larger than spfdoctor follows";

bool has_macro(std::string_view s) { return s.find('%') != std::string_view::npos; }

// dns::normalize_name(s) == s: no trailing dot, no upper-case ASCII.
bool is_normalized(std::string_view s) {
  if (!s.empty() && s.back() == '.') return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// Size of a DNS response carrying these TXT records for `name` (RFC 1035
// §4.1): header, question, and each answer with a compressed owner name.
std::size_t txt_response_size(std::string_view name, const std::vector<dns::Record>& rrs) {
  std::size_t size = 12 + name.size() + 2 + 4;
  for (const auto& rr : rrs) {
    std::size_t rdata = 0;
    for (const auto& s : rr.strings) rdata += 1 + s.size();
    size += 2 + 10 + rdata;
  }
  return size;
}

class Linter {
 public:
  struct void_type {};

  Linter(dns::Resolver& r, std::string domain, LintOptions o)
      : resolver_(r), options_(std::move(o)) {
    report_.domain = dns::normalize_name(domain);
  }

  Task<LintReport> run() {
    TreeNode& root = report_.tree;
    root.domain = report_.domain;
    root.via = "top";
    Ancestors ancestors;
    co_await walk(root, ancestors, 0);
    report_.record = root.record;
    report_.records = root.records;
    report_.record_given = options_.record.has_value();
    sum_tree(root);
    report_.lookups = root.lookups;
    report_.void_lookups = total_voids_;
    totals_findings();
    co_await provider_advice();
    if (report_.lookups > kMaxLookups) suggest_flattening();
    if (options_.ip) co_await ip_check();
    finish();
    co_return std::move(report_);
  }

 private:
  void add(std::string id, Severity sev, std::string message, std::string fix, const TreeNode* node = nullptr,
           const spf::Term* term = nullptr) {
    // At most kMaxSameFindings of one id a record are listed; the rest are
    // counted, and finish() says how many. Counted only once the report has
    // that many findings at all (few do): then from the ones it has.
    if (report_.findings.size() >= kMaxSameFindings) {
      if (same_.empty()) {
        for (const auto& f : report_.findings) ++same_[{f.id, f.domain.value_or(std::string())}].seen;
      }
      auto& same = same_[{id, node ? node->domain : std::string()}];
      if (++same.seen > kMaxSameFindings) {
        if (same.seen == kMaxSameFindings + 1) {
          same.severity = sev;
          same.fix = std::move(fix);
        }
        return;
      }
    }
    Finding f{std::move(id), sev, std::move(message), std::move(fix), std::nullopt, std::nullopt, std::nullopt};
    if (node) f.domain = node->domain;
    if (term) {
      f.term = term->text;
      f.position = term->offset;
    }
    report_.findings.push_back(std::move(f));
  }

  // Whether another query or record may be looked at (kMaxQueries,
  // kMaxTreeRecords). Checked before ask() and walk() are called, not in
  // them: a coroutine that ends at once resumes its caller on the same stack
  // where the compiler makes no tail call (ASan builds), and a record of 2000
  // terms past the limit then overflowed the stack.
  bool may_query() {
    if (queries_ < kMaxQueries) return true;
    limit_hit_ = true;
    return false;
  }
  bool may_walk() {
    if (records_walked_ < kMaxTreeRecords && queries_ < kMaxQueries && held_bytes_ < kMaxHeldBytes) return true;
    limit_hit_ = true;
    return false;
  }

  // Asks and notes DNS failures as findings; returns null when it failed.
  Task<AnswerPtr> ask(const std::string& name, RType type, const TreeNode& node) {
    ++queries_;
    // Most names are normalized already (node domains, MX hosts): no copy then.
    std::string normalized;
    std::string_view q = name;
    if (!is_normalized(name)) {
      normalized = dns::normalize_name(name);
      q = normalized;
    }
    AnswerPtr a = co_await dns::AnswerAwaiter(resolver_, q, type);
    if (a->status != dns::Status::Ok && a->status != dns::Status::NxDomain) {
      add("dns-error", Severity::Error,
          fmt::format("the DNS query {} {} failed: {}{}; receivers get a temperror", q, dns::to_string(type),
                      dns::to_string(a->status), a->detail.empty() ? "" : " (" + a->detail + ")"),
          "make sure every name server of the domain answers for this name", &node);
      co_return nullptr;
    }
    co_return a;
  }

  // A void lookup (§4.6.4): NXDOMAIN or no answer.
  void count_void(TreeNode& node, const dns::Answer& a) {
    if (!a.is_void()) return;
    ++node.void_lookups;
    ++total_voids_;
  }

  // The domains being walked, outermost first: each is the domain of a node
  // whose walk is under way (root, or a child in its parent's frame), so the
  // views stay valid until that walk pops them. A name is never in it twice
  // (it would be a loop, and is not walked).
  struct Ancestors {
    std::vector<std::string_view> names;
    [[nodiscard]] bool contains(std::string_view n) const {
      return std::find(names.begin(), names.end(), n) != names.end();
    }
  };

  Task<void_type> walk(TreeNode& node, Ancestors& ancestors, int depth);

  // Addresses a pass-qualified a/mx term authorizes, as networks.
  static void add_addresses(TreeNode& node, const dns::Answer& a, const spf::Term& t) {
    if (t.qualifier != spf::Qualifier::Pass) return;
    for (const auto& rr : a.records) {
      if (rr.type != RType::A && rr.type != RType::AAAA) continue;
      const bool v4 = rr.address.is_v4();
      int prefix = v4 ? t.cidr4.value_or(32) : t.cidr6.value_or(128);
      auto bytes = rr.address.bytes();
      for (int bit = prefix; bit < rr.address.max_prefix(); ++bit) {
        bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
      }
      IpAddress masked = v4 ? IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]}) : IpAddress::v6(bytes);
      std::string net = Network{masked, prefix}.to_string();
      auto& list = v4 ? node.ip4 : node.ip6;
      if (std::find(list.begin(), list.end(), net) == list.end()) list.push_back(net);
    }
  }

  // A node costs the term that leads to it, its own terms, and its subtree.
  void sum_tree(TreeNode& node) {
    node.lookups = (node.via == "top" ? 0 : 1) + node.own_lookups;
    for (auto& c : node.children) {
      sum_tree(c);
      node.lookups += c.lookups;
    }
  }

  void totals_findings() {
    if (limit_hit_) {
      add("lint-limit", Severity::Warning,
          fmt::format("the include/redirect tree is larger than spfdoctor follows ({} records, {} DNS queries, "
                      "{} MiB of parsed records on one branch), so the counts are lower bounds; receivers stop far "
                      "earlier, at 10 lookups",
                      kMaxTreeRecords, kMaxQueries, kMaxHeldBytes >> 20),
          "cut the record down to the senders you use: no receiver evaluates a tree this large");
    }
    if (report_.lookups > kMaxLookups) {
      add("too-many-lookups", Severity::Error,
          fmt::format("the record needs {} DNS lookups; RFC 7208 §4.6.4 allows 10, so receivers return permerror "
                      "and treat the mail as unauthenticated",
                      report_.lookups),
          "remove includes you no longer use, replace a and mx terms by ip4/ip6 ranges, or flatten the includes "
          "that cost most (see the suggestion)");
    } else if (report_.lookups >= 9) {
      add("lookups-near-limit", Severity::Warning,
          fmt::format("the record needs {} of the 10 DNS lookups allowed; one more include breaks it", report_.lookups),
          "before adding a sender, free lookups: replace a/mx by ip4/ip6, drop unused includes");
    }
    if (report_.void_lookups > kMaxVoid) {
      add("too-many-void-lookups", Severity::Error,
          fmt::format("{} lookups return no answer (NXDOMAIN or no data); RFC 7208 §4.6.4 allows 2, so receivers "
                      "return permerror",
                      report_.void_lookups),
          "remove the terms that point at names that do not exist or have no records");
    }
  }

  Task<void_type> provider_advice() {
    std::vector<std::pair<const diagnose::Provider*, std::string>> wanted;
    for (const auto& id : options_.providers) {
      if (const auto* p = provider_by_id(id)) wanted.emplace_back(p, "option");
    }
    if (!options_.record || report_.tree.record) {
      auto mx = co_await dns::AnswerAwaiter(resolver_, report_.domain, RType::MX);
      if (mx->ok()) {
        for (const auto& rr : mx->records) {
          // find_provider_by_mx lowers the case and drops trailing dots itself.
          if (const auto* p = diagnose::find_provider_by_mx(rr.target)) {
            bool seen = std::any_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == p; });
            if (!seen) wanted.emplace_back(p, "mx");
          }
        }
      }
    }
    for (const auto& [p, how] : wanted) {
      ProviderAdvice adv{std::string(p->name), std::string(p->spf_include), how,
                         std::find(includes_.begin(), includes_.end(), p->spf_include) != includes_.end()};
      if (!adv.included && report_.tree.record) {
        add("provider-include-missing", Severity::Warning,
            how == "mx" ? fmt::format("the domain's MX points at {}, but its SPF record does not include {}: mail "
                                      "sent through {} fails SPF",
                                      p->name, p->spf_include, p->name)
                        : fmt::format("the record does not include {}, so mail sent through {} fails SPF",
                                      p->spf_include, p->name),
            fmt::format("add {} before the all term", p->mechanism), &report_.tree);
      }
      report_.providers.push_back(std::move(adv));
    }
    co_return void_type{};
  }

  // §4.6.4: suggest which includes to replace by their addresses.
  void suggest_flattening() {
    const auto& root = report_.tree;
    if (!root.record) return;
    struct Candidate {
      const TreeNode* node;
      int saves;
    };
    std::vector<Candidate> cands;
    for (const auto& c : root.children) {
      if (c.via != "include" || c.problem || !flattenable(c)) continue;
      cands.push_back({&c, c.lookups});
    }
    std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) { return a.saves > b.saves; });
    int total = report_.lookups;
    FlattenSuggestion s;
    std::set<std::string> chosen;
    for (const auto& c : cands) {
      if (total <= kMaxLookups) break;
      total -= c.saves;
      chosen.insert(c.node->term);
      s.flatten.push_back(c.node->domain);
    }
    if (s.flatten.empty()) return;
    // The top record as walk() parsed it (it always did: root has a record and children).
    std::shared_ptr<const RecordFacts> facts = root_facts_;
    if (!facts || facts->record.text != *root.record) {
      facts = std::make_shared<const RecordFacts>(record_facts(*root.record));
    }
    std::string out = "v=spf1";
    for (const auto& t : facts->record.terms) {
      if (chosen.count(t.text)) {
        const TreeNode* node = nullptr;
        for (const auto& c : root.children) {
          if (c.term == t.text) node = &c;
        }
        std::vector<std::string> nets;
        collect_networks(*node, nets);
        for (const auto& n : nets) out += " " + n;
      } else {
        out += " " + t.text;
      }
    }
    s.record = out;
    s.lookups_after = total;
    s.note = total <= kMaxLookups
                 ? "flattening copies the provider's current addresses into your record: when the provider changes "
                   "them, mail from the new addresses fails SPF until you update the record, so re-check it "
                   "regularly (or use the provider's own smaller include if it offers one)"
                 : "flattening every include that can be flattened is still not enough: remove senders you no "
                   "longer use, or move some to a subdomain with its own record";
    report_.flatten = std::move(s);
  }

  static bool flattenable(const TreeNode& n) {
    if (n.has_macros || n.problem || !n.record) return false;
    // Only include/redirect targets come here: their facts are in the cache.
    auto facts = cached_record_facts(*n.record);
    for (const auto& t : facts->record.terms) {
      if (t.is_mechanism() && (t.mechanism == Mechanism::Ptr || t.mechanism == Mechanism::Exists)) return false;
    }
    return std::all_of(n.children.begin(), n.children.end(), [](const TreeNode& c) { return flattenable(c); });
  }

  static void collect_networks(const TreeNode& n, std::vector<std::string>& out) {
    for (const auto& x : n.ip4) out.push_back("ip4:" + x);
    for (const auto& x : n.ip6) out.push_back("ip6:" + x);
    for (const auto& c : n.children) collect_networks(c, out);
  }

  Task<void_type> ip_check() {
    EvalOptions eo;
    if (options_.record) eo.record_overrides[report_.domain] = *options_.record;
    Query q{*options_.ip, options_.sender.value_or("postmaster@" + report_.domain), options_.helo.value_or(""),
            "unknown"};
    report_.ip_check = co_await evaluate_async(resolver_, q, eo);
    co_return void_type{};
  }

  void finish() {
    for (auto& [key, same] : same_) {
      if (same.seen <= kMaxSameFindings) continue;
      const auto& [id, domain] = key;
      Finding f{id, same.severity,
                fmt::format("{} more \"{}\" findings{}{}, not listed one by one", same.seen - kMaxSameFindings, id,
                            domain.empty() ? "" : " in the record of ", domain),
                std::move(same.fix), std::nullopt, std::nullopt, std::nullopt};
      if (!domain.empty()) f.domain = domain;
      report_.findings.push_back(std::move(f));
    }
    auto rank = [](Severity s) { return static_cast<int>(s); };
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [&](const Finding& a, const Finding& b) { return rank(a.severity) < rank(b.severity); });
    bool errors = false;
    bool warnings = false;
    for (const auto& f : report_.findings) {
      errors = errors || f.severity == Severity::Error;
      warnings = warnings || f.severity == Severity::Warning;
    }
    report_.verdict = errors ? "errors" : warnings ? "warnings" : "ok";
  }

  dns::Resolver& resolver_;
  LintOptions options_;
  LintReport report_;
  int total_voids_ = 0;
  int records_walked_ = 0;
  int queries_ = 0;
  bool limit_hit_ = false;          // kMaxTreeRecords, kMaxQueries or kMaxHeldBytes reached
  std::size_t held_bytes_ = 0;      // approximate_bytes() of the records on the branch being walked
  std::vector<std::string> includes_;  // include and redirect targets seen in the tree (repeats kept)
  std::shared_ptr<const RecordFacts> root_facts_;  // the top record's, once walk() parsed it
  // Findings of one id in one record beyond the first kMaxSameFindings: a
  // record of 31,000 "a" terms made 31,000 duplicate-term findings (a tree of
  // 21 such records, a 169 MB report and 1 GB of memory).
  static constexpr std::size_t kMaxSameFindings = 10;
  struct Same {
    std::size_t seen = 0;
    Severity severity = Severity::Info;
    std::string fix;
  };
  std::map<std::pair<std::string, std::string>, Same> same_;  // (id, domain) -> count
};

Task<Linter::void_type> Linter::walk(TreeNode& node, Ancestors& ancestors, int depth) {
  const bool top = depth == 0;
  ++records_walked_;
  const bool acts_as_top = top || node.via == "redirect";
  // The record: published, or the one given with --record for the top.
  if (top && options_.record) {
    node.record = *options_.record;
    node.records = {*options_.record};
    if (!spf::is_spf_record(*options_.record)) {
      add("syntax-error", Severity::Error,
          fmt::format("the given record does not start with \"v=spf1\""), "an SPF record starts with v=spf1",
          &node);
      node.problem = "not an SPF record";
      co_return void_type{};
    }
  } else {
    AnswerPtr txt = co_await ask(node.domain, RType::TXT, node);
    if (!txt) {
      node.problem = "DNS error";
      co_return void_type{};
    }
    count_void(node, *txt);
    for (const auto& rr : txt->records) {
      auto text = dns::joined_text(rr);
      if (spf::is_spf_record(text)) node.records.push_back(std::move(text));
    }
    if (txt_response_size(node.domain, txt->records) > kUdpLimit) {
      add("record-too-long", Severity::Warning,
          fmt::format("the TXT records of {} make a {}-byte DNS answer, more than fits a 512-byte UDP response; "
                      "resolvers must retry over TCP, and some receivers fail",
                      node.domain, txt_response_size(node.domain, txt->records)),
          "shorten the record (ip4 ranges instead of many single addresses, fewer TXT records at this name)",
          &node);
    }
    if (top) {
      AnswerPtr spf99 = co_await dns::AnswerAwaiter(resolver_, node.domain, RType::SPF);
      if (spf99->ok() && !spf99->records.empty()) {
        add("deprecated-spf-rr", Severity::Warning,
            fmt::format("{} publishes an SPF (type 99) record; RFC 7208 §3.1 removed that type and receivers "
                        "ignore it",
                        node.domain),
            "delete the SPF-type record and keep the TXT record", &node);
      }
    }
    if (node.records.empty()) {
      node.problem = "no SPF record";
      if (top) {
        add("no-record", Severity::Error,
            fmt::format("{} publishes no SPF record, so receivers cannot tell its mail from forgeries (result none)",
                        node.domain),
            fmt::format("publish a TXT record at {} such as \"v=spf1 mx -all\", listing every server that sends "
                        "its mail",
                        node.domain),
            &node);
      } else if (node.via == "include") {
        add("include-no-record", Severity::Error,
            fmt::format("include:{} points at a name with no SPF record; receivers return permerror (RFC 7208 §5.2)",
                        node.domain),
            "remove the include, or fix the name (check the provider's documentation for the right one)", &node);
      } else {
        add("redirect-no-record", Severity::Error,
            fmt::format("redirect={} points at a name with no SPF record; receivers return permerror (RFC 7208 "
                        "§6.1)",
                        node.domain),
            "point redirect= at a domain that publishes an SPF record", &node);
      }
      co_return void_type{};
    }
    node.record = node.records.front();
    if (node.records.size() > 1) {
      add("multiple-records", Severity::Error,
          fmt::format("{} publishes {} SPF records; receivers return permerror (RFC 7208 §4.5)", node.domain,
                      node.records.size()),
          "merge them into one record: one v=spf1, all the terms, one all at the end", &node);
    }
  }
  // Include and redirect targets are mostly the same few provider records:
  // their facts come from the thread's cache. A top record is seldom seen
  // twice (a scan lints each domain once) and would only churn the cache.
  const std::shared_ptr<const RecordFacts> facts =
      top ? std::make_shared<const RecordFacts>(record_facts(*node.record)) : cached_record_facts(*node.record);
  if (top) root_facts_ = facts;
  // Counted while this frame holds them (see kMaxHeldBytes).
  struct Held {
    std::size_t& total;
    std::size_t bytes;
    ~Held() { total -= bytes; }
  } held{held_bytes_, approximate_bytes(*facts)};
  held_bytes_ += held.bytes;
  // Every character of a record is in the §12 grammar, which is US-ASCII
  // only: published or given, a record with other bytes is a permerror (the
  // evaluator refuses a published one before parsing it). The parse noted it.
  if (!facts->record.ascii) {
    add("syntax-error", Severity::Error,
        fmt::format("{} has non-ASCII characters (RFC 7208 §3.1, §12): receivers return permerror",
                    top && options_.record ? "the given record" : "the record of " + node.domain),
        "retype the record by hand: copy and paste often brings invisible characters", &node);
  }
  const spf::Record& rec = facts->record;
  ancestors.names.push_back(node.domain);
  const spf::Term* all = nullptr;
  const spf::Term* redirect = nullptr;
  bool warned_after_all = false;
  node.ip4.reserve(node.ip4.size() + facts->ip4_networks);
  node.ip6.reserve(node.ip6.size() + facts->ip6_networks);
  for (std::size_t ti = 0; ti < rec.terms.size(); ++ti) {
    const spf::Term& t = rec.terms[ti];
    if (t.error) {
      bool cidr = t.error->find("prefix length") != std::string::npos;
      if (cidr) {
        add("invalid-cidr", Severity::Error,
            fmt::format("\"{}\" at byte {} of the record of {}: {}", t.text, t.offset, node.domain, *t.error),
            "IPv4 prefixes are /0 to /32, IPv6 prefixes /0 to /128 (RFC 7208 §5.6)", &node, &t);
      }
      add("syntax-error", Severity::Error,
          fmt::format("\"{}\" at byte {} of the record of {}: {}; receivers return permerror", t.text, t.error_offset,
                      node.domain, *t.error),
          "correct or remove this term (RFC 7208 §4.6.1, §5, §6)", &node, &t);
      continue;
    }
    if (all && !warned_after_all && t.is_mechanism()) {
      add("terms-after-all", Severity::Warning,
          fmt::format("\"{}\" comes after \"{}\" in the record of {} and is never reached", t.text, all->text,
                      node.domain),
          "move the all term to the end of the record", &node, &t);
      warned_after_all = true;
    }
    if (facts->repeats[ti] && t.is_mechanism()) {
      add("duplicate-term", Severity::Info,
          fmt::format("\"{}\" appears twice in the record of {}", t.text, node.domain),
          "remove the repeated term", &node, &t);
    }
    if (t.kind == TermKind::Redirect) {
      redirect = &t;
      continue;
    }
    if (t.kind == TermKind::UnknownModifier && t.name != "exp") {
      add("unknown-modifier", Severity::Info,
          fmt::format("\"{}\" in the record of {} is not a modifier receivers know; they ignore it", t.text,
                      node.domain),
          "remove it unless a tool of yours reads it", &node, &t);
      continue;
    }
    if (!t.is_mechanism()) continue;
    // The name a/mx/exists/include look up (the others have none).
    std::string target;
    if (t.needs_domain()) {
      target = t.has_arg ? t.arg : node.domain;
      if (!target.empty() && target.back() == '.') target.pop_back();
    }
    const bool macro = t.has_arg && has_macro(t.arg);
    if (macro) node.has_macros = true;
    // include (walked) is counted on its child node; everything else here.
    if (t.counts_lookup() && !(t.mechanism == Mechanism::Include && !macro)) ++node.own_lookups;
    switch (t.mechanism) {
      case Mechanism::All:
        all = &t;
        if (t.qualifier == spf::Qualifier::Pass) {
          add("plus-all", Severity::Error,
              fmt::format("\"{}\" in the record of {} lets every host on the internet send as {}", t.text,
                          node.domain, report_.domain),
              "end the record with -all (or ~all while testing) and list your senders before it", &node, &t);
        } else if (acts_as_top && t.qualifier == spf::Qualifier::Neutral) {
          add("neutral-all", Severity::Warning,
              fmt::format("\"{}\": mail from hosts not listed gets neutral, which protects nothing", t.text),
              "use -all once every sender is listed (~all while testing)", &node, &t);
        } else if (acts_as_top && t.qualifier == spf::Qualifier::SoftFail) {
          add("softfail-all", Severity::Info,
              fmt::format("\"{}\": mail from hosts not listed gets softfail (accepted, maybe marked)", t.text),
              "fine while testing; change to -all once every sender is listed", &node, &t);
        }
        break;
      case Mechanism::Ptr:
        add("ptr-mechanism", Severity::Warning,
            fmt::format("\"{}\" in the record of {}: RFC 7208 §5.5 says do not use ptr (slow, unreliable, and "
                        "some receivers skip it)",
                        t.text, node.domain),
            "replace ptr by the ip4/ip6 ranges or a/mx of the hosts that send", &node, &t);
        break;
      case Mechanism::Ip4:
      case Mechanism::Ip6:
        if (!facts->networks[ti].empty()) {
          (t.mechanism == Mechanism::Ip4 ? node.ip4 : node.ip6).push_back(facts->networks[ti]);
        }
        break;
      case Mechanism::A:
        if (!macro && may_query()) {
          auto a = co_await ask(target, RType::A, node);
          if (a) {
            count_void(node, *a);
            add_addresses(node, *a, t);
          }
          if (may_query()) {
            auto aaaa = co_await ask(target, RType::AAAA, node);
            if (aaaa) add_addresses(node, *aaaa, t);
          }
        }
        break;
      case Mechanism::Mx:
        if (!macro && may_query()) {
          auto mx = co_await ask(target, RType::MX, node);
          if (!mx) break;
          count_void(node, *mx);
          int names = static_cast<int>(mx->records.size());
          report_.max_mx_names = std::max(report_.max_mx_names, names);
          if (names > kMaxMxNames) {
            add("too-many-mx-names", Severity::Error,
                fmt::format("\"{}\": {} has {} MX names; RFC 7208 §4.6.4 allows 10, so receivers return permerror",
                            t.text, target, names),
                "list the sending hosts with ip4/ip6 instead of mx", &node, &t);
          }
          // Past 10 names receivers return permerror without looking any up.
          int looked_up = 0;
          for (const auto& rr : mx->records) {
            if (looked_up++ >= kMaxMxNames || !may_query()) break;
            auto host = dns::normalize_name(rr.target);
            if (host.empty()) continue;  // null MX (RFC 7505)
            node.mx_hosts.push_back(host);
            auto a = co_await ask(host, RType::A, node);
            if (a) {
              count_void(node, *a);
              add_addresses(node, *a, t);
            }
            if (!may_query()) break;
            auto aaaa = co_await ask(host, RType::AAAA, node);
            if (aaaa) add_addresses(node, *aaaa, t);
          }
        }
        break;
      case Mechanism::Exists:
        if (!macro && may_query()) {
          auto a = co_await ask(target, RType::A, node);
          if (a) count_void(node, *a);
        }
        break;
      case Mechanism::Include: {
        if (macro) break;
        TreeNode child;
        child.domain = dns::normalize_name(target);
        includes_.push_back(child.domain);
        child.via = "include";
        child.term = t.text;
        if (ancestors.contains(child.domain)) {
          child.problem = "loop";
          add("include-loop", Severity::Error,
              fmt::format("\"{}\" in the record of {} leads back to {}, which is already being evaluated: receivers "
                          "return permerror",
                          t.text, node.domain, child.domain),
              "remove the include that closes the loop", &node, &t);
        } else if (depth + 1 > kMaxDepth) {
          child.problem = "too deep";
        } else if (!may_walk()) {
          child.problem = kNotFollowed;
        } else {
          co_await walk(child, ancestors, depth + 1);
        }
        node.children.push_back(std::move(child));
        break;
      }
    }
  }
  if (redirect) {
    if (all) {
      add("redirect-with-all", Severity::Warning,
          fmt::format("\"{}\" in the record of {} is ignored because the record has \"{}\" (RFC 7208 §6.1)",
                      redirect->text, node.domain, all->text),
          "remove one of them: the all term, or the redirect", &node, redirect);
    } else {
      std::string target = redirect->arg;
      if (!target.empty() && target.back() == '.') target.pop_back();
      if (!has_macro(target)) {
        TreeNode child;
        child.domain = dns::normalize_name(target);
        child.via = "redirect";
        child.term = redirect->text;
        includes_.push_back(child.domain);
        if (ancestors.contains(child.domain)) {
          child.problem = "loop";
          add("include-loop", Severity::Error,
              fmt::format("\"{}\" in the record of {} leads back to {}: receivers return permerror", redirect->text,
                          node.domain, child.domain),
              "remove the redirect that closes the loop", &node, redirect);
        } else if (depth + 1 <= kMaxDepth) {
          if (may_walk()) {
            co_await walk(child, ancestors, depth + 1);
          } else {
            child.problem = kNotFollowed;
          }
        }
        node.children.push_back(std::move(child));
      } else {
        node.has_macros = true;
        ++node.own_lookups;
      }
    }
  } else if (!all && acts_as_top) {
    add("no-all", Severity::Warning,
        fmt::format("the record of {} has neither an all term nor redirect=: mail from unlisted hosts gets neutral",
                    node.domain),
        "end the record with -all (or ~all while testing)", &node);
  }
  ancestors.names.pop_back();
  co_return void_type{};
}

}  // namespace

Task<LintReport> lint_async(dns::Resolver& resolver, std::string domain, LintOptions options) {
  Linter l(resolver, std::move(domain), std::move(options));
  co_return co_await l.run();
}

LintReport lint(dns::Resolver& resolver, const std::string& domain, const LintOptions& options) {
  auto task = lint_async(resolver, domain, options);
  task.start();
  while (!task.done()) resolver.run_once();
  return task.take();
}

}  // namespace spfdoctor::lint
