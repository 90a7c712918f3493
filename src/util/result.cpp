#include "spfdoctor/result.hpp"

namespace spfdoctor {

std::optional<Result> result_from_string(std::string_view s) {
  for (auto r : {Result::None, Result::Neutral, Result::Pass, Result::Fail, Result::SoftFail, Result::TempError,
                 Result::PermError}) {
    if (to_string(r) == s) return r;
  }
  return std::nullopt;
}

}  // namespace spfdoctor
