// Rendering lint reports.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "spfdoctor/lint.hpp"

namespace spfdoctor::report {

[[nodiscard]] nlohmann::json to_json(const lint::LintReport& r);
[[nodiscard]] std::string to_text(const lint::LintReport& r, bool color);

}  // namespace spfdoctor::report
