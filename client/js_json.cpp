#include "client/js_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace claw::client {
namespace {

// Lays out digits d1..dk with value 0.d1..dk * 10^n as ECMAScript Number::toString.
std::string LayOut(const std::string& digits, int n, bool negative) {
  const int k = static_cast<int>(digits.size());
  std::string out = negative ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    const int e = n - 1;
    out += digits.substr(0, 1);
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += e >= 0 ? "e+" : "e-";
    out += std::to_string(std::abs(e));
  }
  return out;
}

// Length of a valid UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len;
  std::uint32_t cp;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
  else return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t j = 1; j < len; ++j) {
    const auto b = static_cast<unsigned char>(s[i + j]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

void AppendEscaped(char c, std::string& out) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
  out += buf;
}

}  // namespace

std::string JsNumberToString(double value) {
  if (std::isnan(value) || std::isinf(value)) return "null";
  if (value == 0) return "0";  // covers -0
  char buf[64];
  // Shortest round-trip digits in scientific form: "d.ddde+XX".
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::fabs(value),
                                 std::chars_format::scientific);
  (void)ec;
  const std::string sci(buf, end);
  const std::size_t epos = sci.find('e');
  std::string digits;
  for (std::size_t i = 0; i < epos; ++i) {
    if (sci[i] != '.') digits += sci[i];
  }
  const int exp10 = std::atoi(sci.c_str() + epos + 1);
  return LayOut(digits, exp10 + 1, value < 0);
}

Result<std::string> JsQuoteString(std::string_view utf8) {
  std::string out = "\"";
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t len = Utf8SequenceLength(utf8, i);
    if (len == 0) {
      return Status::InvalidArgument("invalid UTF-8 at byte " + std::to_string(i));
    }
    const char c = utf8[i];
    if (len == 1 && (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\')) {
      AppendEscaped(c, out);
    } else {
      out.append(utf8.substr(i, len));
    }
    i += len;
  }
  out += '"';
  return out;
}

void JsJsonObject::Key(std::string_view key) {
  if (!first_) out_ += ',';
  first_ = false;
  Result<std::string> quoted = JsQuoteString(key);
  if (!quoted.ok()) {
    if (error_.ok()) error_ = quoted.status().WithContext("key");
    return;
  }
  out_ += *quoted + ":";
}

JsJsonObject& JsJsonObject::String(std::string_view key, std::string_view value) {
  Key(key);
  Result<std::string> quoted = JsQuoteString(value);
  if (!quoted.ok()) {
    if (error_.ok()) error_ = quoted.status().WithContext("field \"" + std::string(key) + "\"");
    return *this;
  }
  out_ += *quoted;
  return *this;
}

JsJsonObject& JsJsonObject::Integer(std::string_view key, std::int64_t value) {
  // JS numbers are doubles: integers beyond 2^53 print as the double they round to.
  return Number(key, static_cast<double>(value));
}

JsJsonObject& JsJsonObject::Number(std::string_view key, double value) {
  Key(key);
  out_ += JsNumberToString(value);
  return *this;
}

JsJsonObject& JsJsonObject::Bool(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
  return *this;
}

JsJsonObject& JsJsonObject::Null(std::string_view key) {
  Key(key);
  out_ += "null";
  return *this;
}

JsJsonObject& JsJsonObject::Raw(std::string_view key, std::string_view json) {
  Key(key);
  out_ += json;
  return *this;
}

Result<std::string> JsJsonObject::Finish() const {
  if (!error_.ok()) return error_;
  return out_ + "}";
}

}  // namespace claw::client
