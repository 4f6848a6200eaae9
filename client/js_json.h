// JSON text byte-identical to JavaScript's JSON.stringify, for flat objects built in
// insertion order (PROTOCOL.md §6: commitment bytes are defined by JSON.stringify).
//
// nlohmann::json's dump prints numbers differently ("875.5" vs "875.50" is fine, but
// 1e21 -> "1e+21" and 1e-7 -> "1e-07" are not), so these bytes are produced here.
// Not thread-safe per object; free functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/engine/status.h"

namespace claw::client {

// Number::toString (ECMA-262 §6.1.6.1.20): shortest round-trip digits, exponent form when
// the decimal exponent is >= 21 or <= -7, "-0" prints "0", NaN and infinities print "null"
// (what JSON.stringify emits for them).
std::string JsNumberToString(double value);

// A quoted JSON string as JSON.stringify writes it. Error on invalid UTF-8 (JS strings can
// hold lone surrogates, but valid UTF-8 cannot express them, so they are unreachable here).
Result<std::string> JsQuoteString(std::string_view utf8);

// Builds `{"k":v,...}` in insertion order. The first error sticks and is returned by Finish.
class JsJsonObject {
 public:
  JsJsonObject& String(std::string_view key, std::string_view value);
  JsJsonObject& Integer(std::string_view key, std::int64_t value);
  JsJsonObject& Number(std::string_view key, double value);
  JsJsonObject& Bool(std::string_view key, bool value);
  JsJsonObject& Null(std::string_view key);
  // `json` must already be JSON.stringify output (e.g. a nested JsJsonObject).
  JsJsonObject& Raw(std::string_view key, std::string_view json);

  // The object text, or the first error (an invalid UTF-8 key or value).
  Result<std::string> Finish() const;

 private:
  void Key(std::string_view key);

  std::string out_ = "{";
  bool first_ = true;
  Status error_;
};

}  // namespace claw::client
