// Real DNS: a c-ares resolver driven by our own poll() loop, and a shared
// TTL-honouring cache in front of any resolver.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "spfdoctor/dns.hpp"

namespace spfdoctor::dns {

struct NetworkOptions {
  // "ADDR", "ADDR:PORT", "[V6]:PORT"; empty means the system configuration.
  std::vector<std::string> servers;
  std::chrono::milliseconds timeout{5000};  // per query attempt
  int tries = 2;                            // attempts per server
  // Queries outstanding on the wire at once; more wait in a queue. A burst of
  // hundreds of queries overflows a server's socket buffer (Linux's default
  // holds about 200 small datagrams) and every drop costs a retry timeout.
  std::size_t max_in_flight = 192;
};

// Checks one --dns-server value; returns the c-ares form or throws
// std::invalid_argument naming what is wrong.
[[nodiscard]] std::string parse_server_address(std::string_view text);

class AresResolver final : public Resolver {
 public:
  // Throws std::runtime_error when the channel cannot be set up.
  explicit AresResolver(const NetworkOptions& options);
  ~AresResolver() override;
  AresResolver(const AresResolver&) = delete;
  AresResolver& operator=(const AresResolver&) = delete;

  void submit(std::string_view name, RType type, Waiter& waiter) override;
  void run_once() override;

  // Queries asked and not yet answered (on the wire or queued).
  [[nodiscard]] std::size_t pending() const { return pending_; }
  [[nodiscard]] std::uint64_t queries_sent() const { return sent_; }

  struct Impl;  // c-ares state; defined in ares_resolver.cpp

 private:
  void send_queued();
  std::unique_ptr<Impl> impl_;
  std::size_t pending_ = 0;
  std::size_t on_wire_ = 0;
  std::uint64_t sent_ = 0;
  friend struct AresCallbacks;
};

// Parses a DNS response (wire format) for `qname`/`qtype`: the records of that
// type at the name or at the end of its CNAME chain, the minimum TTL, and for
// negative answers the SOA-derived TTL (RFC 2308). Never throws.
[[nodiscard]] Answer parse_response(const unsigned char* wire, std::size_t size, std::string_view qname, RType qtype);

// A cache shared by many resolvers and threads: honours TTLs (clamped to
// [min_ttl, max_ttl]), caches NXDOMAIN/NODATA (RFC 2308), never caches
// errors, holds at most `capacity` answers and `max_bytes` of them (footprint():
// a hostile server's answers run to 64 KB each), least recently used going first.
// An answer over a sixteenth of `max_bytes` is not kept.
class DnsCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit DnsCache(std::size_t capacity = 100000, std::uint32_t min_ttl = 0, std::uint32_t max_ttl = 86400,
                    Clock clock = {}, std::size_t max_bytes = std::size_t{64} << 20);
  [[nodiscard]] AnswerPtr get(std::string_view name, RType type);
  // The same, also telling when the answer expires.
  [[nodiscard]] AnswerPtr get(const QuestionProbe& question, std::chrono::steady_clock::time_point& expires);
  void put(std::string_view name, RType type, const AnswerPtr& answer);
  [[nodiscard]] std::size_t size() const;
  // The footprint() of the answers held now.
  [[nodiscard]] std::size_t bytes() const;
  // About how much memory an answer held under a question_key() of `key_size`
  // bytes takes: the entry, the answer, its records and their strings.
  [[nodiscard]] static std::size_t footprint(std::size_t key_size, const Answer& answer);
  // Lookups that reached this cache (a CachingResolver answers a question it
  // asked a moment ago from its own recent answers: see recent_hits()).
  [[nodiscard]] std::uint64_t hits() const;
  [[nodiscard]] std::uint64_t misses() const;
  // The cache's clock: steady_clock at one-second precision, or the test's.
  [[nodiscard]] std::chrono::steady_clock::time_point now() const;

 private:
  struct Entry {
    std::string key;  // the type's two bytes, then the name
    AnswerPtr answer;
    std::chrono::steady_clock::time_point expires;
    std::size_t bytes = 0;  // footprint(key, *answer)
  };
  static constexpr std::size_t kShards = 16;
  using Probe = QuestionProbe;  // one hash, for the shard and the index both
  // Cache-line aligned, so that threads working in different shards do not
  // share lines; the counters are per shard, under its lock, for the same reason.
  struct alignas(64) Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // front: most recent
    std::unordered_map<std::string, std::list<Entry>::iterator, QuestionKeyHash, QuestionKeyEqual> index;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t bytes = 0;  // of the entries in lru
  };
  Shard& shard_for(const Probe& p) { return shards_[p.hash % kShards]; }
  static void drop(Shard& s, std::list<Entry>::iterator it);
  // The sum over the shards of what `of` reads from each, under its lock.
  template <class Of>
  std::uint64_t sum(Of of) const {
    std::uint64_t n = 0;
    for (const auto& s : shards_) {
      std::lock_guard lock(s.mu);
      n += of(s);
    }
    return n;
  }

  std::size_t capacity_per_shard_;
  std::size_t bytes_per_shard_;
  std::uint32_t min_ttl_;
  std::uint32_t max_ttl_;
  Clock clock_;
  std::vector<Shard> shards_;
};

// A resolver that answers from a DnsCache and asks `inner` on a miss; identical
// queries in flight at once are sent only once.
class CachingResolver final : public Resolver {
 public:
  CachingResolver(std::shared_ptr<DnsCache> cache, std::unique_ptr<Resolver> inner);
  ~CachingResolver() override;
  void submit(std::string_view name, RType type, Waiter& waiter) override;
  void run_once() override { inner_->run_once(); }
  // Starts the query unless the answer is cached or already on its way.
  void prefetch(std::string_view name, RType type) override;
  [[nodiscard]] bool prefetches() const override { return true; }
  [[nodiscard]] Resolver& inner() { return *inner_; }
  // Questions answered from this resolver's recent answers, without the cache.
  [[nodiscard]] std::uint64_t recent_hits() const { return recent_hits_; }

 private:
  class Flight;
  // The answer from the recent ones or the shared cache; null if neither has it.
  AnswerPtr cached(const QuestionProbe& question);

  std::shared_ptr<DnsCache> cache_;
  std::unique_ptr<Resolver> inner_;
  // By question key; each key views the key its flight holds.
  std::unordered_map<std::string_view, std::unique_ptr<Flight>, QuestionKeyHash, QuestionKeyEqual> flights_;
  // The last cache hits, one slot per hash value mod kRecent: checks on one
  // event loop ask the same few names over and over (a provider's include
  // chain), and a slot answers them without the shared cache's lock, index and
  // LRU. A slot keeps the shared entry's expiry, so no answer outlives its TTL.
  struct Recent {
    std::size_t hash = 0;
    std::string key;  // question_key()
    AnswerPtr answer;
    std::chrono::steady_clock::time_point expires;
  };
  static constexpr std::size_t kRecent = 64;
  std::array<Recent, kRecent> recent_;
  std::uint64_t recent_hits_ = 0;
};

}  // namespace spfdoctor::dns
