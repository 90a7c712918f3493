// The SPF record as an AST (RFC 7208 §4.5, §4.6, §5, §6, §12). The linter and
// the evaluator share it, so they never disagree about what a record says.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spfdoctor/ip.hpp"
#include "spfdoctor/result.hpp"

namespace spfdoctor::spf {

// A macro-string (RFC 7208 §7.1) compiled into literal and macro pieces.
struct MacroString {
  struct Piece {
    bool is_macro = false;
    std::string literal;      // literal text (already un-escaped for %% %_ %-)
    char letter = 0;          // lower-case macro letter
    bool url_escape = false;  // upper-case letter: URL-escape the expansion (§7.3)
    std::string transformer;  // text after the letter, e.g. "2r" or "r-"
  };
  std::vector<Piece> pieces;
  bool uses_p = false;
  std::uint32_t letters = 0;  // bit (letter - 'a') for each macro letter used
  std::optional<std::string> error;  // invalid macro syntax: the record is a permerror
  // A domain-spec without macros: what it expands to (one trailing dot
  // dropped, over 253 octets its first label dropped), computed once.
  std::optional<std::string> constant;
  // The constant goes to DNS as it is (no trailing dot, no upper case, every
  // label 1-63 octets): the evaluator skips its per-lookup name check.
  bool constant_is_query_name = false;
  [[nodiscard]] bool uses(char letter) const { return (letters >> (letter - 'a')) & 1U; }
};

enum class MacroContext : std::uint8_t { DomainSpec, Explanation };

// Compiles `text`. In a domain-spec the exp-only letters c, r, t are errors (§7.2).
[[nodiscard]] MacroString compile_macro_string(std::string_view text, MacroContext context);

enum class Qualifier : char { Pass = '+', Fail = '-', SoftFail = '~', Neutral = '?' };
[[nodiscard]] Result qualifier_result(Qualifier q);

enum class Mechanism : std::uint8_t { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists };
[[nodiscard]] std::string_view to_string(Mechanism m);

enum class TermKind : std::uint8_t {
  Mechanism,
  Redirect,         // redirect= (§6.1)
  Explanation,      // exp= (§6.2)
  UnknownModifier,  // ignored (§6), but its macros must be valid
};

struct Term {
  TermKind kind = TermKind::Mechanism;
  std::string text;        // the term as written
  std::size_t offset = 0;  // byte position of the term in the record
  Qualifier qualifier = Qualifier::Pass;
  bool explicit_qualifier = false;
  Mechanism mechanism = Mechanism::All;
  std::string name;                  // modifier name as written
  std::string arg;                   // domain-spec, IP text or modifier value, as written
  bool has_arg = false;              // mechanisms: a ':' was present
  std::optional<int> cidr4;          // as written ("/24"), validated
  std::optional<int> cidr6;          // as written ("//64"), validated
  std::optional<Network> network;    // ip4 / ip6
  MacroString spec;                  // compiled arg (domain-spec or value)
  std::optional<std::string> error;  // why this term is a syntax error (permerror)
  std::size_t error_offset = 0;      // byte position of the error in the record

  [[nodiscard]] bool is_mechanism() const { return kind == TermKind::Mechanism; }
  // Terms that cause DNS queries count toward the limit of 10 (§4.6.4).
  [[nodiscard]] bool counts_lookup() const;
  [[nodiscard]] bool needs_domain() const {
    if (kind != TermKind::Mechanism) return false;
    switch (mechanism) {
      case Mechanism::Include:
      case Mechanism::A:
      case Mechanism::Mx:
      case Mechanism::Ptr:
      case Mechanism::Exists: return true;
      default: return false;
    }
  }
};

struct Record {
  std::string text;
  std::vector<Term> terms;
  bool ascii = true;  // false: the text has bytes over 0x7f (a permerror, RFC 7208 §3.1)
  [[nodiscard]] const Term* first_error() const;
  [[nodiscard]] const Term* redirect() const;
  [[nodiscard]] const Term* explanation() const;
};

// True if `txt` is an SPF record: "v=spf1" alone or followed by a space,
// case-insensitively (§4.5).
[[nodiscard]] bool is_spf_record(std::string_view txt);

// Parses a record that starts with v=spf1. Never fails: syntax errors are
// attached to the terms that have them, in record order.
[[nodiscard]] Record parse_record(std::string_view text);

// parse_record() with a small per-thread cache keyed by the record text: busy
// receivers see the same few records again and again.
// The cache holds at most 4,096 records and 32 MiB (footprint()) a thread; a
// record of over 4 MiB (a hostile 64 KB record of one-letter terms parses to
// about 13 MiB) is parsed every time rather than kept.
[[nodiscard]] std::shared_ptr<const Record> parse_record_cached(std::string_view text);

// About how much memory a parsed record holds, in O(1): its terms, plus six
// times its text (what a term keeps as strings, its text, name, argument and
// compiled pieces, are parts of the record's text). What the per-thread caches
// of parsed records count against their budgets.
[[nodiscard]] std::size_t footprint(const Record& rec);

// What this thread's parse_record_cached() cache holds now: records, and their
// footprint() in bytes (for tests and the curious).
struct ParseCacheUse {
  std::size_t records = 0;
  std::size_t bytes = 0;
};
[[nodiscard]] ParseCacheUse parse_cache_use();

// Checks a domain-spec's shape before expansion: it must end in a macro or a
// top-label (RFC 7208 §7.1 "domain-end"). Returns false when it does not.
[[nodiscard]] bool has_valid_domain_end(std::string_view spec);

// Strict dotted-quad IPv4 text.
[[nodiscard]] bool is_ip4_literal(std::string_view s);

// The canonical text of a term, printed from the AST fields: qualifier (when
// written), mechanism name in lower case, ":" argument, "/" cidr4, "//" cidr6;
// modifiers as name=value. A term with a syntax error is printed as written.
// parse_record(to_string(r)) gives the same AST as r (src/spf/record_print.cpp).
[[nodiscard]] std::string to_string(const Term& term);
// "v=spf1" and the terms, separated by single spaces.
[[nodiscard]] std::string to_string(const Record& record);

}  // namespace spfdoctor::spf
