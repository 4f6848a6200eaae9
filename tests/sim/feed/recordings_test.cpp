// The real Binance recordings in CLAW_SHARED_DATA/binance (see its README.md for the
// per-stream counts these figures come from).
#include "tests/sim/feed/feed_test_util.h"

namespace claw::feed::testing {
namespace {

using engine::MarketEventKind;

std::string Data(const std::string& name) {
  return std::string(CLAW_SHARED_DATA) + "/binance/" + name;
}

std::uint64_t Kind(const FeedStats& s, MarketEventKind k) {
  return s.events_by_kind[static_cast<int>(k)];
}

TEST_CASE("hftbacktest spot btcusdt recording: every trade and bookTicker, no errors",
          "[sim][feed][io]") {
  auto r = ReadPath(Data("hftbacktest_spot_btcusdt_20240808.gz"));
  CHECK(r.stats.lines == 41249);
  CHECK(r.stats.malformed == 0);
  CHECK(Kind(r.stats, MarketEventKind::kTrade) == 9757);
  CHECK(Kind(r.stats, MarketEventKind::kBookTicker) == 28040);
  CHECK(r.stats.skipped_by_type.at("depthUpdate") == 3451);
  CHECK(r.stats.skipped_by_type.at("depthSnapshot") == 1);
  // The first trade of the file (binance-formats.md §1.4).
  const auto& first_trade = *std::find_if(r.events.begin(), r.events.end(), [](const auto& e) {
    return e.kind == MarketEventKind::kTrade;
  });
  CHECK(first_trade.time_ms == 1723161255343);
  CHECK(first_trade.price.ticks == 618376300);
  CHECK(first_trade.qty.units == 2000000);
  // Spot bookTickers are timed from the exchange clock, not the recorder's (1.27 s behind).
  auto outside = std::count_if(r.events.begin(), r.events.end(), [](const auto& e) {
    return e.time_ms < 1723161255000 || e.time_ms > 1723161602000;
  });
  CHECK(outside == 0);
}

TEST_CASE("hftbacktest spot ethusdt and usdm btcusdt recordings", "[sim][feed][io]") {
  auto eth = ReadPath(Data("hftbacktest_spot_ethusdt_20240808.gz"));
  CHECK(eth.stats.malformed == 0);
  CHECK(Kind(eth.stats, MarketEventKind::kTrade) == 6106);
  CHECK(Kind(eth.stats, MarketEventKind::kBookTicker) == 24077);
  auto usdm = ReadPath(Data("hftbacktest_usdm_btcusdt_20240808.gz"));
  CHECK(usdm.stats.lines == 93954);
  CHECK(usdm.stats.malformed == 0);
  CHECK(Kind(usdm.stats, MarketEventKind::kTrade) == 21313);
  CHECK(Kind(usdm.stats, MarketEventKind::kBookTicker) == 66089);
  CHECK(usdm.stats.skipped_by_type.at("depthUpdate") == 6551);
  CHECK(usdm.events[0].bid.ticks == 618002000);  // "61800.20"
}

TEST_CASE("the hand scanner and simdjson read the recordings identically", "[sim][feed][io]") {
  FeedOptions slow;
  slow.json_simdjson_only = true;
  for (const char* name : {"hftbacktest_usdm_btcusdt_20240808.gz",
                           "cryptofeed_BINANCE_FUTURES.ws.1.0.txt"}) {
    auto a = ReadPath(Data(name));
    auto b = ReadPath(Data(name), slow);
    INFO(name);
    REQUIRE(a.events.size() == b.events.size());
    CHECK(a.stats.skipped_by_type == b.stats.skipped_by_type);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < a.events.size(); ++i) {
      const auto &x = a.events[i], &y = b.events[i];
      differ += x.time_ms != y.time_ms || x.symbol != y.symbol || x.price != y.price ||
                x.qty != y.qty || x.bid != y.bid || x.ask != y.ask || x.bid_qty != y.bid_qty ||
                x.ask_qty != y.ask_qty || x.buyer_is_maker != y.buyer_is_maker;
    }
    CHECK(differ == 0);
  }
}

TEST_CASE("cryptofeed spot and futures recordings", "[sim][feed][io]") {
  auto spot = ReadPath(Data("cryptofeed_BINANCE.ws.1.0.txt"));
  CHECK(spot.stats.malformed == 0);
  CHECK(Kind(spot.stats, MarketEventKind::kBookTicker) == 84);
  CHECK(Kind(spot.stats, MarketEventKind::kTrade) == 2);  // aggTrade
  CHECK(spot.stats.skipped_by_type.at("depthUpdate") == 177);
  CHECK(spot.stats.skipped_by_type.at("kline(open)") == 2);
  CHECK(spot.stats.skipped_by_type.at("connection") == 1);

  auto fut = ReadPath(Data("cryptofeed_BINANCE_FUTURES.ws.1.0.txt"));
  CHECK(fut.stats.malformed == 0);
  CHECK(Kind(fut.stats, MarketEventKind::kBookTicker) == 613);
  CHECK(Kind(fut.stats, MarketEventKind::kTrade) == 91);
  // 67 kline frames, of which 4 close a bar.
  CHECK(Kind(fut.stats, MarketEventKind::kKline) == 4);
  CHECK(fut.stats.skipped_by_type.at("kline(open)") == 63);

  for (const char* rest : {"cryptofeed_BINANCE.http.0.0.txt",
                           "cryptofeed_BINANCE_FUTURES.http.0.0.txt"}) {
    auto r = ReadPath(Data(rest));
    CHECK(r.events.empty());
    CHECK(r.stats.malformed == 0);
    CHECK(r.stats.skipped_by_type.at("depthSnapshot") == 4);
  }
}

TEST_CASE("nautilus kline CSVs give one kline per row with the file's symbol",
          "[sim][feed][io]") {
  auto src = OpenFeeds({Data("nautilus_ADABTC-1m-2021-11-27.csv"),
                        Data("nautilus_ADABTC-1m-2021-11-28.csv")},
                       {});
  REQUIRE(src.ok());
  auto r = Drain(**src);
  CHECK(r.stats.malformed == 0);
  CHECK(Kind(r.stats, MarketEventKind::kKline) == 21);
  CHECK(r.events.front().symbol == "ADABTC");
  CHECK(r.events.front().time_ms == 1637971259999);
  CHECK(r.events.back().time_ms == 1638058259999);
  // ADABTC trades near 0.0000285: below the engine's 1e-4 price tick, so it rounds to 0.
  CHECK(r.events.front().price.ticks == 0);
}

TEST_CASE("freqtrade trade list is refused as a JSON array document", "[sim][feed][io]") {
  auto src = OpenFeed(Data("freqtrade_XRP_ETH-trades.json.gz"), {});
  REQUIRE_FALSE(src.ok());
  CHECK(src.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("merging the spot and futures recordings keeps each file's order",
          "[sim][feed][io]") {
  auto src = OpenFeeds({Data("hftbacktest_spot_btcusdt_20240808.gz"),
                        Data("hftbacktest_usdm_btcusdt_20240808.gz")},
                       {});
  REQUIRE(src.ok());
  auto r = Drain(**src);
  CHECK(r.events.size() == 37797 + 87402);
  CHECK(r.stats.malformed == 0);
}

}  // namespace
}  // namespace claw::feed::testing
