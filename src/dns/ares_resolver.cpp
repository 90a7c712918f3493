// The network resolver: c-ares queries, driven by our own poll() loop through
// c-ares' socket-state callback, answers parsed by parse_response().
#include <ares.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "spfdoctor/net_resolver.hpp"

namespace spfdoctor::dns {

std::string parse_server_address(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return std::invalid_argument(fmt::format("--dns-server \"{}\": {}", text, why));
  };
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) throw bad("missing ']'");
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw bad("expected ':PORT' after ']'");
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto ip = IpAddress::parse(host);
  if (!ip) throw bad("not an IPv4 or IPv6 address");
  if (!port.empty() || (text.find(':') != std::string_view::npos && text.front() != '[' && ip->is_v4())) {
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw bad("bad port");
    }
    int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) throw bad("port out of range");
  }
  std::string addr = ip->to_string();
  if (ip->is_v4()) return port.empty() ? addr : fmt::format("{}:{}", addr, port);
  return port.empty() ? fmt::format("[{}]", addr) : fmt::format("[{}]:{}", addr, port);
}

struct AresCallbacks {
  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
};

namespace {

struct QueryContext;

}  // namespace

// Hundreds of answers can arrive in one burst (many checks in flight over a
// slow link): a small receive buffer drops them and each drop costs a retry.
constexpr int kReceiveBuffer = 4 << 20;

// The UDP payload size our queries offer in EDNS (DNS Flag Day 2020: no fragmented answers).
constexpr int kEdnsSize = 1232;

// c-ares sends each UDP query with its own send() and reads each answer with
// its own recvfrom(): two system calls a query. Through c-ares' socket
// functions (ares_set_socket_functions) the UDP queries of one turn of the
// loop go out together in one sendmmsg(), and answers come in up to
// kBatch at a time through one recvmmsg(), handed to c-ares one by one as it
// asks. TCP goes straight through (writev/recvfrom), as before.
struct UdpBatcher {
  static constexpr std::size_t kBatch = 32;
  static constexpr std::size_t kSlot = 4096 + 1;  // c-ares' own read buffer size

  struct Socket {
    ares_socket_t fd = ARES_SOCKET_BAD;
    bool udp = false;
    // Outgoing datagrams, concatenated; ends[i] is where datagram i ends.
    std::string out;
    std::vector<std::size_t> ends;
    // Incoming: `got` datagrams read, `next` handed to c-ares so far.
    std::vector<unsigned char> in;
    mmsghdr msgs[kBatch]{};
    iovec iov[kBatch]{};
    sockaddr_storage from[kBatch]{};
    std::size_t got = 0;
    std::size_t next = 0;
    int error = 0;  // a send error for the next read to report (e.g. ECONNREFUSED)
    bool more = false;  // the last read found an answer: the next one reads a batch
  };
  std::vector<std::unique_ptr<Socket>> sockets;
  // Closed sockets' state, kept for the next open: c-ares closes its UDP
  // socket whenever no query is left on it (a new source port for the next
  // one), which with one check at a time is once a query.
  std::vector<std::unique_ptr<Socket>> spare;
  bool has_output = false;
  // A reply with rcode FORMERR was handed to c-ares (or a TCP read, whose
  // rcode this does not look at): c-ares may have turned EDNS off for the
  // channel, which compose_query() must then follow (AresResolver::send_queued).
  bool formerr_seen = false;

  Socket* find(ares_socket_t fd) {
    for (auto& s : sockets) {
      if (s->fd == fd) return s.get();
    }
    return nullptr;
  }

  // Sends every queued datagram; a datagram the kernel refuses is dropped
  // (c-ares' timeout and retry cover it, as for a datagram lost on the way),
  // and its error is kept for the socket's next read. Returns true when some
  // socket has such an error waiting.
  bool flush() {
    if (!has_output) return false;
    has_output = false;
    bool errors = false;
    for (auto& s : sockets) {
      if (s->ends.empty()) continue;
      std::size_t done = 0;
      if (s->ends.size() == 1) {
        // One datagram (a check waiting on one answer): send() is the
        // cheaper call.
        while (::send(s->fd, s->out.data(), s->ends[0], MSG_NOSIGNAL) < 0) {
          if (errno == EINTR) continue;
          s->error = errno;
          errors = true;
          break;
        }
        done = 1;
      }
      while (done < s->ends.size()) {
        const std::size_t n = std::min(kBatch, s->ends.size() - done);
        mmsghdr msgs[kBatch]{};
        iovec iov[kBatch];
        for (std::size_t k = 0; k < n; ++k) {
          const std::size_t begin = done + k == 0 ? 0 : s->ends[done + k - 1];
          iov[k] = iovec{s->out.data() + begin, s->ends[done + k] - begin};
          msgs[k].msg_hdr.msg_iov = &iov[k];
          msgs[k].msg_hdr.msg_iovlen = 1;
        }
        const int sent = ::sendmmsg(s->fd, msgs, static_cast<unsigned>(n), MSG_NOSIGNAL);
        if (sent < 0) {
          if (errno == EINTR) continue;
          s->error = errno;  // this datagram is dropped; the rest are tried
          errors = true;
          done += 1;
          continue;
        }
        done += static_cast<std::size_t>(sent);
      }
      s->out.clear();
      s->ends.clear();
    }
    return errors;
  }

  // With socket functions, c-ares leaves a new socket as it is: what it
  // would have done is done here (non-blocking, close-on-exec, the receive
  // buffer for UDP, no Nagle for TCP).
  static ares_socket_t open(int domain, int type, int protocol, void* data) {
    auto* self = static_cast<UdpBatcher*>(data);
    const ares_socket_t fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd == ARES_SOCKET_BAD) return fd;
    std::unique_ptr<Socket> s;
    if (!self->spare.empty()) {
      s = std::move(self->spare.back());
      self->spare.pop_back();
    } else {
      s = std::make_unique<Socket>();
    }
    s->fd = fd;
    s->udp = (type & 0xff) == SOCK_DGRAM;
    if (s->udp) {
      int size = kReceiveBuffer;
      // As root, past net.core.rmem_max; elsewhere up to it.
      if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
      }
    } else {
      int one = 1;
      (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (s->udp && s->in.empty()) {
      s->in.resize(kBatch * kSlot);
      for (std::size_t k = 0; k < kBatch; ++k) {
        s->iov[k] = iovec{s->in.data() + k * kSlot, kSlot};
        s->msgs[k].msg_hdr.msg_iov = &s->iov[k];
        s->msgs[k].msg_hdr.msg_iovlen = 1;
      }
    }
    self->sockets.push_back(std::move(s));
    return fd;
  }
  static int close(ares_socket_t fd, void* data) {
    auto* self = static_cast<UdpBatcher*>(data);
    for (auto it = self->sockets.begin(); it != self->sockets.end(); ++it) {
      if ((*it)->fd != fd) continue;
      auto s = std::move(*it);
      self->sockets.erase(it);
      s->fd = ARES_SOCKET_BAD;
      s->out.clear();  // queued datagrams for a closed socket are dropped (c-ares requeues their queries)
      s->ends.clear();
      s->got = s->next = 0;
      s->error = 0;
      s->more = false;
      if (self->spare.size() < 4) self->spare.push_back(std::move(s));
      break;
    }
    return ::close(fd);
  }
  static int connect(ares_socket_t fd, const sockaddr* addr, ares_socklen_t len, void*) {
    return ::connect(fd, addr, len);
  }
  static ares_ssize_t receive(ares_socket_t fd, void* buffer, std::size_t size, int flags, sockaddr* from,
                              ares_socklen_t* from_len, void* data) {
    auto* self = static_cast<UdpBatcher*>(data);
    Socket* s = self->find(fd);
    if (s == nullptr || !s->udp) {
      self->formerr_seen = true;
      return ::recvfrom(fd, buffer, size, flags, from, from_len);
    }
    if (s->error != 0) {
      errno = std::exchange(s->error, 0);
      return -1;
    }
    if (s->next == s->got) {
      // Queries queued by the answers handed over so far go out first, so
      // the server works on them while these are read.
      self->flush();
      s->next = s->got = 0;
      if (!s->more) {
        // The first read after a wait takes one answer with recvfrom():
        // when answers come one at a time, recvmmsg() costs more than it
        // saves. Only a socket that had one more to give reads in batches.
        socklen_t name_len = sizeof s->from[0];
        const ssize_t n = ::recvfrom(fd, s->in.data(), kSlot, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&s->from[0]),
                                     &name_len);
        if (n < 0) return -1;
        s->msgs[0].msg_len = static_cast<unsigned>(n);
        s->msgs[0].msg_hdr.msg_namelen = name_len;
        s->got = 1;
        s->more = true;
        return self->hand_over(*s, buffer, size, from, from_len);
      }
      for (std::size_t k = 0; k < kBatch; ++k) {
        s->msgs[k].msg_hdr.msg_name = &s->from[k];
        s->msgs[k].msg_hdr.msg_namelen = sizeof s->from[k];
        s->msgs[k].msg_hdr.msg_flags = 0;
      }
      const int n = ::recvmmsg(fd, s->msgs, kBatch, MSG_DONTWAIT, nullptr);
      if (n <= 0) {
        s->more = false;
        return n;  // -1 and errno (EAGAIN: nothing more), or 0
      }
      s->got = static_cast<std::size_t>(n);
    }
    return self->hand_over(*s, buffer, size, from, from_len);
  }
  // Gives c-ares the next datagram read, as recvfrom() would have.
  ares_ssize_t hand_over(Socket& sock, void* buffer, std::size_t size, sockaddr* from, ares_socklen_t* from_len) {
    Socket* s = &sock;
    const std::size_t k = s->next++;
    const std::size_t len = std::min<std::size_t>(s->msgs[k].msg_len, size);
    std::memcpy(buffer, s->in.data() + k * kSlot, len);
    if (len > 3 && (static_cast<const unsigned char*>(buffer)[3] & 0x0f) == 1) formerr_seen = true;
    if (from != nullptr && from_len != nullptr) {
      const auto name_len = std::min<ares_socklen_t>(*from_len, s->msgs[k].msg_hdr.msg_namelen);
      std::memcpy(from, &s->from[k], name_len);
      *from_len = s->msgs[k].msg_hdr.msg_namelen;
    }
    return static_cast<ares_ssize_t>(len);
  }
  static ares_ssize_t send(ares_socket_t fd, const iovec* vec, int count, void* data) {
    auto* self = static_cast<UdpBatcher*>(data);
    Socket* s = self->find(fd);
    if (s == nullptr || !s->udp) return ::writev(fd, vec, count);
    std::size_t total = 0;
    for (int k = 0; k < count; ++k) {
      s->out.append(static_cast<const char*>(vec[k].iov_base), vec[k].iov_len);
      total += vec[k].iov_len;
    }
    s->ends.push_back(s->out.size());
    self->has_output = true;
    return static_cast<ares_ssize_t>(total);
  }
  static constexpr ares_socket_functions kFunctions{&open, &close, &connect, &receive, &send};
};

struct AresResolver::Impl {
  AresResolver* owner = nullptr;
  ares_channel channel = nullptr;
  std::map<ares_socket_t, short> sockets;  // fd -> poll events
  std::chrono::milliseconds timeout{5000};
  std::size_t max_in_flight = 192;
  std::deque<QueryContext*> queued;  // submitted, not yet sent (owned)
  int edns_size = kEdnsSize;         // 0 once c-ares has turned EDNS off for the channel
  bool sending = false;
  UdpBatcher udp;
};

namespace {


struct QueryContext {
  AresResolver::Impl* impl;
  Waiter* waiter;
  std::string name;
  RType type;
  bool raw = false;  // sent with ares_send(): on_answer maps the rcode (reply_status)
};

// ares_query() composes each question with ares_create_query() (about 500
// instructions and a malloc) and wraps the callback (another malloc) before
// it calls ares_send(). For an ordinary name (no backslash, labels of 1-63
// octets, at most 255 octets in all) this writes the same message, with the
// same header bits and the same EDNS OPT record, into `buf`; the id is 0, as
// ares_query() leaves it, because ares_send() puts its own in. Any other name
// returns 0 and goes through ares_query(), which applies its own escapes and
// refusals (ARES_EBADNAME) exactly as before. A name ending in one dot is
// written as ares_create_query() writes it (the dot ends the last label).
// Only up to c-ares 1.21 (Debian 12 has 1.18): from 1.22 on, ares_send()
// parses the message it is given into c-ares' own record first, and
// ares_query() builds that record directly, so there ares_query() is the
// cheaper way and is used for every name.
constexpr bool kComposeQueries = ARES_VERSION < 0x011600;
constexpr std::size_t kHeaderBytes = 12;
constexpr std::size_t kQuestionFixed = 4;  // type, class
constexpr std::size_t kOptBytes = 11;      // root name, type, class, ttl, rdlength
constexpr std::size_t kMaxQuery = kHeaderBytes + 255 + kQuestionFixed + kOptBytes;

std::size_t compose_query(std::string_view name, RType type, int edns_size, unsigned char* buf) {
  std::memset(buf, 0, kHeaderBytes);
  buf[2] = 0x01;  // RD
  buf[5] = 1;     // QDCOUNT
  if (edns_size) buf[11] = 1;  // ARCOUNT
  unsigned char* q = buf + kHeaderBytes;
  if (name == ".") name = {};
  // A NUL would end ares_query()'s C string there; a backslash starts one of its escapes.
  if (name.size() > 254 || name.find('\\') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return 0;
  }
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    const std::size_t len = dot - start;
    if (len == 0 || len > 63) return 0;
    *q++ = static_cast<unsigned char>(len);
    std::memcpy(q, name.data() + start, len);
    q += len;
    start = dot + 1;
  }
  *q++ = 0;
  if (static_cast<std::size_t>(q - (buf + kHeaderBytes)) > 255) return 0;
  const auto t = static_cast<unsigned>(type);
  *q++ = static_cast<unsigned char>(t >> 8);
  *q++ = static_cast<unsigned char>(t);
  *q++ = 0;
  *q++ = 1;  // C_IN
  if (edns_size) {
    std::memset(q, 0, kOptBytes);
    q[2] = 41;  // OPT
    q[3] = static_cast<unsigned char>(edns_size >> 8);
    q[4] = static_cast<unsigned char>(edns_size);
    q += kOptBytes;
  }
  return static_cast<std::size_t>(q - buf);
}

// What ares_query()'s own callback makes of an answer ares_send() delivers
// with ARES_SUCCESS: the status from the reply's rcode and answer count.
int reply_status(const unsigned char* abuf, int alen) {
  if (abuf == nullptr || alen < static_cast<int>(kHeaderBytes)) return ARES_SUCCESS;
  const unsigned ancount = (static_cast<unsigned>(abuf[6]) << 8) | abuf[7];
  switch (abuf[3] & 0x0f) {
    case 0: return ancount > 0 ? ARES_SUCCESS : ARES_ENODATA;
    case 1: return ARES_EFORMERR;
    case 2: return ARES_ESERVFAIL;
    case 3: return ARES_ENOTFOUND;
    case 4: return ARES_ENOTIMP;
    case 5: return ARES_EREFUSED;
    default: return ARES_SUCCESS;
  }
}

void library_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    int rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) throw std::runtime_error(std::string("c-ares: ") + ares_strerror(rc));
  });
}

}  // namespace

void AresCallbacks::on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
  auto* impl = static_cast<AresResolver::Impl*>(data);
  if (!readable && !writable) {
    impl->sockets.erase(fd);
    return;
  }
  short events = 0;
  if (readable) events |= POLLIN;
  if (writable) events |= POLLOUT;
  impl->sockets[fd] = events;
}

void AresCallbacks::on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<QueryContext> ctx(static_cast<QueryContext*>(arg));
  AresResolver* owner = ctx->impl->owner;
  --owner->pending_;
  --owner->on_wire_;
  if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;  // shutting down: nobody waits
  owner->send_queued();
  if (ctx->raw && status == ARES_SUCCESS) status = reply_status(abuf, alen);
  Answer answer;
  const bool have_reply = abuf != nullptr && alen > 0;
  switch (status) {
    case ARES_SUCCESS:
    case ARES_ENODATA:
    case ARES_ENOTFOUND:
      if (have_reply) {
        answer = parse_response(abuf, static_cast<std::size_t>(alen), ctx->name, ctx->type);
      } else {
        answer.status = status == ARES_ENOTFOUND ? Status::NxDomain : Status::Ok;
      }
      break;
    case ARES_ESERVFAIL:
      answer.status = Status::ServFail;
      answer.detail = "the server answered SERVFAIL";
      break;
    case ARES_EREFUSED:
      answer.status = Status::Refused;
      answer.detail = "the server answered REFUSED";
      break;
    case ARES_ETIMEOUT:
      answer.status = Status::Timeout;
      answer.detail = fmt::format("no answer within {} ms", ctx->impl->timeout.count());
      break;
    case ARES_ECONNREFUSED:
      // c-ares tries every server; this is what is left when none gave a
      // usable answer (refused connections, SERVFAIL or REFUSED from all).
      answer.status = Status::ServFail;
      answer.detail = "no DNS server gave a usable answer (SERVFAIL, REFUSED or connection refused)";
      break;
    case ARES_EBADNAME:
      // Not a name DNS can carry: it cannot exist.
      answer.status = Status::NxDomain;
      answer.detail = "not a valid DNS name";
      break;
    default:
      answer.status = Status::Error;
      answer.detail = ares_strerror(status);
      break;
  }
  Waiter* w = ctx->waiter;
  ctx.reset();
  w->complete(std::make_shared<const Answer>(std::move(answer)));
}

AresResolver::AresResolver(const NetworkOptions& options) : impl_(std::make_unique<Impl>()) {
  library_init();
  impl_->owner = this;
  impl_->timeout = options.timeout;
  impl_->max_in_flight = std::max<std::size_t>(1, options.max_in_flight);
  ares_options opts{};
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ |
             ARES_OPT_SOCK_RCVBUF;
  opts.socket_receive_buffer_size = kReceiveBuffer;
  opts.sock_state_cb = &AresCallbacks::on_socket_state;
  opts.sock_state_cb_data = impl_.get();
  // Two tries per server whose times add up to the per-query timeout
  // (c-ares doubles the wait on the second round).
  opts.tries = std::max(1, options.tries);
  int share = opts.tries == 1 ? 1 : (1 << opts.tries) - 1;
  opts.timeout = static_cast<int>(std::max<long long>(50, options.timeout.count() / share));
  opts.flags = ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH;
  opts.ednspsz = kEdnsSize;
  int rc = ares_init_options(&impl_->channel, &opts, mask);
  if (rc != ARES_SUCCESS)
    throw std::runtime_error(std::string("c-ares: cannot start the resolver: ") + ares_strerror(rc));
  ares_set_socket_functions(impl_->channel, &UdpBatcher::kFunctions, &impl_->udp);
  if (!options.servers.empty()) {
    std::string csv;
    for (const auto& s : options.servers) {
      if (!csv.empty()) csv += ',';
      csv += parse_server_address(s);
    }
    rc = ares_set_servers_ports_csv(impl_->channel, csv.c_str());
    if (rc != ARES_SUCCESS) {
      ares_destroy(impl_->channel);
      throw std::runtime_error(fmt::format("c-ares: cannot use DNS servers \"{}\": {}", csv, ares_strerror(rc)));
    }
  }
}

AresResolver::~AresResolver() {
  if (!impl_) return;
  for (auto* ctx : impl_->queued) delete ctx;
  impl_->queued.clear();
  if (impl_->channel) ares_destroy(impl_->channel);
}

void AresResolver::submit(std::string_view name, RType type, Waiter& waiter) {
  ++pending_;
  impl_->queued.push_back(new QueryContext{impl_.get(), &waiter, std::string(name), type});
  send_queued();
}

// Sends queued queries while fewer than max_in_flight are on the wire. Each
// context is owned by c-ares from ares_query() until on_answer().
void AresResolver::send_queued() {
  // An answer can arrive inside ares_query() (a name c-ares refuses) and its
  // waiter may submit more: the outermost call does the sending, no recursion.
  if (impl_->sending) return;
  impl_->sending = true;
  while (on_wire_ < impl_->max_in_flight && !impl_->queued.empty()) {
    auto* ctx = impl_->queued.front();
    impl_->queued.pop_front();
    ++on_wire_;
    ++sent_;
    if (impl_->udp.formerr_seen) {
      // c-ares answers a FORMERR without an OPT record to an EDNS query by
      // asking again without EDNS and leaving EDNS off for the channel from
      // then on (ares_query() would compose every later query without it).
      impl_->udp.formerr_seen = false;
      ares_options now{};
      int mask = 0;
      if (ares_save_options(impl_->channel, &now, &mask) == ARES_SUCCESS) {
        if (!(now.flags & ARES_FLAG_EDNS)) impl_->edns_size = 0;
        ares_destroy_options(&now);
      }
    }
    unsigned char buf[kMaxQuery];
    const std::size_t len = kComposeQueries ? compose_query(ctx->name, ctx->type, impl_->edns_size, buf) : 0;
    if (len != 0) {
      ctx->raw = true;
      ares_send(impl_->channel, buf, static_cast<int>(len), &AresCallbacks::on_answer, ctx);
    } else {
      ares_query(impl_->channel, ctx->name.c_str(), 1 /* C_IN */, static_cast<int>(ctx->type),
                 &AresCallbacks::on_answer, ctx);
    }
  }
  impl_->sending = false;
}

void AresResolver::run_once() {
  // Queries queued since the last turn go out now, before any wait. A socket
  // whose send failed reports it to c-ares through a read (next server).
  if (impl_->udp.flush()) {
    // c-ares may close (and so drop from the list) the sockets it reads
    // here: the failed ones are listed first.
    std::vector<ares_socket_t> failed;
    for (const auto& s : impl_->udp.sockets) {
      if (s->error != 0) failed.push_back(s->fd);
    }
    for (ares_socket_t fd : failed) ares_process_fd(impl_->channel, fd, ARES_SOCKET_BAD);
    impl_->udp.flush();
  }
  if (pending_ == 0) return;
  timeval tv{};
  timeval* t = ares_timeout(impl_->channel, nullptr, &tv);
  int wait_ms = t ? static_cast<int>(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000) : 1000;
  std::vector<pollfd> fds;
  fds.reserve(impl_->sockets.size());
  for (const auto& [fd, events] : impl_->sockets) fds.push_back(pollfd{fd, events, 0});
  int n = ::poll(fds.data(), fds.size(), wait_ms);
  if (n > 0) {
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      ares_socket_t r = (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD;
      ares_socket_t w = (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD;
      ares_process_fd(impl_->channel, r, w);
    }
  } else {
    ares_process_fd(impl_->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
  }
}

}  // namespace spfdoctor::dns
