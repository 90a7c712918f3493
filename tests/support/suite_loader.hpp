// Loads the OpenSPF conformance suite's YAML (scenarios with zone data) into
// ZoneData, following the suite README's conventions.
#pragma once

#include <string>
#include <vector>

#include "spfdoctor/dns.hpp"

namespace spfdoctor::testing {

struct SuiteTest {
  std::string scenario;
  std::string name;
  std::string spec;
  std::string host;
  std::string mailfrom;
  std::string helo;
  std::vector<std::string> results;  // acceptable results
  std::optional<std::string> explanation;
};

struct SuiteScenario {
  std::string description;
  std::shared_ptr<dns::ZoneData> zone;
  std::vector<SuiteTest> tests;
};

std::vector<SuiteScenario> load_suite(const std::string& path);

// Where ../shared is: $SPFDOCTOR_SHARED, else the build-time default.
std::string shared_dir();

}  // namespace spfdoctor::testing
