#include "report/json_writer.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace spfdoctor::report {

namespace {

// Bytes a JSON string cannot hold as they are: control characters, '"', '\\',
// and every non-ASCII byte (checked as UTF-8). Everything else is copied in runs.
constexpr std::array<bool, 256> kNeedsCare = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return t;
}();

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
    std::size_t run = i;
    while (run < n && !kNeedsCare[p[run]]) ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == n) break;
    const unsigned char c = p[i];
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

void JsonStringWriter::printable(std::string_view s) {
  // printable() changes nothing in printable ASCII, the usual case: no copy then.
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
