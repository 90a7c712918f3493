// HTTP request handling, from raw bytes: the fuzz input is what one client
// sends on one connection. Server::respond() runs the server's own connection
// loop over it (the loop a socket runs: keep-alive, pipelining, the head and
// body limits), cpp-httplib parses each request (request line, header fields,
// Content-Length and chunked bodies, Expect, Range, multipart), and the real
// routes answer: the page and assets, /healthz, lint, eval and bounce. DNS is
// the in-memory zone of tests/data/lint.zone and tests/data/bounces/m365.zone:
// nothing leaves the process.
//
// Invariants for every response: it is a whole HTTP/1.1 response (an interim
// "100 Continue" may come first); the status is one docs/web.md lists (200,
// 400, 404, 413, 414, 416, 431; never 500); X-Content-Type-Options and
// Accept-Ranges: none are set; the body is as long as Content-Length says (or
// empty, for HEAD); every error and every application/json body (after gzip
// or brotli, when the client asked for it) is a JSON object, and an error's
// has a non-empty "error" string; no Content-Range is ever sent.
#include <brotli/decode.h>
#include <zlib.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "spfdoctor/dns.hpp"
#include "spfdoctor/server.hpp"

namespace {

using namespace spfdoctor;

constexpr std::size_t kMaxDecoded = 64u << 20;

server::Server& the_server() {
  static server::Server* s = [] {
    auto zone = std::make_shared<dns::ZoneData>(dns::load_master_file(SPFDOCTOR_FUZZ_LINT_ZONE));
    zone->merge(dns::load_master_file(SPFDOCTOR_FUZZ_BOUNCE_ZONE));
    std::shared_ptr<const dns::ZoneData> shared = std::move(zone);
    server::ServeOptions o;
    o.make_resolver = [shared] { return std::unique_ptr<dns::Resolver>(std::make_unique<dns::ZoneResolver>(shared)); };
    o.bounce = server::read_bounce;
    // Small limits, so that inputs of a few KiB reach them (413, 431).
    o.max_head = 2048;
    o.max_body = 4096;
    return new server::Server(std::move(o));
  }();
  return *s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> gunzip(std::string_view in) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  std::string out;
  std::array<char, 16384> buf{};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int r = Z_OK;
  while (r == Z_OK && out.size() < kMaxDecoded) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - z.avail_out);
  }
  inflateEnd(&z);
  if (r != Z_STREAM_END) return std::nullopt;
  return out;
}

std::optional<std::string> unbrotli(std::string_view in) {
  std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> st(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
  std::string out;
  std::array<std::uint8_t, 16384> buf{};
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  std::size_t avail_in = in.size();
  for (;;) {
    std::uint8_t* next_out = buf.data();
    std::size_t avail_out = buf.size();
    auto r = BrotliDecoderDecompressStream(st.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.append(reinterpret_cast<const char*>(buf.data()), buf.size() - avail_out);
    if (r == BROTLI_DECODER_RESULT_SUCCESS) return out;
    if (r != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT || out.size() > kMaxDecoded) return std::nullopt;
  }
}

void check_response(std::string_view r, std::size_t index) {
  const std::string where = "response " + std::to_string(index) + ": ";
  FUZZ_CHECK(!r.empty(), where + "a request got no answer");
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  if (r.starts_with(kContinue)) r.remove_prefix(kContinue.size());
  FUZZ_CHECK(r.starts_with("HTTP/1.1 ") && r.size() >= 12, where + std::string(r.substr(0, 200)));
  const int status = std::stoi(std::string(r.substr(9, 3)));
  static constexpr std::array kDocumented{200, 400, 404, 413, 414, 416, 431};
  bool documented = false;
  for (int s : kDocumented) documented = documented || s == status;
  FUZZ_CHECK(documented, where + "status " + std::to_string(status) + ": " + std::string(r.substr(0, 400)));

  const auto head_end = r.find("\r\n\r\n");
  FUZZ_CHECK(head_end != std::string_view::npos, where + "no end of header fields");
  const std::string_view head = r.substr(0, head_end);
  const std::string_view body = r.substr(head_end + 4);
  std::optional<std::size_t> content_length;
  std::string content_type;
  std::string encoding;
  bool nosniff = false;
  bool no_ranges = false;
  for (std::size_t at = head.find("\r\n"); at != std::string_view::npos;) {
    const auto next = head.find("\r\n", at + 2);
    const std::string_view line = head.substr(at + 2, next == std::string_view::npos ? head.npos : next - at - 2);
    at = next;
    const auto colon = line.find(": ");
    FUZZ_CHECK(colon != std::string_view::npos, where + "header line " + std::string(line));
    const std::string name = lower(line.substr(0, colon));
    const std::string_view value = line.substr(colon + 2);
    if (name == "content-length") content_length = std::stoull(std::string(value));
    if (name == "content-type") content_type = std::string(value);
    if (name == "content-encoding") encoding = std::string(value);
    if (name == "x-content-type-options") nosniff = value == "nosniff";
    if (name == "accept-ranges") no_ranges = value == "none";
    FUZZ_CHECK(name != "content-range", where + "a Content-Range was sent");
  }
  FUZZ_CHECK(nosniff, where + "no X-Content-Type-Options: nosniff");
  FUZZ_CHECK(no_ranges, where + "no Accept-Ranges: none");
  FUZZ_CHECK(content_length.has_value(), where + "no Content-Length");
  // HEAD: the length of the body a GET would get, and no body.
  FUZZ_CHECK(body.empty() || body.size() == *content_length,
             where + "body of " + std::to_string(body.size()) + " bytes, Content-Length " +
                 std::to_string(*content_length));
  if (body.empty()) return;

  std::string decoded;
  if (encoding.empty()) {
    decoded = std::string(body);
  } else {
    auto d = encoding == "gzip" ? gunzip(body) : encoding == "br" ? unbrotli(body) : std::nullopt;
    FUZZ_CHECK(d.has_value(), where + "Content-Encoding " + encoding + " does not decode");
    decoded = std::move(*d);
  }
  const bool json = content_type == "application/json";
  FUZZ_CHECK(json || status == 200, where + "an error that is not JSON: " + content_type);
  if (!json) return;
  const auto j = nlohmann::json::parse(decoded, nullptr, false);
  FUZZ_CHECK(!j.is_discarded() && j.is_object(), where + "not a JSON object: " + decoded.substr(0, 400));
  if (status != 200) {
    FUZZ_CHECK(j.contains("error") && j["error"].is_string() && !j["error"].get<std::string>().empty(),
               where + "an error without \"error\": " + decoded.substr(0, 400));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  const auto responses = the_server().respond(request);
  for (std::size_t i = 0; i < responses.size(); ++i) check_response(responses[i], i);
  return 0;
}
