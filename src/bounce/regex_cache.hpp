// Compiled regular expressions, kept for the life of the process (internal).
#pragma once

#include <re2/re2.h>

#include <string_view>

namespace spfdoctor::bounce::detail {

// Compiles each (pattern, options) pair once; RE2 matching is thread-safe, so
// the result may be shared by every request of the web server.
[[nodiscard]] const RE2& cached_regex(std::string_view pattern, const RE2::Options& options);

}  // namespace spfdoctor::bounce::detail
