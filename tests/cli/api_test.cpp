#include "cli/api.h"

#include <catch2/catch.hpp>
#include <sstream>

using namespace claw::cli;
using nlohmann::ordered_json;

TEST_CASE("tables align columns by their widest cell and trim trailing spaces", "[cli]") {
  Table t({"ORDER", "SYMBOL", "STATUS"});
  t.Add({"1", "BTCUSDT", "filled"});
  t.Add({"12345678", "ETHUSDT", "-"});
  std::ostringstream out;
  t.Print(out);  // not stdout: never coloured
  CHECK(out.str() ==
        "ORDER     SYMBOL   STATUS\n"
        "1         BTCUSDT  filled\n"
        "12345678  ETHUSDT  -\n");
}

TEST_CASE("cells print strings bare, null and absent as '-', other values as JSON", "[cli]") {
  const ordered_json j = {{"s", "x"}, {"n", nullptr}, {"i", 3}, {"b", true}};
  CHECK(Cell(j, "s") == "x");
  CHECK(Cell(j, "n") == "-");
  CHECK(Cell(j, "missing") == "-");
  CHECK(Cell(j, "i") == "3");
  CHECK(Cell(j, "b") == "true");
}

TEST_CASE("query strings percent-encode values and skip empty ones", "[cli]") {
  CHECK(PercentEncode("open,filled") == "open%2Cfilled");
  CHECK(PercentEncode("a b/c?d") == "a%20b%2Fc%3Fd");
  CHECK(PercentEncode("BTC-usdt_1.0~") == "BTC-usdt_1.0~");
  std::string target = "/v1/orders";
  AddQuery(target, "status", "open");
  AddQuery(target, "symbol", "");
  AddQuery(target, "limit", "5");
  CHECK(target == "/v1/orders?status=open&limit=5");
}

TEST_CASE("fields print one aligned 'key: value' line each, nested objects dotted", "[cli]") {
  const ordered_json j = {{"status", "healthy"}, {"feed", {{"state", "live"}}}, {"list", {1, 2}}, {"n", nullptr}};
  std::ostringstream out;
  PrintFields(out, j);
  CHECK(out.str() == "status:     healthy\nfeed.state: live\nn:          -\n");
}
