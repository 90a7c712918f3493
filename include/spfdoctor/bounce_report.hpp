// Rendering a bounce and its diagnosis: the `bounce` JSON document (docs/cli.md)
// and a readable text report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "spfdoctor/bounce.hpp"
#include "spfdoctor/diagnose.hpp"

namespace spfdoctor::report {

[[nodiscard]] nlohmann::json to_json(const bounce::Bounce& b, const diagnose::Diagnosis& d);
[[nodiscard]] std::string to_text(const bounce::Bounce& b, const diagnose::Diagnosis& d, bool color);

}  // namespace spfdoctor::report
