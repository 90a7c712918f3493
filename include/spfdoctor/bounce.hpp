// Reading a bounce (RFC 3464 DSN, Microsoft 365 / Exchange NDR, or the
// free-text reports of Postfix, Exim, Sendmail, qmail, Gmail, ...): who was
// rejected, with which status, in the remote server's own words, and why
// (a reason from Sisimai's vocabulary).
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spfdoctor::bounce {

// One Received: header of the original message (RFC 5321 §4.4), parsed.
struct ReceivedHop {
  std::string from_host;  // the name the client gave (HELO) or the reverse name
  std::string from_ip;    // the client's IP as the receiving server saw it
  std::string by_host;    // the server that added the header
  std::string with;       // protocol (SMTP, ESMTPS, ...)
  std::string id;
  std::string for_addr;
  std::string date;
  std::string raw;  // the header, unfolded
};

struct RecipientReport {
  std::string recipient;           // the address that bounced
  std::string status;              // enhanced status code (RFC 3463), e.g. 5.7.23; may be a 5.0.9xx pseudo code
  std::string reply_code;          // SMTP reply code, e.g. 550, or ""
  std::string action;              // failed, delayed, delivered, relayed, expanded (RFC 3464 §2.3.3)
  std::string remote_mta;          // the server that rejected it, when known
  std::string diagnostic;          // the remote server's own words ("the detailed external error")
  std::string reason;              // Sisimai vocabulary: userunknown, authfailure, ...
  std::string command;             // the SMTP command that failed (MAIL, RCPT, DATA, ...), when known
  std::string original_recipient;  // RFC 3464 Original-Recipient
  std::string last_attempt;        // RFC 3464 Last-Attempt-Date
  std::string diagnostic_type;     // smtp, x-unix, ... (RFC 3464 Diagnostic-Code type)
};

struct OriginalMessage {
  std::string from;
  std::string envelope_from;  // Return-Path / X-Postfix-Sender / the DSN's Original-Envelope-Id owner
  std::string to;
  std::string subject;
  std::string message_id;
  std::string date;
  std::string sending_ip;         // the IP that handed the message to the receiver
  std::string sending_ip_source;  // how it was found: diagnostic, authentication-results, received, ...
  std::vector<ReceivedHop> received;
  bool headers_present = false;  // whether the bounce carried the original headers
};

struct Bounce {
  std::vector<RecipientReport> recipients;
  std::string reporting_mta;      // RFC 3464 Reporting-MTA, or the bounce's own server
  std::string generating_server;  // Microsoft's "Generating server:", or the MTA that wrote the bounce
  std::string system;             // the system that wrote the bounce (postfix, exim, office365, rfc3464, ...)
  std::string arrival_date;       // RFC 3464 Arrival-Date
  std::string feedback_type;      // ARF (RFC 5965) Feedback-Type, when the message is a complaint
  std::string subject;            // of the bounce itself
  std::string bounce_from;        // From: of the bounce
  std::string bounce_date;        // Date: of the bounce
  OriginalMessage original;
  bool is_dsn = false;             // carried a message/delivery-status part
  std::vector<std::string> notes;  // what could not be read, limits hit
};

struct ParseOptions {
  std::size_t max_bytes = 20 * 1024 * 1024;  // refuse larger input
  std::size_t max_depth = 12;                // nested MIME levels
  std::size_t max_parts = 400;               // MIME leaf parts
  std::size_t max_recipients = 1000;         // recipients listed; a note counts the rest
  std::size_t max_field = 4096;              // bytes kept of a header field (subject, addresses, dates)
  std::size_t max_diagnostic = 16384;        // bytes kept of a recipient's diagnostic text
  std::size_t max_hops = 100;                // Received: hops kept (RFC 5321 §6.3 loop limit)
};

// A message that cannot be read as a bounce at all (too big, not a message).
class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads one message (.eml, or an mbox holding one message; CRLF, LF or CR
// line ends). Throws ParseError when the input is not a mail message or is
// over the size limit; never crashes on malformed MIME.
[[nodiscard]] Bounce parse(std::string_view raw, const ParseOptions& options = {});

// What an enhanced status code means (RFC 3463, IANA, Microsoft NDR table).
struct StatusInfo {
  std::string_view code;  // "X.7.23" (any class) or a class-specific code like "5.7.509"
  std::string_view meaning;
  std::string_view fix;
  std::string_view reason;  // the reason this code implies on its own ("" when it depends)
  std::string_view source;  // "RFC 3463", "RFC 7372", "Microsoft", ...
};
[[nodiscard]] const StatusInfo* describe_status(std::string_view code);
[[nodiscard]] std::string_view status_class_meaning(char klass);
[[nodiscard]] std::string_view status_subject_meaning(std::string_view code);

// A sentence about a Sisimai reason name (e.g. "userunknown").
[[nodiscard]] std::string_view describe_reason(std::string_view reason);

// Parses one Received: header value.
[[nodiscard]] ReceivedHop parse_received(std::string_view value);

}  // namespace spfdoctor::bounce
