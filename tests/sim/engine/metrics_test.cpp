// MetricsTracker against hand-computed values.
#include "sim/engine/metrics.h"

#include <catch2/catch.hpp>

#include <cmath>

#include "tests/sim/engine/engine_test_util.h"

using namespace claw::engine;
using namespace claw::engine::testing;

namespace {

Event FillEv(std::int64_t t, std::int64_t realized, std::int64_t fee, WalletId w = 1) {
  Event e;
  e.kind = EventKind::kFill;
  e.time_ms = t;
  e.wallet = w;
  e.fill.symbol = "BTCUSDT";
  e.fill.time_ms = t;
  e.fill.realized_pnl = Cash{realized};
  e.fill.fee = Cash{fee};
  return e;
}

Event PosEv(std::int64_t t, std::int64_t qty, WalletId w = 1) {
  Event e;
  e.kind = EventKind::kPositionChanged;
  e.time_ms = t;
  e.wallet = w;
  e.position.symbol = "BTCUSDT";
  e.position.quantity = Qty{qty};
  return e;
}

}  // namespace

TEST_CASE("return, drawdown, Sharpe, Sortino and Calmar match hand-computed values",
          "[sim][engine]") {
  MetricsTracker m(1'000);
  m.Sample(0, Usd(100));
  m.Sample(500, Usd(120));  // inside the interval: not a snapshot (but the latest sample)
  m.Sample(1'000, Usd(110));
  m.Sample(2'000, Usd(99));
  REQUIRE(m.snapshots().size() == 3);
  Performance p = m.Finish(Cash{10'890'000'000}, 3'000);  // 108.9
  CHECK(p.starting_equity == Usd(100));
  CHECK(p.final_equity == Cash{10'890'000'000});
  CHECK(p.max_equity == Usd(110));
  CHECK(p.return_e8 == 8'900'000);         // +8.9 %
  CHECK(p.max_drawdown_e8 == 10'000'000);  // 110 -> 99
  // r = +0.1, -0.1, +0.1: mean 1/30, sample sd sqrt(0.04/3), downside sqrt(0.01/3)
  const double periods = std::sqrt(365.0 * 86'400'000.0 / 1'000.0);
  const double mean = 1.0 / 30.0;
  CHECK(p.sharpe == Approx(mean / std::sqrt(0.04 / 3.0) * periods).epsilon(1e-9));
  CHECK(p.sortino == Approx(mean / std::sqrt(0.01 / 3.0) * periods).epsilon(1e-9));
  CHECK(p.calmar == Approx(0.089 * (365.0 * 86'400'000.0 / 3'000.0) / 0.1).epsilon(1e-9));
}

TEST_CASE("metrics are 0 when undefined", "[sim][engine]") {
  MetricsTracker m(1'000);
  m.Sample(0, Usd(100));
  Performance p = m.Finish(Usd(100), 5'000);
  CHECK(p.return_e8 == 0);
  CHECK(p.sharpe == 0);
  CHECK(p.sortino == 0);
  CHECK(p.calmar == 0);
  CHECK(p.trades == 0);
  CHECK(p.win_rate == 0);
  CHECK(p.profit_factor == 0);
  CHECK(p.avg_trade_duration_ms == 0);
}

TEST_CASE("round trips count open to flat or flip, with fees in their PnL", "[sim][engine]") {
  MetricsTracker m(1'000, 1);
  for (const Event& e : {FillEv(0, 0, 100), PosEv(0, 5),           // open long
                         FillEv(5'000, 1'000, 100), PosEv(5'000, 0),  // +1000 - 200 = 800
                         FillEv(6'000, 0, 100), PosEv(6'000, -5),   // open short
                         FillEv(7'000, -500, 200), PosEv(7'000, 3),  // flip: -500 - 300 = -800
                         FillEv(9'000, 300, 100), PosEv(9'000, 0),   // 300 - 100 = 200
                         FillEv(9'500, 99'999, 1, 2)}) {             // another wallet: ignored
    m.OnEvent(e);
  }
  Event liq;
  liq.kind = EventKind::kLiquidated;
  liq.wallet = 1;
  liq.cash = Cash{300};
  m.OnEvent(liq);
  Performance p = m.Finish(Usd(1), 10'000);
  CHECK(p.trades == 3);
  CHECK(p.winning_trades == 2);
  CHECK(p.losing_trades == 1);
  CHECK(p.win_rate == Approx(2.0 / 3.0));
  CHECK(p.profit_factor == Approx(1'000.0 / 800.0));
  CHECK(p.avg_trade_duration_ms == (5'000 + 1'000 + 2'000) / 3);
  CHECK(p.fees == Cash{100 + 100 + 100 + 200 + 100 + 300});
  CHECK(p.liquidations == 1);
}

TEST_CASE("metrics follow a real engine round trip", "[sim][engine]") {
  Engine engine(EngineConfig{});
  std::vector<Event> ev;
  WalletId w = engine.OpenWallet("alice", &ev).value();
  MetricsTracker m(60'000, w);
  engine.ApplyMarket(Book("BTCUSDT", 0, Px(100), Px(101)), &ev);
  m.Sample(0, engine.GetPortfolio(w)->equity);
  engine.PlaceOrder(w, Market("BTCUSDT", Side::kBuy, Base(1)), 0, &ev);
  engine.ApplyMarket(Book("BTCUSDT", 120'000, Px(110), Px(111)), &ev);
  engine.PlaceOrder(w, Market("BTCUSDT", Side::kSell, Base(1)), 120'000, &ev);
  for (const Event& e : ev) m.OnEvent(e);
  Performance p = m.Finish(engine.GetPortfolio(w)->equity, 120'000);
  CHECK(p.trades == 1);
  CHECK(p.winning_trades == 1);
  CHECK(p.avg_trade_duration_ms == 120'000);
  CHECK(p.fees == Cash{4'040'000 + 4'400'000});
  CHECK(p.final_equity == Usd(10'009) - p.fees);
}
