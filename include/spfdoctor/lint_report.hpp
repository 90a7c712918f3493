// Rendering lint reports.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "spfdoctor/lint.hpp"

namespace spfdoctor::report {

[[nodiscard]] nlohmann::json to_json(const lint::LintReport& r);
// One line of `scan`, appended to `out`: byte for byte to_json(r) dumped
// compact (dump(-1, ' ', false, error_handler_t::replace)), then '\n'.
// Written straight into `out`, without building the nlohmann tree.
void append_json_line(std::string& out, const lint::LintReport& r);
[[nodiscard]] std::string to_text(const lint::LintReport& r, bool color);

}  // namespace spfdoctor::report
