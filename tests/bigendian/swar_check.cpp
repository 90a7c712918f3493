// Cross-endian check of the eight-bytes-at-once (SWAR) scanners, askable()
// (src/spf/macro.cpp) and append_json_string() (src/report/json_writer.cpp),
// against byte-by-byte references. scripts/big-endian.sh builds it natively
// and for s390x (big-endian, run under qemu-user) and compares the two.
// Usage: swar_check [askable|json|all] (default all). stdout: one line a case
// (hex input and result), for diffing between hosts; stderr: mismatches with
// the references and a summary; exit status 1 on any mismatch.
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/json_writer.hpp"
#include "spf/macro.hpp"

namespace {

const char* host_endian() { return std::endian::native == std::endian::big ? "big" : "little"; }

std::string hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string h;
  if (s.empty()) return "-";
  for (unsigned char c : s) {
    h += d[c >> 4];
    h += d[c & 15];
  }
  return h;
}

// ---- askable ----------------------------------------------------------------

// Reference: non-empty, every '.'-separated label 1..63 bytes; upper = any byte
// 'A'..'Z'. `upper` is only written when the answer is true.
bool ref_askable(std::string_view name, bool& upper) {
  if (name.empty()) return false;
  std::size_t len = 0;
  bool up = false;
  for (unsigned char c : name) {
    if (c == '.') {
      if (len == 0 || len > 63) return false;
      len = 0;
    } else {
      ++len;
    }
    if (c >= 'A' && c <= 'Z') up = true;
  }
  if (len == 0 || len > 63) return false;
  upper = up;
  return true;
}

long a_cases = 0, a_fail = 0;
std::vector<char> a_buf(4096);

// Runs askable on `name` placed at offset `off` of a buffer filled with `fill`
// around it (bytes outside the view must not matter), with upper preset to
// false and to true.
void check_askable(const std::string& name, std::size_t idx) {
  ++a_cases;
  std::string line;
  bool bad = false;
  bool rr_f = false, rr_t = true;
  const bool rr = ref_askable(name, rr_f);
  ref_askable(name, rr_t);
  for (int cfg = 0; cfg < 2; ++cfg) {
    const char fill = cfg == 0 ? '.' : 'A';
    const std::size_t off = (idx + (cfg ? 3 : 0)) % 8;
    std::memset(a_buf.data(), fill, a_buf.size());
    std::memcpy(a_buf.data() + 16 + off, name.data(), name.size());
    std::string_view v(a_buf.data() + 16 + off, name.size());
    bool uf = false, ut = true;
    const bool r1 = spfdoctor::askable(v, uf);
    const bool r2 = spfdoctor::askable(v, ut);
    if (cfg == 0) {
      line = std::string(r1 ? "T" : "F") + (uf ? "1" : "0") + (ut ? "1" : "0");
    }
    if (r1 != rr || r2 != rr || uf != rr_f || ut != rr_t) {
      bad = true;
      std::fprintf(stderr, "ASKABLE MISMATCH [%s-endian] input=%s len=%zu fill='%c' off=%zu: expected ret=%d upper(preset0)=%d upper(preset1)=%d, got ret=%d/%d upper=%d/%d\n",
                   host_endian(), hex(name).c_str(), name.size(), fill, off, rr, rr_f, rr_t, r1, r2, uf, ut);
    }
  }
  if (bad) ++a_fail;
  std::printf("A %s %s\n", hex(name).c_str(), line.c_str());
}

void run_askable() {
  std::size_t idx = 0;
  const std::string specials[] = {"A", "M", "Z", "@", "[", "`", "{", "a", "z", ".", "-", "0",
                                  "\x80", "\xc1", "\xda", "\xae", "\xe1", "\xfa", "\xff", "\x00", "\x40", "\x5b"};
  // lengths 0..40, all 'a'
  for (std::size_t n = 0; n <= 40; ++n) check_askable(std::string(n, 'a'), idx++);
  // one special byte at every position of lengths 1..40 (dots, letters, edges)
  for (std::size_t n = 1; n <= 40; ++n)
    for (std::size_t p = 0; p < n; ++p)
      for (const auto& sp : specials) {
        std::string s(n, 'a');
        s[p] = sp[0];
        if (sp.empty()) s[p] = 0;
        check_askable(s, idx++);
      }
  // two dots at every pair of positions (consecutive, leading, trailing), lengths 1..40
  for (std::size_t n = 1; n <= 40; ++n)
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p; q < n; ++q) {
        std::string s(n, 'b');
        s[p] = '.';
        s[q] = '.';
        check_askable(s, idx++);
        s[(p + q) / 2 == p ? q : (p + q) / 2] = 'Q';  // an upper-case letter too
        check_askable(s, idx++);
      }
  // labels of 62, 63, 64 bytes at every offset, with prefixes/suffixes
  for (std::size_t L : {1, 62, 63, 64, 65})
    for (std::size_t pre = 0; pre <= 20; ++pre)
      for (std::size_t post = 0; post <= 20; ++post) {
        std::string s = std::string(pre, 'x');
        if (pre) s += '.';
        s += std::string(L, 'y');
        if (post) s += '.' + std::string(post, 'z');
        check_askable(s, idx++);
        s += '.';
        check_askable(s, idx++);
        check_askable("." + s.substr(0, s.size() - 1), idx++);
        std::string u = s.substr(0, s.size() - 1);
        u[u.size() - 1] = 'Z';
        check_askable(u, idx++);
        u[0] = 'A';
        u[u.size() - 1] = 'z';
        check_askable(u, idx++);
      }
  // long names: many 63-byte labels, one of 64
  for (int k = 1; k <= 5; ++k) {
    std::string s;
    for (int j = 0; j < k; ++j) s += (j ? "." : "") + std::string(63, 'c');
    check_askable(s, idx++);
    check_askable(s + "d", idx++);
    check_askable("d" + s, idx++);
  }
  // random names, fixed seed
  std::mt19937_64 rng(20261128);
  const std::string alpha = "abcxyzABCXYZ@[`{.....-09\x80\xc1\xda\xae\xff";
  for (int r = 0; r < 20000; ++r) {
    std::size_t n = rng() % (r < 10000 ? 40 : 300);
    std::string s;
    for (std::size_t j = 0; j < n; ++j) {
      const unsigned mode = rng() % 10;
      if (mode < 7)
        s += alpha[rng() % alpha.size()];
      else if (mode < 9)
        s += static_cast<char>('a' + rng() % 26);
      else
        s += static_cast<char>(rng() % 256);
    }
    // some names: labels of random length near 63
    if (r % 5 == 0) {
      s.clear();
      const int labels = 1 + static_cast<int>(rng() % 5);
      for (int j = 0; j < labels; ++j) {
        if (j) s += '.';
        const std::size_t len = 55 + rng() % 12;
        for (std::size_t k = 0; k < len; ++k) s += static_cast<char>(rng() % 8 == 0 ? 'A' + rng() % 26 : 'a' + rng() % 26);
      }
    }
    check_askable(s, idx++);
  }
}

// ---- JSON -------------------------------------------------------------------

// Is b[0..k) a prefix of a well-formed UTF-8 sequence of total length L
// (Unicode Table 3-7)? Completed with all 0x80 and all 0xBF continuation bytes
// (the valid set of each prefix's completions is an interval touching one end).
bool wellformed_full(const unsigned char* b, std::size_t L) {
  std::uint32_t cp = 0;
  if (L == 2) cp = b[0] & 0x1f;
  if (L == 3) cp = b[0] & 0x0f;
  if (L == 4) cp = b[0] & 0x07;
  for (std::size_t k = 1; k < L; ++k) {
    if ((b[k] & 0xc0) != 0x80) return false;
    cp = (cp << 6) | (b[k] & 0x3f);
  }
  const std::uint32_t min = L == 2 ? 0x80 : L == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  return true;
}
bool wellformed_prefix(const unsigned char* b, std::size_t k, std::size_t L) {
  for (unsigned char fillc : {0x80, 0xbf}) {
    unsigned char t[4];
    for (std::size_t j = 0; j < L; ++j) t[j] = j < k ? b[j] : fillc;
    if (wellformed_full(t, L)) return true;
  }
  return false;
}

// Reference escaping: byte by byte.
std::string ref_json(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::string out = "\"";
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\f': out += "\\f"; break;
        case '\r': out += "\\r"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const std::size_t L = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    // longest k with p[i..i+k) a prefix of a well-formed sequence of length L
    std::size_t k = 0;
    if (L) {
      for (std::size_t t = 1; t <= L && i + t <= n; ++t) {
        if (wellformed_prefix(p + i, t, L))
          k = t;
        else
          break;
      }
    }
    if (L && k == L) {
      out.append(s.data() + i, L);
      i += L;
    } else {
      out += "\xEF\xBF\xBD";
      i += k ? k : 1;
    }
  }
  out += '"';
  return out;
}

std::string nlohmann_json(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

long j_cases = 0, j_fail = 0, j_nl_fail = 0;
std::vector<char> j_buf(8192);

void check_json(const std::string& s, std::size_t idx) {
  ++j_cases;
  const std::string ref = ref_json(s);
  const std::string nl = nlohmann_json(s);
  bool bad = false;
  if (nl != ref) {
    ++j_nl_fail;
    std::fprintf(stderr, "REFERENCE DISAGREES WITH NLOHMANN [%s-endian] input=%s ref=%s nlohmann=%s\n", host_endian(),
                 hex(s).c_str(), hex(ref).c_str(), hex(nl).c_str());
  }
  std::string first;
  for (int cfg = 0; cfg < 2; ++cfg) {
    const std::size_t off = (idx + (cfg ? 5 : 0)) % 16;
    std::memset(j_buf.data(), cfg ? '"' : 'a', j_buf.size());
    std::memcpy(j_buf.data() + 32 + off, s.data(), s.size());
    std::string out = "<";  // append_json_string appends
    spfdoctor::report::append_json_string(out, std::string_view(j_buf.data() + 32 + off, s.size()));
    const std::string got = out.substr(1);
    if (out[0] != '<' || got != ref) {
      bad = true;
      std::fprintf(stderr, "JSON MISMATCH [%s-endian] input=%s off=%zu expected=%s got=%s\n", host_endian(),
                   hex(s).c_str(), off, hex(ref).c_str(), hex(got).c_str());
    }
    if (cfg == 0) first = got;
  }
  if (bad) ++j_fail;
  std::printf("J %s %s\n", hex(s).c_str(), hex(first).c_str());
}

void run_json() {
  std::size_t idx = 0;
  const unsigned char specials[] = {0x00, 0x01, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1f, 0x20, 0x21, '"',
                                    '\\', '/', 0x5b, 0x5d, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xa2, 0xbf, 0xc0,
                                    0xc1, 0xc2, 0xdc, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xff};
  for (std::size_t n = 0; n <= 40; ++n) check_json(std::string(n, 'x'), idx++);
  // one special byte at every position of lengths 1..40
  for (std::size_t n = 1; n <= 40; ++n)
    for (std::size_t p = 0; p < n; ++p)
      for (unsigned char c : specials) {
        std::string s(n, 'x');
        s[p] = static_cast<char>(c);
        check_json(s, idx++);
      }
  // every byte at every position of a 20-byte string
  for (std::size_t p = 0; p < 20; ++p)
    for (int c = 0; c < 256; ++c) {
      std::string s(20, 'm');
      s[p] = static_cast<char>(c);
      check_json(s, idx++);
    }
  // every 2-byte string
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) check_json(std::string{static_cast<char>(a), static_cast<char>(b)}, idx++);
  // lead bytes C0..FF with second bytes 0x70..0xC5 and third/fourth from a set,
  // at offset idx%12 of a 24-byte plain string (some at the very end)
  const unsigned char tails[] = {0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0};
  for (int lead = 0xc0; lead <= 0xff; ++lead)
    for (int b2 = 0x70; b2 <= 0xc5; ++b2)
      for (unsigned char b3 : tails)
        for (unsigned char b4 : tails) {
          std::string seq{static_cast<char>(lead), static_cast<char>(b2), static_cast<char>(b3), static_cast<char>(b4)};
          const std::size_t at = idx % 12;
          std::string s = std::string(at, 'q') + seq + std::string(idx % 3 == 0 ? 0 : 20 - at, 'r');
          check_json(s, idx++);
        }
  // random strings, fixed seed
  std::mt19937_64 rng(7);
  const char* utf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf"};
  for (int r = 0; r < 20000; ++r) {
    const std::size_t n = rng() % (r < 10000 ? 40 : 200);
    std::string s;
    while (s.size() < n) {
      const unsigned mode = rng() % 20;
      if (mode < 12)
        s += static_cast<char>(0x20 + rng() % 0x5f);
      else if (mode < 14)
        s += static_cast<char>(specials[rng() % sizeof specials]);
      else if (mode < 16)
        s += utf8[rng() % 6];
      else if (mode < 17 && !s.empty())
        s.pop_back();  // may leave a truncated sequence
      else
        s += static_cast<char>(rng() % 256);
    }
    check_json(s, idx++);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "all";
  if (what == "askable" || what == "all") {
    run_askable();
    std::fprintf(stderr, "[%s-endian] askable: %ld cases, %ld fail\n", host_endian(), a_cases, a_fail);
  }
  if (what == "json" || what == "all") {
    run_json();
    std::fprintf(stderr, "[%s-endian] append_json_string: %ld cases, %ld fail; reference vs nlohmann disagreements: %ld\n",
                 host_endian(), j_cases, j_fail, j_nl_fail);
  }
  return (a_fail || j_fail || j_nl_fail) ? 1 : 0;
}
