// What the linter takes from a record's text alone, computed once per text.
//
// A scan lints thousands of domains that include the same few provider
// records (spf.protection.outlook.com, _spf.google.com, _netblocks*...):
// parsing them, and printing their ip4/ip6 networks, for every domain was a
// third of scan's instructions. The facts depend on the text only (not on the
// domain that publishes it), so a per-thread cache keyed by the exact text is
// safe: two texts that differ in any byte (case, spacing) are two entries.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "spfdoctor/record.hpp"
#include "util/text_key.hpp"

namespace spfdoctor::lint {

struct RecordFacts {
  spf::Record record;
  // Per term (same index as record.terms): the text of the network a
  // pass-qualified ip4/ip6 term authorizes (Network::to_string), else "".
  std::vector<std::string> networks;
  // Per term: an error-free term whose text an earlier error-free term of the
  // record has exactly (the duplicate-term finding; terms with errors are not
  // compared).
  std::vector<bool> repeats;
  // How many of `networks` are IPv4 and IPv6 ones (room for a tree node's lists).
  std::size_t ip4_networks = 0;
  std::size_t ip6_networks = 0;
};

// The facts of `text`, computed now.
[[nodiscard]] RecordFacts record_facts(std::string_view text);

// About how much memory facts take: the text (kept three times: the record,
// the terms, their arguments) and each term's struct. A 64 KiB record of
// 16,000 one-letter terms is some 6 MB of Terms, not 64 KiB.
[[nodiscard]] std::size_t approximate_bytes(const RecordFacts& f);

// A bounded cache of RecordFacts by exact text. When an insert would pass
// `max_entries` or `max_bytes` (the entries' approximate_bytes), the cache is
// emptied first; facts larger than a quarter of `max_bytes` are never kept.
// Entries are shared: one taken stays valid after the cache drops it.
class RecordFactsCache {
 public:
  RecordFactsCache(std::size_t max_entries, std::size_t max_bytes) : max_entries_(max_entries), max_bytes_(max_bytes) {}
  [[nodiscard]] std::shared_ptr<const RecordFacts> get(std::string_view text);
  [[nodiscard]] std::size_t size() const { return map_.size(); }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 private:
  std::size_t max_entries_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  // Keyed by a view of the cached facts' own record text.
  std::unordered_map<TextKey, std::shared_ptr<const RecordFacts>, TextKey::Hash, TextKey::Equal> map_;
};

// The calling thread's cache (1024 records, 8 MiB).
[[nodiscard]] std::shared_ptr<const RecordFacts> cached_record_facts(std::string_view text);

}  // namespace spfdoctor::lint
