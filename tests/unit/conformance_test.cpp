// The OpenSPF RFC 7208 conformance suite: every test, no skip list.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "../support/suite_loader.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor {
namespace {

struct Outcome {
  int passed = 0;
  int total = 0;
};

Outcome run_suite(const std::string& file, bool report) {
  auto scenarios = testing::load_suite(testing::shared_dir() + "/testsuite/" + file);
  Outcome o;
  for (const auto& sc : scenarios) {
    dns::ZoneResolver resolver(sc.zone);
    for (const auto& t : sc.tests) {
      ++o.total;
      auto ip = IpAddress::parse_client(t.host);
      EXPECT_TRUE(ip) << t.name << ": bad host " << t.host;
      if (!ip) continue;
      Query q{*ip, t.mailfrom, t.helo, "unknown"};
      EvalOptions opts;
      opts.trace = false;
      auto e = evaluate(resolver, q, opts);
      std::string got(to_string(e.result));
      bool ok = std::find(t.results.begin(), t.results.end(), got) != t.results.end();
      std::string why;
      if (!ok) why = "result " + got;
      if (ok && t.explanation && e.result == Result::Fail) {
        std::string want = *t.explanation;
        std::string have = e.explanation.value_or("DEFAULT");
        if (want != have) {
          ok = false;
          why = "explanation \"" + have + "\"";
        }
      }
      if (ok) {
        ++o.passed;
      } else if (report) {
        ADD_FAILURE() << sc.description << " / " << t.name << " (" << t.spec << "): want " << t.results.front()
                      << (t.explanation ? " \"" + *t.explanation + "\"" : "") << ", got " << why
                      << (e.problem ? " [" + *e.problem + "]" : "");
      }
    }
  }
  return o;
}

TEST(Conformance, Rfc7208SuiteAllTestsPass) {
  auto o = run_suite("rfc7208-tests.yml", true);
  std::cout << "RFC 7208 conformance suite: " << o.passed << " of " << o.total << " tests pass\n";
  EXPECT_EQ(o.total, 203);
  EXPECT_EQ(o.passed, o.total);
}

}  // namespace
}  // namespace spfdoctor
