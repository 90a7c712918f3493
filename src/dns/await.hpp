// co_await-ing one DNS answer from a Resolver (internal).
#pragma once

#include <coroutine>
#include <string>
#include <string_view>
#include <utility>

#include "spfdoctor/dns.hpp"

namespace spfdoctor::dns {

// Submits on co_await; resumes the awaiting coroutine when the answer comes
// (or goes straight on when the resolver answered at once). `name` need only
// live until the submit (resolvers copy what they keep); as a co_await
// operand it lives through the whole await anyway.
class AnswerAwaiter final : public Waiter {
 public:
  AnswerAwaiter(Resolver& r, std::string_view name, RType type) : resolver_(r), name_(name), type_(type) {}
  bool await_ready() {
    resolver_.submit(name_, type_, *this);
    return answer_ != nullptr;
  }
  void await_suspend(std::coroutine_handle<> h) { handle_ = h; }
  AnswerPtr await_resume() { return std::move(answer_); }
  void complete(AnswerPtr answer) override {
    answer_ = std::move(answer);
    // Nothing may touch members after resume(): the coroutine may destroy us.
    if (handle_) std::exchange(handle_, {}).resume();
  }

 private:
  Resolver& resolver_;
  std::string_view name_;
  RType type_;
  AnswerPtr answer_;
  std::coroutine_handle<> handle_;
};

}  // namespace spfdoctor::dns
