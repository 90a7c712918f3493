// Parsing DNS responses (wire format) with ldns: records of the asked type at
// the end of the CNAME chain, TTLs, and negative-caching TTLs (RFC 2308).
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "dns/ldns_rr.hpp"
#include "spfdoctor/net_resolver.hpp"

namespace spfdoctor::dns {

namespace {

constexpr int kMaxChain = 16;

// Whether the owner of `rr`, as dname_text() would write it (labels joined by
// dots, a dot or backslash inside a label escaped, lower-cased, no trailing
// dot), is `name`; compared in place, since every record of every answer is
// asked this. A malformed owner is nobody.
bool owner_is(const ldns_rr* rr, std::string_view name) {
  const ldns_rdf* rdf = ldns_rr_owner(rr);
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return false;
  const std::uint8_t* data = ldns_rdf_data(rdf);
  const std::size_t size = ldns_rdf_size(rdf);
  if (data == nullptr || size == 0) return false;
  std::size_t pos = 0;  // in data
  std::size_t at = 0;   // in name
  auto expect = [&](char c) {
    if (at >= name.size() || name[at] != c) return false;
    ++at;
    return true;
  };
  for (bool first = true;; first = false) {
    if (pos >= size) return false;
    const std::size_t len = data[pos];
    if (len == 0) break;
    if (len > 63 || pos + 1 + len > size) return false;
    if (!first && !expect('.')) return false;
    for (std::size_t i = pos + 1; i <= pos + len; ++i) {
      char c = static_cast<char>(data[i]);
      if (c == '.' || c == '\\') {
        if (!expect('\\')) return false;
      } else if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c - 'A' + 'a');
      }
      if (!expect(c)) return false;
    }
    pos += 1 + len;
  }
  return pos + 1 == size && at == name.size();
}

// RFC 2308 §5: the negative TTL is the smaller of the SOA's TTL and MINIMUM.
std::uint32_t negative_ttl(const ldns_pkt* pkt) {
  const ldns_rr_list* auth = ldns_pkt_authority(pkt);
  for (std::size_t i = 0; auth && i < ldns_rr_list_rr_count(auth); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(auth, i);
    if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || ldns_rr_rd_count(rr) < 7) continue;
    const ldns_rdf* minimum = ldns_rr_rdf(rr, 6);
    if (!minimum || ldns_rdf_size(minimum) != 4) continue;
    return std::min<std::uint32_t>(ldns_rr_ttl(rr), ldns_rdf2native_int32(minimum));
  }
  return 0;
}

}  // namespace

Answer parse_response(const unsigned char* wire, std::size_t size, std::string_view qname, RType qtype) {
  Answer out;
  ldns_pkt* raw = nullptr;
  ldns_status st = ldns_wire2pkt(&raw, wire, size);
  PktPtr pkt(raw);
  if (st != LDNS_STATUS_OK || !pkt) {
    out.status = Status::Error;
    out.detail =
        fmt::format("malformed DNS response ({})", ldns_get_errorstr_by_id(st) ? ldns_get_errorstr_by_id(st) : "?");
    return out;
  }
  switch (ldns_pkt_get_rcode(pkt.get())) {
    case LDNS_RCODE_NOERROR: break;
    case LDNS_RCODE_NXDOMAIN:
      out.status = Status::NxDomain;
      out.ttl = negative_ttl(pkt.get());
      return out;
    case LDNS_RCODE_SERVFAIL:
      out.status = Status::ServFail;
      out.detail = "the server answered SERVFAIL";
      return out;
    case LDNS_RCODE_REFUSED:
      out.status = Status::Refused;
      out.detail = "the server answered REFUSED";
      return out;
    default:
      out.status = Status::Error;
      out.detail = fmt::format("the server answered RCODE {}", static_cast<int>(ldns_pkt_get_rcode(pkt.get())));
      return out;
  }
  const ldns_rr_list* answer = ldns_pkt_answer(pkt.get());
  const std::size_t n = answer ? ldns_rr_list_rr_count(answer) : 0;
  std::string name = normalize_name(qname);
  std::uint32_t ttl = UINT32_MAX;
  // Follow the CNAME chain inside this response (most answers have none).
  bool has_cname = false;
  for (std::size_t i = 0; i < n && qtype != RType::CNAME && !has_cname; ++i) {
    has_cname = ldns_rr_get_type(ldns_rr_list_rr(answer, i)) == LDNS_RR_TYPE_CNAME;
  }
  std::vector<std::string> seen;
  if (has_cname) seen.push_back(name);
  for (int hop = 0; has_cname && hop < kMaxChain; ++hop) {
    bool moved = false;
    for (std::size_t i = 0; i < n; ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(answer, i);
      if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || !owner_is(rr, name)) continue;
      auto target = ldns_rr_rd_count(rr) == 1 ? dname_text(ldns_rr_rdf(rr, 0)) : std::nullopt;
      if (!target || std::find(seen.begin(), seen.end(), *target) != seen.end()) break;  // malformed or a loop
      ttl = std::min(ttl, ldns_rr_ttl(rr));
      name = *target;
      seen.push_back(name);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (static_cast<std::uint16_t>(ldns_rr_get_type(rr)) != static_cast<std::uint16_t>(qtype)) continue;
    if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || !owner_is(rr, name)) continue;
    auto c = convert(rr);
    if (!c.record) continue;  // malformed data from the server: leave it out
    ttl = std::min(ttl, c.record->ttl);
    out.records.push_back(std::move(*c.record));
  }
  out.ttl = out.records.empty() ? negative_ttl(pkt.get()) : (ttl == UINT32_MAX ? 0 : ttl);
  return out;
}

}  // namespace spfdoctor::dns
