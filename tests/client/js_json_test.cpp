#include "client/js_json.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using claw::client::JsJsonObject;
using claw::client::JsNumberToString;
using claw::client::JsQuoteString;

// Expected strings are what node v20 prints for JSON.stringify(x).
TEST_CASE("numbers print like JavaScript's Number toString", "[client]") {
  CHECK(JsNumberToString(875.50) == "875.5");
  CHECK(JsNumberToString(100) == "100");
  CHECK(JsNumberToString(0.5) == "0.5");
  CHECK(JsNumberToString(-123.456) == "-123.456");
  CHECK(JsNumberToString(1234567.125) == "1234567.125");
  CHECK(JsNumberToString(0.1 + 0.2) == "0.30000000000000004");
  CHECK(JsNumberToString(1e21) == "1e+21");
  CHECK(JsNumberToString(123456789012345680000.0) == "123456789012345680000");
  CHECK(JsNumberToString(5e-7) == "5e-7");
  CHECK(JsNumberToString(1.5e-7) == "1.5e-7");
  CHECK(JsNumberToString(0.000001) == "0.000001");
  CHECK(JsNumberToString(123e-20) == "1.23e-18");
  CHECK(JsNumberToString(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(JsNumberToString(5e-324) == "5e-324");
  CHECK(JsNumberToString(9007199254740994.0) == "9007199254740994");
  CHECK(JsNumberToString(-0.0) == "0");
  CHECK(JsNumberToString(std::nan("")) == "null");
  CHECK(JsNumberToString(std::numeric_limits<double>::infinity()) == "null");
  CHECK(JsNumberToString(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("strings are escaped like JSON.stringify", "[client]") {
  CHECK(*JsQuoteString("a\"b\\c\b\f\n\r\t") == "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\"");
  CHECK(*JsQuoteString(std::string("\x01\x1f\x7f", 3)) == "\"\\u0001\\u001f\x7f\"");
  CHECK(*JsQuoteString(std::string("\0", 1)) == "\"\\u0000\"");
  CHECK(*JsQuoteString("/") == "\"/\"");
  // Non-ASCII stays raw UTF-8: é, €, U+1F600.
  CHECK(*JsQuoteString("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") ==
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

TEST_CASE("invalid UTF-8 is rejected", "[client]") {
  CHECK(JsQuoteString("\xff").status().message() == "invalid UTF-8 at byte 0");
  CHECK(!JsQuoteString("a\xc3").ok());                  // truncated
  CHECK(!JsQuoteString("\xc0\xaf").ok());               // overlong
  CHECK(!JsQuoteString("\xed\xa0\x80").ok());           // encoded surrogate
  CHECK(!JsQuoteString("\xf4\x90\x80\x80").ok());       // beyond U+10FFFF
}

TEST_CASE("objects keep insertion order and compact layout", "[client]") {
  auto text = JsJsonObject().String("b", "x").Integer("a", -5).Number("c", 1e21).Bool("d", true)
                  .Null("e").Raw("f", "{\"g\":1}").Finish();
  CHECK(*text == "{\"b\":\"x\",\"a\":-5,\"c\":1e+21,\"d\":true,\"e\":null,\"f\":{\"g\":1}}");
  CHECK(*JsJsonObject().Finish() == "{}");
  auto bad = JsJsonObject().String("k", "\xff").Finish();
  CHECK(bad.status().message() == "field \"k\": invalid UTF-8 at byte 0");
}
