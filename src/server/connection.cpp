#include "server/connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace spfdoctor::server {

namespace {

// poll() for one event, retrying on EINTR with the time that is left.
bool wait_fd(int fd, short events, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    pollfd p{fd, events, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (r > 0) return true;
    if (r == 0 || errno != EINTR) return false;
  }
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    port = ntohs(a.sin6_port);
  } else {
    port = 0;
  }
  ip = text;
}

}  // namespace

void Connection::begin_request() {
  in_head_ = true;
  head_bytes_ = 0;
  body_bytes_ = 0;
  line_bytes_ = 0;
  line_has_cr_ = false;
  first_line_done_ = false;
}

ssize_t Connection::read(char* ptr, std::size_t size) {
  if (size == 0) return 0;
  if (in_head_) {
    if (head_bytes_ >= limits_.max_head) {
      head_too_large_ = true;
      return -1;
    }
    const ssize_t n = read_raw(ptr, std::min(size, limits_.max_head - head_bytes_));
    if (n <= 0) return n;
    // The head ends at the first empty line (CRLF alone) after the request
    // line, as cpp-httplib reads it: it takes CRLF line ends only.
    for (ssize_t i = 0; i < n; ++i) {
      ++head_bytes_;
      const char c = ptr[i];
      if (c != '\n') {
        line_has_cr_ = line_bytes_ == 0 && c == '\r';
        ++line_bytes_;
        continue;
      }
      const bool empty_line = line_bytes_ == 1 && line_has_cr_;
      line_bytes_ = 0;
      line_has_cr_ = false;
      if (first_line_done_ && empty_line) {
        in_head_ = false;
        body_bytes_ = static_cast<std::size_t>(n - i - 1);
        break;
      }
      first_line_done_ = true;
    }
    return n;
  }
  if (body_bytes_ >= limits_.max_body) {
    body_too_large_ = true;
    return -1;
  }
  const ssize_t n = read_raw(ptr, std::min(size, limits_.max_body - body_bytes_));
  if (n > 0) body_bytes_ += static_cast<std::size_t>(n);
  return n;
}

// ---- socket ------------------------------------------------------------------

bool SocketConnection::wait_for_request(int timeout_ms, const std::function<bool()>& stopping) {
  if (has_buffered()) return true;
  // Short slices, so that a server that stops does not wait out an idle
  // keep-alive connection.
  constexpr int kSliceMs = 100;
  for (int waited = 0; waited < timeout_ms; waited += kSliceMs) {
    if (stopping()) return false;
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, std::min(kSliceMs, timeout_ms - waited));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
  return false;
}

bool SocketConnection::is_readable() const {
  return has_buffered() || wait_fd(fd_, POLLIN, read_timeout_ms_);
}

bool SocketConnection::is_writable() const {
  return wait_fd(fd_, POLLOUT, write_timeout_ms_);
}

ssize_t SocketConnection::read_raw(char* ptr, std::size_t size) {
  if (begin_ == end_) {
    if (!wait_fd(fd_, POLLIN, read_timeout_ms_)) return -1;
    // Large reads (bodies) go straight to the caller; cpp-httplib reads the
    // head a byte at a time, which the buffer makes cheap.
    char* into = size >= sizeof buf_ ? ptr : buf_;
    const std::size_t want = size >= sizeof buf_ ? size : sizeof buf_;
    ssize_t n;
    do {
      n = ::recv(fd_, into, want, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0 || into == ptr) return n;
    begin_ = 0;
    end_ = static_cast<std::size_t>(n);
  }
  const std::size_t n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buf_ + begin_, n);
  begin_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t SocketConnection::write(const char* ptr, std::size_t size) {
  if (!is_writable()) return -1;
  ssize_t n;
  do {
    n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

void SocketConnection::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) addr.ss_family = AF_UNSPEC;
  address_of(addr, ip, port);
}

void SocketConnection::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) addr.ss_family = AF_UNSPEC;
  address_of(addr, ip, port);
}

// ---- memory ------------------------------------------------------------------

ssize_t MemoryConnection::read_raw(char* ptr, std::size_t size) {
  const std::size_t n = std::min(size, input_.size() - pos_);
  if (n == 0) return 0;
  std::memcpy(ptr, input_.data() + pos_, n);
  pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t MemoryConnection::write(const char* ptr, std::size_t size) {
  output_.append(ptr, size);
  return static_cast<ssize_t>(size);
}

void MemoryConnection::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = "127.0.0.1";
  port = 40000;
}

void MemoryConnection::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = "127.0.0.1";
  port = 8025;
}

}  // namespace spfdoctor::server
