#include "bounce/mime.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace spfdoctor::bounce::detail {

namespace {

// GObject handles are owned by unique_ptrs (STYLE.md: RAII for every C handle).
struct GObjectUnref {
  void operator()(void* p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFreeDeleter {
  void operator()(char* p) const { g_free(p); }
};
using GString_ = std::unique_ptr<char, GFreeDeleter>;

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Headers headers_of(GMimeObject* obj) {
  Headers out;
  GMimeHeaderList* list = g_mime_object_get_header_list(obj);
  if (list == nullptr) return out;
  const int n = g_mime_header_list_get_count(list);
  for (int i = 0; i < n; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* name = g_mime_header_get_name(h);
    const char* value = g_mime_header_get_value(h);
    std::string v = value != nullptr ? value : "";
    // Unfold: a decoded value may still carry the folding whitespace.
    std::string unfolded;
    unfolded.reserve(v.size());
    for (char c : v) unfolded += (c == '\r' || c == '\n') ? ' ' : c;
    out.push_back({name != nullptr ? name : "", std::move(unfolded)});
  }
  return out;
}

// The decoded bytes of a leaf part, converted to UTF-8 when it is text.
std::string part_content(GMimePart* part, bool text) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  GPtr<GMimeStream> mem(g_mime_stream_mem_new());
  GMimeStream* target = mem.get();
  GPtr<GMimeStream> filtered;
  if (text) {
    GMimeContentType* ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    const char* charset = ct != nullptr ? g_mime_content_type_get_parameter(ct, "charset") : nullptr;
    if (charset != nullptr && !iequals(charset, "utf-8") && !iequals(charset, "us-ascii")) {
      GMimeFilter* f = g_mime_filter_charset_new(charset, "UTF-8");
      if (f != nullptr) {
        filtered.reset(g_mime_stream_filter_new(mem.get()));
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), f);
        g_object_unref(f);
        target = filtered.get();
      }
    }
  }
  g_mime_data_wrapper_write_to_stream(wrapper, target);
  g_mime_stream_flush(target);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  if (bytes == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// Everything inside a part (headers of an embedded message included).
std::string object_text(GMimeObject* obj) {
  GString_ s(g_mime_object_to_string(obj, nullptr));
  return s ? std::string(s.get()) : std::string();
}

struct Walker {
  const MimeLimits& limits;
  MimeDigest& out;

  void add_text(std::string s) {
    s = normalize_line_ends(s);
    if (!out.text.empty() && out.text.back() != '\n') out.text += '\n';
    out.text += s;
  }

  void walk(GMimeObject* obj, std::size_t depth) {
    if (obj == nullptr) return;
    if (depth > limits.max_depth || out.parts >= limits.max_parts) {
      out.limits_hit = true;
      return;
    }
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    const std::string type = ct != nullptr ? lower(g_mime_content_type_get_media_type(ct)) : "text";
    const std::string sub = ct != nullptr ? lower(g_mime_content_type_get_media_subtype(ct)) : "plain";

    if (GMIME_IS_MULTIPART(obj)) {
      auto* mp = GMIME_MULTIPART(obj);
      const int n = g_mime_multipart_get_count(mp);
      if (sub == "alternative") {
        // One rendering is enough: plain text when there is one.
        GMimeObject* pick = nullptr;
        for (int i = 0; i < n; ++i) {
          GMimeObject* p = g_mime_multipart_get_part(mp, i);
          GMimeContentType* pct = g_mime_object_get_content_type(p);
          if (pct != nullptr && g_mime_content_type_is_type(pct, "text", "plain")) {
            pick = p;
            break;
          }
        }
        if (pick != nullptr) {
          // Some NDRs leave the plain part empty and say everything in HTML.
          const std::size_t before = out.text.size();
          walk(pick, depth + 1);
          if (out.text.size() - before > 20) return;
        }
        for (int i = 0; i < n; ++i) {
          GMimeObject* p = g_mime_multipart_get_part(mp, i);
          if (p == pick) continue;
          walk(p, depth + 1);
          break;
        }
        return;
      }
      for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(mp, i), depth + 1);
      return;
    }

    ++out.parts;
    const bool dsn = type == "message" && (sub == "delivery-status" || sub == "global-delivery-status");
    const bool feedback = type == "message" && sub == "feedback-report";
    if (GMIME_IS_MESSAGE_PART(obj)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
      if (dsn || feedback) {
        // GMime may read these as embedded messages; their text is what we need.
        std::string t = inner != nullptr ? object_text(GMIME_OBJECT(inner)) : std::string();
        t = normalize_line_ends(t);
        if (dsn)
          out.delivery_status.push_back(std::move(t));
        else
          out.feedback_report += t;
        return;
      }
      if (inner != nullptr && !out.has_original) {
        out.has_original = true;
        out.original_headers = headers_of(GMIME_OBJECT(inner));
        out.original_raw = normalize_line_ends(object_text(GMIME_OBJECT(inner)));
      }
      return;
    }
    if (!GMIME_IS_PART(obj)) return;
    auto* part = GMIME_PART(obj);
    if (dsn) {
      out.delivery_status.push_back(normalize_line_ends(part_content(part, false)));
      return;
    }
    if (feedback) {
      out.feedback_report += normalize_line_ends(part_content(part, false));
      return;
    }
    if ((type == "text" && sub == "rfc822-headers") || (type == "message" && (sub == "rfc822" || sub == "global"))) {
      if (!out.has_original) {
        out.has_original = true;
        std::string raw = normalize_line_ends(part_content(part, false));
        out.original_headers = parse_header_block(raw);
        if (sub != "rfc822-headers") out.original_raw = std::move(raw);
      }
      return;
    }
    if (type == "text" && sub == "html") {
      add_text(html_to_text(part_content(part, true)));
      return;
    }
    if (type == "text" || type.empty()) {
      add_text(part_content(part, true));
      return;
    }
  }
};

}  // namespace

std::string header_value(const Headers& h, std::string_view name) {
  for (const auto& f : h)
    if (iequals(f.name, name)) return f.value;
  return {};
}

std::vector<std::string> header_values(const Headers& h, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : h)
    if (iequals(f.name, name)) out.push_back(f.value);
  return out;
}

std::string normalize_line_ends(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r') {
      out += '\n';
      if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
    } else {
      out += raw[i];
    }
  }
  return out;
}

std::string decode_words(std::string_view text) {
  if (text.find("=?") == std::string_view::npos) return std::string(text);
  init_gmime();
  std::string in(text);
  GString_ s(g_mime_utils_header_decode_text(nullptr, in.c_str()));
  return s ? std::string(s.get()) : in;
}

Headers parse_header_block(std::string_view text, std::size_t* consumed) {
  Headers out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      pos = std::min(text.size(), eol + 1);
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t')) {
      if (out.empty()) break;
      std::size_t b = line.find_first_not_of(" \t");
      if (b != std::string_view::npos) {
        out.back().value += ' ';
        out.back().value += line.substr(b);
      }
      pos = eol + 1;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) break;
    std::string_view name = line.substr(0, colon);
    bool ok = true;
    for (char c : name)
      if (c <= 32 || c >= 127) ok = false;
    if (!ok) break;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    out.push_back({std::string(name), std::string(value)});
    pos = eol + 1;
  }
  for (auto& h : out) {
    while (!h.value.empty() && (h.value.back() == ' ' || h.value.back() == '\t')) h.value.pop_back();
    h.value = decode_words(h.value);
  }
  if (consumed != nullptr) *consumed = std::min(pos, text.size());
  return out;
}

std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  auto starts = [&](std::string_view tag) {
    if (html.size() - i < tag.size()) return false;
    for (std::size_t k = 0; k < tag.size(); ++k)
      if (std::tolower(static_cast<unsigned char>(html[i + k])) != tag[k]) return false;
    return true;
  };
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      // Drop style and script bodies; block elements become line breaks.
      for (std::string_view skip : {"<style", "<script", "<head"}) {
        if (starts(skip)) {
          std::string close = "</" + std::string(skip.substr(1));
          std::string rest = lower(html.substr(i));
          std::size_t e = rest.find(close);
          if (e != std::string::npos) i += e;
          break;
        }
      }
      const bool block = starts("<br") || starts("<p") || starts("</p") || starts("<div") || starts("</div") ||
                         starts("<tr") || starts("</tr") || starts("<li") || starts("</h") || starts("<h") ||
                         starts("</td") || starts("</table");
      std::size_t e = html.find('>', i);
      if (e == std::string_view::npos) break;
      i = e + 1;
      if (block)
        out += '\n';
      else if (!out.empty() && out.back() != ' ' && out.back() != '\n')
        out += ' ';
      continue;
    }
    if (c == '&') {
      static const std::pair<std::string_view, std::string_view> entities[] = {
          {"&nbsp;", " "},  {"&lt;", "<"},  {"&gt;", ">"},  {"&amp;", "&"},
          {"&quot;", "\""}, {"&#39;", "'"}, {"&#160;", " "}};
      bool done = false;
      for (const auto& [e, r] : entities) {
        if (starts(e)) {
          out += r;
          i += e.size();
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    if (c == '\r') c = '\n';
    if (c == '\n' || c == '\t') c = ' ';
    out += c;
    ++i;
  }
  // Trim spaces at line starts/ends and collapse empty lines.
  std::string clean;
  std::size_t pos = 0;
  int blank = 0;
  while (pos <= out.size()) {
    std::size_t eol = out.find('\n', pos);
    if (eol == std::string::npos) eol = out.size();
    std::string_view line(out.data() + pos, eol - pos);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    if (line.empty()) {
      if (++blank <= 1) clean += '\n';
    } else {
      blank = 0;
      clean.append(line);
      clean += '\n';
    }
    pos = eol + 1;
  }
  return clean;
}

MimeDigest read_mime(std::string_view raw, const MimeLimits& limits) {
  init_gmime();
  MimeDigest out;
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!msg) return out;
  out.headers = headers_of(GMIME_OBJECT(msg.get()));
  GMimeObject* body = g_mime_message_get_mime_part(msg.get());
  if (body != nullptr) {
    GMimeContentType* ct = g_mime_object_get_content_type(body);
    out.multipart_report = ct != nullptr && g_mime_content_type_is_type(ct, "multipart", "report");
  }
  Walker w{limits, out};
  w.walk(body, 0);
  return out;
}

}  // namespace spfdoctor::bounce::detail
