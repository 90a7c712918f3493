// SPF results (RFC 7208 §2.6).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace spfdoctor {

enum class Result : std::uint8_t { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };

[[nodiscard]] constexpr std::string_view to_string(Result r) {
  switch (r) {
    case Result::None: return "none";
    case Result::Neutral: return "neutral";
    case Result::Pass: return "pass";
    case Result::Fail: return "fail";
    case Result::SoftFail: return "softfail";
    case Result::TempError: return "temperror";
    case Result::PermError: return "permerror";
  }
  return "none";
}

[[nodiscard]] std::optional<Result> result_from_string(std::string_view s);

}  // namespace spfdoctor
