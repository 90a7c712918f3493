// Data about the systems that write bounces: how to recognise each one, where
// its report ends and the original message begins, and the phrases it uses
// for each reason. One table per concern, no per-system code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bounce/mime.hpp"

namespace spfdoctor::bounce::detail {

// Which system wrote the bounce ("postfix", "exim", "office365", ... or "").
[[nodiscard]] std::string detect_system(const Headers& headers, std::string_view text);

// Offset in `text` where the copy of the original message starts (npos when none).
[[nodiscard]] std::size_t original_message_offset(std::string_view text);

// Offset in `text` where the error report starts (after greetings), 0 when unknown.
[[nodiscard]] std::size_t report_start_offset(std::string_view text);

// The SMTP command a diagnostic says failed: CONN, HELO, EHLO, MAIL, RCPT, DATA, STARTTLS or "".
[[nodiscard]] std::string failed_command(std::string_view text);

// A reason the bounce's system states in its own words (system-specific phrase
// tables), or "".
[[nodiscard]] std::string system_reason(std::string_view system, std::string_view text);

// A reason the receiving side states (per remote host: Microsoft, Google,
// Yahoo, Apple, ...): `host` is the remote MTA or the recipient's domain.
[[nodiscard]] std::string remote_host_reason(std::string_view host, std::string_view status, std::string_view reply,
                                             std::string_view text);

// Whether the text says the delivery is only delayed (a warning, not a bounce).
[[nodiscard]] bool says_delayed(std::string_view subject, std::string_view text);

}  // namespace spfdoctor::bounce::detail
