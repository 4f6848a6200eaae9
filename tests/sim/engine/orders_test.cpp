// Order placement: rejections, idempotency, sizing, time in force, displayed size.
#include <catch2/catch.hpp>

#include "sim/engine/engine.h"
#include "tests/sim/engine/engine_test_util.h"

using namespace claw::engine;
using namespace claw::engine::testing;

namespace {

struct Arena {
  explicit Arena(EngineConfig cfg = {}, Cash deposit = Usd(10'000)) : engine(std::move(cfg)) {
    alice = engine.OpenWallet("alice", deposit, &ev).value();
  }
  void Tick(const MarketEvent& m) { engine.ApplyMarket(m, &ev); }
  OrderId Place(const OrderRequest& r, std::int64_t now = 1000) {
    ev.clear();
    OrderId id = engine.PlaceOrder(alice, r, now, &ev);
    REQUIRE(engine.CheckInvariants().ok());
    return id;
  }
  Engine engine;
  std::vector<Event> ev;
  WalletId alice = 0;
};

void ExpectRejected(Arena& a, const OrderRequest& r, RejectCode code, const std::string& reason,
                    std::int64_t now = 1000) {
  OrderId id = a.Place(r, now);
  REQUIRE(id != 0);
  REQUIRE(a.ev.size() == 1);
  CHECK(a.ev[0].kind == EventKind::kOrderRejected);
  CHECK(a.ev[0].reason == reason);
  const Order* o = a.engine.FindOrder(id);
  REQUIRE(o != nullptr);
  CHECK(o->status == OrderStatus::kRejected);
  CHECK(o->reject == code);
  CHECK(o->reason == reason);
}

}  // namespace

TEST_CASE("every rejection code carries its reason and the order is recorded", "[sim][engine]") {
  EngineConfig cfg;
  cfg.instruments = {Instrument{.symbol = "BTCUSDT"}, Instrument{.symbol = "ETHUSDT", .max_leverage = 10}};
  Arena a(cfg, Usd(100));
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  const auto btc = [](Qty q) { return Market("BTCUSDT", Side::kBuy, q); };

  SECTION("INVALID_SYMBOL") {
    ExpectRejected(a, Market("XYZUSDT", Side::kBuy, Base(1)), RejectCode::kInvalidSymbol,
                   "unknown symbol 'XYZUSDT'");
  }
  SECTION("INVALID_PARAMETER") {
    OrderRequest r = btc(Qty{100});
    ExpectRejected(a, r, RejectCode::kInvalidParameter,
                   "quantity 0.00000100 is not a multiple of step size 0.00001000");
    r = Limit("BTCUSDT", Side::kBuy, Qty{100'000}, Price{1'000'010});
    ExpectRejected(a, r, RejectCode::kInvalidParameter,
                   "price 100.0010 is not a multiple of tick size 0.0100");
    ExpectRejected(a, btc(Qty{1'000}), RejectCode::kInvalidParameter,
                   "notional 0.00101000 is below the minimum 5.00000000");
    r = btc(Qty{100'000});
    r.rationale = std::string(1001, 'x');
    ExpectRejected(a, r, RejectCode::kInvalidParameter, "rationale is longer than 1000 characters");
    r.rationale = std::string(1000, 'x');
    r.notional = Usd(6);
    ExpectRejected(a, r, RejectCode::kInvalidParameter, "give either quantity or notional, not both");
    ExpectRejected(a, btc(Qty{0}), RejectCode::kInvalidParameter, "quantity or notional is required");
    r = btc(Base(1));
    r.price = Px(101);
    ExpectRejected(a, r, RejectCode::kInvalidParameter, "price is not allowed on a market order");
    ExpectRejected(a, Limit("BTCUSDT", Side::kBuy, Base(1), Price{0}),
                   RejectCode::kInvalidParameter, "limit order needs a positive price");
    ExpectRejected(a, Market("BTCUSDT", Side::kBuy, Base(1), 0), RejectCode::kInvalidParameter,
                   "leverage must be at least 1");
  }
  SECTION("INSUFFICIENT_BALANCE: initial margin + taker fee above available") {
    ExpectRejected(a, btc(Base(1)), RejectCode::kInsufficientBalance,
                   "order needs 101.04040000 (margin 101.00000000 + fee 0.04040000), "
                   "available 100.00000000");
    // The same order at leverage 2 needs 50.5 + 0.0404 and is accepted.
    OrderRequest r = Market("BTCUSDT", Side::kBuy, Base(1), 2);
    a.Place(r);
    CHECK(a.ev[0].kind == EventKind::kOrderAccepted);
  }
  SECTION("RISK_LIMIT_EXCEEDED: leverage above min(instrument, arena)") {
    ExpectRejected(a, Market("BTCUSDT", Side::kBuy, Base(1), 21), RejectCode::kRiskLimitExceeded,
                   "leverage 21 exceeds the maximum 20 for BTCUSDT");
    a.Tick(Book("ETHUSDT", 1000, Px(10), Px(11)));
    ExpectRejected(a, Market("ETHUSDT", Side::kBuy, Base(1), 11), RejectCode::kRiskLimitExceeded,
                   "leverage 11 exceeds the maximum 10 for ETHUSDT");
  }
  SECTION("MARKET_CLOSED: no price yet, or a stale one") {
    ExpectRejected(a, Market("ETHUSDT", Side::kBuy, Base(1)), RejectCode::kMarketClosed,
                   "no price yet for ETHUSDT");
    ExpectRejected(a, btc(Qty{10'000'000}), RejectCode::kMarketClosed,
                   "last update for BTCUSDT is 10001 ms old (stale after 10000 ms)", 11'001);
    a.Place(btc(Qty{10'000'000}), 11'000);  // exactly stale_feed_ms old is still open
    CHECK(a.ev[0].kind == EventKind::kOrderAccepted);
  }
}

TEST_CASE("a symbol outside the configured instruments is not tradable", "[sim][engine]") {
  EngineConfig cfg;
  cfg.instruments = {Instrument{.symbol = "BTCUSDT"}};
  Arena a(cfg);
  a.Tick(Book("DOGEUSDT", 1000, Px(1), Px(2)));
  ExpectRejected(a, Market("DOGEUSDT", Side::kBuy, Base(10)), RejectCode::kInvalidSymbol,
                 "unknown symbol 'DOGEUSDT'");
  CHECK(a.engine.Instruments().size() == 1);
}

TEST_CASE("with no instruments configured, feed symbols become tradable with defaults",
          "[sim][engine]") {
  Arena a;
  ExpectRejected(a, Market("DOGEUSDT", Side::kBuy, Base(10)), RejectCode::kInvalidSymbol,
                 "unknown symbol 'DOGEUSDT'");
  a.Tick(Book("DOGEUSDT", 1000, Px(1), Px(2)));
  a.Place(Market("DOGEUSDT", Side::kBuy, Base(10)));
  CHECK(a.engine.FindOrder(2)->status == OrderStatus::kFilled);
  REQUIRE(a.engine.Instruments().size() == 1);
  CHECK(a.engine.Instruments()[0].step_size == Qty{1'000});
}

TEST_CASE("client_order_id is idempotent for the same request", "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  OrderRequest r = Limit("BTCUSDT", Side::kBuy, Base(1), Px(90));
  r.client_order_id = "c-1";
  OrderId first = a.Place(r);
  CHECK(a.ev.size() == 1);
  SECTION("same id, same request: the original id, no events") {
    CHECK(a.Place(r) == first);
    CHECK(a.ev.empty());
    CHECK(a.engine.OpenOrders(a.alice).size() == 1);
  }
  SECTION("same id, different request: DUPLICATE_ORDER, nothing recorded") {
    r.price = Px(91);
    CHECK(a.Place(r) == 0);
    REQUIRE(a.ev.size() == 1);
    CHECK(a.ev[0].kind == EventKind::kOrderRejected);
    CHECK(a.ev[0].order.reject == RejectCode::kDuplicateOrder);
    CHECK(a.ev[0].reason == "client_order_id 'c-1' was used for a different order");
    CHECK(a.engine.FindOrder(2) == nullptr);
    r.client_order_id = "c-2";
    CHECK(a.Place(r) == 2);
  }
  SECTION("cancel by client id") {
    CHECK(a.engine.CancelByClientId(a.alice, "c-1", 1000, &a.ev).ok());
    CHECK(a.engine.FindOrder(first)->status == OrderStatus::kCancelled);
    CHECK(a.engine.CancelByClientId(a.alice, "c-1", 1000, &a.ev).code() ==
          claw::StatusCode::kNotFound);
  }
}

TEST_CASE("notional orders convert at the fill or limit price, rounded down to the step",
          "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  SECTION("market buy at the ask") {
    OrderRequest r = Market("BTCUSDT", Side::kBuy, Qty{0});
    r.notional = Usd(1000);
    OrderId id = a.Place(r);
    // 1000 / 101 = 9.900990099... -> 9.90099 (step 0.00001)
    CHECK(a.engine.FindOrder(id)->quantity == Qty{990'099'000});
    CHECK(a.engine.FindOrder(id)->status == OrderStatus::kFilled);
  }
  SECTION("limit sell at its price") {
    OrderRequest r = Limit("BTCUSDT", Side::kSell, Qty{0}, Px(120));
    r.notional = Usd(1000);
    OrderId id = a.Place(r);
    CHECK(a.engine.FindOrder(id)->quantity == Qty{833'333'000});  // 8.3333333 -> 8.33333
    CHECK(a.engine.FindOrder(id)->status == OrderStatus::kOpen);
  }
}

TEST_CASE("fills are capped by displayed size; a market remainder is cancelled",
          "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101), Qty{50'000'000}, Qty{50'000'000}));
  Side side = Side::kBuy;
  Price expect = Px(101);
  SECTION("buy takes the ask size") {}
  SECTION("sell takes the bid size") {
    side = Side::kSell;
    expect = Px(100);
  }
  OrderId id = a.Place(Market("BTCUSDT", side, Base(1)));
  CHECK(Kinds(a.ev) == std::vector<EventKind>{EventKind::kOrderAccepted, EventKind::kFill,
                                              EventKind::kPositionChanged,
                                              EventKind::kOrderCancelled});
  CHECK(a.ev[1].fill.quantity == Qty{50'000'000});
  CHECK(a.ev[1].fill.price == expect);
  CHECK(a.ev[3].reason == "market remainder: no displayed liquidity");
  const Order* o = a.engine.FindOrder(id);
  CHECK(o->status == OrderStatus::kCancelled);
  CHECK(o->filled == Qty{50'000'000});
  // The displayed size is used up until the next bookTicker, even at the same timestamp.
  OrderId second = a.Place(Market("BTCUSDT", side, Base(1)));
  CHECK(a.engine.FindOrder(second)->filled == Qty{0});
  CHECK(OfKind(a.ev, EventKind::kFill).empty());
  a.Tick(Book("BTCUSDT", 1001, Px(100), Px(101), Qty{50'000'000}, Qty{50'000'000}));
  OrderId third = a.Place(Market("BTCUSDT", side, Qty{20'000'000}), 1001);
  CHECK(a.engine.FindOrder(third)->status == OrderStatus::kFilled);
}

TEST_CASE("IOC remainder is cancelled", "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101), Qty{30'000'000}, Qty{30'000'000}));
  Side side = Side::kBuy;
  Price limit = Px(102);
  SECTION("buy") {}
  SECTION("sell") {
    side = Side::kSell;
    limit = Px(99);
  }
  OrderId id = a.Place(Limit("BTCUSDT", side, Base(1), limit, TimeInForce::kIoc));
  const Order* o = a.engine.FindOrder(id);
  CHECK(o->status == OrderStatus::kCancelled);
  CHECK(o->filled == Qty{30'000'000});
  CHECK(a.ev.back().kind == EventKind::kOrderCancelled);
  CHECK(a.ev.back().reason == "IOC remainder");
  CHECK(a.engine.OpenOrders(a.alice).empty());
}

TEST_CASE("FOK fills whole or is cancelled without a fill", "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101), Qty{50'000'000}, Qty{50'000'000}));
  Side side = Side::kBuy;
  SECTION("buy") {}
  SECTION("sell") { side = Side::kSell; }
  OrderRequest r = Market("BTCUSDT", side, Base(1));
  r.time_in_force = TimeInForce::kFok;
  OrderId id = a.Place(r);
  CHECK(Kinds(a.ev) == std::vector<EventKind>{EventKind::kOrderAccepted, EventKind::kOrderCancelled});
  CHECK(a.ev.back().reason == "FOK not fillable");
  CHECK(a.engine.FindOrder(id)->status == OrderStatus::kCancelled);
  CHECK(a.engine.FindOrder(id)->filled == Qty{0});
  r.quantity = Qty{50'000'000};
  id = a.Place(r);
  CHECK(a.engine.FindOrder(id)->status == OrderStatus::kFilled);
}

TEST_CASE("a GTC limit remainder rests, then fills as maker at its price when crossed",
          "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101), Qty{40'000'000}, Qty{40'000'000}));
  Side side = Side::kBuy;
  Price limit = Px(101), taker = Px(101);
  MarketEvent cross = Book("BTCUSDT", 2000, Px(99), Px(100));
  SECTION("buy: crossed when the ask drops to the limit") {}
  SECTION("buy: crossed by a trade at or below the limit") { cross = Trade("BTCUSDT", 2000, Px(101)); }
  SECTION("sell: crossed when the bid rises to the limit") {
    side = Side::kSell;
    limit = taker = Px(100);
    cross = Book("BTCUSDT", 2000, Px(101), Px(102));
  }
  SECTION("sell: crossed by a trade at or above the limit") {
    side = Side::kSell;
    limit = taker = Px(100);
    cross = Trade("BTCUSDT", 2000, Px(100));
  }
  OrderId id = a.Place(Limit("BTCUSDT", side, Base(1), limit));
  const Order* o = a.engine.FindOrder(id);
  CHECK(o->status == OrderStatus::kPartiallyFilled);
  CHECK(o->filled == Qty{40'000'000});
  CHECK(a.ev[1].fill.price == taker);
  CHECK_FALSE(a.ev[1].fill.maker);
  // Reserve: margin for the resting 0.6 at the limit + maker fee 2 bps.
  Cash margin{limit.ticks * 60'000'000 / 10'000};
  Cash fee{(limit.ticks * 60'000'000 / 10'000) * 2 / 10'000};
  CHECK(o->reserved == margin + fee);
  CHECK(a.engine.GetPortfolio(a.alice)->reserved == margin + fee);
  a.ev.clear();
  a.Tick(cross);
  REQUIRE(a.engine.CheckInvariants().ok());
  auto fills = OfKind(a.ev, EventKind::kFill);
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].fill.maker);
  CHECK(fills[0].fill.price == limit);
  CHECK(fills[0].fill.quantity == Qty{60'000'000});
  CHECK(fills[0].fill.fee == fee);
  CHECK(o->status == OrderStatus::kFilled);
  CHECK(o->reserved == Cash{0});
  CHECK(a.engine.GetPortfolio(a.alice)->reserved == Cash{0});
  CHECK(a.engine.OpenOrders(a.alice).empty());
  CHECK(a.ev.back().kind == EventKind::kTickApplied);
}

TEST_CASE("a non-crossing limit rests and can be cancelled", "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  OrderId id = a.Place(Limit("BTCUSDT", Side::kBuy, Base(1), Px(90)));
  CHECK(a.engine.FindOrder(id)->status == OrderStatus::kOpen);
  a.Tick(Book("BTCUSDT", 1500, Px(95), Px(96)));
  CHECK(a.engine.FindOrder(id)->filled == Qty{0});
  a.ev.clear();
  CHECK(a.engine.CancelOrder(a.alice, id, 2000, &a.ev).ok());
  CHECK(a.ev.at(0).reason == "user");
  CHECK(a.engine.FindOrder(id)->status == OrderStatus::kCancelled);
  CHECK(a.engine.CancelOrder(a.alice, id, 2000, &a.ev).code() == claw::StatusCode::kNotFound);
  CHECK(a.engine.GetPortfolio(a.alice)->reserved == Cash{0});
}

TEST_CASE("reduce-only orders only reduce, clipped to the position", "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  Side open = Side::kBuy, close = Side::kSell;
  SECTION("long reduced by a sell") {}
  SECTION("short reduced by a buy") {
    open = Side::kSell;
    close = Side::kBuy;
  }
  OrderRequest r = Market("BTCUSDT", close, Base(1));
  r.reduce_only = true;
  ExpectRejected(a, r, RejectCode::kInvalidParameter,
                 "reduce_only order would not reduce a position in BTCUSDT");
  a.Place(Market("BTCUSDT", open, Base(1)));
  OrderRequest same_side = Market("BTCUSDT", open, Base(1));
  same_side.reduce_only = true;
  ExpectRejected(a, same_side, RejectCode::kInvalidParameter,
                 "reduce_only order would not reduce a position in BTCUSDT");
  r.quantity = Base(3);
  OrderId id = a.Place(r);
  CHECK(a.engine.FindOrder(id)->quantity == Base(1));
  CHECK(a.engine.FindOrder(id)->status == OrderStatus::kFilled);
  CHECK(a.engine.GetPortfolio(a.alice)->positions.empty());
}
