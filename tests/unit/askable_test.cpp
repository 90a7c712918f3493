// askable() (src/spf/macro.cpp) reads a name eight bytes at a time; these
// tests hold it to a byte-by-byte reading of the same rule: every label 1-63
// octets, the name not empty; `upper` set when any byte is 'A'..'Z'. Names of
// every length around the eight-byte steps, dots and capitals at every
// position, the bytes next to the letter ranges, labels of 62-64 octets at
// every offset, and random names.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "spf/macro.hpp"

namespace spfdoctor {
namespace {

struct Expected {
  bool ok;
  bool upper;
};

Expected reference(std::string_view name) {
  Expected e{!name.empty(), false};
  std::size_t label = 0;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') e.upper = true;
    if (c == '.') {
      if (label == 0) e.ok = false;
      label = 0;
    } else if (++label > 63) {
      e.ok = false;
    }
  }
  if (label == 0) e.ok = false;
  return e;
}

void expect_same(const std::string& name) {
  const Expected want = reference(name);
  bool upper = false;
  const bool ok = askable(name, upper);
  ASSERT_EQ(ok, want.ok) << "name \"" << name << "\" (" << name.size() << " bytes)";
  // `upper` is set only for an askable name.
  if (ok) {
    ASSERT_EQ(upper, want.upper) << "name \"" << name << "\"";
  }
}

TEST(Askable, EveryShortNameOverASmallAlphabet) {
  // Every name of up to 6 bytes over: a letter, a capital, a dot, and the
  // bytes just outside 'A'..'Z' ('@', '[') and past ASCII (0xC1).
  const std::string alphabet = {'a', 'Z', '.', '@', '[', static_cast<char>(0xC1)};
  std::string name;
  std::size_t count = 0;
  auto walk = [&](auto& self, std::size_t len) -> void {
    expect_same(name);
    ++count;
    if (len == 6) return;
    for (char c : alphabet) {
      name.push_back(c);
      self(self, len + 1);
      name.pop_back();
    }
  };
  walk(walk, 0);
  EXPECT_EQ(count, 55987u);  // 1 + 6 + ... + 6^6
}

TEST(Askable, ADotOrACapitalAtEveryPositionOfEveryLength) {
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (char mark : {'.', 'A', 'Z', '`', '{', '@', '['}) {
        std::string name(len, 'x');
        name[at] = mark;
        expect_same(name);
        if (at + 1 < len) {  // and a second mark after it
          name[at + 1] = '.';
          expect_same(name);
        }
      }
    }
  }
}

TEST(Askable, LabelsOfSixtyTwoToSixtyFourOctetsAtEveryOffset) {
  for (std::size_t before = 0; before <= 17; ++before) {
    for (std::size_t label : {62u, 63u, 64u}) {
      for (std::size_t after = 0; after <= 9; ++after) {
        std::string name;
        if (before) name += std::string(before, 'b') + '.';
        name += std::string(label, 'm');
        if (after) name += '.' + std::string(after, 'c');
        expect_same(name);
        if (before) expect_same(std::string(before, 'B') + name.substr(before));
      }
    }
  }
  expect_same(std::string(63, 'a'));
  expect_same(std::string(64, 'a'));
}

TEST(Askable, RandomNames) {
  std::mt19937 rng(20261128);
  const std::string bytes = "abcxyzAMZ09-_.@[`{\x80\xff";
  for (int i = 0; i < 50000; ++i) {
    const std::size_t len = rng() % 150;
    const bool long_labels = rng() % 4 == 0;  // dots rarer: labels near 63
    std::string name;
    for (std::size_t j = 0; j < len; ++j) {
      char c = bytes[rng() % bytes.size()];
      if (c == '.' && long_labels && rng() % 8 != 0) c = 'q';
      name.push_back(c);
    }
    expect_same(name);
  }
}

}  // namespace
}  // namespace spfdoctor
