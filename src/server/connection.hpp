// One HTTP connection as cpp-httplib reads it: a Stream over a socket or over
// bytes in memory (tests and fuzz/fuzz_http.cpp), with the limits cpp-httplib
// 0.11 does not keep itself. Both go through the same request loop
// (web_server.cpp), so the fuzzer runs what a socket runs.
//
// cpp-httplib bounds each header line (8 KiB) and the request line (8 KiB, 414)
// but not the number of header lines, and reads a chunked body or one without
// Content-Length to any size. Here the head of each request (request line and
// header fields up to the empty line) is at most `max_head` bytes and the body
// as sent (chunk framing included) at most `max_body`; a read past either
// fails, and the request is answered 431 or 413 and the connection closed.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace spfdoctor::server {

struct ConnectionLimits {
  std::size_t max_head = 32 * 1024;
  std::size_t max_body = 10u << 20;
};

class Connection : public httplib::Stream {
 public:
  explicit Connection(ConnectionLimits limits) : limits_(limits) {}

  // Called before each request is read: the limits count per request.
  void begin_request();
  // No byte of this request has arrived (the peer closed or went idle).
  [[nodiscard]] bool request_started() const { return head_bytes_ > 0; }
  [[nodiscard]] bool head_too_large() const { return head_too_large_; }
  [[nodiscard]] bool body_too_large() const { return body_too_large_; }
  [[nodiscard]] const ConnectionLimits& limits() const { return limits_; }
  // A handler answered without reading the body (413): read no further request.
  void close_after_response() { close_after_ = true; }
  [[nodiscard]] bool must_close() const { return close_after_ || head_too_large_ || body_too_large_; }
  // Bytes already received and not yet read: the next request may be waiting
  // there even when the socket has nothing new (pipelining).
  [[nodiscard]] virtual bool has_buffered() const = 0;

  ssize_t read(char* ptr, std::size_t size) final;

 protected:
  // Reads up to `size` bytes: > 0 read, 0 end of input, < 0 error or timeout.
  virtual ssize_t read_raw(char* ptr, std::size_t size) = 0;

 private:
  ConnectionLimits limits_;
  bool in_head_ = true;
  std::size_t head_bytes_ = 0;
  std::size_t body_bytes_ = 0;
  std::size_t line_bytes_ = 0;  // bytes of the current head line so far
  bool line_has_cr_ = false;    // the current head line is "\r" so far
  bool first_line_done_ = false;
  bool head_too_large_ = false;
  bool body_too_large_ = false;
  bool close_after_ = false;
};

// A connected TCP socket, with cpp-httplib's read and write timeouts. The
// socket stays owned by the caller.
class SocketConnection final : public Connection {
 public:
  SocketConnection(int fd, ConnectionLimits limits, int read_timeout_ms, int write_timeout_ms)
      : Connection(limits), fd_(fd), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  // Waits up to `timeout_ms` for the next request to begin; false on timeout
  // or error, and as soon as `stopping()` says the server is shutting down.
  bool wait_for_request(int timeout_ms, const std::function<bool()>& stopping);

  [[nodiscard]] bool has_buffered() const override { return begin_ < end_; }
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t write(const char* ptr, std::size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 protected:
  ssize_t read_raw(char* ptr, std::size_t size) override;

 private:
  int fd_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  char buf_[4096];
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// Request bytes in memory; everything written is collected.
class MemoryConnection final : public Connection {
 public:
  MemoryConnection(std::string_view input, ConnectionLimits limits) : Connection(limits), input_(input) {}

  [[nodiscard]] bool has_buffered() const override { return pos_ < input_.size(); }
  [[nodiscard]] std::string& output() { return output_; }
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t write(const char* ptr, std::size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  // Not a socket; cpp-httplib only compares it with FD_SETSIZE.
  socket_t socket() const override { return 0; }

 protected:
  ssize_t read_raw(char* ptr, std::size_t size) override;

 private:
  std::string_view input_;
  std::size_t pos_ = 0;
  std::string output_;
};

}  // namespace spfdoctor::server
