// Macro expansion (RFC 7208 §7).
#pragma once

#include <string>
#include <string_view>

#include "spfdoctor/record.hpp"

namespace spfdoctor {

struct MacroValues {
  std::string_view s;
  std::string_view l;
  std::string_view o;
  std::string_view d;
  std::string_view i;
  std::string_view p;
  std::string_view v;
  std::string_view h;
  std::string_view c;
  std::string_view r;
  std::string_view t;
};

// pyspf: a query name with an empty label or a label over 63 octets is not
// asked. True when `name` (no trailing dot) may be asked; `upper` tells
// whether it has upper-case letters (set only then).
bool askable(std::string_view name, bool& upper);

// The end of a domain-spec expansion (§7.3): one trailing dot dropped; over
// 253 octets, the first label dropped (pyspf drops one).
void finish_domain_expansion(std::string& out);

// Expands a compiled macro-string. In a domain-spec (explanation == false) one
// trailing dot is dropped. A result over 253 octets loses its leading label.
[[nodiscard]] std::string expand_macros(const spf::MacroString& spec, const MacroValues& values, bool explanation);

}  // namespace spfdoctor
