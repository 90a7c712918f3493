// The record parser on arbitrary bytes. Invariants: no crash; printing the AST
// and parsing the print gives the same AST (every field but the text as
// written and the byte offsets); printing is idempotent.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "spfdoctor/record.hpp"

namespace {

using namespace spfdoctor::spf;

bool same_pieces(const MacroString& a, const MacroString& b) {
  if (a.pieces.size() != b.pieces.size() || a.uses_p != b.uses_p || a.error != b.error) return false;
  for (std::size_t i = 0; i < a.pieces.size(); ++i) {
    const auto& x = a.pieces[i];
    const auto& y = b.pieces[i];
    if (x.is_macro != y.is_macro || x.literal != y.literal || x.letter != y.letter || x.url_escape != y.url_escape ||
        x.transformer != y.transformer) {
      return false;
    }
  }
  return true;
}

bool same_network(const std::optional<spfdoctor::Network>& a, const std::optional<spfdoctor::Network>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->address == b->address && a->prefix == b->prefix);
}

// Empty when equal, else the first field that differs.
std::string term_difference(const Term& a, const Term& b) {
  if (a.kind != b.kind) return "kind";
  if (a.qualifier != b.qualifier) return "qualifier";
  if (a.explicit_qualifier != b.explicit_qualifier) return "explicit_qualifier";
  if (a.is_mechanism() && a.mechanism != b.mechanism) return "mechanism";
  if (a.name != b.name) return "name";
  if (a.arg != b.arg) return "arg";
  if (a.has_arg != b.has_arg) return "has_arg";
  if (a.cidr4 != b.cidr4) return "cidr4";
  if (a.cidr6 != b.cidr6) return "cidr6";
  if (!same_network(a.network, b.network)) return "network";
  if (!same_pieces(a.spec, b.spec)) return "spec";
  if (a.error.has_value() != b.error.has_value()) return "error";
  if (a.error && *a.error != *b.error) return "error text";
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)is_spf_record(text);
  (void)has_valid_domain_end(text);

  const Record first = parse_record(text);
  const std::string printed = to_string(first);
  const Record second = parse_record(printed);
  FUZZ_CHECK(first.terms.size() == second.terms.size(), "printed: " + printed);
  for (std::size_t i = 0; i < first.terms.size(); ++i) {
    const auto diff = term_difference(first.terms[i], second.terms[i]);
    FUZZ_CHECK(diff.empty(), "term " + std::to_string(i) + " (" + first.terms[i].text + " -> " + second.terms[i].text +
                                 ") differs in " + diff);
  }
  FUZZ_CHECK((first.first_error() == nullptr) == (second.first_error() == nullptr), printed);
  FUZZ_CHECK((first.redirect() == nullptr) == (second.redirect() == nullptr), printed);
  FUZZ_CHECK((first.explanation() == nullptr) == (second.explanation() == nullptr), printed);
  FUZZ_CHECK(to_string(second) == printed, printed + " -> " + to_string(second));

  for (const auto& t : first.terms) {
    // An accepted ip4:/ip6: argument is address text and nothing else, and
    // its network prints back to the same address.
    if (t.network && !t.error) {
      for (const char c : t.arg) {
        const bool address_char =
            (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        FUZZ_CHECK(address_char, "accepted address \"" + t.arg + "\" in " + t.text);
      }
      const auto again = spfdoctor::IpAddress::parse(t.network->address.to_string());
      FUZZ_CHECK(again && *again == t.network->address, "address does not print back: " + t.text);
    }
    // Every error offset points into the record.
    FUZZ_CHECK(t.offset < size || size == 0, "term offset");
    FUZZ_CHECK(!t.error || t.error_offset < size, "error offset");
  }
  return 0;
}
