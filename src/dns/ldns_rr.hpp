// Converting ldns resource records into our Record (for the master-file
// loader; network responses have their own reader, response.cpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "spfdoctor/dns.hpp"

// ldns after the C++ headers: its common.h can redefine bool for C.
#include <ldns/ldns.h>

namespace spfdoctor::dns {

struct RrDeleter {
  void operator()(ldns_rr* rr) const noexcept { ldns_rr_free(rr); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;
struct PktDeleter {
  void operator()(ldns_pkt* p) const noexcept { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

// A domain name as text without the trailing dot; lower-cased unless keep_case.
std::optional<std::string> dname_text(const ldns_rdf* rdf, bool keep_case = false);

// What became of one resource record.
struct Converted {
  std::optional<Record> record;  // empty: a type (or class) we do not keep
  std::string error;             // non-empty: the record is malformed
};

Converted convert(const ldns_rr* rr);

}  // namespace spfdoctor::dns
