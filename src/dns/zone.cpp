// In-memory zone data and the resolver that answers from it.
#include <algorithm>
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

ZoneResolver::ZoneResolver(std::shared_ptr<const ZoneData> zone) : zone_(std::move(zone)) {}

void ZoneResolver::submit(std::string_view name, RType type, Waiter& waiter) {
  ++queries_;
  // The memo's key: the type's two bytes, then the name.
  std::string& key = key_;
  key.assign(2, '\0');
  key[0] = static_cast<char>(static_cast<unsigned>(type) >> 8);
  key[1] = static_cast<char>(static_cast<unsigned>(type) & 0xff);
  key.append(name);
  auto it = memo_.find(key);
  if (it == memo_.end()) {
    it = memo_.emplace(key, std::make_shared<const Answer>(zone_->lookup(name, type))).first;
  }
  waiter.complete(it->second);
}

}  // namespace spfdoctor::dns
