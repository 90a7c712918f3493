// SPF record parser (RFC 7208 §4.5, §4.6, §5, §6, §7.1, §12).
//
// Where RFC 7208 leaves room, the parser follows the reference implementation
// (pyspf 2.0.14) so that our results agree with it test for test; each such
// choice is marked "pyspf:" and listed in docs/known-differences.md.
#include "spfdoctor/record.hpp"
#include "spf/macro.hpp"
#include "util/text_key.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <unordered_map>

namespace spfdoctor::spf {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

constexpr std::string_view kMacroLetters = "slodipvhcrt";

// Parses "0" or "[1-9][0-9]*" (no leading zeros); saturates large values.
std::optional<int> parse_cidr_digits(std::string_view s) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  long long v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
    if (v > 100000) v = 100000;
  }
  return static_cast<int>(v);
}

// Strips a trailing "/N" (or "//N" when `dual`) from `s`.
std::optional<int> strip_cidr(std::string_view& s, bool dual) {
  std::size_t end = s.size();
  std::size_t i = end;
  while (i > 0 && is_digit(s[i - 1])) --i;
  if (i == end) return std::nullopt;
  auto digits = s.substr(i);
  auto value = parse_cidr_digits(digits);
  if (!value) return std::nullopt;
  if (dual) {
    if (i < 2 || s[i - 1] != '/' || s[i - 2] != '/') return std::nullopt;
    s = s.substr(0, i - 2);
  } else {
    if (i < 1 || s[i - 1] != '/') return std::nullopt;
    s = s.substr(0, i - 1);
  }
  return value;
}

// A top-label at the very end: "." label ["."] where the label is alphanumeric
// with at least one letter, or alphanumeric with inner hyphens (§7.1).
bool toplabel_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != '.') return false;
  std::string_view label = s.substr(pos + 1);
  if (!label.empty() && label.back() == '.') label.remove_suffix(1);
  if (label.empty()) return false;
  bool any_alpha = false;
  bool any_hyphen = false;
  for (char c : label) {
    if (is_alpha(c)) {
      any_alpha = true;
    } else if (c == '-') {
      any_hyphen = true;
    } else if (!is_digit(c)) {
      return false;
    }
  }
  if (!any_hyphen) return any_alpha;
  return label.front() != '-' && label.back() != '-';
}

// The first '}' at or after a position, for positions that only grow: the
// answer is remembered, so a string of many "%{" costs linear time, not
// quadratic (found by fuzz_record on a 64 KiB record).
class CloseFinder {
 public:
  explicit CloseFinder(std::string_view s) : s_(s) {}
  std::size_t at_or_after(std::size_t pos) {
    if (!known_ || (next_ != std::string_view::npos && next_ < pos)) {
      next_ = s_.find('}', pos);
      known_ = true;
    }
    return next_;
  }

 private:
  std::string_view s_;
  std::size_t next_ = std::string_view::npos;
  bool known_ = false;
};

}  // namespace

bool is_ip4_literal(std::string_view s) {
  auto ip = IpAddress::parse(s);
  return ip && ip->is_v4();
}

bool has_valid_domain_end(std::string_view s) {
  if (s.find('%') == std::string_view::npos) {
    // No macro: only the last dot (before one trailing dot) can start the
    // final top-label, since the label runs to the end. The scan below
    // would find the same.
    std::string_view t = s;
    if (!t.empty() && t.back() == '.') t.remove_suffix(1);
    const std::size_t dot = t.rfind('.');
    return dot != std::string_view::npos && toplabel_at(s, dot);
  }
  // Scan left to right for macros and a final top-label, the way a regex
  // search would; valid when the last thing found ends the string.
  std::size_t last_end = std::string_view::npos;
  CloseFinder closing(s);
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '.' && toplabel_at(s, i)) {
      last_end = s.size();
      break;
    }
    if (s[i] == '%' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == '%' || n == '_' || n == '-') {
        i += 2;
        last_end = i;
        continue;
      }
      if (n == '{') {
        auto close = closing.at_or_after(i + 2);
        if (close != std::string_view::npos) {
          i = close + 1;
          last_end = i;
          continue;
        }
      }
    }
    ++i;
  }
  return last_end == s.size() && !s.empty();
}

MacroString compile_macro_string(std::string_view s, MacroContext context) {
  MacroString out;
  // pyspf: a '%' not preceded by '%' must be followed by one of "{%_-", and
  // the string may not end with '%' (RFC 7208 §7.1 macro-expand).
  for (std::size_t k = s.find('%'); k != std::string_view::npos; k = s.find('%', k + 1)) {
    bool preceded = k > 0 && s[k - 1] == '%';
    if (k + 1 == s.size()) {
      out.error = fmt::format("invalid macro: '%' at the end of \"{}\"", s);
      return out;
    }
    char n = s[k + 1];
    if (!preceded && n != '{' && n != '%' && n != '_' && n != '-') {
      out.error = fmt::format("invalid macro '%{}' at offset {} of \"{}\"", n, k, s);
      return out;
    }
  }
  auto add_literal = [&](std::string_view text) {
    if (out.pieces.empty() || out.pieces.back().is_macro) out.pieces.emplace_back();
    out.pieces.back().literal.append(text);
  };
  CloseFinder closing(s);
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '%' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == '%') {
        add_literal("%");
        i += 2;
        continue;
      }
      if (n == '_') {
        add_literal(" ");
        i += 2;
        continue;
      }
      if (n == '-') {
        add_literal("%20");
        i += 2;
        continue;
      }
      if (n == '{') {
        auto close = closing.at_or_after(i + 2);
        if (close != std::string_view::npos) {
          std::string_view body = s.substr(i + 2, close - i - 2);
          char original = body.empty() ? '}' : body.front();
          char letter = lower(original);
          if (kMacroLetters.find(letter) == std::string_view::npos) {
            out.error = fmt::format("unknown macro letter in \"%{{{}}}\"", body);
            return out;
          }
          if (context == MacroContext::DomainSpec && (letter == 'c' || letter == 'r' || letter == 't')) {
            out.error = fmt::format("macro \"%{{{}}}\" is allowed only in exp= text (RFC 7208 §7.2)", body);
            return out;
          }
          MacroString::Piece p;
          p.is_macro = true;
          p.letter = letter;
          p.url_escape = original != letter;
          p.transformer = std::string(body.substr(1));
          if (letter == 'p') out.uses_p = true;
          out.letters |= 1U << (letter - 'a');
          out.pieces.push_back(std::move(p));
          i = close + 1;
          continue;
        }
      }
    }
    // A run of literal text up to the next '%' (most strings have none).
    std::size_t next = s.find('%', i + 1);
    if (next == std::string_view::npos) next = s.size();
    add_literal(s.substr(i, next - i));
    i = next;
  }
  if (context == MacroContext::DomainSpec && out.letters == 0) {
    std::string constant = out.pieces.empty() ? std::string() : out.pieces.front().literal;
    finish_domain_expansion(constant);
    bool upper = false;
    out.constant_is_query_name =
        !constant.empty() && constant.back() != '.' && askable(constant, upper) && !upper;
    out.constant = std::move(constant);
  }
  return out;
}

Result qualifier_result(Qualifier q) {
  switch (q) {
    case Qualifier::Pass: return Result::Pass;
    case Qualifier::Fail: return Result::Fail;
    case Qualifier::SoftFail: return Result::SoftFail;
    case Qualifier::Neutral: return Result::Neutral;
  }
  return Result::Neutral;
}

std::string_view to_string(Mechanism m) {
  switch (m) {
    case Mechanism::All: return "all";
    case Mechanism::Include: return "include";
    case Mechanism::A: return "a";
    case Mechanism::Mx: return "mx";
    case Mechanism::Ptr: return "ptr";
    case Mechanism::Ip4: return "ip4";
    case Mechanism::Ip6: return "ip6";
    case Mechanism::Exists: return "exists";
  }
  return "?";
}

// The mechanisms that name a domain are the ones that query DNS; redirect= too.
bool Term::counts_lookup() const {
  return kind == TermKind::Redirect || needs_domain();
}

const Term* Record::first_error() const {
  for (const auto& t : terms) {
    if (t.error) return &t;
  }
  return nullptr;
}

const Term* Record::redirect() const {
  for (const auto& t : terms) {
    if (t.kind == TermKind::Redirect) return &t;
  }
  return nullptr;
}

const Term* Record::explanation() const {
  for (const auto& t : terms) {
    if (t.kind == TermKind::Explanation) return &t;
  }
  return nullptr;
}

bool is_spf_record(std::string_view txt) {
  if (txt.size() < 6) return false;
  if (to_lower(txt.substr(0, 6)) != "v=spf1") return false;
  return txt.size() == 6 || txt[6] == ' ';
}

namespace {

// Modifier: name "=" value, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (§4.6.1).
bool split_modifier(std::string_view term, std::string_view& name, std::string_view& value) {
  if (term.empty() || !is_alpha(term[0])) return false;
  std::size_t i = 1;
  while (i < term.size() && (is_alnum(term[i]) || term[i] == '-' || term[i] == '_' || term[i] == '.')) ++i;
  if (i >= term.size() || term[i] != '=') return false;
  name = term.substr(0, i);
  value = term.substr(i + 1);
  return true;
}

// `m` in lower case.
std::optional<Mechanism> mechanism_named(std::string_view m) {
  switch (m.size()) {
    case 1:
      if (m[0] == 'a') return Mechanism::A;
      break;
    case 2:
      if (m == "mx") return Mechanism::Mx;
      break;
    case 3:
      if (m == "all") return Mechanism::All;
      if (m == "ip4") return Mechanism::Ip4;
      if (m == "ip6") return Mechanism::Ip6;
      if (m == "ptr") return Mechanism::Ptr;
      break;
    case 6:
      if (m == "exists") return Mechanism::Exists;
      break;
    case 7:
      if (m == "include") return Mechanism::Include;
      break;
    default: break;
  }
  return std::nullopt;
}

void parse_mechanism(Term& t) {
  auto fail = [&](std::string why) {
    if (!t.error) {
      t.error = std::move(why);
      t.error_offset = t.offset;
    }
  };
  std::string_view text = t.text;
  if (text.back() == ',') {
    // pyspf: "Do not separate mechanisms with commas".
    fail(fmt::format("\"{}\": terms are separated by spaces, not commas", t.text));
    text.remove_suffix(1);
  }
  std::string_view body = text;
  auto cidr6 = strip_cidr(body, true);
  auto cidr4 = strip_cidr(body, false);
  const auto colon = body.find(':');
  const std::string_view written = body.substr(0, colon);
  if (colon != std::string_view::npos) {
    t.arg.assign(body.substr(colon + 1));
    t.has_arg = true;
  }
  // The name in lower case, on the stack: every real one is short; a longer
  // one is unknown anyway and only goes into the error message.
  char small[16];
  std::string large;
  std::string_view m;
  if (written.size() <= sizeof small) {
    for (std::size_t k = 0; k < written.size(); ++k) small[k] = lower(written[k]);
    m = std::string_view(small, written.size());
  } else {
    large = to_lower(written);
    m = large;
  }
  if (!m.empty() && (m[0] == '+' || m[0] == '-' || m[0] == '~' || m[0] == '?')) {
    t.qualifier = static_cast<Qualifier>(m[0]);
    t.explicit_qualifier = true;
    m.remove_prefix(1);
  }
  // pyspf: common misspellings are errors, not unknown-but-ignored.
  if (m == "prt" || m == "ip" || m == "ipv4" || m == "ipv6" || m == "all.") {
    fail(fmt::format("unknown mechanism \"{}\" in \"{}\"", m, t.text));
    return;
  }
  auto mech = mechanism_named(m);
  if (!mech && is_ip4_literal(m)) {
    fail(fmt::format("\"{}\": an IPv4 address needs the ip4: prefix", t.text));
    return;
  }
  if (!mech) {
    if (!m.empty() && mechanism_named(m.substr(1))) {
      fail(fmt::format("unknown qualifier '{}' in \"{}\" (RFC 7208 §4.6.2)", m[0], t.text));
    } else {
      fail(fmt::format("unknown mechanism \"{}\"", t.text));
    }
    return;
  }
  t.mechanism = *mech;
  t.cidr4 = cidr4;
  t.cidr6 = cidr6;
  switch (*mech) {
    case Mechanism::A:
    case Mechanism::Mx:
      if (t.has_arg && is_ip4_literal(t.arg)) {
        fail(fmt::format("\"{}\": use ip4:{} for an IPv4 address", t.text, t.arg));
        return;
      }
      if (cidr4 && *cidr4 > 32) fail(fmt::format("invalid IPv4 prefix length /{} in \"{}\"", *cidr4, t.text));
      if (cidr6 && *cidr6 > 128) fail(fmt::format("invalid IPv6 prefix length //{} in \"{}\"", *cidr6, t.text));
      break;
    case Mechanism::Ip4: {
      if (cidr6) fail(fmt::format("\"{}\": ip4 takes no IPv6 prefix length", t.text));
      if (cidr4 && *cidr4 > 32) fail(fmt::format("invalid IPv4 prefix length /{} in \"{}\"", *cidr4, t.text));
      auto ip = IpAddress::parse(t.arg);
      if (!t.has_arg || !ip || !ip->is_v4()) {
        fail(fmt::format("invalid IPv4 address in \"{}\"", t.text));
      } else {
        t.network = Network{*ip, cidr4.value_or(32)};
      }
      return;
    }
    case Mechanism::Ip6: {
      if (cidr6) fail(fmt::format("\"{}\": ip6 takes a single prefix length", t.text));
      if (cidr4 && *cidr4 > 128) fail(fmt::format("invalid IPv6 prefix length /{} in \"{}\"", *cidr4, t.text));
      auto ip = IpAddress::parse(t.arg);
      if (!t.has_arg || !ip || ip->is_v4() || t.arg.find(':') == std::string::npos) {
        fail(fmt::format("invalid IPv6 address in \"{}\"", t.text));
      } else {
        t.network = Network{*ip, cidr4.value_or(128)};
      }
      return;
    }
    default:
      if (cidr4 || cidr6) {
        fail(fmt::format("\"{}\": {} takes no prefix length", t.text, m));
        return;
      }
      break;
  }
  if (t.needs_domain()) {
    if (*mech == Mechanism::Exists && t.arg.empty()) {
      fail(fmt::format("\"{}\": exists needs a domain", t.text));
      return;
    }
    if (*mech == Mechanism::Include && !t.has_arg) {
      fail("\"include\" without a domain");
      return;
    }
    if (t.has_arg) {
      if (!has_valid_domain_end(t.arg)) {
        fail(fmt::format("\"{}\": \"{}\" is not a valid domain (it must end in a top-level label or a macro)", t.text,
                         t.arg));
        return;
      }
      t.spec = compile_macro_string(t.arg, MacroContext::DomainSpec);
      if (t.spec.error) fail(fmt::format("\"{}\": {}", t.text, *t.spec.error));
    }
    return;
  }
  if (*mech == Mechanism::All && t.text.find(':') != std::string::npos) {
    fail(fmt::format("\"{}\": all takes no argument", t.text));
  }
}

}  // namespace

Record parse_record(std::string_view text) {
  Record rec;
  rec.text = std::string(text);
  // One pass for both: any byte over 0x7f, and how many spaces (terms).
  std::size_t spaces = 0;
  unsigned char bits = 0;
  for (char c : text) {
    spaces += c == ' ';
    bits |= static_cast<unsigned char>(c);
  }
  rec.ascii = bits < 0x80;
  // Terms are separated by spaces only (§4.6.1); the first word is the version.
  std::size_t pos = 0;
  bool version_seen = false;
  std::set<std::string, std::less<>> modifier_names;
  // Room for the terms up front (a Term is large; growing the vector moves
  // them all), bounded: a hostile 64 KiB record is mostly spaces.
  rec.terms.reserve(std::min<std::size_t>(64, spaces));
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    std::size_t offset = pos;
    pos = end;
    if (!version_seen) {
      version_seen = true;
      continue;
    }
    Term& t = rec.terms.emplace_back();
    t.text = std::string(word);
    t.offset = offset;
    std::string_view name;
    std::string_view value;
    if (split_modifier(word, name, value)) {
      t.name = std::string(name);
      t.arg = std::string(value);
      t.has_arg = true;
      // pyspf: modifier names are compared case-sensitively, and any modifier
      // given twice is an error (RFC 7208 §6 requires it for redirect and exp).
      // A set, not a list: a 64 KiB record holds some 16000 modifiers.
      const bool duplicate = !modifier_names.insert(t.name).second;
      if (t.name == "redirect") {
        t.kind = TermKind::Redirect;
      } else if (t.name == "exp") {
        t.kind = TermKind::Explanation;
      } else {
        t.kind = TermKind::UnknownModifier;
      }
      if (duplicate) {
        t.error = fmt::format("\"{}=\" appears more than once (RFC 7208 §6)", t.name);
        t.error_offset = offset;
      } else if (t.kind == TermKind::Redirect || t.kind == TermKind::Explanation) {
        if (t.arg.empty()) {
          t.error = fmt::format("\"{}\": {}= needs a domain", t.text, t.name);
        } else if (!has_valid_domain_end(t.arg)) {
          t.error = fmt::format("\"{}\": \"{}\" is not a valid domain (it must end in a top-level label or a macro)",
                                t.text, t.arg);
        } else {
          t.spec = compile_macro_string(t.arg, MacroContext::DomainSpec);
          if (t.spec.error) t.error = fmt::format("\"{}\": {}", t.text, *t.spec.error);
        }
        t.error_offset = offset;
      } else if (t.name != "default" && t.name != "op") {
        // Unknown modifiers are ignored, but their macros must be valid (§6).
        t.spec = compile_macro_string(t.arg, MacroContext::DomainSpec);
        if (t.spec.error) {
          t.error = fmt::format("\"{}\": {}", t.text, *t.spec.error);
          t.error_offset = offset;
        }
      }
    } else {
      t.kind = TermKind::Mechanism;
      parse_mechanism(t);
    }
  }
  return rec;
}

std::size_t footprint(const Record& rec) {
  // A term's error message (when it has one) is not part of the text: a
  // generous allowance a term covers it.
  return sizeof(Record) + 6 * rec.text.size() + rec.terms.size() * (sizeof(Term) + 64);
}

namespace {

// parse_record_cached()'s table, keyed by a view of the cached record's own text.
struct ParseCache {
  std::unordered_map<TextKey, std::shared_ptr<const Record>, TextKey::Hash, TextKey::Equal> map;
  std::size_t bytes = 0;  // footprint() of the records in map
};
ParseCache& parse_cache() {
  thread_local ParseCache cache;
  return cache;
}

}  // namespace

std::shared_ptr<const Record> parse_record_cached(std::string_view text) {
  constexpr std::size_t kMaxEntries = 4096;
  constexpr std::size_t kMaxBytes = std::size_t{32} << 20;
  auto& cache = parse_cache();
  const TextKey probe(text);
  if (auto it = cache.map.find(probe); it != cache.map.end()) return it->second;
  auto rec = std::make_shared<const Record>(parse_record(text));
  const std::size_t cost = footprint(*rec);
  if (cost > kMaxBytes / 8) return rec;  // a giant: parsed again if it comes again
  if (cache.map.size() >= kMaxEntries || cache.bytes + cost > kMaxBytes) {
    cache.map.clear();
    cache.bytes = 0;
  }
  cache.map.emplace(TextKey(rec->text, probe), rec);
  cache.bytes += cost;
  return rec;
}

ParseCacheUse parse_cache_use() {
  const auto& cache = parse_cache();
  return {cache.map.size(), cache.bytes};
}

}  // namespace spfdoctor::spf
