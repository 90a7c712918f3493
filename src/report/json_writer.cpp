#include "report/json_writer.hpp"

#include "util/swar.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace spfdoctor::report {

namespace {

// A byte JSON escaping or printable() must look at: below 0x20, '"', '\\',
// DEL, or not ASCII.
constexpr bool is_special(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f; }

// The same test for the eight bytes of w at once: the high bit of each
// special byte is set. The lowest flagged byte is always a true one (a borrow
// only flags bytes above it), so the lowest of the union is.
constexpr std::uint64_t special_bytes(std::uint64_t w) {
  using swar::kOnes, swar::zero_bytes;
  return swar::bytes_below(w, 0x20) | zero_bytes(w ^ ('"' * kOnes)) | zero_bytes(w ^ ('\\' * kOnes)) |
         zero_bytes(w ^ (0x7f * kOnes)) | (w & swar::kHigh);
}

static_assert(special_bytes(0x2f2f3a2e30396161ULL) == 0);  // "aa90.://" (any order): none
static_assert(special_bytes(0x6161616122616161ULL) == 0x0000000080000000ULL);  // one '"'
static_assert(special_bytes(0x7f61616161616180ULL) == 0x8000000000000080ULL);  // DEL and 0x80

// The first special byte at or after `i`, or n if none. Report strings are
// mostly long plain ASCII (records, names, messages): sixteen bytes at a time
// where SSE2 is, then eight.
std::size_t first_special(const unsigned char* p, std::size_t n, std::size_t i) {
#if defined(__SSE2__)
  // As signed bytes, those from 0x80 up are negative, so one compare finds
  // them with the controls.
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i del = _mm_set1_epi8(0x7f);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, quote)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, del)));
    if (const int mask = _mm_movemask_epi8(hit); mask != 0) {
      return i + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
    }
  }
#endif
  for (; i + 8 <= n; i += 8) {
    if (const std::uint64_t hit = special_bytes(swar::load8(p + i)); hit != 0) {
      return i + static_cast<std::size_t>(std::countr_zero(hit) / 8);
    }
  }
  for (; i < n; ++i) {
    if (is_special(p[i])) return i;
  }
  return n;
}

// True when none of the n bytes at p is special, for short strings: eight
// bytes at a time, the last word overlapping the one before it, no setup.
bool all_plain(const unsigned char* p, std::size_t n) {
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (is_special(p[i])) return false;
    }
    return true;
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (special_bytes(swar::load8(p + i)) != 0) return false;
  }
  return i == n || special_bytes(swar::load8(p + n - 8)) == 0;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes 0x00..0x1f, as nlohmann writes them.
void append_control(std::string& out, unsigned char c) {
  switch (c) {
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    default: {
      constexpr std::string_view kHex = "0123456789abcdef";
      const char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(buf, sizeof buf);
    }
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  out += '"';
  std::size_t i = 0;
  while (i < n) {
    const std::size_t run = first_special(p, n, i);
    out.append(s.data() + i, run - i);
    i = run;
    if (i == n) break;
    const unsigned char c = p[i];
    if (c == 0x7f) {  // DEL: as it is in JSON
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else {
        append_control(out, c);
      }
      ++i;
      continue;
    }
    // Well-formed UTF-8 (Unicode Table 3-7): the lead byte says how many
    // continuation bytes follow and the range the first of them must be in
    // (no overlongs, no surrogates, nothing above U+10FFFF).
    std::size_t need = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {  // a continuation byte, C0, C1, F5..FF: never valid here
      out += kReplacement;
      ++i;
      continue;
    }
    std::size_t k = 1;
    for (; k <= need && i + k < n; ++k) {
      const unsigned b = p[i + k];
      if (b < lo || b > hi) break;
      lo = 0x80;
      hi = 0xBF;
    }
    if (k > need) {
      out.append(s.data() + i, need + 1);
    } else {
      // The k bytes read so far are a maximal ill-formed subpart: one U+FFFD.
      // The byte that ended it (if any) starts over, as nlohmann reads it again.
      out += kReplacement;
    }
    i += k;
  }
  out += '"';
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len == 1 && (c < 0x20 || c == 0x7f)) ok = false;
    if (ok && len == 2 && c < 0xc2) ok = false;  // overlong
    if (!ok) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

void JsonStringWriter::plain_strings(const std::vector<std::string>& v) {
  std::size_t total = 2;
  for (const auto& x : v) {
    const auto* p = reinterpret_cast<const unsigned char*>(x.data());
    if (!all_plain(p, x.size())) {  // not plain after all: the careful way
      begin_array();
      for (const auto& y : v) string(y);
      end_array();
      return;
    }
    total += x.size() + 3;
  }
  comma();
  const std::size_t at = out_.size();
  out_.resize(at + total - (v.empty() ? 0 : 1));
  char* o = out_.data() + at;
  *o++ = '[';
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (k > 0) *o++ = ',';
    *o++ = '"';
    std::memcpy(o, v[k].data(), v[k].size());
    o += v[k].size();
    *o++ = '"';
  }
  *o = ']';
  need_comma_ = true;
}

void JsonStringWriter::printable(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  if (first_special(p, s.size(), 0) == s.size()) {  // the usual case: nothing to change or escape
    comma();
    out_ += '"';
    out_ += s;
    out_ += '"';
    need_comma_ = true;
    return;
  }
  // printable() changes nothing in printable ASCII: no copy then.
  bool plain = true;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) {
    string(s);
  } else {
    string(report::printable(s));
  }
}

void JsonStringWriter::integer(long long v) {
  char buf[24];
  const char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // 24 digits always fit
  raw(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

void JsonStringWriter::integer(std::size_t v) {
  char buf[24];
  const char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // 24 digits always fit
  raw(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

nlohmann::json& JsonTreeWriter::slot() {
  if (open_.empty()) return root_;
  auto& top = *open_.back();
  if (top.is_array()) {
    top.push_back(nullptr);
    return top.back();
  }
  return top[key_];
}

}  // namespace spfdoctor::report
