// Runs many checks at once on one event loop and hands back their results in
// input order: the shape shared by `eval --batch` and `scan`.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>

#include "spfdoctor/dns.hpp"
#include "spfdoctor/task.hpp"

namespace spfdoctor::cli {

template <class T, class Meta>
struct Slot {
  Meta meta;
  std::optional<Task<T>> task;  // empty: nothing to run (e.g. a bad input line)
  [[nodiscard]] bool done() const { return !task || task->done(); }
};

// `next(slot)` fills a slot from the input and returns false at its end.
// `emit(slot)` is called once per slot, in input order, when it is done.
// At most `in_flight` tasks run at once; finished slots wait for earlier ones
// in a window of in_flight + min(3 * in_flight, 1024) slots, so memory stays
// bounded (a slow check holds up at most that many finished ones).
template <class T, class Meta, class Next, class Emit>
void run_ordered(dns::Resolver& resolver, std::size_t in_flight, Next&& next, Emit&& emit) {
  if (in_flight == 0) in_flight = 1;
  const std::size_t window_max = in_flight + std::min<std::size_t>(in_flight * 3, 1024);
  std::deque<Slot<T, Meta>> window;
  std::size_t started = 0;
  std::size_t finished = 0;  // counted by the tasks themselves as they end
  bool more = true;
  while (true) {
    while (more && started - finished < in_flight && window.size() < window_max) {
      window.emplace_back();
      if (!next(window.back())) {
        window.pop_back();
        more = false;
        break;
      }
      if (window.back().task) {
        ++started;
        window.back().task->start(finished);
      }
    }
    while (!window.empty() && window.front().done()) {
      emit(window.front());
      window.pop_front();
    }
    const std::size_t running = started - finished;
    if (window.empty() && !more) break;
    if (running > 0 && (running >= in_flight || window.size() >= window_max || !more)) resolver.run_once();
  }
}

}  // namespace spfdoctor::cli
