// The MIME layer of the bounce reader: GMime 3 turns a raw message (however
// broken) into headers, readable text, delivery-status blocks and the headers
// of the original message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace spfdoctor::bounce::detail {

struct Header {
  std::string name;   // as written
  std::string value;  // unfolded, encoded words decoded to UTF-8
};
using Headers = std::vector<Header>;

// First value of header `name` (case-insensitive), or "".
[[nodiscard]] std::string header_value(const Headers& h, std::string_view name);
[[nodiscard]] std::vector<std::string> header_values(const Headers& h, std::string_view name);

struct MimeLimits {
  std::size_t max_depth = 12;   // nested multiparts / message parts
  std::size_t max_parts = 400;  // leaf parts visited
};

struct MimeDigest {
  Headers headers;                           // the bounce's own header
  std::string text;                          // readable parts, UTF-8, LF line ends
  std::vector<std::string> delivery_status;  // bodies of message/delivery-status parts
  std::string feedback_report;               // body of message/feedback-report (ARF)
  bool has_original = false;                 // a message/rfc822 or text/rfc822-headers part
  Headers original_headers;
  std::string original_raw;       // the attached original message, as text (message/rfc822 only)
  bool multipart_report = false;  // top-level multipart/report
  std::size_t parts = 0;
  bool limits_hit = false;
};

// Parses `raw` (line ends already LF). Never throws for malformed MIME.
[[nodiscard]] MimeDigest read_mime(std::string_view raw, const MimeLimits& limits);

// Parses a header block (RFC 5322 §2.2) from text: stops at the first blank
// line or the first line that is neither a field nor a continuation.
// `consumed` receives the number of bytes used.
[[nodiscard]] Headers parse_header_block(std::string_view text, std::size_t* consumed = nullptr);

// Decodes RFC 2047 encoded words.
[[nodiscard]] std::string decode_words(std::string_view text);

// Replaces CRLF and lone CR by LF.
[[nodiscard]] std::string normalize_line_ends(std::string_view raw);

// Plain text of an HTML fragment (tags dropped, entities for the usual few).
[[nodiscard]] std::string html_to_text(std::string_view html);

}  // namespace spfdoctor::bounce::detail
