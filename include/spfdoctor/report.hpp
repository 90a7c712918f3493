// Rendering results for people (text) and programs (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "spfdoctor/spf.hpp"

namespace spfdoctor::report {

// The `eval` JSON document (see docs/cli.md).
[[nodiscard]] nlohmann::json to_json(const Evaluation& e, bool with_trace = true);
// A readable report; ANSI colours when `color`.
[[nodiscard]] std::string to_text(const Evaluation& e, const Query& q, bool color);

}  // namespace spfdoctor::report
