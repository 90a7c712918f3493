// The direct JSON writer (src/report/json_writer.hpp) against nlohmann: every
// line append_json_line writes must be byte for byte what to_json(...).dump(-1,
// ' ', false, error_handler_t::replace) gives, for the reports of the bench
// world and for hostile strings (control characters, quotes, every kind of
// ill-formed UTF-8).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <random>
#include <sstream>

#include "report/json_writer.hpp"
#include "spfdoctor/lint.hpp"
#include "spfdoctor/lint_report.hpp"
#include "spfdoctor/report.hpp"

namespace spfdoctor::report {
namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The eval --batch --json line as the CLI makes it with nlohmann.
std::string tree_line(const Evaluation& e, bool trace, std::string_view ip, std::string_view sender,
                      std::string_view helo) {
  auto j = to_json(e, trace);
  j["ip"] = std::string(ip);
  j["sender"] = std::string(sender);
  j["helo"] = std::string(helo);
  return dump(j) + "\n";
}

std::string tree_line(const lint::LintReport& r) {
  return dump(to_json(r)) + "\n";
}

std::string fast_line(const Evaluation& e, bool trace, std::string_view ip, std::string_view sender,
                      std::string_view helo) {
  std::string out = "prefix:";  // append_json_line appends
  append_json_line(out, e, trace, ip, sender, helo);
  return out.substr(7);
}

std::string fast_line(const lint::LintReport& r) {
  std::string out;
  append_json_line(out, r);
  return out;
}

std::string fast_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string hex(std::string_view s) {
  std::string h;
  for (unsigned char c : s) h += fmt::format("{:02x} ", c);
  return h;
}

// Equal, or a message showing where the two first differ.
::testing::AssertionResult same(const std::string& want, const std::string& got) {
  if (want == got) return ::testing::AssertionSuccess();
  std::size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  const std::size_t from = i < 40 ? 0 : i - 40;
  return ::testing::AssertionFailure() << "first difference at byte " << i << " (sizes " << want.size() << " and "
                                       << got.size() << ")\n  nlohmann: ..." << want.substr(from, 120)
                                       << "\n  writer:   ..." << got.substr(from, 120);
}

// --- strings -------------------------------------------------------------------

TEST(JsonWriter, EscapesAsDocumented) {
  EXPECT_EQ(fast_string(""), "\"\"");
  EXPECT_EQ(fast_string("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
  EXPECT_EQ(fast_string("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(fast_string(std::string("\x00\x01\x0b\x1f\x7f", 5)), "\"\\u0000\\u0001\\u000b\\u001f\x7f\"");
  EXPECT_EQ(fast_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  // A maximal ill-formed subpart is one U+FFFD; the byte that ends it is read again.
  EXPECT_EQ(fast_string("\xe2\x82\x41"), "\"\xef\xbf\xbd\x41\"");  // \x41 is 'A'
  EXPECT_EQ(fast_string("\xe2\x82"), "\"\xef\xbf\xbd\"");
  EXPECT_EQ(fast_string("\x80\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  EXPECT_EQ(fast_string("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");                  // overlong '/'
  EXPECT_EQ(fast_string("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
  EXPECT_EQ(fast_string("\xf4\x90\x80\x80"),
            "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // above U+10FFFF
}

void expect_string_matches(const std::string& s) {
  EXPECT_TRUE(same(dump(nlohmann::json(s)), fast_string(s))) << "input: " << hex(s);
}

TEST(JsonWriter, EveryStringOfOneOrTwoBytes) {
  for (int a = 0; a < 256; ++a) {
    expect_string_matches(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      std::string s{static_cast<char>(a), static_cast<char>(b)};
      if (dump(nlohmann::json(s)) != fast_string(s)) {
        expect_string_matches(s);
        return;  // one report is enough
      }
    }
  }
}

// Every string of 3 and 4 bytes over the bytes at the edges of UTF-8's ranges
// (Unicode Table 3-7) and of JSON's escapes: all ways a sequence can be cut
// short, overlong, a surrogate or too large, and what follows it.
TEST(JsonWriter, EveryShortStringOverBoundaryBytes) {
  const std::vector<unsigned char> bytes = {0x00, 0x08, 0x1f, 0x20, 0x22, 0x2f, 0x41, 0x5c, 0x7f, 0x80, 0x8f,
                                            0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec,
                                            0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xff};
  std::size_t checked = 0;
  std::string s;
  for (int len = 3; len <= 4; ++len) {
    std::vector<std::size_t> idx(static_cast<std::size_t>(len), 0);
    while (true) {
      s.clear();
      for (auto k : idx) s += static_cast<char>(bytes[k]);
      ++checked;
      if (dump(nlohmann::json(s)) != fast_string(s)) {
        expect_string_matches(s);
        return;
      }
      std::size_t pos = 0;
      while (pos < idx.size() && ++idx[pos] == bytes.size()) idx[pos++] = 0;
      if (pos == idx.size()) break;
    }
  }
  EXPECT_EQ(checked, bytes.size() * bytes.size() * bytes.size() * (1 + bytes.size()));
}

// The writer scans plain runs eight bytes at a time: each byte that needs
// care, at every offset of strings on both sides of the 8-byte steps, alone
// and with a second one later, through string() and printable() both.
TEST(JsonWriter, EveryCareByteAtEveryOffset) {
  const std::vector<std::string> care = {std::string(1, '\0'), "\x1f", " ",  "\"",   "\\",       "\x7f",
                                         "\x80",              "\xff", "~",  "\xc3\xa9", "\xe2\x82\xac"};
  std::size_t checked = 0;
  for (std::size_t len = 1; len <= 26; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (const auto& c : care) {
        for (int second = 0; second < 2; ++second) {
          std::string s(len, 'a');
          s.replace(at, 1, c);
          if (second) s += std::string(len % 9, 'b') + "\x01";
          std::string fast;
          JsonStringWriter w(fast);
          w.begin_array();
          w.string(s);
          w.printable(s);
          w.end_array();
          JsonTreeWriter t;
          t.begin_array();
          t.string(s);
          t.printable(s);
          t.end_array();
          ASSERT_TRUE(same(dump(t.take()), fast)) << hex(s);
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 2u * 11u * (26u * 27u / 2u));
}

// plain_strings() writes an array of network texts in one piece; anything
// that is not plain after all (a library user's own LintReport) must come out
// exactly as string() would write it, wherever the odd byte sits.
TEST(JsonWriter, PlainStringsAreCheckedEverywhere) {
  const std::vector<std::string> care = {std::string(1, '\0'), "\x1f", "\"", "\\", "\x7f", "\x80", "\xff", "\xc3\xa9"};
  std::size_t checked = 0;
  for (std::size_t len = 0; len <= 26; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      for (const auto& c : care) {
        std::vector<std::string> v = {"192.0.2.0/24", std::string(len, '1'), "2001:db8::/32"};
        if (at < len) v[1].replace(at, 1, c);  // at == len: all plain
        std::string fast;
        JsonStringWriter w(fast);
        w.begin_object();
        w.key("ip4");
        w.plain_strings(v);
        w.key("x");
        w.plain_strings({});
        w.end_object();
        JsonTreeWriter t;
        t.begin_object();
        t.key("ip4");
        t.plain_strings(v);
        t.key("x");
        t.plain_strings({});
        t.end_object();
        ASSERT_TRUE(same(dump(t.take()), fast)) << hex(v[1]);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 8u * (27u * 28u / 2u));
}

TEST(JsonWriter, RandomAndLongStrings) {
  std::mt19937 rng(20240607);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> high(0x80, 0xff);
  std::uniform_int_distribution<int> length(0, 40);
  for (int n = 0; n < 50000; ++n) {
    std::string s;
    const int len = length(rng);
    for (int k = 0; k < len; ++k) s += static_cast<char>(n % 2 ? high(rng) : byte(rng));
    if (dump(nlohmann::json(s)) != fast_string(s)) {
      expect_string_matches(s);
      return;
    }
  }
  // Long: longer than nlohmann's 512-byte buffer, which it flushes mid-string.
  std::string text;
  for (int k = 0; k < 20000; ++k) text += "ab\"c\\d\x01\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x82\xff/";
  expect_string_matches(text);
  std::string noise;
  for (int k = 0; k < 1 << 20; ++k) noise += static_cast<char>(byte(rng));
  expect_string_matches(noise);
  expect_string_matches(std::string(100000, 'x') + "\xf0\x9f\x98");  // cut short at the very end
}

// --- reports with hostile strings ----------------------------------------------

std::vector<std::string> hostile_strings() {
  return {"",
          "plain",
          std::string("nul\0inside", 10),
          "\x01\x02\x1b[31mred\x1b[0m\x7f",
          "quote\" back\\slash /slash",
          "\b\f\n\r\t\v",
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd",
          "\x80 lone continuation \xbf",
          "truncated at the end \xe2\x82",
          "truncated at the end \xf0\x9f\x98",
          "truncated at the end \xc3",
          "overlong \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf",
          "surrogate \xed\xa0\x80 \xed\xbf\xbf",
          "too large \xf4\x90\x80\x80 \xf5\x80\x80\x80 \xff\xfe",
          "cut then ascii \xe2\x82\x41\xf0\x9f\x42",
          std::string(5000, 'v') + "\xe2\x82\xac" + std::string(5000, '\\') + "\xc3"};
}

Evaluation hostile_evaluation(const std::string& s, int n) {
  Evaluation e;
  e.result = static_cast<Result>(n % 7);
  e.identity = n % 2 ? Identity::Helo : Identity::MailFrom;
  e.domain = s;
  if (n % 3 != 0) e.record = "v=spf1 " + s;
  if (n % 2 == 0) e.matched = s;
  if (n % 2 == 0) e.matched_domain = s + s;
  if (n % 4 == 1) e.explanation = s;
  if (n % 5 != 2) e.problem = s;
  e.match_path = {{s, "include:" + s}, {"", ""}};
  if (n % 3 == 2) e.match_path.clear();
  e.lookups = n % 12;
  e.void_lookups = n % 3;
  for (int d = 0; d < n % 4; ++d) e.trace.push_back({d, n % 2 ? s : "dns", s});
  return e;
}

TEST(JsonWriter, HostileEvaluations) {
  const auto strings = hostile_strings();
  int n = 0;
  for (const auto& s : strings) {
    for (const auto& t : strings) {
      const auto e = hostile_evaluation(s, n++);
      for (bool trace : {true, false}) {
        EXPECT_TRUE(same(tree_line(e, trace, s, t, s + t), fast_line(e, trace, s, t, s + t)))
            << "strings: " << hex(s.substr(0, 40)) << " / " << hex(t.substr(0, 40));
      }
    }
  }
  EXPECT_TRUE(same(tree_line(Evaluation{}, true, "", "", ""), fast_line(Evaluation{}, true, "", "", "")));
}

lint::TreeNode hostile_node(const std::string& s, int depth) {
  lint::TreeNode n;
  n.domain = s;
  n.via = depth == 0 ? "top" : s;
  n.term = depth == 0 ? "" : "include:" + s;
  if (depth % 2 == 0) n.record = s;
  n.records = {s, s + s};
  n.own_lookups = depth;
  n.lookups = depth * 3;
  n.void_lookups = depth % 3;
  n.ip4 = {"192.0.2.0/24", s};
  if (depth == 1) n.ip6 = {s};
  n.mx_hosts = {s};
  if (depth == 2) n.problem = s;
  n.has_macros = depth == 1;
  if (depth < 3) n.children = {hostile_node(s, depth + 1), hostile_node(s + "x", depth + 2)};
  return n;
}

TEST(JsonWriter, HostileLintReports) {
  const auto strings = hostile_strings();
  int n = 0;
  for (const auto& s : strings) {
    lint::LintReport r;
    r.domain = s;
    if (n % 2 == 0) r.record = s;
    r.records = {s, "v=spf1 -all"};
    r.record_given = n % 3 == 0;
    r.lookups = 11 + n;
    r.void_lookups = n % 4;
    r.max_mx_names = n;
    r.tree = hostile_node(s, 0);
    r.findings = {{s, lint::Severity::Error, s, s, s, s, static_cast<std::size_t>(n) * 1000003},
                  {"x", lint::Severity::Info, "", "", std::nullopt, std::nullopt, std::nullopt}};
    r.verdict = s;
    if (n % 2 == 1) r.ip_check = hostile_evaluation(s, n);
    r.providers = {{s, s, "mx", true}, {"", "", "option", false}};
    if (n % 3 != 1) r.flatten = lint::FlattenSuggestion{{s, "b"}, s, n, s};
    EXPECT_TRUE(same(tree_line(r), fast_line(r))) << "string: " << hex(s.substr(0, 40));
    ++n;
  }
  EXPECT_TRUE(same(tree_line(lint::LintReport{}), fast_line(lint::LintReport{})));
}

// --- the bench world -----------------------------------------------------------

#ifdef SPFDOCTOR_BENCH_WORLD

const std::string kWorld = SPFDOCTOR_BENCH_WORLD;

std::shared_ptr<dns::ZoneData> world() {
  static auto z = std::make_shared<dns::ZoneData>(dns::load_master_file(kWorld + "/world.zone"));
  return z;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Every query of queries-2100.txt, evaluated with and without a trace, as
// `eval --batch --json` reads and writes them.
TEST(JsonWriter, EveryBenchWorldEvaluation) {
  const auto queries = lines_of(kWorld + "/queries-2100.txt");
  ASSERT_EQ(queries.size(), 2100u);
  dns::ZoneResolver resolver(world());
  std::size_t compared = 0;
  std::size_t with_trace_steps = 0;
  for (const auto& line : queries) {
    std::istringstream words(line);
    std::string ip, sender, helo;
    words >> ip >> sender >> helo;
    auto addr = IpAddress::parse_client(ip);
    ASSERT_TRUE(addr) << line;
    const Query q{*addr, sender == "<>" ? "" : sender, helo, "unknown"};
    for (bool trace : {true, false}) {
      EvalOptions opts;
      opts.trace = trace;
      opts.timestamp = 1700000000;
      const auto e = evaluate(resolver, q, opts);
      if (!e.trace.empty()) ++with_trace_steps;
      ASSERT_TRUE(same(tree_line(e, trace, ip, sender, helo), fast_line(e, trace, ip, sender, helo))) << line;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 4200u);
  EXPECT_GT(with_trace_steps, 2000u);
}

// The lint report of every domain in domains.txt, as `scan` writes them; some
// also with --ip and --provider, so that ip_check and provider advice are there.
TEST(JsonWriter, EveryBenchWorldLintReport) {
  const auto domains = lines_of(kWorld + "/domains.txt");
  ASSERT_GE(domains.size(), 10000u);
  dns::ZoneResolver resolver(world());
  std::size_t n = 0, flattened = 0, ip_checks = 0, providers = 0, positions = 0, problems = 0;
  for (const auto& domain : domains) {
    lint::LintOptions o;
    if (n % 10 == 3) o.ip = IpAddress::parse(n % 20 == 3 ? "40.92.0.1" : "198.18.0.7");
    if (n % 10 == 7) o.providers = {"m365"};
    const auto r = lint::lint(resolver, domain, o);
    ASSERT_TRUE(same(tree_line(r), fast_line(r))) << domain;
    flattened += r.flatten ? 1 : 0;
    ip_checks += r.ip_check ? 1 : 0;
    providers += r.providers.empty() ? 0 : 1;
    problems += r.tree.problem ? 1 : 0;
    for (const auto& f : r.findings) positions += f.position ? 1 : 0;
    ++n;
  }
  // The world has every shape of report in it (or this test would prove less).
  EXPECT_GT(flattened, 0u);
  EXPECT_GT(ip_checks, 0u);
  EXPECT_GT(providers, 0u);
  EXPECT_GT(positions, 0u);
  EXPECT_GT(problems, 0u);
}

#else

TEST(JsonWriter, EveryBenchWorldReport) {
  GTEST_SKIP() << "no Python 3 at configure time: the bench world (bench/world/gen_world.py) was not generated";
}

#endif

}  // namespace
}  // namespace spfdoctor::report
