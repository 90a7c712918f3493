#include "suite_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <stdexcept>

namespace spfdoctor::testing {

namespace {

// The suite writes raw bytes as "\xNN" escapes, which YAML reads as the code
// points U+0000..U+00FF; turn those back into single bytes.
std::string as_bytes(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (c == 0xC2 || c == 0xC3) {
      if (i + 1 < utf8.size()) {
        auto n = static_cast<unsigned char>(utf8[i + 1]);
        out += static_cast<char>(((c & 0x03) << 6) | (n & 0x3f));
        ++i;
        continue;
      }
    }
    out += static_cast<char>(c);
  }
  return out;
}

dns::Record txt_record(const YAML::Node& v, dns::RType type) {
  dns::Record rr;
  rr.type = type;
  if (v.IsSequence()) {
    for (const auto& s : v) rr.strings.push_back(as_bytes(s.as<std::string>()));
  } else {
    rr.strings.push_back(as_bytes(v.as<std::string>()));
  }
  return rr;
}

}  // namespace

std::string shared_dir() {
  if (const char* env = std::getenv("SPFDOCTOR_SHARED"); env && *env) return env;
  return SPFDOCTOR_SHARED_DIR;
}

std::vector<SuiteScenario> load_suite(const std::string& path) {
  std::vector<SuiteScenario> out;
  for (const auto& doc : YAML::LoadAllFromFile(path)) {
    SuiteScenario sc;
    sc.description = doc["description"].as<std::string>();
    sc.zone = std::make_shared<dns::ZoneData>();
    sc.zone->set_timeout_prefix("error.");
    for (const auto& entry : doc["zonedata"]) {
      auto owner = entry.first.as<std::string>();
      std::vector<dns::Record> txt, spf;
      bool txt_none = false;
      for (const auto& item : entry.second) {
        if (item.IsScalar()) {
          if (item.as<std::string>() == "TIMEOUT") sc.zone->set_timeout(owner);
          continue;
        }
        for (const auto& kv : item) {
          auto type = kv.first.as<std::string>();
          const auto& v = kv.second;
          dns::Record rr;
          if (type == "TXT") {
            if (v.IsScalar() && v.as<std::string>() == "NONE") {
              txt_none = true;
            } else {
              txt.push_back(txt_record(v, dns::RType::TXT));
            }
            continue;
          }
          if (type == "SPF") {
            spf.push_back(txt_record(v, dns::RType::SPF));
            continue;
          }
          if (type == "A" || type == "AAAA") {
            auto ip = IpAddress::parse(v.as<std::string>());
            if (!ip) throw std::runtime_error("bad address in suite: " + v.as<std::string>());
            rr.type = type == "A" ? dns::RType::A : dns::RType::AAAA;
            rr.address = *ip;
          } else if (type == "MX") {
            rr.type = dns::RType::MX;
            rr.preference = v[0].as<std::uint16_t>();
            rr.target = dns::normalize_name(v[1].as<std::string>());
          } else if (type == "PTR" || type == "CNAME") {
            rr.type = type == "PTR" ? dns::RType::PTR : dns::RType::CNAME;
            auto target = v.as<std::string>();
            if (!target.empty() && target.back() == '.') target.pop_back();
            rr.target = type == "CNAME" ? dns::normalize_name(target) : target;
          } else {
            throw std::runtime_error("unknown record type in suite: " + type);
          }
          sc.zone->add(owner, std::move(rr));
        }
      }
      // An SPF record also answers TXT queries unless the name has its own
      // TXT data or "TXT: NONE".
      for (auto& rr : spf) sc.zone->add(owner, rr);
      if (!txt.empty()) {
        for (auto& rr : txt) sc.zone->add(owner, std::move(rr));
      } else if (!txt_none) {
        for (auto rr : spf) {
          rr.type = dns::RType::TXT;
          sc.zone->add(owner, std::move(rr));
        }
      }
    }
    for (const auto& t : doc["tests"]) {
      SuiteTest st;
      st.scenario = sc.description;
      st.name = t.first.as<std::string>();
      const auto& n = t.second;
      st.spec = n["spec"] ? n["spec"].as<std::string>() : "";
      st.host = n["host"].as<std::string>();
      st.mailfrom = n["mailfrom"] ? n["mailfrom"].as<std::string>() : "";
      st.helo = n["helo"] ? n["helo"].as<std::string>() : "";
      if (n["result"].IsSequence()) {
        for (const auto& r : n["result"]) st.results.push_back(r.as<std::string>());
      } else {
        st.results.push_back(n["result"].as<std::string>());
      }
      if (n["explanation"]) st.explanation = n["explanation"].as<std::string>();
      sc.tests.push_back(std::move(st));
    }
    out.push_back(std::move(sc));
  }
  return out;
}

}  // namespace spfdoctor::testing
