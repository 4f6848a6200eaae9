// JSON-lines frames (sim/feed/json_decode.h, json_scan.h): every kind, bare, wrapped and
// with a receive-time prefix; exact fixed-point values; skips.
#include <string>

#include "tests/sim/feed/feed_test_util.h"

namespace claw::feed::testing {
namespace {

using engine::MarketEventKind;

const std::string kSpotTrade =
    R"({"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000",)"
    R"("q":"0.02000000","T":1723161255342,"m":true,"M":true})";
const std::string kAggTrade =
    R"({"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000",)"
    R"("q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true})";
const std::string kFuturesBook =
    R"({"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507",)"
    R"("a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313})";
const std::string kMark =
    R"({"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000",)"
    R"("i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000})";
const std::string kClosedKline =
    R"({"e":"kline","E":1633998540001,"s":"NKNUSDT","k":{"t":1633998480000,)"
    R"("T":1633998539999,"s":"NKNUSDT","i":"1m","f":19862761,"L":19862790,"o":"0.35270000",)"
    R"("c":"0.35280000","h":"0.35290000","l":"0.35220000","v":"25877.00000000","n":30,)"
    R"("x":true,"q":"9116.04600000","V":"58.00000000","Q":"20.46240000","B":"0"}})";

std::string Wrap(const std::string& stream, const std::string& data) {
  return R"({"stream":")" + stream + R"(","data":)" + data + "}";
}

// The three line shapes of one frame must give the same event.
std::vector<std::string> Shapes(const std::string& stream, const std::string& data) {
  return {data, Wrap(stream, data), "1723161254087896568 " + Wrap(stream, data)};
}

TEST_CASE("spot trade parses to a trade event, bare, wrapped and prefixed", "[sim][feed]") {
  for (const auto& line : Shapes("btcusdt@trade", kSpotTrade)) {
    auto ev = One(line);
    CHECK(ev.kind == MarketEventKind::kTrade);
    CHECK(ev.time_ms == 1723161255343);  // "E", not "T"
    CHECK(ev.symbol == "BTCUSDT");
    CHECK(ev.price.ticks == 618376300);
    CHECK(ev.qty.units == 2000000);
    CHECK(ev.buyer_is_maker);
  }
}

TEST_CASE("wrapped aggTrade parses to a trade event", "[sim][feed]") {
  for (const auto& line : Shapes("nknusdt@aggTrade", kAggTrade)) {
    auto ev = One(line);
    CHECK(ev.kind == MarketEventKind::kTrade);
    CHECK(ev.time_ms == 1633998523963);
    CHECK(ev.symbol == "NKNUSDT");
    CHECK(ev.price.ticks == 3528);
    CHECK(ev.qty.units == 5'800'000'000);
    CHECK_FALSE(ev.buyer_is_maker);
  }
}

TEST_CASE("futures bookTicker parses with its own event time", "[sim][feed]") {
  for (const auto& line : Shapes("btcusdt@bookTicker", kFuturesBook)) {
    auto ev = One(line);
    CHECK(ev.kind == MarketEventKind::kBookTicker);
    CHECK(ev.time_ms == 1723161256313);
    CHECK(ev.bid.ticks == 618002000);
    CHECK(ev.ask.ticks == 618003000);
    CHECK(ev.bid_qty.units == 250700000);
    CHECK(ev.ask_qty.units == 251000000);
  }
}

TEST_CASE("markPriceUpdate parses to a mark price event", "[sim][feed]") {
  for (const auto& line : Shapes("btcusdt@markPrice@1s", kMark)) {
    auto ev = One(line);
    CHECK(ev.kind == MarketEventKind::kMarkPrice);
    CHECK(ev.time_ms == 1562305380000);
    CHECK(ev.price.ticks == 117941500);
  }
}

TEST_CASE("closed kline parses to its close, high, low and volume", "[sim][feed]") {
  for (const auto& line : Shapes("nknusdt@kline_1m", kClosedKline)) {
    auto ev = One(line);
    CHECK(ev.kind == MarketEventKind::kKline);
    CHECK(ev.time_ms == 1633998540001);
    CHECK(ev.price.ticks == 3528);
    CHECK(ev.high.ticks == 3529);
    CHECK(ev.low.ticks == 3522);
    CHECK(ev.qty.units == 2'587'700'000'000);
  }
}

TEST_CASE("open kline is skipped as kline(open)", "[sim][feed]") {
  std::string open = kClosedKline;
  open.replace(open.find("\"x\":true"), 8, "\"x\":false");
  auto r = ReadBuffer(Wrap("nknusdt@kline_1m", open));
  CHECK(r.events.empty());
  CHECK(r.stats.skipped == 1);
  CHECK(r.stats.skipped_by_type.at("kline(open)") == 1);
}

TEST_CASE("spot bookTicker without a prefix takes the file's last event time",
          "[sim][feed]") {
  const std::string book =
      R"({"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000",)"
      R"("a":"61837.64000000","A":"1.54698000"})";
  auto r = ReadBuffer(book + "\n" + kSpotTrade + "\n" + Wrap("btcusdt@bookTicker", book));
  REQUIRE(r.events.size() == 2);  // the first has no time to take
  CHECK(r.stats.skipped_by_type.at("bookTicker(untimed)") == 1);
  CHECK(r.events[1].kind == MarketEventKind::kBookTicker);
  CHECK(r.events[1].time_ms == 1723161255343);
  CHECK(r.events[1].bid.ticks == 618376300);
  CHECK(r.events[1].ask_qty.units == 154698000);
}

TEST_CASE("spot bookTicker with a prefix advances the last event time by the receive gap",
          "[sim][feed]") {
  const std::string book = Wrap("btcusdt@bookTicker",
                                R"({"u":1,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"})");
  // Receive clock 1.27 s behind: the first book (before any "E") keeps its raw receive time.
  auto r = ReadBuffer("1723161254000000000 " + book + "\n" +           // recv ...254000
                      "1723161254073000000 " + Wrap("btcusdt@trade", kSpotTrade) + "\n" +
                      "1723161254080500000 " + book + "\n");           // 7 ms later
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[0].time_ms == 1723161254000);
  CHECK(r.events[2].time_ms == 1723161255343 + 7);
}

TEST_CASE("cryptofeed lines with seconds prefix, URL header and REST log parse",
          "[sim][feed]") {
  auto r = ReadBuffer(
      "wss://stream.binance.com:9443/stream?streams=nknusdt@aggTrade <-> 1633998511.159679\n"
      "1633998523.9876: " + Wrap("nknusdt@aggTrade", kAggTrade) + "\n" +
      "https://api.binance.com/api/v3/depth?symbol=NKNUSDT&limit=1000 -> 1633998512.32: "
      R"({"lastUpdateId":499869752,"bids":[["0.35210000","672.00000000"]],"asks":[]})" "\n\n");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].price.ticks == 3528);
  CHECK(r.stats.lines == 3);
  CHECK(r.stats.skipped_by_type.at("connection") == 1);
  CHECK(r.stats.skipped_by_type.at("depthSnapshot") == 1);
  CHECK(r.stats.malformed == 0);
}

TEST_CASE("depth, snapshots, replies and unknown frames are skipped by type", "[sim][feed]") {
  auto r = ReadBuffer(
      Wrap("btcusdt@depth@100ms",
           R"({"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["1","2"]],"a":[]})") +
      "\n" + R"({"lastUpdateId":5,"bids":[],"asks":[]})" + "\n" +
      Wrap("btcusdt@depth5", R"({"lastUpdateId":5,"bids":[],"asks":[]})") + "\n" +
      R"({"result":null,"id":1})" + "\n" + R"({"code":2,"msg":"Invalid request"})" + "\n" +
      Wrap("!serverShutdown", R"({"e":"serverShutdown","E":1770123456789})") + "\n" +
      Wrap("!markPrice@arr", "[" + kMark + "]") + "\n" + "{}\n");
  CHECK(r.events.empty());
  CHECK(r.stats.malformed == 0);
  CHECK(r.stats.skipped == 8);
  CHECK(r.stats.skipped_by_type == std::map<std::string, std::uint64_t>{
                                       {"array", 1},
                                       {"depthSnapshot", 1},
                                       {"depthUpdate", 1},
                                       {"error", 1},
                                       {"partialDepth", 1},
                                       {"response", 1},
                                       {"serverShutdown", 1},
                                       {"unknown", 1}});
}

TEST_CASE("prices round half to even at the fifth decimal", "[sim][feed]") {
  auto price = [](const std::string& p) {
    return One(R"({"e":"trade","E":1,"s":"X","p":")" + p + R"(","q":"1","m":false})").price.ticks;
  };
  CHECK(price("61837.63000000") == 618376300);
  CHECK(price("1.00005") == 10000);     // tie, 0 is even: down
  CHECK(price("1.00015") == 10002);     // tie, 1 is odd: up
  CHECK(price("1.000050001") == 10001); // above the tie: up
  CHECK(price("1.00004999") == 10000);
  CHECK(price("0.00002854") == 0);      // below a tick
  CHECK(price("0.00006") == 1);
  CHECK(price("42") == 420000);
}

TEST_CASE("escaped strings and odd whitespace still parse (simdjson fallback)",
          "[sim][feed]") {
  auto ev = One(R"( { "e" : "trade" , "E" : 5 , "s" : "BTC\u0055SDT" , "p" : "1.5" ,)"
                R"( "q" : "2" , "m" : false } )");
  CHECK(ev.symbol == "BTCUSDT");
  CHECK(ev.price.ticks == 15000);
  CHECK(ev.time_ms == 5000);  // a small "E" reads as seconds
}

TEST_CASE("hand scanner and simdjson agree on every frame kind", "[sim][feed]") {
  std::string doc;
  for (const auto& [stream, data] : std::vector<std::pair<std::string, std::string>>{
           {"btcusdt@trade", kSpotTrade}, {"nknusdt@aggTrade", kAggTrade},
           {"btcusdt@bookTicker", kFuturesBook}, {"btcusdt@markPrice", kMark},
           {"nknusdt@kline_1m", kClosedKline}}) {
    for (const auto& line : Shapes(stream, data)) doc += line + "\n";
  }
  FeedOptions slow;
  slow.json_simdjson_only = true;
  auto a = ReadBuffer(doc);
  auto b = ReadBuffer(doc, "test.jsonl", slow);
  REQUIRE(a.events.size() == 15);
  REQUIRE(b.events.size() == a.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    CHECK(a.events[i].time_ms == b.events[i].time_ms);
    CHECK(a.events[i].price == b.events[i].price);
    CHECK(a.events[i].qty == b.events[i].qty);
    CHECK(a.events[i].bid == b.events[i].bid);
    CHECK(a.events[i].ask_qty == b.events[i].ask_qty);
    CHECK(a.events[i].high == b.events[i].high);
  }
}

}  // namespace
}  // namespace claw::feed::testing
