// Ticks: marking to market per symbol, stops, liquidation, insurance fund.
#include <catch2/catch.hpp>

#include "sim/engine/engine.h"
#include "tests/sim/engine/engine_test_util.h"

using namespace claw::engine;
using namespace claw::engine::testing;

namespace {

struct Arena {
  explicit Arena(Cash deposit = Usd(10'000)) : engine(EngineConfig{}) {
    alice = engine.OpenWallet("alice", deposit, &ev).value();
    bob = engine.OpenWallet("bob", deposit, &ev).value();
  }
  void Tick(const MarketEvent& m) {
    ev.clear();
    engine.ApplyMarket(m, &ev);
    REQUIRE(engine.CheckInvariants().ok());
  }
  void Take(WalletId w, const std::string& sym, Side side, Qty q, int leverage = 1) {
    std::vector<Event> tmp;
    OrderId id = engine.PlaceOrder(w, Market(sym, side, q, leverage), engine.arena_time_ms(), &tmp);
    REQUIRE(engine.FindOrder(id)->status == OrderStatus::kFilled);
    REQUIRE(engine.CheckInvariants().ok());
  }
  Engine engine;
  std::vector<Event> ev;
  WalletId alice = 0, bob = 0;
};

}  // namespace

TEST_CASE("mark is the markPrice stream, else the book mid, else the last trade",
          "[sim][engine]") {
  Arena a;
  a.Tick(Trade("BTCUSDT", 1000, Px(100)));
  CHECK(a.engine.FindQuote("BTCUSDT")->mark == Px(100));
  a.Tick(Book("BTCUSDT", 1001, Price{1'000'000}, Price{1'000'100}));
  CHECK(a.engine.FindQuote("BTCUSDT")->mark == Price{1'000'050});
  CHECK(a.ev.back().position.mark_price == Price{1'000'050});
  a.Tick(MarkPx("BTCUSDT", 1002, Px(99)));
  a.Tick(Book("BTCUSDT", 1003, Px(120), Px(121)));
  CHECK(a.engine.FindQuote("BTCUSDT")->mark == Px(99));
}

TEST_CASE("a tick marks only its symbol's holders", "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  a.Tick(Book("ETHUSDT", 1000, Px(10), Px(11)));
  a.Take(a.alice, "BTCUSDT", Side::kBuy, Base(1));
  a.Take(a.bob, "ETHUSDT", Side::kBuy, Base(10));
  // Bob's ETH stop-loss (20) is already above the mark: it fires on the next ETH tick only.
  REQUIRE(a.engine.SetStops(a.bob, "ETHUSDT", Px(20), Price{0}, 1000, &a.ev).ok());
  a.Tick(Book("BTCUSDT", 2000, Px(110), Px(111)));
  CHECK(a.ev.back().kind == EventKind::kTickApplied);
  CHECK(a.ev.back().positions_marked == 1);
  CHECK(Kinds(a.ev) == std::vector<EventKind>{EventKind::kTickApplied});
  CHECK(a.engine.GetPortfolio(a.alice)->unrealized_pnl == Cash{950'000'000});  // 110.5 - 101
  CHECK(a.engine.GetPortfolio(a.bob)->unrealized_pnl == -Usd(5));   // mid 10.5 - 11, x10
  a.Tick(Book("ETHUSDT", 2001, Px(10), Px(11)));
  CHECK(a.ev.back().positions_marked == 1);
  auto stops = OfKind(a.ev, EventKind::kStopTriggered);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].wallet == a.bob);
  a.Tick(Trade("SOLUSDT", 2002, Px(5)));
  CHECK(a.ev.back().positions_marked == 0);
}

TEST_CASE("stop-loss and take-profit trigger on the mark and close at bid/ask",
          "[sim][engine]") {
  Arena a;
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  Side side = Side::kBuy;
  Price sl = Px(95), tp = Px(110);
  MarketEvent hit;
  std::string reason;
  Price close_px;
  SECTION("long stop-loss: mark <= SL, sells at the bid") {
    hit = Book("BTCUSDT", 2000, Px(94), Px(95));  // mid 94.5
    reason = "stop_loss";
    close_px = Px(94);
  }
  SECTION("long take-profit: mark >= TP, sells at the bid") {
    hit = Book("BTCUSDT", 2000, Px(111), Px(112));
    reason = "take_profit";
    close_px = Px(111);
  }
  SECTION("short stop-loss: mark >= SL, buys at the ask") {
    side = Side::kSell;
    sl = Px(105);
    tp = Px(90);
    hit = Book("BTCUSDT", 2000, Px(105), Px(106));
    reason = "stop_loss";
    close_px = Px(106);
  }
  SECTION("short take-profit: mark <= TP, buys at the ask") {
    side = Side::kSell;
    sl = Px(105);
    tp = Px(90);
    hit = Book("BTCUSDT", 2000, Px(88), Px(89));
    reason = "take_profit";
    close_px = Px(89);
  }
  OrderRequest r = Market("BTCUSDT", side, Base(1));
  r.stop_loss = sl;
  r.take_profit = tp;
  std::vector<Event> tmp;
  a.engine.PlaceOrder(a.alice, r, 1000, &tmp);
  Position p = a.engine.GetPortfolio(a.alice)->positions.at(0);
  CHECK(p.stop_loss == sl);
  CHECK(p.take_profit == tp);
  a.Tick(Book("BTCUSDT", 1500, Px(100), Px(101)));  // nothing fires in between
  CHECK(OfKind(a.ev, EventKind::kStopTriggered).empty());
  a.Tick(hit);
  CHECK(Kinds(a.ev) == std::vector<EventKind>{EventKind::kStopTriggered, EventKind::kFill,
                                              EventKind::kPositionChanged,
                                              EventKind::kTickApplied});
  CHECK(a.ev[0].reason == reason);
  CHECK(a.ev[1].fill.price == close_px);
  CHECK(a.ev[1].order.request.reduce_only);
  CHECK(a.ev[1].order.request.rationale == reason);
  const Price entry = side == Side::kBuy ? Px(101) : Px(100);
  const std::int64_t sign = side == Side::kBuy ? 1 : -1;
  CHECK(a.ev[1].fill.realized_pnl == Cash{(close_px.ticks - entry.ticks) * sign * 10'000});
  CHECK(a.ev[2].position.quantity == Qty{0});
  CHECK(a.engine.GetPortfolio(a.alice)->positions.empty());
}

TEST_CASE("SetStops needs an open position", "[sim][engine]") {
  Arena a;
  claw::Status s = a.engine.SetStops(a.alice, "BTCUSDT", Px(1), Px(2), 0, &a.ev);
  CHECK(s.code() == claw::StatusCode::kNotFound);
  CHECK(s.message() == "no open position in 'BTCUSDT'");
}

TEST_CASE("liquidation closes everything at mark, charges the fee and books any shortfall",
          "[sim][engine]") {
  Arena a(Usd(1000));
  a.Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  a.Tick(Book("ETHUSDT", 1000, Px(10), Px(11)));
  a.Take(a.alice, "BTCUSDT", Side::kBuy, Base(10), 20);  // 1010 notional, margin 50.5, fee 0.404
  std::vector<Event> tmp;
  a.engine.PlaceOrder(a.alice, Limit("ETHUSDT", Side::kBuy, Base(1), Px(5)), 1000, &tmp);
  a.Take(a.bob, "BTCUSDT", Side::kBuy, Base(1));
  REQUIRE(a.engine.OpenOrders(a.alice).size() == 1);
  Cash deposits = a.engine.total_deposits();

  SECTION("without shortfall: mark 5, equity 39.596 < 0.8 x 50.5") {
    a.Tick(Book("BTCUSDT", 2000, Px(5), Px(5)));
    CHECK(Kinds(a.ev) == std::vector<EventKind>{EventKind::kOrderCancelled, EventKind::kFill,
                                                EventKind::kPositionChanged,
                                                EventKind::kLiquidated, EventKind::kTickApplied});
    CHECK(a.ev[0].reason == "liquidation");
    CHECK(a.ev[1].fill.price == Px(5));
    CHECK(a.ev[1].fill.realized_pnl == -Usd(960));
    CHECK(a.ev[3].cash == Cash{25'000'000});  // 50 bps of 50 USDT
    CHECK(a.ev[3].shortfall == Cash{0});
    Portfolio p = a.engine.GetPortfolio(a.alice).value();
    CHECK(p.balance == Cash{3'959'600'000 - 25'000'000});
    CHECK(p.liquidations == 1);
    CHECK(a.engine.insurance_fund() == Cash{0});
  }
  SECTION("with shortfall: a gap to 1 leaves -0.404, set to 0 and booked to insurance") {
    a.Tick(Book("BTCUSDT", 2000, Px(1), Px(1)));
    auto liq = OfKind(a.ev, EventKind::kLiquidated);
    REQUIRE(liq.size() == 1);
    CHECK(liq[0].wallet == a.alice);
    CHECK(liq[0].cash == Cash{0});
    CHECK(liq[0].shortfall == Cash{40'400'000});
    Portfolio p = a.engine.GetPortfolio(a.alice).value();
    CHECK(p.balance == Cash{0});
    CHECK(p.equity == Cash{0});
    CHECK(p.positions.empty());
    CHECK(p.reserved == Cash{0});
    CHECK(a.engine.insurance_fund() == -Cash{40'400'000});
    // bob (unlevered) holds on
    CHECK(a.engine.GetPortfolio(a.bob)->positions.size() == 1);
  }
  CHECK(a.engine.total_deposits() == deposits);
  CHECK(a.engine.total_deposits() + (-a.engine.market_pnl()) ==
        a.engine.total_balances() + a.engine.fees_collected() + a.engine.insurance_fund());
  CHECK(a.engine.GetPortfolio(a.alice)->equity >= Cash{0});
}
