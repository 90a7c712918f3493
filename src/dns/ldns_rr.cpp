// Converting ldns resource records into our Record.
#include <array>
#include <cstring>

#include "dns/ldns_rr.hpp"

namespace spfdoctor::dns {

// A domain name from its wire form: labels joined by dots, bytes as they are,
// except that a dot or backslash inside a label is escaped so that the text
// stays unambiguous. Lower-cased, without the trailing dot; the root is "".
std::optional<std::string> dname_text(const ldns_rdf* rdf, bool keep_case) {
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return std::nullopt;
  const std::uint8_t* data = ldns_rdf_data(rdf);
  const std::size_t size = ldns_rdf_size(rdf);
  if (data == nullptr || size == 0) return std::nullopt;

  std::string text;
  std::size_t pos = 0;
  for (;;) {
    if (pos >= size) return std::nullopt;  // no root label
    const std::size_t len = data[pos];
    if (len == 0) break;
    if (len > 63 || pos + 1 + len > size) return std::nullopt;
    for (std::size_t i = pos + 1; i <= pos + len; ++i) {
      const char c = static_cast<char>(data[i]);
      if (c == '.' || c == '\\') text += '\\';
      text += c;
    }
    text += '.';
    pos += 1 + len;
  }
  if (pos + 1 != size) return std::nullopt;  // bytes after the root label
  if (text.empty()) text = ".";
  if (keep_case) {
    // PTR targets keep their case: it shows in the %{p} macro (RFC 7208 §7.3).
    text.pop_back();
    return text;
  }
  return normalize_name(text);  // strips the one trailing dot, lower-cases
}

namespace {

Converted malformed(const char* type, std::string_view why) {
  Converted out;
  out.error = std::string(type) + " record " + std::string(why);
  return out;
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> address_bytes(const ldns_rdf* rdf, ldns_rdf_type type) {
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != type || ldns_rdf_size(rdf) != N || ldns_rdf_data(rdf) == nullptr) {
    return std::nullopt;
  }
  std::array<std::uint8_t, N> bytes{};
  std::memcpy(bytes.data(), ldns_rdf_data(rdf), N);
  return bytes;
}

// A <character-string> as raw bytes: the rdf holds a length byte, then data.
std::optional<std::string> character_string(const ldns_rdf* rdf) {
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR) return std::nullopt;
  const std::uint8_t* data = ldns_rdf_data(rdf);
  const std::size_t size = ldns_rdf_size(rdf);
  if (data == nullptr || size == 0 || std::size_t{data[0]} + 1 != size) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(data + 1), size - 1);
}

}  // namespace

Converted convert(const ldns_rr* rr) {
  Converted out;
  // The resolver only answers class IN questions; CH and friends are not data for it.
  if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) return out;

  Record rec;
  rec.ttl = ldns_rr_ttl(rr);
  const std::size_t count = ldns_rr_rd_count(rr);
  const ldns_rdf* first = count > 0 ? ldns_rr_rdf(rr, 0) : nullptr;

  switch (ldns_rr_get_type(rr)) {
    case LDNS_RR_TYPE_A: {
      auto bytes = address_bytes<4>(first, LDNS_RDF_TYPE_A);
      if (!bytes || count != 1) return malformed("A", "without a 4-byte address");
      rec.type = RType::A;
      rec.address = IpAddress::v4(*bytes);
      break;
    }
    case LDNS_RR_TYPE_AAAA: {
      auto bytes = address_bytes<16>(first, LDNS_RDF_TYPE_AAAA);
      if (!bytes || count != 1) return malformed("AAAA", "without a 16-byte address");
      rec.type = RType::AAAA;
      rec.address = IpAddress::v6(*bytes);
      break;
    }
    case LDNS_RR_TYPE_MX: {
      if (count != 2 || first == nullptr || ldns_rdf_get_type(first) != LDNS_RDF_TYPE_INT16 ||
          ldns_rdf_size(first) != 2) {
        return malformed("MX", "without a preference and an exchange");
      }
      auto target = dname_text(ldns_rr_rdf(rr, 1));
      if (!target) return malformed("MX", "with a bad exchange name");
      rec.type = RType::MX;
      rec.preference = ldns_rdf2native_int16(first);
      rec.target = std::move(*target);
      break;
    }
    case LDNS_RR_TYPE_PTR:
    case LDNS_RR_TYPE_CNAME: {
      const bool ptr = ldns_rr_get_type(rr) == LDNS_RR_TYPE_PTR;
      auto target = count == 1 ? dname_text(first, ldns_rr_get_type(rr) == LDNS_RR_TYPE_PTR) : std::nullopt;
      if (!target) return malformed(ptr ? "PTR" : "CNAME", "without a target name");
      rec.type = ptr ? RType::PTR : RType::CNAME;
      rec.target = std::move(*target);
      break;
    }
    case LDNS_RR_TYPE_TXT:
    case LDNS_RR_TYPE_SPF: {
      const bool spf = ldns_rr_get_type(rr) == LDNS_RR_TYPE_SPF;
      const char* name = spf ? "SPF" : "TXT";
      if (count == 0) return malformed(name, "without character-strings");
      for (std::size_t i = 0; i < count; ++i) {
        auto s = character_string(ldns_rr_rdf(rr, i));
        if (!s) return malformed(name, "with a bad character-string");
        rec.strings.push_back(std::move(*s));
      }
      rec.type = spf ? RType::SPF : RType::TXT;
      break;
    }
    case LDNS_RR_TYPE_NS: rec.type = RType::NS; break;
    case LDNS_RR_TYPE_SOA: rec.type = RType::SOA; break;
    default: return out;  // not a type SPF evaluation asks for
  }
  out.record = std::move(rec);
  return out;
}

}  // namespace spfdoctor::dns
