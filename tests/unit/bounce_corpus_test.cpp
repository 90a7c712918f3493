// Every real bounce of ../shared/corpus/bounces (Sisimai's set-of-emails):
// status and reason must agree with what Sisimai decodes (expected.json) for
// at least 95% / 90% of the bounced recipients. Disagreements we believe are
// Sisimai's mistakes, or cases only its per-MTA code can reach, are listed
// below with the reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/suite_loader.hpp"
#include "spfdoctor/bounce.hpp"

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// file -> why we differ (documented in docs/known-differences.md, "Bounces").
const std::map<std::string, std::string>& known_differences() {
  static const std::map<std::string, std::string> m = {
      {"arf-11.eml", "ARF report forwarded inside another message; the nested feedback-report is not read"},
      {"arf-26.eml", "a plain RFC 3834 auto-reply ('unsubscribe'); Sisimai calls it feedback, we call it vacation"},
      {"lhost-amazonses-11.eml", "SES complaint notification in a layout our JSON reader does not find"},
      {"lhost-exchange2007-05.eml",
       "Sisimai takes 4.4.1 from elsewhere in the NDR; the server's words say 4.4.7 (QUEUE.Expired)"},
      {"lhost-exim-08.eml", "Exim report whose recipient line we misread (the sender's address comes first)"},
      {"lhost-exim-38.eml",
       "Sisimai's status 4.0.901 is onhold's pseudo code while its reason is requireptr; we read 'retry timeout "
       "exceeded' as expired"},
      {"lhost-exim-40.eml",
       "same reason; Sisimai's pseudo status 5.0.901 belongs to onhold, not to its reason requireptr (5.0.973)"},
      {"lhost-exim-41.eml", "as lhost-exim-38"},
      {"lhost-exim-44.eml",
       "Exim pipe failure with no diagnostic text we can see; Sisimai's Exim module knows the layout"},
      {"lhost-exim-52.eml", "Exim 'malformed address' is syntaxerror in Sisimai's Exim module; not in our tables"},
      {"lhost-exim-56.eml", "'daily relay quota' is blocked in Sisimai's Exim module; not in our tables"},
      {"lhost-ezweb-01.eml", "au/ezweb Japanese-only report; Sisimai's EZweb module knows its wording"},
      {"lhost-ezweb-02.eml", "'550 user unknown' (in reply to RCPT) is suspend only in Sisimai's EZweb module"},
      {"lhost-ezweb-05.eml", "au/ezweb report with no error text; Sisimai's EZweb module infers expired"},
      {"lhost-fml-02.eml", "fml mailing-list refusal; Sisimai's fml module knows its wording"},
      {"lhost-gmx-04.eml",
       "'retry timeout exceeded' is temporary in lhost-exim-07 and lhost-mailru-10 but permanent here"},
      {"lhost-office365-07.eml",
       "the same '5.1.351 ... -> 550 User unknown' text is filtered in lhost-office365-04 and userunknown here"},
      {"lhost-office365-10.eml", "as lhost-office365-07"},
      {"lhost-opensmtpd-10.eml", "we take 5.0.0 from the report text; Sisimai drops it and writes the pseudo 5.0.912"},
      {"lhost-opensmtpd-16.eml", "we take 4.4.7 from the report text; Sisimai writes the pseudo 5.0.947"},
      {"lhost-postfix-46.eml", "'Recipient address rejected.' without the RCPT context Sisimai's Postfix module has"},
      {"lhost-postfix-47.eml", "'554 Transaction failed' is systemerror only with text Sisimai's Postfix module adds"},
      {"lhost-postfix-64.eml", "no error text at all: Sisimai says undefined, we say onhold (no detail to judge)"},
      {"lhost-postfix-74.eml",
       "Yahoo's 'temporarily deferred due to unexpected volume or user complaints' is badreputation in Sisimai's own "
       "table (and for lhost-qmail-19); we keep it badreputation"},
      {"lhost-powermta-01.eml", "'5.2.1 User Unknown' is suspend only in Sisimai's PowerMTA module"},
      {"lhost-powermta-02.eml", "the same Yahoo sentence is filtered for lhost-x2-01/02 and userunknown here"},
      {"lhost-qmail-04.eml", "qmail HELO refusal; Sisimai's qmail module reads the HELO context"},
      {"lhost-sendmail-16.eml", "'(BL)' block-list marker known only to Sisimai's Sendmail module"},
      {"lhost-sendmail-56.eml", "Sisimai prefers 4.7.0 from the transcript; we keep the Status: field 5.5.0"},
      {"lhost-v5sendmail-07.eml",
       "old sendmail summary with several recipients on one transcript; we misattribute the first line"},
      {"lhost-verizon-02.eml", "Verizon MMS gateway wording known only to Sisimai's Verizon module"},
      {"lhost-x3-05.eml", "no error text: Sisimai says undefined, we say onhold"},
      {"lhost-yahoo-13.eml",
       "'Unable to deliver message after multiple retries, giving up' is expired by its words; Sisimai says "
       "systemerror"},
      {"rfc3464-01.eml", "the DSN says 5.1.1 User Unknown; Sisimai reads mailboxfull from another part"},
      {"rfc3464-04.eml", "procmail pipe failure (X-Actual-Recipient); Sisimai says systemerror"},
      {"rfc3464-58.eml",
       "'550 <a@ezweb.ne.jp>: User unknown' after DATA: filtered by the generic rules, userunknown in Sisimai's KDDI "
       "rules"},
      {"rfc3464-65.eml", "no diagnostic text; Sisimai infers userunknown from its Google rules"},
      {"rhost-cox-01.eml", "second message of the mbox is a double bounce whose recipient we do not find"},
      {"rhost-gsuite-02.eml", "no diagnostic text; Sisimai infers userunknown from its Google rules"},
      {"rhost-messagelabs-02.eml", "MessageLabs 'No such user' without the remote host name our rule needs"},
      {"rhost-nttdocomo-02.eml", "docomo 'Unknown user' after DATA is rejected in Sisimai's NTT docomo rules"},
      {"rhost-spectrum-01.eml", "Spectrum's AUP code is toomanyconn in Sisimai's Spectrum table"},
      {"rhost-yahooinc-02.eml", "as lhost-postfix-74"},
  };
  return m;
}

TEST(BounceCorpus, AgreesWithSisimai) {
  const fs::path dir = fs::path(spfdoctor::testing::shared_dir()) / "corpus" / "bounces";
  if (!fs::exists(dir / "expected.json")) GTEST_SKIP() << "no corpus at " << dir;
  const auto expected = nlohmann::json::parse(slurp(dir / "expected.json"));
  std::size_t total = 0, status_ok = 0, reason_ok = 0;
  std::ostringstream misses;
  for (const auto& [file, rows] : expected.items()) {
    spfdoctor::bounce::Bounce b;
    try {
      b = spfdoctor::bounce::parse(slurp(dir / file));
    } catch (const std::exception& e) {
      misses << file << ": parse error: " << e.what() << "\n";
      total += rows.size();
      continue;
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      ++total;
      const std::string want_status = rows[i].value("status", "");
      const std::string want_reason = rows[i].value("reason", "");
      std::string got_status, got_reason;
      if (i < b.recipients.size()) {
        got_status = b.recipients[i].status;
        got_reason = b.recipients[i].reason;
      }
      const bool s = got_status == want_status;
      const bool r = got_reason == want_reason;
      status_ok += s ? 1 : 0;
      reason_ok += r ? 1 : 0;
      if (!s || !r) {
        misses << file << "#" << i << ": status " << got_status << " (want " << want_status << "), reason "
               << got_reason << " (want " << want_reason << ")";
        auto k = known_differences().find(file);
        if (k != known_differences().end()) misses << " [known: " << k->second << "]";
        misses << "\n";
      }
    }
  }
  const double sp = total != 0 ? 100.0 * static_cast<double>(status_ok) / static_cast<double>(total) : 0;
  const double rp = total != 0 ? 100.0 * static_cast<double>(reason_ok) / static_cast<double>(total) : 0;
  std::cout << misses.str();
  std::printf("bounce corpus: status %zu/%zu (%.1f%%), reason %zu/%zu (%.1f%%)\n", status_ok, total, sp, reason_ok,
              total, rp);
  EXPECT_GE(sp, 95.0);
  EXPECT_GE(rp, 90.0);
}

}  // namespace
