// Fees, realised PnL, average entry, flips and margin, exact to the 1e-8 unit.
#include <catch2/catch.hpp>

#include "sim/engine/engine.h"
#include "sim/engine/netting.h"
#include "tests/sim/engine/engine_test_util.h"

using namespace claw::engine;
using namespace claw::engine::testing;

namespace {

struct Arena {
  Arena() : engine(EngineConfig{}) {
    alice = engine.OpenWallet("alice", &ev).value();
    Tick(Book("BTCUSDT", 1000, Px(100), Px(101)));
  }
  void Tick(const MarketEvent& m) {
    engine.ApplyMarket(m, &ev);
    REQUIRE(engine.CheckInvariants().ok());
  }
  Fill Take(Side side, Qty q, int leverage = 1) {
    ev.clear();
    engine.PlaceOrder(alice, Market("BTCUSDT", side, q, leverage), 1000, &ev);
    REQUIRE(engine.CheckInvariants().ok());
    auto fills = OfKind(ev, EventKind::kFill);
    REQUIRE(fills.size() == 1);
    return fills[0].fill;
  }
  Position Pos() {
    Portfolio p = engine.GetPortfolio(alice).value();
    REQUIRE(p.positions.size() == 1);
    return p.positions[0];
  }
  Engine engine;
  std::vector<Event> ev;
  WalletId alice = 0;
};

Side Opp(Side s) { return s == Side::kBuy ? Side::kSell : Side::kBuy; }

}  // namespace

TEST_CASE("taker fee is bps of the exact notional rounded up to 1e-8", "[sim][engine]") {
  CHECK(internal::FeeFor(Price{1'010'300}, Qty{5'001'000}, 4) == Cash{202'101});  // 202100.4012
  CHECK(internal::FeeFor(Price{1'010'000}, Qty{100'000'000}, 4) == Cash{4'040'000});  // exact
  CHECK(internal::FeeFor(Price{1'010'000}, Qty{-100'000'000}, 2) == Cash{2'020'000});
  Arena a;
  Fill f = a.Take(Side::kBuy, Qty{5'001'000});  // 0.05001 at 101
  CHECK(f.fee == Cash{202'041});                // 101 * 0.05001 * 4e-4 = 0.0020204040 -> up
  Portfolio p = a.engine.GetPortfolio(a.alice).value();
  CHECK(p.balance == Usd(10'000) - Cash{202'041});
  CHECK(p.fees_paid == Cash{202'041});
  CHECK(a.engine.fees_collected() == Cash{202'041});
}

TEST_CASE("realised PnL is exact on a round trip", "[sim][engine]") {
  Arena a;
  Side open = Side::kBuy;
  SECTION("long: buy at the ask 101, sell at the bid 110") {}
  SECTION("short: sell at the bid 100, buy back at the ask 91") { open = Side::kSell; }
  a.Take(open, Base(2));
  if (open == Side::kBuy) {
    a.Tick(Book("BTCUSDT", 2000, Px(110), Px(111)));
  } else {
    a.Tick(Book("BTCUSDT", 2000, Px(90), Px(91)));
  }
  Fill close = a.Take(Opp(open), Base(2));
  CHECK(close.realized_pnl == Usd(18));  // (110 - 101) * 2 or (100 - 91) * 2
  Portfolio p = a.engine.GetPortfolio(a.alice).value();
  CHECK(p.positions.empty());
  CHECK(p.realized_pnl == Usd(18));
  CHECK(p.margin_used == Cash{0});
  CHECK(p.unrealized_pnl == Cash{0});
  // fees: 4 bps of 202 + 4 bps of 220 (long) or of 200 + 182 (short)
  const Cash fees = open == Side::kBuy ? Cash{8'080'000 + 8'800'000} : Cash{8'000'000 + 7'280'000};
  CHECK(p.fees_paid == fees);
  CHECK(p.balance == Usd(10'018) - fees);
  CHECK(p.equity == p.balance);
  CHECK(a.engine.market_pnl() == -Usd(18));
}

TEST_CASE("adding averages the entry half-even to 1e-4; margin uses the latest leverage",
          "[sim][engine]") {
  Arena a;
  a.Take(Side::kBuy, Base(2), 2);
  a.Tick(Book("BTCUSDT", 2000, Px(102), Price{1'020'100}));
  a.Take(Side::kBuy, Base(1), 5);
  Position p = a.Pos();
  CHECK(p.quantity == Base(3));
  CHECK(p.entry_price == Price{1'013'367});  // (2 * 101 + 102.01) / 3 = 101.336666...
  CHECK(p.leverage == 5);
  CHECK(p.margin == Cash{6'080'202'000});    // ceil(3 * 101.3367 / 5) = 60.80202
  CHECK(internal::Net(Qty{3}, Price{10}, Qty{2}, Price{11}).entry == Price{10});  // 10.4
  CHECK(internal::Net(Qty{1}, Price{10}, Qty{1}, Price{11}).entry == Price{10});  // 10.5 -> even
  CHECK(internal::Net(Qty{1}, Price{11}, Qty{1}, Price{12}).entry == Price{12});  // 11.5 -> even
}

TEST_CASE("an opposite fill past zero flips the position at the fill price", "[sim][engine]") {
  Arena a;
  Side open = Side::kBuy;
  SECTION("long to short") {}
  SECTION("short to long") { open = Side::kSell; }
  a.Take(open, Base(1), 2);
  Fill f = a.Take(Opp(open), Base(3), 4);
  // long: bought 101, sold 100 -> -1; short: sold 100, bought 101 -> -1
  CHECK(f.realized_pnl == -Usd(1));
  CHECK(f.quantity == Base(3));
  Position p = a.Pos();
  CHECK(p.quantity == (open == Side::kBuy ? Qty{-200'000'000} : Base(2)));
  CHECK(p.entry_price == (open == Side::kBuy ? Px(100) : Px(101)));
  CHECK(p.leverage == 4);
  CHECK(p.margin == (open == Side::kBuy ? Usd(50) : Cash{5'050'000'000}));
  auto changes = OfKind(a.ev, EventKind::kPositionChanged);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].position.quantity == p.quantity);
}

TEST_CASE("a partial reduction keeps entry and leverage and releases margin", "[sim][engine]") {
  Arena a;
  a.Take(Side::kBuy, Base(4), 4);
  CHECK(a.Pos().margin == Usd(101));
  Fill f = a.Take(Side::kSell, Base(1), 10);
  CHECK(f.realized_pnl == -Usd(1));
  CHECK(a.Pos().entry_price == Px(101));
  CHECK(a.Pos().leverage == 4);
  CHECK(a.Pos().margin == Cash{7'575'000'000});  // 3 * 101 / 4
  CHECK(a.engine.GetPortfolio(a.alice)->margin_used == Cash{7'575'000'000});
}

TEST_CASE("realised PnL rounds toward minus infinity", "[sim][engine]") {
  CHECK(internal::PnlFor(Price{10'000}, Price{10'001}, Qty{5'000}) == Cash{0});   // +0.5
  CHECK(internal::PnlFor(Price{10'001}, Price{10'000}, Qty{5'000}) == Cash{-1});  // -0.5
  CHECK(internal::PnlFor(Price{10'000}, Price{10'003}, Qty{-10'000}) == Cash{-3});
}
