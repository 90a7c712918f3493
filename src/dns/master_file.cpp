// Loading RFC 1035 master files into ZoneData, with ldns doing the parsing.
//
// ldns reads one entry at a time (ldns_rr_new_frm_fp_l) and keeps the parser
// state ($ORIGIN, $TTL, the previous owner) in variables the caller owns; we
// hold those in unique_ptrs and lend them to ldns for the length of a call.
// The file is read into memory first so that an error message can quote the
// offending line and name its number exactly (ldns's own line counter also
// swallows the blank lines that follow an entry).
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dns/ldns_rr.hpp"
#include "spfdoctor/dns.hpp"

namespace spfdoctor::dns {

namespace {

// Master files for SPF work are small; the cap keeps a path such as /dev/zero
// from eating all memory.
constexpr std::size_t kMaxFileSize = std::size_t{64} << 20;
// How much of an offending line an error message quotes.
constexpr std::size_t kMaxQuotedLine = 80;

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
struct RdfDeleter {
  void operator()(ldns_rdf* rdf) const noexcept { ldns_rdf_deep_free(rdf); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;

// Lends what a unique_ptr owns to a C function taking `T**` for the length of
// one full expression, and takes back whatever the function left there (it may
// free the old object and store a new one, as ldns does with origin and prev).
// A home-made std::inout_ptr, which is C++23.
template <class T, class D>
class InOutPtr {
 public:
  explicit InOutPtr(std::unique_ptr<T, D>& owner) : owner_(owner), raw_(owner.release()) {}
  ~InOutPtr() { owner_.reset(raw_); }
  InOutPtr(const InOutPtr&) = delete;
  InOutPtr& operator=(const InOutPtr&) = delete;
  operator T**() { return &raw_; }  // NOLINT(google-explicit-constructor): meant for C calls

 private:
  std::unique_ptr<T, D>& owner_;
  T* raw_;
};

[[noreturn]] void fail(const std::string& path, std::string_view what) {
  throw std::runtime_error(path + ": " + std::string(what));
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// The whole file, or an exception saying why not.
std::string read_file(const std::string& path) {
  errno = 0;
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) fail(path, "cannot open: " + errno_text(errno));
  // fopen() gladly opens a directory for reading; say so now rather than
  // reporting a read error later.
  struct stat st {};
  if (::fstat(::fileno(file.get()), &st) == 0 && S_ISDIR(st.st_mode)) fail(path, "cannot open: " + errno_text(EISDIR));

  std::string data;
  std::array<char, 65536> buf{};
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), file.get());
    if (n == 0) break;
    if (data.size() + n > kMaxFileSize)
      fail(path, "file too large (over " + std::to_string(kMaxFileSize >> 20) + " MiB)");
    data.append(buf.data(), n);
  }
  if (std::ferror(file.get())) fail(path, "cannot read: " + errno_text(errno));
  return data;
}

// Where an entry that ldns rejected starts: the first character in
// [begin, end) that is neither white space nor part of a comment. ldns reads
// whole entries (several lines when parenthesised), so this is the line the
// user wants to see. Falls back to `begin` when the span holds nothing.
std::size_t entry_start(std::string_view data, std::size_t begin, std::size_t end) {
  end = std::min(end, data.size());
  std::size_t i = std::min(begin, data.size());
  while (i < end) {
    const char c = data[i];
    if (c == ';') {
      const std::size_t nl = data.find('\n', i);
      if (nl == std::string_view::npos) break;
      i = nl + 1;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == '\0') {
      ++i;
    } else {
      return i;
    }
  }
  return std::min(begin, data.size());
}

// 1-based number of the line holding data[pos].
int line_number(std::string_view data, std::size_t pos) {
  std::size_t lines = 1;
  for (std::size_t i = 0; i < pos && i < data.size(); ++i) {
    if (data[i] == '\n') ++lines;
  }
  return static_cast<int>(lines);
}

// The line holding data[pos], cut to kMaxQuotedLine bytes and made printable so
// that the message stays on one line whatever the file holds.
std::string quoted_line(std::string_view data, std::size_t pos) {
  pos = std::min(pos, data.size());
  const std::size_t nl = data.rfind('\n', pos == 0 ? std::string_view::npos : pos - 1);
  const std::size_t begin = (pos == 0 || nl == std::string_view::npos) ? 0 : nl + 1;
  std::size_t end = data.find('\n', begin);
  if (end == std::string_view::npos) end = data.size();
  std::string_view line = data.substr(begin, end - begin);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  line = line.substr(0, kMaxQuotedLine);

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(line.size());
  for (const char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

// Throws "PATH:LINE: WHAT near 'LINE TEXT'" for the entry ldns read from
// data[begin, end). `ldns_line` is ldns's own count, used only when the entry
// cannot be found in the span.
[[noreturn]] void report_syntax_error(const std::string& path, std::string_view data, std::size_t begin,
                                      std::size_t end, int ldns_line, std::string_view what) {
  const std::size_t at = entry_start(data, begin, end);
  const int line = at < data.size() ? line_number(data, at) : std::max(ldns_line, 1);
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + std::string(what) + " near '" +
                           quoted_line(data, at) + "'");
}

const char* status_text(ldns_status status) {
  const char* text = ldns_get_errorstr_by_id(status);
  return text != nullptr ? text : "unknown ldns error";
}

}  // namespace

ZoneData load_master_file(const std::string& path, std::string_view origin) {
  ZoneData zone;
  const std::string data = read_file(path);
  if (data.empty()) return zone;

  const std::string origin_text = origin.empty() ? std::string(".") : std::string(origin);
  RdfPtr current_origin(ldns_dname_new_frm_str(origin_text.c_str()));
  if (!current_origin) fail(path, "invalid origin '" + origin_text + "'");
  // Like ldns_zone_new_frm_fp: an entry with a blank owner before any named
  // entry belongs to the origin.
  RdfPtr previous_owner(ldns_rdf_clone(current_origin.get()));
  if (!previous_owner) throw std::bad_alloc();
  std::uint32_t default_ttl = LDNS_DEFAULT_TTL;  // until a $TTL says otherwise
  int ldns_line = 0;

  // ldns reads only from a FILE; give it the bytes we hold. `data` outlives it.
  FilePtr stream(::fmemopen(const_cast<char*>(data.data()), data.size(), "r"));
  if (!stream) fail(path, "cannot read: " + errno_text(errno));

  while (!std::feof(stream.get())) {
    const long before = std::ftell(stream.get());
    RrPtr rr;
    const ldns_status status = ldns_rr_new_frm_fp_l(InOutPtr(rr), stream.get(), &default_ttl, InOutPtr(current_origin),
                                                    InOutPtr(previous_owner), &ldns_line);
    const long after = std::ftell(stream.get());
    // What ldns consumed for this entry, for error messages.
    const auto begin = static_cast<std::size_t>(std::max(before, 0L));
    const auto end = static_cast<std::size_t>(std::max(after, before));
    auto reject = [&](std::string_view what) { report_syntax_error(path, data, begin, end, ldns_line, what); };

    switch (status) {
      case LDNS_STATUS_OK: break;
      case LDNS_STATUS_SYNTAX_EMPTY:   // blank line or comment
      case LDNS_STATUS_SYNTAX_TTL:     // ldns updated default_ttl
      case LDNS_STATUS_SYNTAX_ORIGIN:  // ldns updated current_origin
        if (after == before && !std::feof(stream.get())) reject("parser made no progress");
        continue;
      case LDNS_STATUS_SYNTAX_INCLUDE: reject(status_text(LDNS_STATUS_SYNTAX_INCLUDE_ERR_NOTIMPL)); continue;
      default: reject(status_text(status)); continue;
    }
    if (!rr) reject("no record returned");
    // ldns reads at most 65,535 characters of an entry and drops the rest
    // without a word: a longer TXT record came out cut (and no DNS message
    // could carry it anyway).
    if (end - begin >= LDNS_MAX_PACKETLEN) reject("entry longer than 65535 characters (DNS cannot carry the record)");

    auto converted = convert(rr.get());
    if (!converted.error.empty()) reject(converted.error);
    if (!converted.record) continue;
    auto owner = dname_text(ldns_rr_owner(rr.get()));
    if (!owner) reject("bad owner name");
    zone.add(*owner, std::move(*converted.record));
  }
  return zone;
}

}  // namespace spfdoctor::dns
