// The ldns-based DNS response parser that dns::parse_response replaced, kept
// as a reference for tests and the fuzz target only (the library no longer
// parses responses with ldns), and the comparison of the two with its list of
// allowed, deliberate differences (see the top of src/dns/response.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "spfdoctor/dns.hpp"

namespace spfdoctor::dns::testing {

// What parse_response did until it had its own wire reader: ldns_wire2pkt,
// then convert() for each record (src/dns/ldns_rr.cpp).
[[nodiscard]] Answer parse_response_ldns(const unsigned char* wire, std::size_t size, std::string_view qname,
                                         RType qtype);

// One answer as text, for comparing and for messages.
[[nodiscard]] std::string describe(const Answer& a);

// How parse_response and parse_response_ldns compared on one input.
enum class Agreement {
  Same,          // the same Answer, or both "malformed DNS response (...)"
  RdataShape,    // allowed: a record's data does not have the fields ldns's descriptor for its
                 // type reads in exactly RDLENGTH bytes (ldns rejects the response or misreads
                 // the records after it; we skip by RDLENGTH and leave that record out)
  PointerRule,   // allowed: a name has a compression pointer that does not point backwards, or
                 // more than 128 pointers (we reject such a name; ldns follows it)
  Different,     // not allowed
};

struct Comparison {
  Agreement agreement = Agreement::Same;
  std::string message;  // for Different: both answers
};

[[nodiscard]] Comparison compare_with_ldns(const unsigned char* wire, std::size_t size, std::string_view qname,
                                           RType qtype);

}  // namespace spfdoctor::dns::testing
