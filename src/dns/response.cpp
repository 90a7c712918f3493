// Parsing DNS responses (wire format, RFC 1035 §4.1) with our own small
// reader: records of the asked type at the end of the CNAME chain, TTLs, and
// negative-caching TTLs (RFC 2308 §5).
//
// Why not a library: ldns_wire2pkt (what this used to call) allocates per
// record and per rdata field and converts every section; measured, it was
// ~8,400 instructions per answer and a fifth of `eval --batch`'s user-space
// instructions over loopback DNS. c-ares 1.18's ares_parse_* also allocate per
// record (and have no TTL for TXT). c-ares has already matched the header and
// question to our query, so this reads the sections in place, allocating only
// the records it returns. ldns still reads master files (master_file.cpp).
//
// What it accepts and rejects is ldns's decision, with these deliberate
// differences (tests/support/dns_reference.cpp allows exactly these):
//  - A compression pointer must point before everything read so far of its
//    name (RFC 1035 §4.1.4: "a prior occurrence"), and a name may use at most
//    128 pointers; ldns follows any in-range pointer up to 65,535 times. This
//    guard is what stops pointer loops.
//  - Records are skipped by RDLENGTH. ldns parses the fields of every known
//    type and rejects the whole response when a field runs past RDLENGTH
//    (a 3-byte A record anywhere), or, when the fields end before RDLENGTH,
//    reads the next record from the leftover bytes. Here, a record whose
//    data does not have its type's shape is left out, as convert() left out
//    what it could not read, and the other records are unaffected.
// Like ldns: every section is walked (counts larger than the data are an
// error), a pointer to offset 0 or past the end is an error, names are at
// most 255 bytes, labels at most 63, and bytes after the last section are
// ignored.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "spfdoctor/net_resolver.hpp"
#include "util/swar.hpp"

namespace spfdoctor::dns {

namespace {

constexpr int kMaxChain = 16;
constexpr int kMaxPointers = 128;
constexpr std::size_t kHeaderSize = 12;

std::uint16_t u16(const unsigned char* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// Checks the (possibly compressed) name at `pos` and moves `pos` past it in
// the record. Returns what is wrong, or nullptr; `pointers_used` is set to
// how many pointers the name took.
const char* skip_name(const unsigned char* w, std::size_t n, std::size_t& pos, int* pointers_used = nullptr) {
  std::size_t p = pos;
  std::size_t after = 0;   // where the record goes on, once a pointer was taken
  std::size_t limit = pos;  // a pointer must point before this
  std::size_t length = 0;   // of the labels so far, length bytes included
  int pointers = 0;
  for (;;) {
    if (p >= n) return "a name runs past the end";
    const unsigned len = w[p];
    if (len >= 0xc0) {
      if (p + 2 > n) return "a name runs past the end";
      const std::size_t target = ((len & 0x3fu) << 8) | w[p + 1];
      if (after == 0) after = p + 2;
      if (target == 0 || target >= n) return "a compression pointer points outside the message";
      if (target >= limit) return "a compression pointer does not point backwards";
      if (++pointers > kMaxPointers) return "a name uses more than 128 compression pointers";
      limit = target;
      p = target;
      continue;
    }
    if (len == 0) break;
    if (len > 63) return "a label is longer than 63 bytes";
    if (p + 1 + len > n) return "a name runs past the end";
    length += 1 + len;
    if (length + 1 > 255) return "a name is longer than 255 bytes";
    p += 1 + len;
  }
  pos = after != 0 ? after : p + 1;
  if (pointers_used != nullptr) *pointers_used = pointers;
  return nullptr;
}

// Whether the name at `pos` (checked by skip_name) is a name of exactly
// rdata's [pos, end): a name field that fills the rest of the record.
bool name_fills(const unsigned char* w, std::size_t n, std::size_t pos, std::size_t end) {
  return pos < end && skip_name(w, n, pos) == nullptr && pos == end;
}

// Calls f(label, len) for each label of the name at `pos` (already checked),
// following compression pointers, up to the root; stops early when f returns
// false (and then returns false itself).
template <class F>
bool for_each_label(const unsigned char* w, std::size_t pos, F&& f) {
  for (;;) {
    const unsigned len = w[pos];
    if (len >= 0xc0) {
      pos = ((len & 0x3fu) << 8) | w[pos + 1];
      continue;
    }
    if (len == 0) return true;
    if (!f(w + pos + 1, len)) return false;
    pos += 1 + len;
  }
}

// The name at `pos` (already checked) as dname_text() writes it: labels
// joined by dots, a dot or backslash inside a label escaped, lower-cased
// unless keep_case, no trailing dot; the root is "".
std::string name_text(const unsigned char* w, std::size_t pos, bool keep_case) {
  char buf[2 * 255];  // a checked name has at most 254 bytes of labels; escapes at most double them
  std::size_t at = 0;
  for_each_label(w, pos, [&](const unsigned char* label, unsigned len) {
    if (at != 0) buf[at++] = '.';
    for (std::size_t i = 0; i < len; ++i) {
      unsigned c = label[i];
      if (c == '.' || c == '\\') {
        buf[at++] = '\\';
      } else if (!keep_case && c - 'A' < 26u) {
        c += 'a' - 'A';
      }
      buf[at++] = static_cast<char>(c);
    }
    return true;
  });
  return std::string(buf, at);
}

// A label byte as it shows in a lower-cased name; 0 for '.' and '\\' (which
// the text escapes) and for 0 itself: name_is() compares those carefully.
constexpr std::array<unsigned char, 256> kFold = [] {
  std::array<unsigned char, 256> t{};
  for (unsigned c = 0; c < 256; ++c) t[c] = static_cast<unsigned char>(c - 'A' < 26u ? c + ('a' - 'A') : c);
  t['.'] = t['\\'] = t[0] = 0;
  return t;
}();

// SWAR helpers for name_is(): eight label bytes at once.
using swar::kOnes;
constexpr bool has_zero_byte(std::uint64_t v) { return swar::zero_bytes(v) != 0; }
// A 0, '.' or '\\' among the bytes.
constexpr bool has_special_byte(std::uint64_t v) {
  return has_zero_byte(v) || has_zero_byte(v ^ (kOnes * '.')) || has_zero_byte(v ^ (kOnes * '\\'));
}
// A-Z to a-z in each byte; other bytes (also those >= 0x80) unchanged.
constexpr std::uint64_t lower_ascii(std::uint64_t v) { return v | (swar::upper_bytes(v) >> 2); }
static_assert(lower_ascii(0x5a41405b7a61c1ddull) == 0x7a61405b7a61c1ddull);
static_assert(has_special_byte(0x61612e6161616161ull) && has_special_byte(0x5c61616161616161ull) &&
              has_special_byte(0x6161616161616100ull) && !has_special_byte(0x6162636465666768ull));

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether the name at `pos` (already checked), as name_text() would write it,
// is `name`, both lower-cased; compared in place, since every record of every
// answer is asked this.
bool name_is(const unsigned char* w, std::size_t pos, std::string_view name) {
  std::size_t at = 0;
  bool first = true;
  const bool whole = for_each_label(w, pos, [&](const unsigned char* label, unsigned len) {
    if (!first) {
      if (at >= name.size() || name[at] != '.') return false;
      ++at;
    }
    first = false;
    // Without escapes the label takes len bytes of name: compare those
    // directly; from a dot or backslash on, carefully.
    if (name.size() - at < len) return false;
    const auto* q = reinterpret_cast<const unsigned char*>(name.data() + at);
    std::size_t i = 0;
    for (; i + 8 <= len; i += 8) {  // eight bytes at a time while none is special
      std::uint64_t x;
      std::uint64_t y;
      std::memcpy(&x, label + i, 8);
      std::memcpy(&y, q + i, 8);
      if (has_special_byte(x) || lower_ascii(x) != lower_ascii(y)) break;
    }
    while (i < len && kFold[label[i]] != 0 && kFold[label[i]] == kFold[q[i]]) ++i;
    if (i < len && label[i] != '.' && label[i] != '\\' && label[i] != 0) return false;
    at += i;
    for (; i < len; ++i) {
      char c = static_cast<char>(label[i]);
      if (c == '.' || c == '\\') {
        if (at >= name.size() || name[at] != '\\') return false;
        ++at;
      }
      if (at >= name.size() || lower(name[at]) != lower(c)) return false;
      ++at;
    }
    return true;
  });
  return whole && at == name.size();
}

// One record of the answer section, by offsets into the message.
struct Rr {
  std::uint32_t owner;
  std::uint32_t rdata;
  std::uint32_t ttl;
  std::uint16_t type;
  std::uint16_t klass;
  std::uint16_t rdlength;
};

constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kClassIn = 1;

// RFC 2308 §5: the negative TTL is the smaller of the SOA's TTL and MINIMUM.
// An SOA counts when its data is two names and five 32-bit numbers exactly
// (what ldns needs to give the seven fields the old parser asked for).
std::optional<std::uint32_t> soa_negative_ttl(const unsigned char* w, std::size_t n, std::size_t rdata,
                                              std::size_t rdlength, std::uint32_t ttl) {
  const std::size_t end = rdata + rdlength;
  std::size_t pos = rdata;
  for (int i = 0; i < 2; ++i) {
    if (pos >= end || skip_name(w, n, pos) != nullptr || pos > end) return std::nullopt;
  }
  if (pos + 20 != end) return std::nullopt;
  return std::min(ttl, u32(w + pos + 16));
}

// An A (N = 4) or AAAA (N = 16) record: exactly N bytes of address.
template <std::size_t N>
bool fill_address(const unsigned char* data, std::size_t length, Record& rec) {
  if (length != N) return false;
  std::array<std::uint8_t, N> bytes{};
  std::memcpy(bytes.data(), data, N);
  if constexpr (N == 4) {
    rec.type = RType::A;
    rec.address = IpAddress::v4(bytes);
  } else {
    rec.type = RType::AAAA;
    rec.address = IpAddress::v6(bytes);
  }
  return true;
}

// Fills `rec` (a fresh Record) from `rr` if its data has the shape of its
// type (as convert() decided from ldns's fields); false leaves it out.
bool fill_record(const unsigned char* w, std::size_t n, const Rr& rr, Record& rec) {
  rec.ttl = rr.ttl;
  const std::size_t pos = rr.rdata;
  const std::size_t end = pos + rr.rdlength;
  switch (static_cast<RType>(rr.type)) {
    case RType::A:
      if (!fill_address<4>(w + pos, rr.rdlength, rec)) return false;
      break;
    case RType::AAAA:
      if (!fill_address<16>(w + pos, rr.rdlength, rec)) return false;
      break;
    case RType::MX: {
      if (rr.rdlength < 3 || !name_fills(w, n, pos + 2, end)) return false;
      rec.type = RType::MX;
      rec.preference = u16(w + pos);
      rec.target = name_text(w, pos + 2, false);
      break;
    }
    case RType::PTR:
    case RType::CNAME: {
      if (!name_fills(w, n, pos, end)) return false;
      const bool ptr = rr.type == static_cast<std::uint16_t>(RType::PTR);
      rec.type = ptr ? RType::PTR : RType::CNAME;
      rec.target = name_text(w, pos, ptr);  // PTR targets keep their case (%{p}, RFC 7208 §7.3)
      break;
    }
    case RType::TXT:
    case RType::SPF: {
      if (rr.rdlength == 0) return false;
      std::size_t count = 0;
      for (std::size_t p = pos; p < end; p += 1 + w[p], ++count) {
        if (p + 1 + w[p] > end) return false;
      }
      rec.strings.reserve(count);
      for (std::size_t p = pos; p < end; p += 1 + w[p]) {
        rec.strings.emplace_back(reinterpret_cast<const char*>(w + p + 1), w[p]);
      }
      rec.type = static_cast<RType>(rr.type);
      break;
    }
    case RType::NS: rec.type = RType::NS; break;
    case RType::SOA: rec.type = RType::SOA; break;
    default: return false;  // not a type SPF evaluation asks for
  }
  return true;
}

Answer malformed(const char* section, const char* what) {
  Answer out;
  out.status = Status::Error;
  out.detail = section != nullptr ? fmt::format("malformed DNS response ({} section: {})", section, what)
                                  : fmt::format("malformed DNS response ({})", what);
  return out;
}

}  // namespace

Answer parse_response(const unsigned char* wire, std::size_t size, std::string_view qname, RType qtype) {
  const unsigned char* w = wire;
  const std::size_t n = size;
  if (w == nullptr || n < kHeaderSize) return malformed(nullptr, "shorter than the 12-byte header");
  const unsigned rcode = w[3] & 0x0fu;
  const unsigned counts[4] = {u16(w + 4), u16(w + 6), u16(w + 8), u16(w + 10)};
  static constexpr const char* kSection[4] = {"question", "answer", "authority", "additional"};

  // The answer section's records, in place; on the heap only for big answers.
  // A record takes at least 11 bytes, so no more than this many fit (a
  // hostile count does not make us allocate for 65,535).
  const std::size_t fit = std::min<std::size_t>(counts[1], (n - kHeaderSize) / 11);
  std::array<Rr, 24> small;
  std::vector<Rr> big;
  std::span<Rr> answers(small.data(), std::min(fit, small.size()));
  if (fit > small.size()) {
    big.resize(fit);
    answers = std::span<Rr>(big);
  }
  std::optional<std::uint32_t> negative;  // from the first usable SOA in the authority section
  std::size_t candidates = 0;             // answer records of the asked type and class

  std::size_t pos = kHeaderSize;
  // Most owners are the root or a bare pointer to the question's name, which
  // is checked by then: such a pointer needs no second walk of that name.
  int question_pointers = kMaxPointers;  // (as if unknown)
  for (unsigned i = 0; i < counts[0]; ++i) {
    if (const char* why = skip_name(w, n, pos, i == 0 ? &question_pointers : nullptr)) {
      return malformed(kSection[0], why);
    }
    if (pos + 4 > n) return malformed(kSection[0], "a question runs past the end");
    pos += 4;
  }
  for (int s = 1; s < 4; ++s) {
    for (unsigned i = 0; i < counts[s]; ++i) {
      const std::size_t owner = pos;
      if (pos < n && w[pos] == 0) {
        pos += 1;  // the root
      } else if (pos + 1 < n && w[pos] == 0xc0 && w[pos + 1] == kHeaderSize && question_pointers < kMaxPointers) {
        pos += 2;  // (the pointer points backwards, to a name of at most 255 bytes with room for one more pointer)
      } else if (const char* why = skip_name(w, n, pos)) {
        return malformed(kSection[s], why);
      }
      if (pos + 10 > n) return malformed(kSection[s], "a record runs past the end");
      const std::uint16_t type = u16(w + pos);
      const std::uint16_t rdlength = u16(w + pos + 8);
      const std::size_t rdata = pos + 10;
      if (rdata + rdlength > n) return malformed(kSection[s], "a record's data runs past the end");
      if (s == 1) {
        if (i >= answers.size()) return malformed(kSection[s], "more records than fit");  // cannot happen
        candidates += type == static_cast<std::uint16_t>(qtype) && u16(w + pos + 2) == kClassIn;
        answers[i] = Rr{static_cast<std::uint32_t>(owner), static_cast<std::uint32_t>(rdata), u32(w + pos + 4), type,
                        u16(w + pos + 2), rdlength};
      } else if (s == 2 && type == kTypeSoa && !negative) {
        negative = soa_negative_ttl(w, n, rdata, rdlength, u32(w + pos + 4));
      }
      pos = rdata + rdlength;
    }
  }

  Answer out;
  switch (rcode) {
    case 0: break;
    case 3:
      out.status = Status::NxDomain;
      out.ttl = negative.value_or(0);
      return out;
    case 2:
      out.status = Status::ServFail;
      out.detail = "the server answered SERVFAIL";
      return out;
    case 5:
      out.status = Status::Refused;
      out.detail = "the server answered REFUSED";
      return out;
    default:
      out.status = Status::Error;
      out.detail = fmt::format("the server answered RCODE {}", rcode);
      return out;
  }

  // The name asked for, without a trailing dot; compared case-insensitively
  // (as normalize_name() would have it).
  std::string_view name = qname;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::uint32_t ttl = UINT32_MAX;
  // Follow the CNAME chain inside this response (most answers have none).
  const bool has_cname = qtype != RType::CNAME &&
                         std::any_of(answers.begin(), answers.end(), [](const Rr& rr) { return rr.type == kTypeCname; });
  std::vector<std::string> seen;  // the chain's names; `name` may point into it
  if (has_cname) {
    std::string first(name);
    for (char& c : first) c = lower(c);
    seen.push_back(std::move(first));
    for (int hop = 0; hop < kMaxChain; ++hop) {
      bool moved = false;
      for (const Rr& rr : answers) {
        if (rr.type != kTypeCname || !name_is(w, rr.owner, name)) continue;
        // The first CNAME of the name decides: a malformed target or a loop ends the chain.
        if (!name_fills(w, n, rr.rdata, rr.rdata + rr.rdlength)) break;
        std::string target = name_text(w, rr.rdata, false);
        if (std::find(seen.begin(), seen.end(), target) != seen.end()) break;
        ttl = std::min(ttl, rr.ttl);
        seen.push_back(std::move(target));
        name = seen.back();  // (seen only grows after this hop's last use of name)
        moved = true;
        break;
      }
      if (!moved) break;
    }
  }
  const auto want = static_cast<std::uint16_t>(qtype);
  if (candidates > 1) out.records.reserve(candidates);
  // Owners are mostly the same pointer: compare each name once.
  std::size_t known_owner = SIZE_MAX;
  bool known_is_name = false;
  for (const Rr& rr : answers) {
    if (rr.type != want || rr.klass != kClassIn) continue;
    std::size_t owner = rr.owner;
    while (w[owner] >= 0xc0) owner = ((w[owner] & 0x3fu) << 8) | w[owner + 1];
    if (owner != known_owner) {
      known_owner = owner;
      known_is_name = name_is(w, owner, name);
    }
    if (!known_is_name) continue;
    if (!fill_record(w, n, rr, out.records.emplace_back())) {
      out.records.pop_back();  // malformed data from the server: leave it out
      continue;
    }
    ttl = std::min(ttl, rr.ttl);
  }
  out.ttl = out.records.empty() ? negative.value_or(0) : (ttl == UINT32_MAX ? 0 : ttl);
  return out;
}

}  // namespace spfdoctor::dns
