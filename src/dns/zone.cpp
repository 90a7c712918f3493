// In-memory zone data and the resolver that answers from it.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>

#include "spfdoctor/dns.hpp"

namespace spfdoctor::dns {

std::string_view to_string(RType t) {
  switch (t) {
    case RType::A: return "A";
    case RType::NS: return "NS";
    case RType::CNAME: return "CNAME";
    case RType::SOA: return "SOA";
    case RType::PTR: return "PTR";
    case RType::MX: return "MX";
    case RType::TXT: return "TXT";
    case RType::AAAA: return "AAAA";
    case RType::SPF: return "SPF";
  }
  return "?";
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Ok: return "NOERROR";
    case Status::NxDomain: return "NXDOMAIN";
    case Status::Timeout: return "timeout";
    case Status::ServFail: return "SERVFAIL";
    case Status::Refused: return "REFUSED";
    case Status::Error: return "error";
  }
  return "?";
}

std::string joined_text(const Record& rr) {
  std::string out;
  for (const auto& s : rr.strings) out += s;
  return out;
}

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {
class SyncWaiter final : public Waiter {
 public:
  void complete(AnswerPtr answer) override { answer_ = std::move(answer); }
  AnswerPtr answer_;
};
}  // namespace

AnswerPtr Resolver::query(std::string_view name, RType type) {
  SyncWaiter w;
  submit(name, type, w);
  while (!w.answer_) run_once();
  return std::move(w.answer_);
}

namespace {
bool same_data(const Record& a, const Record& b) {
  return a.type == b.type && a.address == b.address && a.preference == b.preference && a.target == b.target &&
         a.strings == b.strings;
}
}  // namespace

void ZoneData::add(std::string_view owner, Record rr) {
  // An RRset holds each record once (RFC 2181 §5), as DNS servers serve it.
  auto& set = nodes_[normalize_name(owner)].sets[rr.type];
  for (const auto& existing : set) {
    if (same_data(existing, rr)) return;
  }
  set.push_back(std::move(rr));
}

void ZoneData::set_timeout(std::string_view owner) {
  nodes_[normalize_name(owner)].timeout = true;
}

void ZoneData::merge(const ZoneData& other) {
  for (const auto& [name, node] : other.nodes_) {
    auto& mine = nodes_[name];
    mine.timeout = mine.timeout || node.timeout;
    for (const auto& [type, rrs] : node.sets) {
      auto& set = mine.sets[type];
      set.insert(set.end(), rrs.begin(), rrs.end());
    }
  }
  if (timeout_prefix_.empty()) timeout_prefix_ = other.timeout_prefix_;
}

bool ZoneData::contains(std::string_view name) const {
  return nodes_.find(normalize_name(name)) != nodes_.end();
}

Answer ZoneData::lookup(std::string_view qname, RType type) const {
  // Follows CNAMEs the way a recursive resolver does; a chain that loops or
  // runs past 10 links ends with no data (what resolvers hand to clients).
  std::string name = normalize_name(qname);
  std::set<std::string> seen;
  Answer answer;
  for (int hops = 0; hops <= 10; ++hops) {
    auto it = nodes_.find(name);
    if (it == nodes_.end()) {
      if (!timeout_prefix_.empty() && name.starts_with(timeout_prefix_)) {
        answer.status = Status::Timeout;
        answer.detail = "no answer for " + name;
        return answer;
      }
      answer.status = Status::NxDomain;
      return answer;
    }
    const Node& node = it->second;
    if (auto s = node.sets.find(type); s != node.sets.end()) {
      answer.records = s->second;
      answer.ttl = UINT32_MAX;
      for (const auto& rr : answer.records) answer.ttl = std::min(answer.ttl, rr.ttl);
      return answer;
    }
    if (node.timeout) {
      answer.status = Status::Timeout;
      answer.detail = "no answer for " + name;
      return answer;
    }
    auto c = node.sets.find(RType::CNAME);
    if (c == node.sets.end() || c->second.empty() || type == RType::CNAME) return answer;  // NODATA
    seen.insert(name);
    name = c->second.front().target;
    if (seen.count(name)) return answer;  // loop: no data
  }
  return answer;
}

// A multiply-xorshift hash over 8-byte words: names are short, and this is a
// few instructions a word where std::hash (Murmur) is several times that.
std::size_t question_hash(std::string_view name, RType type) noexcept {
  constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ULL;
  std::uint64_t h = (static_cast<std::uint64_t>(type) << 32 | name.size()) * kMul;
  std::size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, name.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  if (std::size_t rest = name.size() - i; rest > 0) {
    std::uint64_t w = 0;
    if (name.size() >= 8) {  // the last 8 bytes, less those already mixed in
      std::memcpy(&w, name.data() + name.size() - 8, 8);
      w >>= 8 * (8 - rest);
    } else {
      for (std::size_t j = 0; j < rest; ++j) w |= std::uint64_t{static_cast<unsigned char>(name[j])} << (8 * j);
    }
    h = (h ^ w) * kMul;
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return static_cast<std::size_t>(h);
}

ZoneResolver::ZoneResolver(std::shared_ptr<const ZoneData> zone) : zone_(std::move(zone)) {}

RType question_key_type(std::string_view key) {
  return static_cast<RType>((static_cast<unsigned>(static_cast<unsigned char>(key[0])) << 8) |
                            static_cast<unsigned char>(key[1]));
}

std::string question_key(std::string_view name, RType type) {
  std::string key(2 + name.size(), '\0');
  key[0] = static_cast<char>(static_cast<unsigned>(type) >> 8);
  key[1] = static_cast<char>(static_cast<unsigned>(type) & 0xff);
  std::memcpy(key.data() + 2, name.data(), name.size());
  return key;
}

std::size_t QuestionKeyHash::operator()(std::string_view key) const noexcept {
  return question_hash(key.substr(2), question_key_type(key));
}

void ZoneResolver::submit(std::string_view name, RType type, Waiter& waiter) {
  ++queries_;
  auto it = memo_.find(QuestionProbe::of(name, type));
  if (it == memo_.end()) {
    it = memo_.emplace(question_key(name, type), std::make_shared<const Answer>(zone_->lookup(name, type))).first;
  }
  waiter.complete(it->second);
}

}  // namespace spfdoctor::dns
