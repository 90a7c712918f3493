// Bounce reasons in Sisimai's vocabulary: phrase tables per reason (matched in
// one pass with RE2::Set) and the decision order that picks one reason from
// the status code, the reply code, the failed SMTP command and the words.
#pragma once

#include <bitset>
#include <string>
#include <string_view>

namespace spfdoctor::bounce::detail {

// Reasons that have phrase tables, in a fixed order.
enum class R : unsigned {
  MailboxFull,
  MesgTooBig,
  ExceedLimit,
  Suspend,
  HasMoved,
  NoRelaying,
  AuthFailure,
  UserUnknown,
  Filtered,
  RequirePTR,
  NotCompliantRFC,
  BadReputation,
  ContentError,
  Rejected,
  RejectedNot,
  HostUnknown,
  SpamDetected,
  Speeding,
  TooManyConn,
  Blocked,
  VirusDetected,
  PolicyViolation,
  SystemError,
  NetworkError,
  SystemFull,
  NotAccept,
  Expired,
  FailedSTARTTLS,
  SecurityError,
  MailerError,
  Vacation,
  Count
};

class PhraseHits {
 public:
  void set(R r) { bits_.set(static_cast<unsigned>(r)); }
  [[nodiscard]] bool has(R r) const { return bits_.test(static_cast<unsigned>(r)); }

 private:
  std::bitset<static_cast<unsigned>(R::Count)> bits_;
};

// Which reason tables `text` matches (case-insensitive).
[[nodiscard]] PhraseHits match_phrases(std::string_view text);

// What a reason decision looks at.
struct Fact {
  std::string status;      // enhanced status code, maybe ""
  std::string reply;       // SMTP reply code, maybe ""
  std::string diagnostic;  // the server's words
  std::string command;     // CONN, EHLO, HELO, MAIL, RCPT, DATA, STARTTLS, ...
  std::string action;      // failed, delayed, ...
  std::string spec;        // diagnostic type: SMTP, X-UNIX, ...
  std::string reason;      // what the bounce's system already said, maybe ""
};

// Sisimai's decision (Fact, Reason::find, anotherone), re-implemented.
[[nodiscard]] std::string decide_reason(const Fact& f);

// Reasons a system-specific table may set that are still worth checking again.
[[nodiscard]] bool reason_needs_retry(std::string_view reason);
[[nodiscard]] bool reason_is_explicit(std::string_view reason);

}  // namespace spfdoctor::bounce::detail
