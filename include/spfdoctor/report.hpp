// Rendering results for people (text) and programs (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "spfdoctor/spf.hpp"

namespace spfdoctor::report {

// The `eval` JSON document (see docs/cli.md).
[[nodiscard]] nlohmann::json to_json(const Evaluation& e, bool with_trace = true);
// One line of `eval --batch --json`, appended to `out`: byte for byte
// to_json(e, with_trace) with "ip", "sender" and "helo" added, dumped compact
// (dump(-1, ' ', false, error_handler_t::replace)), then '\n'. Written
// straight into `out`, without building the nlohmann tree.
void append_json_line(std::string& out, const Evaluation& e, bool with_trace, std::string_view ip,
                      std::string_view sender, std::string_view helo);
// A readable report; ANSI colours when `color`.
[[nodiscard]] std::string to_text(const Evaluation& e, const Query& q, bool color);

}  // namespace spfdoctor::report
