// SMTP reply codes (RFC 5321 §4.2) and enhanced status codes (RFC 3463, the
// IANA registry, Microsoft's NDR codes): finding them in free text, choosing
// between candidates, and what each means.
#pragma once

#include <string>
#include <string_view>

namespace spfdoctor::bounce::detail {

// The enhanced status code written in `text` ("550 5.1.1 ..."), or "".
// `klass` ('2', '4', '5' or 0) restricts the class searched for.
[[nodiscard]] std::string find_status(std::string_view text, char klass = 0);
// The SMTP reply code in `text`, or "". `klass` as above.
[[nodiscard]] std::string find_reply(std::string_view text, char klass = 0);
// Chooses between a Status: field and a code found in the diagnostic text.
[[nodiscard]] std::string prefer_status(const std::string& field, const std::string& in_text, const std::string& reply);
// The reason a status code implies on its own (Sisimai's table), or "".
[[nodiscard]] std::string reason_of_status(std::string_view code);
// A pseudo status for a reason when the bounce gives none (5.0.9xx / 4.0.9xx).
[[nodiscard]] std::string pseudo_status(std::string_view reason, bool temporary);
// Whether the text says the failure is temporary (4xx) or permanent (5xx).
[[nodiscard]] bool text_is_temporary(std::string_view text);
[[nodiscard]] bool text_is_permanent(std::string_view text);
[[nodiscard]] bool valid_status(std::string_view code);

}  // namespace spfdoctor::bounce::detail
