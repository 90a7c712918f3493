// The shared DNS cache and the resolver wrapper that uses it.
#include <time.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <string>

#include "spfdoctor/net_resolver.hpp"

namespace spfdoctor::dns {

DnsCache::DnsCache(std::size_t capacity, std::uint32_t min_ttl, std::uint32_t max_ttl, Clock clock,
                   std::size_t max_bytes)
    : capacity_per_shard_(std::max<std::size_t>(1, capacity / kShards)),
      bytes_per_shard_(max_bytes / kShards),
      min_ttl_(min_ttl),
      max_ttl_(max_ttl),
      clock_(std::move(clock)),
      shards_(kShards) {}

// The coarse monotonic clock (TTLs are seconds) unless a test gave a clock.
std::chrono::steady_clock::time_point DnsCache::now() const {
  if (clock_) return clock_();
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

// Lookups (the hot path) build no key and allocate nothing: the index is
// searched with a Probe.
AnswerPtr DnsCache::get(std::string_view name, RType type) {
  std::chrono::steady_clock::time_point expires;
  return get(Probe::of(name, type), expires);
}

AnswerPtr DnsCache::get(const QuestionProbe& p, std::chrono::steady_clock::time_point& expires) {
  auto& s = shard_for(p);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(p);
  if (it == s.index.end()) {
    ++s.misses;
    return nullptr;
  }
  if (it->second->expires <= now()) {
    drop(s, it->second);
    ++s.misses;
    return nullptr;
  }
  if (it->second != s.lru.begin()) s.lru.splice(s.lru.begin(), s.lru, it->second);
  ++s.hits;
  expires = it->second->expires;
  return it->second->answer;
}

void DnsCache::put(std::string_view name, RType type, const AnswerPtr& answer) {
  // Only answers are cached: data, NODATA and NXDOMAIN. Errors are retried.
  if (!answer || (answer->status != Status::Ok && answer->status != Status::NxDomain)) return;
  std::uint32_t ttl = std::clamp(answer->ttl, min_ttl_, max_ttl_);
  if (ttl == 0) return;
  auto p = Probe::of(name, type);
  const std::size_t cost = footprint(name.size() + 2, *answer);  // question_key(): the type's two bytes, the name
  auto& s = shard_for(p);
  std::lock_guard lock(s.mu);
  auto expires = now() + std::chrono::seconds(ttl);
  auto it = s.index.find(p);
  if (cost > bytes_per_shard_) {  // too big to keep: nor is an older answer kept
    if (it != s.index.end()) drop(s, it->second);
    return;
  }
  if (it != s.index.end()) {
    s.bytes = s.bytes - it->second->bytes + cost;
    it->second->answer = answer;
    it->second->expires = expires;
    it->second->bytes = cost;
    s.lru.splice(s.lru.begin(), s.lru, it->second);
  } else {
    auto key = question_key(name, type);
    s.lru.push_front(Entry{key, answer, expires, cost});
    s.index.emplace(std::move(key), s.lru.begin());
    s.bytes += cost;
  }
  while (s.lru.size() > capacity_per_shard_ || s.bytes > bytes_per_shard_) drop(s, std::prev(s.lru.end()));
}

void DnsCache::drop(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->bytes;
  s.index.erase(it->key);
  s.lru.erase(it);
}

std::size_t DnsCache::footprint(std::size_t key_size, const Answer& answer) {
  const auto heap = [](const std::string& x) { return x.capacity() > std::string().capacity() ? x.capacity() + 1 : 0; };
  // The list node and the index node with its key, then the answer's block.
  std::size_t n = sizeof(Entry) + 2 * sizeof(void*) + 4 * sizeof(void*) + sizeof(std::string) + 2 * key_size;
  n += sizeof(Answer) + 2 * sizeof(long) + heap(answer.detail) + answer.records.capacity() * sizeof(Record);
  for (const auto& rr : answer.records) {
    n += heap(rr.target) + rr.strings.capacity() * sizeof(std::string);
    for (const auto& str : rr.strings) n += heap(str);
  }
  return n;
}

std::size_t DnsCache::bytes() const {
  return sum([](const Shard& s) { return s.bytes; });
}

std::size_t DnsCache::size() const {
  return sum([](const Shard& s) { return s.lru.size(); });
}

std::uint64_t DnsCache::hits() const {
  return sum([](const Shard& s) { return s.hits; });
}

std::uint64_t DnsCache::misses() const {
  return sum([](const Shard& s) { return s.misses; });
}

// One query on the wire, with everyone waiting for it.
class CachingResolver::Flight final : public Waiter {
 public:
  Flight(CachingResolver& owner, std::string_view name, RType type) : owner_(owner), key_(question_key(name, type)) {}
  [[nodiscard]] std::string_view key() const { return key_; }
  [[nodiscard]] std::string_view name() const { return std::string_view(key_).substr(2); }
  [[nodiscard]] RType type() const { return question_key_type(key_); }
  void add(Waiter& w) { waiters_.push_back(&w); }
  void complete(AnswerPtr answer) override {
    owner_.cache_->put(name(), type(), answer);
    // Leave the table before waking anyone: a waiter may ask the same again.
    std::unique_ptr<Flight> self;
    if (auto it = owner_.flights_.find(key()); it != owner_.flights_.end()) {
      self = std::move(it->second);
      owner_.flights_.erase(it);
    }
    auto waiters = std::move(waiters_);
    for (auto* w : waiters) w->complete(answer);
    // `self` (this) is destroyed on return; nothing here touches members after.
  }

 private:
  CachingResolver& owner_;
  std::string key_;  // question_key(); the flights table's key views it
  std::vector<Waiter*> waiters_;
};

CachingResolver::CachingResolver(std::shared_ptr<DnsCache> cache, std::unique_ptr<Resolver> inner)
    : cache_(std::move(cache)), inner_(std::move(inner)) {}

CachingResolver::~CachingResolver() = default;

AnswerPtr CachingResolver::cached(const QuestionProbe& question) {
  Recent& r = recent_[question.hash % kRecent];
  if (r.answer && r.hash == question.hash && QuestionKeyEqual{}(question, r.key)) {
    if (r.expires > cache_->now()) {
      ++recent_hits_;
      return r.answer;
    }
    r.answer.reset();
  }
  std::chrono::steady_clock::time_point expires;
  AnswerPtr hit = cache_->get(question, expires);
  if (hit) {
    r.hash = question.hash;
    const auto t = static_cast<unsigned>(question.type);
    r.key.assign({static_cast<char>(t >> 8), static_cast<char>(t & 0xff)});  // as question_key()
    r.key.append(question.name);
    r.answer = hit;
    r.expires = expires;
  }
  return hit;
}

void CachingResolver::submit(std::string_view name, RType type, Waiter& waiter) {
  const auto question = QuestionProbe::of(name, type);
  if (auto hit = cached(question)) {
    waiter.complete(std::move(hit));
    return;
  }
  if (auto it = flights_.find(question); it != flights_.end()) {
    it->second->add(waiter);
    return;
  }
  auto flight = std::make_unique<Flight>(*this, name, type);
  Flight* f = flight.get();
  f->add(waiter);
  flights_.emplace(f->key(), std::move(flight));
  inner_->submit(name, type, *f);  // the caller's name: a flight that ends inside is gone
}

void CachingResolver::prefetch(std::string_view name, RType type) {
  const auto question = QuestionProbe::of(name, type);
  if (cached(question) || flights_.contains(question)) return;
  auto flight = std::make_unique<Flight>(*this, name, type);
  Flight* f = flight.get();
  flights_.emplace(f->key(), std::move(flight));
  inner_->submit(name, type, *f);  // the caller's name: a flight that ends inside is gone
}

}  // namespace spfdoctor::dns
