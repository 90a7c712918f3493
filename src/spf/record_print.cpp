// Printing a parsed record back to text (RFC 7208 §4.6.1, §12 grammar). The
// output is built from the AST fields rather than the text as written, so the
// parse -> print -> parse round trip (fuzz/fuzz_record.cpp) tests the parser.
#include <string>

#include "spfdoctor/record.hpp"

namespace spfdoctor::spf {

std::string to_string(const Term& term) {
  // An erroneous term may have half-filled fields; its text is what it is.
  if (term.error) return term.text;
  std::string out;
  if (term.kind != TermKind::Mechanism) {
    out.reserve(term.name.size() + 1 + term.arg.size());
    out += term.name;
    out += '=';
    out += term.arg;
    return out;
  }
  if (term.explicit_qualifier) out += static_cast<char>(term.qualifier);
  out += to_string(term.mechanism);
  if (term.has_arg) {
    out += ':';
    out += term.arg;
  }
  if (term.cidr4) {
    out += '/';
    out += std::to_string(*term.cidr4);
  }
  if (term.cidr6) {
    out += "//";
    out += std::to_string(*term.cidr6);
  }
  return out;
}

std::string to_string(const Record& record) {
  std::string out = "v=spf1";
  for (const auto& term : record.terms) {
    out += ' ';
    out += to_string(term);
  }
  return out;
}

}  // namespace spfdoctor::spf
