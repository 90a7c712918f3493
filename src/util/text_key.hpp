// A hash-table key that views text the table's value owns, with the text's
// hash computed once: a lookup hashes its probe one time, and an insert
// neither hashes again nor copies the text (records run to hundreds of
// bytes). The per-thread caches of parsed records use it.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace spfdoctor {

struct TextKey {
  std::string_view text;
  std::size_t hash;

  explicit TextKey(std::string_view t) : text(t), hash(std::hash<std::string_view>{}(t)) {}
  // The same key viewing another copy of the text (the one the value owns).
  TextKey(std::string_view t, const TextKey& same) : text(t), hash(same.hash) {}

  struct Hash {
    std::size_t operator()(const TextKey& k) const noexcept { return k.hash; }
  };
  struct Equal {
    bool operator()(const TextKey& a, const TextKey& b) const noexcept { return a.text == b.text; }
  };
};

}  // namespace spfdoctor
