// check_host() end to end: the fuzz input is the TXT record of example.com
// (split into 255-byte character-strings, as DNS carries it) in a small fixed
// zone with includes, redirects, MX, PTR, exists targets, a CNAME loop and an
// explanation; evaluated for an IPv4 and an IPv6 client.
//
// Invariants: no crash; the result is one of the seven; lookups <= 11 and void
// lookups <= 3 (the one over the limit is counted, then evaluation stops,
// RFC 7208 §4.6.4); a record with a syntax error is a permerror (the zone
// cannot time out, so nothing else can decide first), and a permerror that
// blames syntax in example.com's record means the parser found an error there.
//
// The linter on the same zone, and with the record given as a what-if
// (--record): it reports a syntax-error finding for example.com if and only if
// the evaluator's permerror blames the syntax of example.com's record (§4.6:
// any syntax error makes the record a permerror). One allowance: pass 1 of the
// evaluator goes term by term as pyspf does, so a term before the first syntax
// error can end it with another permerror first ("includes itself", a
// domain-spec that expands to nothing); the result is the same.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "spfdoctor/lint.hpp"
#include "spfdoctor/record.hpp"
#include "spfdoctor/spf.hpp"

namespace {

using spfdoctor::IpAddress;
using spfdoctor::Result;
namespace dns = spfdoctor::dns;

dns::Record txt(std::vector<std::string> strings) {
  dns::Record rr;
  rr.type = dns::RType::TXT;
  rr.strings = std::move(strings);
  return rr;
}
dns::Record address(std::string_view ip) {
  dns::Record rr;
  rr.address = *IpAddress::parse(ip);
  rr.type = rr.address.is_v4() ? dns::RType::A : dns::RType::AAAA;
  return rr;
}
dns::Record named(dns::RType type, std::string target, std::uint16_t preference = 0) {
  dns::Record rr;
  rr.type = type;
  rr.target = std::move(target);
  rr.preference = preference;
  return rr;
}

// Everything but example.com's TXT record.
dns::ZoneData fixed_zone() {
  dns::ZoneData z;
  z.add("example.com", address("192.0.2.1"));
  z.add("example.com", address("2001:db8::1"));
  z.add("example.com", named(dns::RType::MX, "mail.example.com", 10));
  z.add("example.com", named(dns::RType::MX, "mail2.example.com", 20));
  z.add("mail.example.com", address("192.0.2.25"));
  z.add("mail.example.com", address("2001:db8::25"));
  z.add("_spf.example.net", txt({"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"}));
  z.add("example.net", txt({"v=spf1 a mx ptr ", "exists:%{i}.bl.example.net ~all"}));
  z.add("example.net", address("198.51.100.1"));
  z.add("3.2.0.192.bl.example.net", address("127.0.0.2"));
  z.add("redirect.example.org", txt({"v=spf1 redirect=example.com"}));
  z.add("neutral.example.org", txt({"v=spf1 ?all exp=why.example.com"}));
  z.add("deep.example.org", txt({"v=spf1 include:deeper.example.org -all"}));
  z.add("deeper.example.org", txt({"v=spf1 include:deep.example.org -all"}));
  z.add("why.example.com", txt({"%{i} is not one of %{d}'s designated mail servers (%{p}, %{c}, %{r}, %{t})."}));
  z.add("two.example.org", txt({"v=spf1 -all"}));
  z.add("two.example.org", txt({"v=spf1 +all"}));
  z.add("loop1.example.com", named(dns::RType::CNAME, "loop2.example.com"));
  z.add("loop2.example.com", named(dns::RType::CNAME, "loop1.example.com"));
  z.add("alias.example.com", named(dns::RType::CNAME, "_spf.example.net"));
  for (int i = 0; i < 12; ++i) {
    z.add("manymx.example.com", named(dns::RType::MX, "mx" + std::to_string(i) + ".example.com", 10));
  }
  z.add("1.2.0.192.in-addr.arpa", named(dns::RType::PTR, "mail.example.com"));
  z.add("1.2.0.192.in-addr.arpa", named(dns::RType::PTR, "Other.Example.NET"));
  z.add("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
        named(dns::RType::PTR, "mail.example.com"));
  return z;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool lint_says_syntax_error(const spfdoctor::lint::LintReport& report) {
  return std::any_of(report.findings.begin(), report.findings.end(), [](const spfdoctor::lint::Finding& f) {
    return f.id == "syntax-error" && f.domain == "example.com";
  });
}

bool evaluator_says_syntax_error(const spfdoctor::Evaluation& e) {
  return e.result == Result::PermError && e.problem &&
         (e.problem->starts_with("syntax error in the record of example.com ") ||
          e.problem->starts_with("the SPF record of example.com has non-ASCII"));
}

// The permerrors pass 1 of the evaluator can end with before it reaches a
// syntax error later in the record.
bool earlier_term_permerror(const spfdoctor::Evaluation& e) {
  return e.result == Result::PermError && e.problem &&
         (e.problem->find("includes itself") != std::string::npos ||
          e.problem->find("expands to") != std::string::npos);
}

void check_lint_agrees(const spfdoctor::lint::LintReport& report, const spfdoctor::Evaluation& e,
                       std::string_view how) {
  const bool lint_syntax = lint_says_syntax_error(report);
  const bool eval_syntax = evaluator_says_syntax_error(e);
  const std::string what = std::string(how) + ": result " + std::string(to_string(e.result)) + ", problem \"" +
                           e.problem.value_or("") + "\"";
  FUZZ_CHECK(!eval_syntax || lint_syntax, "the evaluator saw a syntax error the linter did not; " + what);
  FUZZ_CHECK(!lint_syntax || eval_syntax || earlier_term_permerror(e),
             "the linter saw a syntax error, the evaluator did not; " + what);
}

spfdoctor::Evaluation check(dns::Resolver& resolver, const spfdoctor::Query& query, std::string_view record) {
  spfdoctor::EvalOptions options;
  options.timestamp = 1700000000;
  const auto e = spfdoctor::evaluate(resolver, query, options);
  const auto r = static_cast<unsigned>(e.result);
  FUZZ_CHECK(r <= static_cast<unsigned>(Result::PermError), "result " + std::to_string(r));
  FUZZ_CHECK(e.lookups >= 0 && e.lookups <= 11, "lookups " + std::to_string(e.lookups));
  FUZZ_CHECK(e.void_lookups >= 0 && e.void_lookups <= 3, "void lookups " + std::to_string(e.void_lookups));
  FUZZ_CHECK(e.result != Result::TempError, "temperror from a zone that cannot time out: " + e.problem.value_or(""));
  const bool error_result = e.result == Result::PermError || e.result == Result::TempError;
  FUZZ_CHECK(error_result == e.problem.has_value(), "problem without an error result, or the reverse");

  if (!spfdoctor::spf::is_spf_record(record) || !is_ascii(record)) return e;
  const auto parsed = spfdoctor::spf::parse_record(record);
  if (parsed.first_error() != nullptr) {
    FUZZ_CHECK(e.result == Result::PermError,
               "syntax error \"" + *parsed.first_error()->error + "\" but result " + std::string(to_string(e.result)));
  }
  if (e.problem && e.problem->starts_with("syntax error in the record of example.com ")) {
    FUZZ_CHECK(parsed.first_error() != nullptr, "evaluator saw a syntax error the parser did not: " + *e.problem);
  }
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dns::ZoneData base = fixed_zone();
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> strings;
  for (std::size_t at = 0; at < record.size(); at += 255) strings.emplace_back(record.substr(at, 255));
  if (strings.empty()) strings.emplace_back();

  auto zone = std::make_shared<dns::ZoneData>(base);
  zone->add("example.com", txt(std::move(strings)));
  dns::ZoneResolver resolver(zone);
  const auto v4 = *IpAddress::parse_client("192.0.2.1");
  const auto v6 = *IpAddress::parse_client("2001:db8::1");
  const spfdoctor::Query queries[] = {
      {v4, "first.last@example.com", "mail.example.com", "rx.example.org"},
      {v6, "first.last@example.com", "mail.example.com", "rx.example.org"},
      {v4, "", "example.com", "rx.example.org"},
  };
  const auto published = spfdoctor::lint::lint(resolver, "example.com");
  for (const auto& q : queries) check_lint_agrees(published, check(resolver, q, record), "published record");

  // The same text as a what-if record. The evaluator takes an override as the
  // record without the checks a published one gets (v=spf1, ASCII), so only
  // records that pass both are compared (reported to the evaluator's owner).
  if (!spfdoctor::spf::is_spf_record(record) || !is_ascii(record)) return 0;
  spfdoctor::lint::LintOptions what_if;
  what_if.record = std::string(record);
  const auto given = spfdoctor::lint::lint(resolver, "example.com", what_if);
  spfdoctor::EvalOptions options;
  options.timestamp = 1700000000;
  options.record_overrides["example.com"] = std::string(record);
  for (const auto& q : queries) check_lint_agrees(given, spfdoctor::evaluate(resolver, q, options), "--record");
  return 0;
}
