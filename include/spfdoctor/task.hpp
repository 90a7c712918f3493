// A minimal lazy coroutine task (C++20). The evaluator is written with it so
// that one check can wait on DNS without blocking a thread: with a resolver
// that answers at once it runs straight through; with a network resolver many
// checks interleave on one event loop.
#pragma once

#include <array>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <utility>

namespace spfdoctor {

namespace detail {

// Under AddressSanitizer frames come from plain new/delete, so that a use of a
// destroyed coroutine frame is reported instead of hidden in the free list.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kPoolFrames = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kPoolFrames = false;
#else
inline constexpr bool kPoolFrames = true;
#endif
#else
inline constexpr bool kPoolFrames = true;
#endif

// Coroutine frames are allocated and freed at a high rate (several per SPF
// check); a per-thread free list per size class keeps that off malloc.
class FramePool {
 public:
  static constexpr std::size_t kGranule = 64;
  static constexpr std::size_t kClasses = 64;  // frames up to 4 KiB are pooled
  static constexpr std::size_t kMaxFree = 256;  // per class

  static void* allocate(std::size_t size) {
    if constexpr (!kPoolFrames) return ::operator new(size);
    std::size_t c = (size + kGranule - 1) / kGranule;
    if (c < kClasses) {
      auto& list = instance().free_[c];
      if (list.count > 0) {
        Node* n = list.head;
        list.head = n->next;
        --list.count;
        return n;
      }
      return ::operator new(c * kGranule);
    }
    return ::operator new(size);
  }
  static void release(void* p, std::size_t size) noexcept {
    if constexpr (!kPoolFrames) {
      ::operator delete(p);
      return;
    }
    std::size_t c = (size + kGranule - 1) / kGranule;
    if (c < kClasses) {
      auto& list = instance().free_[c];
      if (list.count < kMaxFree) {
        auto* n = static_cast<Node*>(p);
        n->next = list.head;
        list.head = n;
        ++list.count;
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  struct Node {
    Node* next;
  };
  struct List {
    Node* head = nullptr;
    std::size_t count = 0;
  };
  ~FramePool() {
    for (auto& list : free_) {
      while (list.head) {
        Node* n = list.head;
        list.head = n->next;
        ::operator delete(n);
      }
    }
  }
  static FramePool& instance() {
    thread_local FramePool pool;
    return pool;
  }
  std::array<List, kClasses> free_{};
};
}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  struct promise_type {
    std::optional<T> value;
    std::exception_ptr error;
    std::coroutine_handle<> continuation;
    std::size_t* finished = nullptr;  // top level: counted up when the task ends
    // Set while an awaiter is starting this task from await_suspend(): if the
    // task ends before suspending, final_suspend() returns to await_suspend()
    // instead of resuming the awaiter from inside this frame, so a chain of
    // tasks that finish at once (answers from memory) never nests the stack,
    // tail call or not (GCC makes none under AddressSanitizer).
    bool* ended_inline = nullptr;

    static void* operator new(std::size_t size) { return detail::FramePool::allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { detail::FramePool::release(p, size); }

    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        auto& p = h.promise();
        if (auto* f = p.finished) ++*f;
        if (p.ended_inline) {
          *p.ended_inline = true;
          return std::noop_coroutine();
        }
        return p.continuation ? p.continuation : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    template <class U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
    void unhandled_exception() { error = std::current_exception(); }
  };

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  // Awaiting a task starts it and resumes the awaiter when it finishes.
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> awaiter) noexcept {
    auto& p = handle_.promise();
    p.continuation = awaiter;
    bool ended = false;
    p.ended_inline = &ended;
    handle_.resume();  // runs until it first waits, or to its end
    if (ended) return false;  // ended at once: the awaiter goes straight on
    p.ended_inline = nullptr;  // it waits: its end will resume the awaiter
    return true;
  }
  T await_resume() { return take(); }

  // For the top level: start, then poll done() while driving the event loop.
  void start() { handle_.resume(); }
  // Same, counting `*finished` up when the task ends (a runner of many tasks
  // then knows how many still run without polling each).
  void start(std::size_t& finished) {
    handle_.promise().finished = &finished;
    handle_.resume();
  }
  [[nodiscard]] bool done() const { return handle_.done(); }
  T take() {
    auto& p = handle_.promise();
    if (p.error) std::rethrow_exception(p.error);
    return std::move(*p.value);
  }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : handle_(h) {}
  std::coroutine_handle<promise_type> handle_;
};

}  // namespace spfdoctor
