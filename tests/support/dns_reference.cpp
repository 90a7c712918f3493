// The old ldns-based response parser (verbatim from src/dns/response.cpp
// before it had its own wire reader) and its comparison with the new one.
#include "dns_reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "dns/ldns_rr.hpp"
#include "spfdoctor/net_resolver.hpp"

namespace spfdoctor::dns::testing {

namespace {

constexpr int kMaxChain = 16;

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

Answer parse_response_ldns(const unsigned char* wire, std::size_t size, std::string_view qname, RType qtype) {
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

std::string describe(const Answer& a) {
  std::string s = fmt::format("{} ttl={} detail=\"{}\"", to_string(a.status), a.ttl, a.detail);
  for (const auto& r : a.records) {
    s += fmt::format(" [{} ttl={}", to_string(r.type), r.ttl);
    if (r.type == RType::A || r.type == RType::AAAA) s += " " + r.address.to_string();
    if (r.type == RType::MX) s += fmt::format(" pref={}", r.preference);
    if (!r.target.empty()) s += " target=" + r.target;
    for (const auto& t : r.strings) s += fmt::format(" \"{}\"", t);
    s += fmt::format(" strings={}]", r.strings.size());
  }
  return s;
}

namespace {

constexpr std::string_view kMalformed = "malformed DNS response (";

bool is_malformed(const Answer& a) {
  return a.status == Status::Error && a.detail.starts_with(kMalformed) && a.detail.ends_with(")");
}

// What the test sees in a response, walking it the way the new parser does
// (records skipped by RDLENGTH) but with ldns's name reader and, for each
// record, ldns's rdata reader.
struct Layout {
  bool broken = false;          // ldns's name reader or the RDLENGTHs say the sections do not fit
  bool rdata_shape = false;     // some record's fields, as ldns reads them, do not fill exactly RDLENGTH
  bool pointer_rule = false;    // a name the new parser reads breaks its pointer rule
};

// Whether the name at `pos` has a pointer that does not point before all of
// the name read so far, or more than 128 pointers (the new parser's rule,
// written again here independently).
bool breaks_pointer_rule(const unsigned char* w, std::size_t n, std::size_t pos) {
  std::size_t limit = pos;
  int pointers = 0;
  for (int guard = 0; guard < 100000 && pos < n; ++guard) {
    const unsigned len = w[pos];
    if (len == 0) return false;
    if (len >= 0xc0) {
      if (pos + 1 >= n) return false;
      const std::size_t target = ((len & 0x3fu) << 8) | w[pos + 1];
      if (target == 0 || target >= n) return false;  // ldns rejects these too
      if (target >= limit || ++pointers > 128) return true;
      limit = pos = target;
      continue;
    }
    if (len > 63) return false;
    pos += 1 + len;
  }
  return false;
}

// Moves pos past the name with ldns's reader; false if ldns rejects it.
bool ldns_skip_name(const unsigned char* w, std::size_t n, std::size_t& pos) {
  ldns_rdf* rdf = nullptr;
  const ldns_status st = ldns_wire2dname(&rdf, w, n, &pos);
  if (rdf != nullptr) ldns_rdf_deep_free(rdf);
  return st == LDNS_STATUS_OK;
}

Layout layout(const unsigned char* w, std::size_t n) {
  Layout out;
  if (n < 12) {
    out.broken = true;
    return out;
  }
  const unsigned counts[4] = {ldns_read_uint16(w + 4), ldns_read_uint16(w + 6), ldns_read_uint16(w + 8),
                              ldns_read_uint16(w + 10)};
  std::size_t pos = 12;
  for (unsigned i = 0; i < counts[0]; ++i) {
    out.pointer_rule |= breaks_pointer_rule(w, n, pos);
    if (!ldns_skip_name(w, n, pos) || pos + 4 > n) {
      out.broken = true;
      return out;
    }
    pos += 4;
  }
  for (int s = 1; s < 4; ++s) {
    for (unsigned i = 0; i < counts[s]; ++i) {
      out.pointer_rule |= breaks_pointer_rule(w, n, pos);
      if (!ldns_skip_name(w, n, pos) || pos + 10 > n) {
        out.broken = true;
        return out;
      }
      const std::uint16_t type = ldns_read_uint16(w + pos);
      const std::size_t rdata = pos + 10;
      const std::size_t end = rdata + ldns_read_uint16(w + pos + 8);
      if (end > n) {
        out.broken = true;
        return out;
      }
      ldns_rr* rr = ldns_rr_new();
      ldns_rr_set_type(rr, static_cast<ldns_rr_type>(type));
      std::size_t p = pos + 8;
      const ldns_status st = ldns_wire2rdf(rr, w, n, &p);
      ldns_rr_free(rr);
      if (st != LDNS_STATUS_OK || p != end) out.rdata_shape = true;
      // The names in data the new parser reads.
      if (rdata < end) {
        if (type == LDNS_RR_TYPE_CNAME || type == LDNS_RR_TYPE_PTR || type == LDNS_RR_TYPE_SOA) {
          out.pointer_rule |= breaks_pointer_rule(w, n, rdata);
        }
        if (type == LDNS_RR_TYPE_MX && rdata + 2 < end) out.pointer_rule |= breaks_pointer_rule(w, n, rdata + 2);
        if (type == LDNS_RR_TYPE_SOA) {
          std::size_t second = rdata;
          if (ldns_skip_name(w, n, second) && second < end) out.pointer_rule |= breaks_pointer_rule(w, n, second);
        }
      }
      pos = end;
    }
  }
  return out;
}

}  // namespace

Comparison compare_with_ldns(const unsigned char* wire, std::size_t size, std::string_view qname, RType qtype) {
  const Answer ours = parse_response(wire, size, qname, qtype);
  const Answer ref = parse_response_ldns(wire, size, qname, qtype);
  const Layout shape = layout(wire, size);
  Comparison out;
  const auto differ = [&](std::string_view why) {
    out.agreement = Agreement::Different;
    out.message = fmt::format("{} (qtype {}): new: {} | ldns: {}", why, to_string(qtype), describe(ours), describe(ref));
    return out;
  };
  const bool ours_bad = is_malformed(ours);
  const bool ref_bad = is_malformed(ref);
  if (ours.status == Status::Error && !ours_bad && ours.detail.starts_with("malformed")) {
    return differ("the new parser's error is not \"malformed DNS response (...)\"");
  }
  // Where ldns's own readers find the sections do not fit, the new parser must reject too.
  if (shape.broken && !ours_bad) return differ("accepted a response whose sections do not fit");
  if (ours_bad && ref_bad) return out;
  if (ours_bad) {
    const bool pointer_error = ours.detail.find("does not point backwards") != std::string::npos ||
                               ours.detail.find("128 compression pointers") != std::string::npos;
    if (pointer_error && shape.pointer_rule) {
      out.agreement = Agreement::PointerRule;
      return out;
    }
    if (shape.rdata_shape) {  // ldns read the records after a misshapen one from the wrong place
      out.agreement = Agreement::RdataShape;
      return out;
    }
    return differ("rejected a response ldns accepts");
  }
  if (!ref_bad && describe(ours) == describe(ref)) return out;
  if (shape.rdata_shape) {
    out.agreement = Agreement::RdataShape;
    return out;
  }
  if (shape.pointer_rule && !ref_bad) {
    out.agreement = Agreement::PointerRule;  // a record whose data name breaks the rule is left out
    return out;
  }
  return differ(ref_bad ? "accepted a response ldns rejects" : "a different answer");
}

}  // namespace spfdoctor::dns::testing
