#include "lint/record_facts.hpp"

#include <unordered_set>

namespace spfdoctor::lint {

RecordFacts record_facts(std::string_view text) {
  RecordFacts f{spf::parse_record(text), {}, {}};
  const auto& terms = f.record.terms;
  f.networks.resize(terms.size());
  f.repeats.resize(terms.size(), false);
  // Records are short: a set pays only past a few dozen terms.
  constexpr std::size_t kLinearUpTo = 32;
  std::unordered_set<std::string_view> seen;
  if (terms.size() > kLinearUpTo) seen.reserve(terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const auto& t = terms[i];
    if (t.error) continue;
    if (terms.size() > kLinearUpTo) {
      f.repeats[i] = !seen.insert(t.text).second;
    } else {
      for (std::size_t j = 0; j < i && !f.repeats[i]; ++j) f.repeats[i] = !terms[j].error && terms[j].text == t.text;
    }
    if (t.is_mechanism() && (t.mechanism == spf::Mechanism::Ip4 || t.mechanism == spf::Mechanism::Ip6) && t.network &&
        t.qualifier == spf::Qualifier::Pass) {
      f.networks[i] = t.network->to_string();
      ++(t.mechanism == spf::Mechanism::Ip4 ? f.ip4_networks : f.ip6_networks);
    }
  }
  return f;
}

std::size_t approximate_bytes(const RecordFacts& f) {
  return 3 * f.record.text.size() + f.record.terms.size() * (sizeof(spf::Term) + sizeof(std::string) + 1);
}

std::shared_ptr<const RecordFacts> RecordFactsCache::get(std::string_view text) {
  const TextKey probe(text);
  if (auto it = map_.find(probe); it != map_.end()) return it->second;
  auto facts = std::make_shared<const RecordFacts>(record_facts(text));
  // + the text once more: what a key of its own cost when the table copied it
  // (kept so that the bounds hold as many records as before).
  const std::size_t cost = approximate_bytes(*facts) + text.size();
  if (cost > max_bytes_ / 4) return facts;
  if (map_.size() + 1 > max_entries_ || bytes_ + cost > max_bytes_) {
    map_.clear();
    bytes_ = 0;
  }
  map_.emplace(TextKey(facts->record.text, probe), facts);
  bytes_ += cost;
  return facts;
}

std::shared_ptr<const RecordFacts> cached_record_facts(std::string_view text) {
  thread_local RecordFactsCache cache(1024, std::size_t{8} << 20);
  return cache.get(text);
}

}  // namespace spfdoctor::lint
