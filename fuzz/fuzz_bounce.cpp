// The bounce reader on arbitrary bytes, then the --no-dns diagnosis and the
// `bounce` JSON document. Invariants: parse returns a Bounce or throws
// bounce::ParseError (a non-message); diagnose and to_json never throw; the
// JSON dumps (invalid UTF-8 replaced, as the web server does); every
// recipient's status is empty or shaped like an enhanced status code
// (digit.digit{1,3}.digit{1,3}, RFC 3463).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "spfdoctor/bounce.hpp"
#include "spfdoctor/bounce_report.hpp"
#include "spfdoctor/diagnose.hpp"

namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// digit.digit{1,3}.digit{1,3}
bool looks_like_status(std::string_view s) {
  if (s.size() < 5 || !is_digit(s[0]) || s[1] != '.') return false;
  std::size_t i = 2;
  for (int field = 0; field < 2; ++field) {
    const std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    const std::size_t n = i - start;
    if (n < 1 || n > 3) return false;
    if (field == 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bounce = spfdoctor::bounce;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  bounce::Bounce b;
  try {
    b = bounce::parse(raw);
  } catch (const bounce::ParseError&) {
    return 0;  // not a message: the documented error
  }
  for (const auto& r : b.recipients) {
    FUZZ_CHECK(r.status.empty() || looks_like_status(r.status), "recipient status '" + r.status + "'");
  }
  const auto d = spfdoctor::diagnose::diagnose(b, {});
  FUZZ_CHECK(!d.dns_checked, "DNS checked without a resolver");
  const auto j = spfdoctor::report::to_json(b, d);
  const std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  FUZZ_CHECK(!text.empty(), "empty JSON");
  return 0;
}
