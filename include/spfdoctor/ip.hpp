// IP addresses and networks as SPF needs them (RFC 7208 §5.6).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spfdoctor {

// An IPv4 or IPv6 address. IPv4 is kept in the first 4 bytes.
class IpAddress {
 public:
  enum class Family : std::uint8_t { V4, V6 };

  IpAddress() = default;
  static IpAddress v4(std::array<std::uint8_t, 4> bytes);
  static IpAddress v6(std::array<std::uint8_t, 16> bytes);

  // Parses a literal address; IPv4 must be strict dotted-quad (no leading zeros).
  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  // Parses and turns an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into IPv4,
  // as receivers do for the client IP (RFC 7208 §5, §4.1).
  [[nodiscard]] static std::optional<IpAddress> parse_client(std::string_view text);

  [[nodiscard]] Family family() const { return family_; }
  [[nodiscard]] bool is_v4() const { return family_ == Family::V4; }
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  [[nodiscard]] int max_prefix() const { return is_v4() ? 32 : 128; }

  // Canonical text: dotted quad, or RFC 5952 compressed IPv6.
  [[nodiscard]] std::string to_string() const;
  // The "i" macro: dotted quad, or 32 dot-separated nibbles (upper-case hex, as pyspf).
  [[nodiscard]] std::string to_dotted_nibbles() const;
  // Name for the PTR query (in-addr.arpa / ip6.arpa).
  [[nodiscard]] std::string reverse_name() const;

  // True when this address and `other` share the first `prefix` bits (same family only).
  [[nodiscard]] bool same_network(const IpAddress& other, int prefix) const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

struct Network {
  IpAddress address;
  int prefix = 32;
  [[nodiscard]] bool contains(const IpAddress& ip) const { return address.same_network(ip, prefix); }
  [[nodiscard]] std::string to_string() const;
};

}  // namespace spfdoctor
