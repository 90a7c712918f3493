// DNS response parsing (our wire reader, src/dns/response.cpp) on arbitrary
// bytes, for every record type the resolver asks. Invariants: never throws,
// never crashes; an answer holds only records of the asked type; a negative or
// failed answer holds none; and it gives the same Answer as the ldns-based
// parser it replaced (tests/support/dns_reference.cpp), except for the
// documented, deliberate differences listed there.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dns_reference.hpp"
#include "fuzz_check.hpp"
#include "spfdoctor/net_resolver.hpp"

namespace {

using spfdoctor::dns::RType;
using spfdoctor::dns::Status;
namespace ref = spfdoctor::dns::testing;

constexpr RType kTypes[] = {RType::A,  RType::NS,  RType::CNAME, RType::SOA, RType::PTR,
                            RType::MX, RType::TXT, RType::AAAA,  RType::SPF};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (const RType type : kTypes) {
    const auto answer = spfdoctor::dns::parse_response(data, size, "example.com", type);
    if (answer.status != Status::Ok) {
      FUZZ_CHECK(answer.records.empty(), "records in a failed answer");
    }
    for (const auto& rr : answer.records) {
      FUZZ_CHECK(rr.type == type, std::string("record of another type for ") + std::string(to_string(type)));
      if (type == RType::TXT || type == RType::SPF) FUZZ_CHECK(!rr.strings.empty(), "TXT without strings");
      if (type == RType::A) FUZZ_CHECK(rr.address.is_v4(), "A record without an IPv4 address");
      if (type == RType::AAAA) FUZZ_CHECK(!rr.address.is_v4(), "AAAA record without an IPv6 address");
    }
    const auto c = ref::compare_with_ldns(data, size, "example.com", type);
    FUZZ_CHECK(c.agreement != ref::Agreement::Different, c.message);
  }
  return 0;
}
