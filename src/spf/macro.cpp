// Macro expansion (RFC 7208 §7.3, §7.4), with pyspf's reading of the
// transformers where the RFC is loose (see docs/known-differences.md).
#include "spf/macro.hpp"

#include "util/swar.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace spfdoctor {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string_view value_of(char letter, const MacroValues& v) {
  switch (letter) {
    case 's': return v.s;
    case 'l': return v.l;
    case 'o': return v.o;
    case 'd': return v.d;
    case 'i': return v.i;
    case 'p': return v.p;
    case 'v': return v.v;
    case 'h': return v.h;
    case 'c': return v.c;
    case 'r': return v.r;
    default: return v.t;
  }
}

// §7.3: split on the delimiters, optionally reverse, keep the right-most N
// parts. The split keeps the delimiters (or '.' for l and s) between parts.
std::string transform(std::string_view value, std::string_view tr, char letter) {
  if (tr.empty()) return std::string(value);
  std::size_t i = 0;
  std::string_view digits;
  while (i < tr.size() && is_digit(tr[i])) ++i;
  digits = tr.substr(0, i);
  bool reverse = false;
  if (i < tr.size() && tr[i] == 'r') {
    reverse = true;
    ++i;
  }
  std::size_t d0 = i;
  while (i < tr.size() && !is_alnum(tr[i])) ++i;
  std::string_view delims = tr.substr(d0, i - d0);
  if (delims.empty()) delims = ".";
  const bool rejoin_with_dot = letter == 'l' || letter == 's';
  std::vector<std::string> parts;  // element, delimiter, element, ...
  std::string element;
  for (char c : value) {
    if (delims.find(c) != std::string_view::npos) {
      parts.push_back(std::move(element));
      element.clear();
      parts.emplace_back(1, rejoin_with_dot ? '.' : c);
    } else {
      element += c;
    }
  }
  parts.push_back(std::move(element));
  if (reverse) std::reverse(parts.begin(), parts.end());
  std::size_t begin = 0;
  if (!digits.empty()) {
    // Keep the last 2N-1 items (N parts and the delimiters between them);
    // N = 0 drops the first item, as pyspf's slice does.
    unsigned long long n = 0;
    for (char c : digits) {
      n = n * 10 + static_cast<unsigned long long>(c - '0');
      if (n > 1000000) n = 1000000;
    }
    if (n == 0) {
      begin = 1;
    } else {
      unsigned long long keep = 2 * n - 1;
      begin = keep >= parts.size() ? 0 : parts.size() - keep;
    }
  }
  std::string out;
  for (std::size_t k = begin; k < parts.size(); ++k) out += parts[k];
  return out;
}

// §7.3: upper-case macro letters URL-escape their expansion.
std::string url_escape(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// §7.3: over 253 octets, labels are dropped from the left (pyspf drops one).
void drop_first_label_if_long(std::string& out) {
  if (out.size() > 253) {
    auto dot = out.find('.');
    if (dot != std::string::npos) out.erase(0, dot + 1);
  }
}

}  // namespace

std::string expand_macros(const spf::MacroString& spec, const MacroValues& values, bool explanation) {
  // Expansions are bounded: a long record full of %{s} must not turn a long
  // sender into gigabytes. Nothing legitimate comes near this.
  constexpr std::size_t kMaxExpansion = 16 * 1024;
  std::string out;
  for (const auto& piece : spec.pieces) {
    if (out.size() > kMaxExpansion) {
      out.resize(kMaxExpansion);
      break;
    }
    if (!piece.is_macro) {
      out += piece.literal;
      continue;
    }
    std::string_view value = value_of(piece.letter, values);
    if (value.empty()) continue;
    std::string e = transform(value, piece.transformer, piece.letter);
    out += piece.url_escape ? url_escape(e) : e;
  }
  if (!explanation && !out.empty() && out.back() == '.') out.pop_back();
  drop_first_label_if_long(out);
  return out;
}

// askable() (macro.hpp). Every check runs this on each name it asks, so
// it reads 8 bytes at a time (SWAR): dots are the zero bytes of the word XOR
// "........", upper-case letters the bytes below 0x80 within 'A'..'Z'.
bool askable(std::string_view name, bool& upper) {
  using swar::kOnes;
  constexpr std::uint64_t kLow7 = 0x7f * kOnes;
  if (name.empty()) return false;
  std::uint64_t uppers = 0;
  std::size_t label_start = 0;  // where the current label begins
  for (std::size_t i = 0; i < name.size(); i += 8) {
    // Byte j of the word at bits 8j, whatever the host's byte order; bytes
    // past the end read as 0: neither a dot nor a letter.
    std::uint64_t w = 0;
    if (std::size_t rest = name.size() - i; rest >= 8) {
      w = swar::load8(name.data() + i);
    } else if (name.size() >= 8) {  // the last 8 bytes, shifted past those already seen
      w = swar::load8(name.data() + name.size() - 8) >> (8 * (8 - rest));
    } else {
      for (std::size_t j = 0; j < rest; ++j) w |= std::uint64_t{static_cast<unsigned char>(name[j])} << (8 * j);
    }
    uppers |= swar::upper_bytes(w);
    std::uint64_t x = w ^ ('.' * kOnes);
    std::uint64_t dots = ~(((x & kLow7) + kLow7) | x | kLow7);  // the high bit of each '.'
    for (; dots != 0; dots &= dots - 1) {
      std::size_t pos = i + static_cast<std::size_t>(std::countr_zero(dots) / 8);
      std::size_t len = pos - label_start;
      if (len == 0 || len > 63) return false;
      label_start = pos + 1;
    }
  }
  std::size_t last = name.size() - label_start;
  if (last == 0 || last > 63) return false;
  upper = uppers != 0;
  return true;
}

void finish_domain_expansion(std::string& out) {
  if (!out.empty() && out.back() == '.') out.pop_back();
  drop_first_label_if_long(out);
}

}  // namespace spfdoctor
