#include "sim/engine/money.h"

#include <catch2/catch.hpp>

using namespace claw::engine;

TEST_CASE("ParseFixed normalises to the scale, rounding half to even", "[sim][engine]") {
  std::int64_t v = 0;
  REQUIRE(ParseFixed("61837.63000000", 4, &v));
  CHECK(v == 618376300);
  REQUIRE(ParseFixed("0.00005", 4, &v));  // half, 0 is even -> down
  CHECK(v == 0);
  REQUIRE(ParseFixed("0.00015", 4, &v));  // half, 1 is odd -> up
  CHECK(v == 2);
  REQUIRE(ParseFixed("0.000150001", 4, &v));  // above half -> up
  CHECK(v == 2);
  REQUIRE(ParseFixed("-1.00025", 4, &v));
  CHECK(v == -10002);
  REQUIRE(ParseFixed("42", 8, &v));
  CHECK(v == 4'200'000'000);
  REQUIRE(ParseFixed(".5", 1, &v));
  CHECK(v == 5);
}

TEST_CASE("ParseFixed refuses malformed and out-of-range input", "[sim][engine]") {
  std::int64_t v = 0;
  for (const char* bad : {"", "-", ".", "1e5", "NaN", "Infinity", "1.2.3", " 1", "+1", "1,5",
                          "99999999999999999999", "92233720368.54775808"}) {
    INFO(bad);
    CHECK_FALSE(ParseFixed(bad, 8, &v));
  }
  auto r = ParseFixedOrError("abc", 8, "quantity");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "quantity 'abc' is not a decimal number in range");
}

TEST_CASE("FormatFixed prints exactly the scale's digits", "[sim][engine]") {
  CHECK(FormatFixed(955000, 4) == "95.5000");
  CHECK(FormatFixed(-5, 4) == "-0.0005");
  CHECK(FormatFixed(0, 8) == "0.00000000");
  CHECK(ToString(Price{618376300}) == "61837.6300");
}

TEST_CASE("Notional widens before dividing and reports overflow", "[sim][engine]") {
  auto n = Notional(Price{618376300}, Qty{2'000'000});  // 61837.63 * 0.02
  REQUIRE(n.ok());
  CHECK(ToString(*n) == "1236.75260000");
  auto big = Notional(Price{INT64_MAX / 2}, Qty{INT64_MAX / 2});
  CHECK_FALSE(big.ok());
  std::int64_t out = 0;
  REQUIRE(MulDiv(-7, 1, 2, Rounding::kDown, &out));
  CHECK(out == -4);
  REQUIRE(MulDiv(-7, 1, 2, Rounding::kUp, &out));
  CHECK(out == -3);
  REQUIRE(MulDiv(5, 1, 2, Rounding::kHalfEven, &out));
  CHECK(out == 2);
  REQUIRE(MulDiv(7, 1, 2, Rounding::kHalfEven, &out));
  CHECK(out == 4);
}
