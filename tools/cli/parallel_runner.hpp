// Runs many checks at once on several event loops (one per thread, each with
// its own resolver from one factory, so they share one DNS cache) and writes
// their results in input order: the shape shared by `eval --batch` and `scan`.
//
// Each worker pulls its next input under one lock, so input is read once, in
// order, and every item gets a sequence number. A worker runs up to its share
// of the checks in flight on its own loop, turns each
// finished check into its output on its own thread (the expensive part: JSON),
// and hands it to a reorder buffer; whoever completes the oldest missing item
// writes the run of ready outputs, under the output lock. Memory stays bounded:
// no worker reads more than `window` items past the oldest unwritten one.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <latch>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include <unistd.h>

#include "common.hpp"
#include "spfdoctor/dns.hpp"
#include "spfdoctor/task.hpp"

namespace spfdoctor::cli {

// How many threads `threads` (0: one per CPU, at most 8) gives for `in_flight` checks.
[[nodiscard]] inline std::size_t worker_count(std::size_t threads, std::size_t in_flight) {
  if (threads == 0) threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  return std::max<std::size_t>(1, std::min(threads, in_flight));
}

// next(Meta&) -> bool          reads one item (called under the input lock); false at the end.
// start(Meta&, Resolver&) -> std::optional<Task<T>>   on the worker; empty: nothing to run.
// finish(Meta&, Task<T>* or nullptr) -> Out           on the worker, once the task is done.
// write(Out&)                  in input order, one call at a time (under the output lock).
// An exception from any of them stops the run: workers stop reading, let the
// checks in flight end (their resolvers still own callbacks into them), and the
// first exception is rethrown here.
template <class T, class Meta, class Out, class Next, class Start, class Finish, class Write>
void run_parallel(const ResolverFactory& factory, std::size_t threads, std::size_t in_flight, Next&& next,
                  Start&& start, Finish&& finish, Write&& write) {
  if (in_flight == 0) in_flight = 1;
  const std::size_t workers = worker_count(threads, in_flight);
  const std::size_t per_worker = (in_flight + workers - 1) / workers;
  const std::size_t window = in_flight + std::min<std::size_t>(in_flight * 3, 1024);

  struct Shared {
    std::mutex in_mu;
    bool input_done = false;
    std::size_t next_seq = 0;  // items read so far (under in_mu)
    std::mutex out_mu;
    std::condition_variable advanced;          // `written` moved, or the run stopped
    std::size_t written = 0;                   // items written so far (all seq < written)
    std::deque<std::optional<Out>> pending;    // outputs of seq written, written+1, ...
    std::atomic<bool> stop{false};  // set under out_mu (so waiters wake), read anywhere
    std::exception_ptr error;
  } s;

  auto fail = [&s] {
    std::lock_guard lock(s.out_mu);
    if (!s.error) s.error = std::current_exception();
    s.stop = true;
    s.advanced.notify_all();
  };
  auto stopped = [&s] { return s.stop.load(); };

  // Files `out` as item `seq`'s output and writes every output now in order.
  auto deliver = [&](std::size_t seq, Out&& out) {
    std::lock_guard lock(s.out_mu);
    if (s.stop) return;
    const std::size_t at = seq - s.written;
    if (s.pending.size() <= at) s.pending.resize(at + 1);
    s.pending[at].emplace(std::move(out));
    bool moved = false;
    while (!s.pending.empty() && s.pending.front()) {
      write(*s.pending.front());
      s.pending.pop_front();
      ++s.written;
      moved = true;
    }
    if (moved) s.advanced.notify_all();
  };

  struct Item {
    std::size_t seq = 0;
    Meta meta;
    std::optional<Task<T>> task;
    [[nodiscard]] bool done() const { return !task || task->done(); }
  };

  // One worker's loop. An exception stops the whole run, but this worker
  // keeps turning its loop until its own checks have ended: their frames must
  // outlive the resolver's callbacks into them.
  auto work = [&](dns::Resolver* resolver) {
    std::deque<Item> local;  // this worker's items, oldest first
    std::size_t started = 0;
    std::size_t finished = 0;  // counted by the tasks as they end
    bool more = true;
    while (true) {
      bool blocked = false;  // the window is full: wait for output to move
      std::size_t read_so_far = 0;
      try {
        while (more && started - finished < per_worker && !stopped()) {
          Item item;
          {
            // Another loop is reading (maybe waiting on a slow pipe): a loop
            // with checks of its own in flight goes back to them rather than
            // leave their answers unread.
            std::unique_lock lock(s.in_mu, std::try_to_lock);
            if (!lock.owns_lock()) {
              if (started - finished > 0) break;
              lock.lock();
            }
            if (s.input_done) {
              more = false;
              break;
            }
            {
              std::lock_guard out_lock(s.out_mu);
              if (s.next_seq - s.written >= window) {
                blocked = true;
                read_so_far = s.next_seq;
                break;
              }
            }
            if (!next(item.meta)) {
              s.input_done = true;
              more = false;
              break;
            }
            item.seq = s.next_seq++;
          }
          item.task = start(item.meta, *resolver);
          local.push_back(std::move(item));
          if (local.back().task) {
            ++started;
            local.back().task->start(finished);
          }
        }
        while (!local.empty() && local.front().done()) {
          Item& front = local.front();
          if (!stopped()) deliver(front.seq, finish(front.meta, front.task ? &*front.task : nullptr));
          local.pop_front();
        }
      } catch (...) {
        fail();
        more = false;
      }
      if (started - finished > 0) {
        resolver->run_once();
      } else if (!more || stopped()) {
        break;
      } else if (blocked) {
        std::unique_lock lock(s.out_mu);
        s.advanced.wait(lock, [&] { return s.stop || s.written + window > read_so_far; });
      }
    }
  };

  // Every resolver is made here first: a factory error (e.g. no DNS server)
  // comes out before any thread starts.
  std::vector<std::unique_ptr<dns::Resolver>> resolvers;
  for (std::size_t i = 0; i < workers; ++i) resolvers.push_back(factory());
  if (workers == 1) {
    work(resolvers[0].get());
  } else {
    // A thread that ends runs its thread-local destructors first (the parsed
    // record cache, the evaluator's memo, the coroutine frame pool: thousands
    // of frees, a millisecond at the end of a batch, while this thread waits
    // to join it). When the process is about to end anyway (skip_teardown()),
    // a worker that is done parks instead, and is left to the exit.
    const bool park = skip_teardown();
    std::latch finished(static_cast<std::ptrdiff_t>(workers - 1));
    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < workers; ++i) {
      try {
        pool.emplace_back([&work, &finished, park, r = resolvers[i].get()] {
          work(r);
          finished.count_down();  // the last touch of anything shared
          while (park) ::pause();
        });
      } catch (const std::system_error&) {
        // No thread to be had (a process limit): the loops that did start
        // pull the rest of the input between them.
        finished.count_down(static_cast<std::ptrdiff_t>(workers - i));
        break;
      }
    }
    work(resolvers[0].get());
    finished.wait();
    for (auto& t : pool) {
      if (park) {
        t.detach();
      } else {
        t.join();
      }
    }
  }
  if (s.error) std::rethrow_exception(s.error);
}

}  // namespace spfdoctor::cli
