// DNS as an interface (STYLE.md convention 3): a resolver answers one question
// at a time with records or a typed error. Answers may arrive later (network
// resolvers) or at once (zone data, caches); the evaluator is written against
// this callback shape so that many checks can share one event loop.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "spfdoctor/ip.hpp"

namespace spfdoctor::dns {

enum class RType : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  SPF = 99
};

[[nodiscard]] std::string_view to_string(RType t);

// How a query ended. Ok with no records is NODATA; both NODATA and NxDomain are
// "void" lookups in the sense of RFC 7208 §4.6.4.
enum class Status : std::uint8_t { Ok, NxDomain, Timeout, ServFail, Refused, Error };

[[nodiscard]] std::string_view to_string(Status s);

struct Record {
  RType type = RType::A;
  std::uint32_t ttl = 0;
  IpAddress address;                 // A, AAAA
  std::uint16_t preference = 0;      // MX
  std::string target;                // MX exchange, PTR, CNAME target (no trailing dot)
  std::vector<std::string> strings;  // TXT/SPF character-strings, as bytes
};

// A TXT/SPF record's character-strings joined without separators (RFC 7208 §3.3).
[[nodiscard]] std::string joined_text(const Record& rr);

struct Answer {
  Status status = Status::Ok;
  std::vector<Record> records;  // of the asked type only; CNAMEs already followed
  std::string detail;           // for errors: what the server or transport said
  std::uint32_t ttl = 0;        // how long it may be cached (RFC 2308 for negative answers)
  [[nodiscard]] bool ok() const { return status == Status::Ok; }
  [[nodiscard]] bool is_void() const { return status == Status::NxDomain || (status == Status::Ok && records.empty()); }
};

using AnswerPtr = std::shared_ptr<const Answer>;

// Receives the answer of one query. complete() is called exactly once, maybe
// before Resolver::submit returns.
class Waiter {
 public:
  virtual void complete(AnswerPtr answer) = 0;

 protected:
  ~Waiter() = default;
};

class Resolver {
 public:
  virtual ~Resolver() = default;
  // `name` is lower-case, without a trailing dot.
  virtual void submit(std::string_view name, RType type, Waiter& waiter) = 0;
  // Drives pending queries until at least one completes. Resolvers that answer
  // synchronously never have pending queries and keep the default.
  virtual void run_once() {}
  // A hint that `name`/`type` will probably be asked soon: a resolver that
  // can (CachingResolver) starts the query now, so that lookups a check makes
  // one after another travel in parallel. Nothing waits for it; the default
  // does nothing.
  virtual void prefetch(std::string_view /*name*/, RType /*type*/) {}
  // True when prefetch() does something (callers skip the hints otherwise).
  [[nodiscard]] virtual bool prefetches() const { return false; }

  // Convenience for code outside the evaluator: submit and wait.
  [[nodiscard]] AnswerPtr query(std::string_view name, RType type);
};

// Normalises a domain name for lookups: lower-case ASCII, no trailing dot.
[[nodiscard]] std::string normalize_name(std::string_view name);

// In-memory zone data: what a master file, or the conformance suite's YAML,
// says. Queries follow CNAMEs; a name that is absent is NXDOMAIN.
class ZoneData {
 public:
  void add(std::string_view owner, Record rr);
  // Queries for `owner` of a type it has no data for time out (the suite's TIMEOUT).
  void set_timeout(std::string_view owner);
  // A name absent from the data and starting with this prefix times out.
  void set_timeout_prefix(std::string prefix) { timeout_prefix_ = std::move(prefix); }
  // Merges another zone's data into this one.
  void merge(const ZoneData& other);

  [[nodiscard]] Answer lookup(std::string_view name, RType type) const;
  [[nodiscard]] bool contains(std::string_view name) const;
  [[nodiscard]] std::size_t size() const { return nodes_.size(); }

 private:
  struct Node {
    std::map<RType, std::vector<Record>> sets;
    bool timeout = false;
  };
  std::map<std::string, Node, std::less<>> nodes_;
  std::string timeout_prefix_;
};

// A fast hash of a question (a multiply-xorshift over 8-byte words): names
// are short. It does not resist chosen collisions.
[[nodiscard]] std::size_t question_hash(std::string_view name, RType type) noexcept;

// Questions as keys of a hash table (the zone resolver's memo, the DNS
// cache): a key is the type's two bytes, then the name; lookups use a
// QuestionProbe, which builds no key and carries its hash.
[[nodiscard]] std::string question_key(std::string_view name, RType type);
// A key's parts: the name is key.substr(2).
[[nodiscard]] RType question_key_type(std::string_view key);
struct QuestionProbe {
  std::string_view name;
  RType type;
  std::size_t hash;
  [[nodiscard]] static QuestionProbe of(std::string_view name, RType type) noexcept {
    return QuestionProbe{name, type, question_hash(name, type)};
  }
};
struct QuestionKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept;
  std::size_t operator()(const QuestionProbe& p) const noexcept { return p.hash; }
};
struct QuestionKeyEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
  bool operator()(const QuestionProbe& p, std::string_view key) const noexcept {  // inline: every lookup
    const auto t = static_cast<unsigned>(p.type);
    return key.size() == 2 + p.name.size() && static_cast<unsigned char>(key[0]) == (t >> 8) &&
           static_cast<unsigned char>(key[1]) == (t & 0xff) && std::memcmp(key.data() + 2, p.name.data(), p.name.size()) == 0;
  }
  bool operator()(std::string_view key, const QuestionProbe& p) const noexcept { return (*this)(p, key); }
};

}  // namespace spfdoctor::dns

#if defined(__GLIBCXX__)
// libstdc++ keeps no hash in a node when the hasher is "fast" (its default
// for user hashers) and hashes every key again on each rehash and erase: for
// question keys it is cheaper to keep it (eval --batch hashed 11 keys a query).
template <>
struct std::__is_fast_hash<spfdoctor::dns::QuestionKeyHash> : std::false_type {};
#endif

namespace spfdoctor::dns {

// A resolver that answers from ZoneData, synchronously. Answers are built once
// per (name, type) and shared.
class ZoneResolver final : public Resolver {
 public:
  explicit ZoneResolver(std::shared_ptr<const ZoneData> zone);
  void submit(std::string_view name, RType type, Waiter& waiter) override;
  [[nodiscard]] std::uint64_t queries() const { return queries_; }

 private:
  std::shared_ptr<const ZoneData> zone_;
  // By question; searched with a QuestionProbe, so lookups build no key.
  std::unordered_map<std::string, AnswerPtr, QuestionKeyHash, QuestionKeyEqual> memo_;
  std::uint64_t queries_ = 0;
};

// Loads an RFC 1035 master file (via ldns). `origin` is used when the file has
// no $ORIGIN; relative names are made absolute. Throws std::runtime_error with
// "FILE:LINE: what was wrong" on a bad file.
[[nodiscard]] ZoneData load_master_file(const std::string& path, std::string_view origin = ".");

}  // namespace spfdoctor::dns
