// Macro expansion (RFC 7208 §7).
#pragma once

#include <string>

#include "spfdoctor/record.hpp"

namespace spfdoctor {

struct MacroValues {
  const std::string& s;
  const std::string& l;
  const std::string& o;
  const std::string& d;
  const std::string& i;
  const std::string& p;
  const std::string& v;
  const std::string& h;
  const std::string& c;
  const std::string& r;
  const std::string& t;
};

// Expands a compiled macro-string. In a domain-spec (explanation == false) one
// trailing dot is dropped. A result over 253 octets loses its leading label.
[[nodiscard]] std::string expand_macros(const spf::MacroString& spec, const MacroValues& values, bool explanation);

}  // namespace spfdoctor
