// JSON output without a document tree.
//
// Each report's fields are written once, by a template over a writer
// (write_eval, write_lint below). Two writers implement the same events:
//   JsonTreeWriter   builds an nlohmann::json value: what report::to_json
//                    returns (the web server, `lint --json`, pretty output);
//   JsonStringWriter appends compact JSON text to a std::string, byte for
//                    byte what that value's dump(-1, ' ', false,
//                    error_handler_t::replace) gives, without a heap node per
//                    value or a std::map per object (eval --batch, scan).
// nlohmann stores objects in a std::map, so its dump is in byte-wise key
// order; the string writer writes keys in the order they come, so the write_*
// templates MUST emit each object's keys in sorted order. The unit tests
// (tests/unit/json_writer_test.cpp) compare both writers on every report of the
// bench world and fail on any difference, a misplaced key included.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "spfdoctor/lint.hpp"
#include "spfdoctor/spf.hpp"

namespace spfdoctor::report {

// Records and DNS data may hold any bytes: control characters and bytes that
// are not UTF-8 are shown as \xNN (the text and JSON reports of an evaluation).
[[nodiscard]] std::string printable(std::string_view s);

// Appends `s` as a JSON string, quotes included, escaped as nlohmann's
// serializer::dump_escaped does with ensure_ascii=false and
// error_handler_t::replace: \" \\ \b \f \n \r \t, other bytes below 0x20 as
// \u00xx (lowercase hex), '/' and DEL as they are, valid UTF-8 as it is, and
// each maximal ill-formed subpart (Unicode §3.9, "U+FFFD substitution of
// maximal subparts") replaced by one U+FFFD.
void append_json_string(std::string& out, std::string_view s);

template <class W>
concept JsonWriter = requires(W& w, std::string_view s, int i, std::size_t u, bool b) {
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.key(s);        // a literal of the report code: plain ASCII, nothing to escape
  w.string(s);     // any bytes
  // An array of strings that are expected to need no escaping (text this
  // program formatted itself: IP addresses and networks): the same output as
  // string() of each, written in one piece when they are indeed plain.
  w.plain_strings(std::declval<const std::vector<std::string>&>());
  w.printable(s);  // the same as string(printable(s))
  w.integer(i);
  w.integer(u);
  w.boolean(b);
  w.null();
};

class JsonStringWriter {
  static constexpr std::size_t kShortKey = 64;  // room for a key written in one append (short_key)

 public:
  explicit JsonStringWriter(std::string& out) : out_(out) {}
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // A literal key (every key of the report code): its length is known when
  // compiled, so once short_key() is inlined the bytes are copied without a call.
  template <std::size_t N>
    requires(N - 1 + 4 <= kShortKey)
  void key(const char (&k)[N]) {
    short_key(std::string_view(k, N - 1));
  }
  void key(std::string_view k) {
    if (k.size() + 4 <= kShortKey) {
      short_key(k);
      return;
    }
    comma();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    need_comma_ = false;
  }
  void string(std::string_view s) {
    comma();
    append_json_string(out_, s);
    need_comma_ = true;
  }
  void printable(std::string_view s);
  void plain_strings(const std::vector<std::string>& v);
  void integer(long long v);
  void integer(int v) { integer(static_cast<long long>(v)); }
  void integer(std::size_t v);
  void boolean(bool b) { raw(b ? "true" : "false"); }
  void null() { raw("null"); }

 private:
  // One append for the comma, the quoted key and the colon: keys are short
  // literals of the report code. `k` has at most kShortKey - 4 bytes. Always
  // inlined: left to GCC, the literal key()'s copy was a call again (scan of
  // 2,000 domains +2.6 M instructions).
  [[gnu::always_inline]] void short_key(std::string_view k) {
    char buf[kShortKey];
    std::size_t n = 0;
    if (need_comma_) buf[n++] = ',';
    buf[n++] = '"';
    std::memcpy(buf + n, k.data(), k.size());
    n += k.size();
    buf[n++] = '"';
    buf[n++] = ':';
    out_.append(buf, n);
    need_comma_ = false;
  }
  void comma() {
    if (need_comma_) out_ += ',';
  }
  void open(char c) {
    comma();
    out_ += c;
    need_comma_ = false;
  }
  void close(char c) {
    out_ += c;
    need_comma_ = true;
  }
  void raw(std::string_view s) {
    comma();
    out_ += s;
    need_comma_ = true;
  }

  std::string& out_;
  bool need_comma_ = false;
};

class JsonTreeWriter {
 public:
  void begin_object() { open(nlohmann::json::object()); }
  void end_object() { open_.pop_back(); }
  void begin_array() { open(nlohmann::json::array()); }
  void end_array() { open_.pop_back(); }
  void key(std::string_view k) { key_.assign(k); }
  void string(std::string_view s) { slot() = std::string(s); }
  void printable(std::string_view s) { slot() = report::printable(s); }
  void plain_strings(const std::vector<std::string>& v) { slot() = v; }
  void integer(int v) { slot() = v; }
  void integer(std::size_t v) { slot() = v; }
  void boolean(bool b) { slot() = b; }
  void null() { slot() = nullptr; }
  [[nodiscard]] nlohmann::json take() { return std::move(root_); }

 private:
  // Where the next value goes: the root, the end of the open array, or the
  // open object's member named by the last key(). Pointers to open
  // containers stay valid: an array grows only while none of its elements is open.
  nlohmann::json& slot();
  void open(nlohmann::json v) {
    auto& s = slot();
    s = std::move(v);
    open_.push_back(&s);
  }

  nlohmann::json root_;
  std::vector<nlohmann::json*> open_;
  std::string key_;
};

static_assert(JsonWriter<JsonStringWriter>);
static_assert(JsonWriter<JsonTreeWriter>);

// What `eval --batch --json` adds to an evaluation: the query as written on its line.
struct QueryEcho {
  std::string_view ip;
  std::string_view sender;
  std::string_view helo;
};

// The `eval` JSON document (docs/cli.md), with the query's fields when `echo`.
// Defined in eval_report.cpp for the two writers above.
template <JsonWriter W>
void write_eval(W& w, const Evaluation& e, bool with_trace, const QueryEcho* echo);

// One `lint --json` / `scan` document. Defined in lint_report.cpp.
template <JsonWriter W>
void write_lint(W& w, const lint::LintReport& r);

}  // namespace spfdoctor::report
