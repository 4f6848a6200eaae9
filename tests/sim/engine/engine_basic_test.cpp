#include <catch2/catch.hpp>

#include "sim/engine/engine.h"
#include "tests/sim/engine/engine_test_util.h"

using namespace claw::engine;
using namespace claw::engine::testing;

TEST_CASE("market buy fills at the best ask and opens a long", "[sim][engine]") {
  Engine engine(EngineConfig{});
  std::vector<Event> ev;
  WalletId alice = engine.OpenWallet("alice", &ev).value();
  engine.ApplyMarket(Book("BTCUSDT", 1000, Px(100), Px(101)), &ev);
  ev.clear();
  OrderId id = engine.PlaceOrder(alice, Market("BTCUSDT", Side::kBuy, Base(1)), 1000, &ev);
  REQUIRE(id == 1);
  CHECK(Kinds(ev) == std::vector<EventKind>{EventKind::kOrderAccepted, EventKind::kFill,
                                            EventKind::kPositionChanged});
  CHECK(ev[1].fill.price == Px(101));
  CHECK(engine.FindOrder(id)->status == OrderStatus::kFilled);
  Portfolio p = engine.GetPortfolio(alice).value();
  REQUIRE(p.positions.size() == 1);
  CHECK(p.positions[0].quantity == Base(1));
  CHECK(p.positions[0].entry_price == Px(101));
  CHECK(engine.CheckInvariants().ok());
}
