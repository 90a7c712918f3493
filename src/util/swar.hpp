// Byte tests on eight bytes at once (SWAR: SIMD within a register), for the
// scanners of hot text: JSON escaping, DNS names, batch input. A word's byte j
// is at bits 8j..8j+7 (load8() swaps on big-endian hosts), so the lowest
// flagged byte is std::countr_zero(flags) / 8.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace spfdoctor::swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHigh = 0x80 * kOnes;

// Eight bytes from p, byte j at bits 8j.
inline std::uint64_t load8(const void* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

// The high bit of each byte of w below k (k <= 0x80). A borrow can also flag
// a byte above a flagged one, never below: the lowest flagged byte is always a
// true one, and a zero result is exact.
constexpr std::uint64_t bytes_below(std::uint64_t w, unsigned k) { return (w - k * kOnes) & ~w & kHigh; }

// The high bit of each zero byte (the same caveat).
constexpr std::uint64_t zero_bytes(std::uint64_t w) { return bytes_below(w, 1); }

// The high bit of each byte 'A'..'Z', exactly (no carries between bytes).
constexpr std::uint64_t upper_bytes(std::uint64_t w) {
  const std::uint64_t low7 = w & ~kHigh;
  const std::uint64_t at_least_a = low7 + kOnes * (0x80 - 'A');  // high bit: byte >= 'A'
  const std::uint64_t past_z = low7 + kOnes * (0x80 - 'Z' - 1);   // high bit: byte > 'Z'
  return at_least_a & ~past_z & ~w & kHigh;
}

static_assert(bytes_below(0x2121212121212121ULL, 0x21) == 0);
static_assert(bytes_below(0x6161616120616161ULL, 0x21) == 0x0000000080000000ULL);
static_assert(zero_bytes(0x6161616161616100ULL) == 0x80ULL);
static_assert(upper_bytes(0x5a41405b7a61c1ddULL) == 0x8080000000000000ULL);

}  // namespace spfdoctor::swar
