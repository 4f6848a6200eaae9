// data.binance.vision CSV rows (sim/feed/csv_decode.h): each layout, with and without a
// header, ms and us timestamps; the symbol from the file name.
#include "sim/feed/csv_decode.h"
#include "tests/sim/feed/feed_test_util.h"

namespace claw::feed::testing {
namespace {

using engine::MarketEventKind;

TEST_CASE("spot trades CSV in ms and us give the same trade", "[sim][feed]") {
  for (const char* time : {"1735689600010", "1735689600010866"}) {
    auto r = ReadBuffer(std::string("51175358,17.80180000,5.69000000,101.29224200,") + time +
                            ",True,True\n",
                        "BTCUSDT-trades-2025-01-01.csv");
    REQUIRE(r.events.size() == 1);
    const auto& ev = r.events[0];
    CHECK(ev.kind == MarketEventKind::kTrade);
    CHECK(ev.symbol == "BTCUSDT");
    CHECK(ev.time_ms == 1735689600010);
    CHECK(ev.price.ticks == 178018);
    CHECK(ev.qty.units == 569000000);
    CHECK(ev.buyer_is_maker);
  }
}

TEST_CASE("futures trades CSV with a header row", "[sim][feed]") {
  auto r = ReadBuffer(
      "id,price,qty,quote_qty,time,is_buyer_maker\n"
      "5266583935,61800.30,0.006,370.8018,1723161256322,false\n",
      "BTCUSDT-trades-2024-08-08.csv");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].price.ticks == 618003000);
  CHECK(r.events[0].qty.units == 600000);
  CHECK_FALSE(r.events[0].buyer_is_maker);
  CHECK(r.stats.skipped_by_type.at("header") == 1);
  CHECK(r.stats.lines == 2);
}

TEST_CASE("spot and futures aggTrades CSV parse to trades", "[sim][feed]") {
  SECTION("spot, 8 columns, no header, us") {
    auto r = ReadBuffer("0,0.20000000,50.00000000,0,0,1735689600010866,False,True\n",
                        "ADAUSDT-aggTrades-2025-01-01.csv");
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].time_ms == 1735689600010);
    CHECK(r.events[0].price.ticks == 2000);
    CHECK(r.events[0].qty.units == 5'000'000'000);
    CHECK(r.events[0].symbol == "ADAUSDT");
  }
  SECTION("futures, 7 columns, header, ms") {
    auto r = ReadBuffer(
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
        "1,26000.1,0.5,10,12,1684237787209,true\n",
        "BTCUSDT-aggTrades-2023-05-16.csv");
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].time_ms == 1684237787209);
    CHECK(r.events[0].buyer_is_maker);
  }
}

TEST_CASE("futures bookTicker CSV uses the event time column", "[sim][feed]") {
  for (bool header : {false, true}) {
    std::string doc = header ? "update_id,best_bid_price,best_bid_qty,best_ask_price,"
                               "best_ask_qty,transaction_time,event_time\n"
                             : "";
    doc += "1,27077.3,19.35,27077.4,8.6,1684237787209,1684237787214\n";
    auto r = ReadBuffer(doc, "BTCUSDT-bookTicker-2023-05-16.csv");
    REQUIRE(r.events.size() == 1);
    const auto& ev = r.events[0];
    CHECK(ev.kind == MarketEventKind::kBookTicker);
    CHECK(ev.time_ms == 1684237787214);
    CHECK(ev.bid.ticks == 270773000);
    CHECK(ev.ask.ticks == 270774000);
    CHECK(ev.bid_qty.units == 1'935'000'000);
    CHECK(ev.ask_qty.units == 860'000'000);
  }
}

TEST_CASE("klines CSV give close-time kline events; markPriceKlines give mark prices",
          "[sim][feed]") {
  const std::string row =
      "1637971200000,0.00002853,0.00002854,0.00002851,1.23456789,36304.20000000,1637971259999,"
      "1.03547608,79,19523.00000000,0.55694227,0\n";
  auto k = ReadBuffer(row, "ADABTC-1m-2021-11-27.csv");
  REQUIRE(k.events.size() == 1);
  CHECK(k.events[0].kind == MarketEventKind::kKline);
  CHECK(k.events[0].time_ms == 1637971259999);
  CHECK(k.events[0].price.ticks == 12346);  // 1.23456789 to 4 decimals
  CHECK(k.events[0].qty.units == 3'630'420'000'000);

  auto m = ReadBuffer(
      "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
      "taker_buy_quote_volume,ignore\n"
      "1684195200000,27000.1,27010.0,26990.5,27005.2,0,1684195259999,0,60,0,0,0\n",
      "data/futures/um/daily/markPriceKlines/BTCUSDT/1m/BTCUSDT-1m-2023-05-16.csv");
  REQUIRE(m.events.size() == 1);
  CHECK(m.events[0].kind == MarketEventKind::kMarkPrice);
  CHECK(m.events[0].symbol == "BTCUSDT");
  CHECK(m.events[0].price.ticks == 270052000);
  CHECK(m.events[0].time_ms == 1684195259999);
}

TEST_CASE("CSV rows that do not fit the file's layout are malformed", "[sim][feed]") {
  auto r = ReadBuffer(
      "1,27077.3,19.35,27077.4,8.6,1684237787209,1684237787214\n"
      "2,27077.3,19.35\n"
      "3,abc,19.35,27077.4,8.6,1684237787209,1684237787214\n"
      "not,a,number\n",
      "BTCUSDT-bookTicker-2023-05-16.csv");
  CHECK(r.events.size() == 1);
  CHECK(r.stats.malformed == 3);
  CHECK(r.stats.malformed_samples ==
        std::vector<std::string>{
            "BTCUSDT-bookTicker-2023-05-16.csv:2: csv bookTicker: expected 7 columns",
            "BTCUSDT-bookTicker-2023-05-16.csv:3: csv bookTicker: bad bid or ask price",
            "BTCUSDT-bookTicker-2023-05-16.csv:4: csv: first column is not a number "
            "(got \"not\")"});
}

TEST_CASE("CSV symbol comes from the file name or the option", "[sim][feed]") {
  CHECK(SymbolFromFileName("/x/y/BTCUSDT-aggTrades-2024-01-01.csv") == "BTCUSDT");
  CHECK(SymbolFromFileName("nautilus_ADABTC-1m-2021-11-27.csv") == "ADABTC");
  CHECK(SymbolFromFileName("BTCUSD_240927-trades-2024-08-01.csv") == "BTCUSD_240927");
  CHECK(SymbolFromFileName("ethusdt-1m-2024-01-01.csv") == "ETHUSDT");
  FeedOptions o;
  o.csv_symbol = "SOLUSDT";
  auto r = ReadBuffer("1,2.5,1,2.5,1735689600010,true\n", "trades.csv", o);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].symbol == "SOLUSDT");
}

}  // namespace
}  // namespace claw::feed::testing
