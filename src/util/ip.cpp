#include "spfdoctor/ip.hpp"

#include <arpa/inet.h>

#include <bit>
#include <charconv>
#include <cstring>

namespace spfdoctor {

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) {
  IpAddress ip;
  ip.family_ = Family::V4;
  std::memcpy(ip.bytes_.data(), bytes.data(), 4);
  return ip;
}

IpAddress IpAddress::v6(std::array<std::uint8_t, 16> bytes) {
  IpAddress ip;
  ip.family_ = Family::V6;
  ip.bytes_ = bytes;
  return ip;
}

namespace {

// Strict dotted quad: four decimal octets 0-255 without leading zeros
// (what RFC 7208 §4.6.1 "ip4-network" and Python's ipaddress accept).
std::optional<std::array<std::uint8_t, 4>> parse_dotted_quad(std::string_view s) {
  // Four parts of one to three digits, no leading zero, at most 255, with a
  // dot between them and nothing after. One pass, a digit at a time.
  std::array<std::uint8_t, 4> out{};
  const char* p = s.data();
  const char* const end = p + s.size();
  auto digit = [&](unsigned& d) { return p != end && (d = static_cast<unsigned>(*p - '0')) <= 9; };
  for (std::size_t part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned d = 0;
    if (!digit(d)) return std::nullopt;
    unsigned value = d;
    ++p;
    if (digit(d)) {
      if (value == 0) return std::nullopt;  // a leading zero
      value = value * 10 + d;
      ++p;
      if (digit(d)) {
        value = value * 10 + d;
        ++p;
        if (value > 255 || digit(d)) return std::nullopt;
      }
    }
    out[part] = static_cast<std::uint8_t>(value);
  }
  if (p != end) return std::nullopt;
  return out;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  if (text.find(':') == std::string_view::npos) {
    auto q = parse_dotted_quad(text);
    if (!q) return std::nullopt;
    return v4(*q);
  }
  // IPv6: inet_pton accepts exactly RFC 4291 text forms; an embedded IPv4
  // part must itself be a strict dotted quad. It reads a C string, so a NUL
  // would end the text early and hide what follows ("::1\0junk").
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  auto last_colon = text.rfind(':');
  auto tail = text.substr(last_colon + 1);
  if (tail.find('.') != std::string_view::npos && !parse_dotted_quad(tail)) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::array<std::uint8_t, 16> bytes{};
  if (inet_pton(AF_INET6, buf, bytes.data()) != 1) return std::nullopt;
  return v6(bytes);
}

std::optional<IpAddress> IpAddress::parse_client(std::string_view text) {
  auto ip = parse(text);
  if (!ip || ip->is_v4()) return ip;
  static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(ip->bytes_.data(), kMapped.data(), kMapped.size()) == 0) {
    return v4({ip->bytes_[12], ip->bytes_[13], ip->bytes_[14], ip->bytes_[15]});
  }
  return ip;
}

namespace {

// Writes the text of `ip` to `out` (room for INET6_ADDRSTRLEN); returns how
// many characters it wrote. IPv4 by hand, IPv6 by inet_ntop (RFC 5952 form).
std::size_t put_address(const IpAddress& ip, char* out) {
  if (!ip.is_v4()) {
    inet_ntop(AF_INET6, ip.bytes().data(), out, INET6_ADDRSTRLEN);
    return std::strlen(out);
  }
  char* o = out;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i) *o++ = '.';
    const unsigned v = ip.bytes()[i];
    if (v >= 100) *o++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *o++ = static_cast<char>('0' + v / 10 % 10);
    *o++ = static_cast<char>('0' + v % 10);
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  return std::string(buf, put_address(*this, buf));
}

std::string IpAddress::to_dotted_nibbles() const {
  if (is_v4()) return to_string();
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(63);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i) out += '.';
    out += kHex[bytes_[i] >> 4];
    out += '.';
    out += kHex[bytes_[i] & 0xf];
  }
  return out;
}

std::string IpAddress::reverse_name() const {
  std::string out;
  if (is_v4()) {
    for (int i = 3; i >= 0; --i) {
      out += std::to_string(bytes_[static_cast<std::size_t>(i)]);
      out += '.';
    }
    return out + "in-addr.arpa";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += kHex[bytes_[static_cast<std::size_t>(i)] & 0xf];
    out += '.';
    out += kHex[bytes_[static_cast<std::size_t>(i)] >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

bool IpAddress::same_network(const IpAddress& other, int prefix) const {
  if (family_ != other.family_) return false;
  int max = max_prefix();
  if (prefix < 0) prefix = 0;
  if (prefix > max) prefix = max;
  // The 16 bytes as two big-endian 64-bit words (an IPv4 address fills the
  // top of the first): compare the differing bits under the prefix.
  auto word = [](const std::array<std::uint8_t, 16>& b, int i) {
    std::uint64_t w = 0;
    std::memcpy(&w, b.data() + 8 * i, sizeof w);
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    return w;
  };
  for (int i = 0; i < 2 && prefix > 0; ++i, prefix -= 64) {
    std::uint64_t diff = word(bytes_, i) ^ word(other.bytes_, i);
    if (prefix < 64) return (diff >> (64 - prefix)) == 0;
    if (diff != 0) return false;
  }
  return true;
}

std::string Network::to_string() const {
  // One string, built once: a linted record's ip4 terms each make one.
  char buf[INET6_ADDRSTRLEN + 1 + 11];
  std::size_t n = put_address(address, buf);
  buf[n++] = '/';
  n = static_cast<std::size_t>(std::to_chars(buf + n, buf + sizeof buf, prefix).ptr - buf);
  return std::string(buf, n);
}

}  // namespace spfdoctor
