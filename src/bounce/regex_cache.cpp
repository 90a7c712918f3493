#include "bounce/regex_cache.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace spfdoctor::bounce::detail {

const RE2& cached_regex(std::string_view pattern, const RE2::Options& options) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::unique_ptr<RE2>> cache;
  std::string key(pattern);
  key += '\0';
  key += options.case_sensitive() ? 'c' : 'i';
  key += options.never_nl() ? 'n' : 'l';
  key += options.dot_nl() ? 'd' : '-';
  key += options.longest_match() ? 'L' : '-';
  key += options.literal() ? 'l' : '-';
  key += options.encoding() == RE2::Options::EncodingLatin1 ? '1' : 'u';
  std::lock_guard lock(mu);
  auto& slot = cache[key];
  if (!slot) slot = std::make_unique<RE2>(std::string(pattern), options);
  return *slot;
}

}  // namespace spfdoctor::bounce::detail
