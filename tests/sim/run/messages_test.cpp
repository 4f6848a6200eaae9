#include "sim/run/messages.h"

#include <catch2/catch.hpp>

namespace claw::run {
namespace {

TEST_CASE("times are ISO-8601 UTC with milliseconds", "[sim][run]") {
  CHECK(IsoMillis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(IsoMillis(1'771'725'000'000) == "2026-02-22T01:50:00.000Z");
  CHECK(IsoMillis(951'782'400'123) == "2000-02-29T00:00:00.123Z");
  CHECK(IsoMillis(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("engine messages have the fields of PROTOCOL section 10 in order", "[sim][run]") {
  engine::Quote q;
  q.symbol = "BTCUSDT";
  q.bid = engine::Price{618'376'300};
  q.ask = engine::Price{618'376'400};
  q.time_ms = 1'771'725'000'000;
  CHECK(TickLine(q) ==
        "{\"kind\":\"tick\",\"symbol\":\"BTCUSDT\",\"bid\":\"61837.6300\",\"ask\":\"61837.6400\","
        "\"last\":null,\"mark\":null,\"time\":\"2026-02-22T01:50:00.000Z\"}\n");
  CHECK(StepLine(1'771'725'000'000, 3) ==
        "{\"kind\":\"step\",\"arena_time\":\"2026-02-22T01:50:00.000Z\",\"step\":3}\n");
  engine::Instrument ins;
  ins.symbol = "ETHUSDT";
  SealedHello sealed;
  sealed.public_key = "pk";
  sealed.private_key = "sk";
  sealed.period = -1;
  sealed.period_start_ms = -13 * 86'400'000LL;
  sealed.period_end_ms = 86'400'000;
  sealed.grace_end_ms = 2 * 86'400'000;
  CHECK(HelloLine("agent-1", "hold", engine::Cash{10'000 * engine::kCashScale}, {ins}, 0, sealed) ==
        "{\"kind\":\"hello\",\"agent_id\":\"agent-1\",\"name\":\"hold\",\"balance\":"
        "\"10000.00000000\",\"instruments\":[{\"symbol\":\"ETHUSDT\",\"tick_size\":\"0.0100\","
        "\"step_size\":\"0.00001000\",\"min_qty\":\"0.00000000\",\"min_notional\":"
        "\"5.00000000\",\"max_leverage\":20}],\"arena_time\":\"1970-01-01T00:00:00.000Z\","
        "\"signing_key\":{\"scheme\":\"ed25519\",\"public_key\":\"pk\",\"private_key\":\"sk\"},"
        "\"reveal\":{\"period_days\":14,\"anchor\":\"friday 00:00 UTC\",\"grace_h\":24,"
        "\"tolerance_bps\":50,\"window_s\":30,\"period\":-1,\"period_start\":"
        "\"1969-12-19T00:00:00.000Z\",\"period_end\":\"1970-01-02T00:00:00.000Z\",\"grace_end\":"
        "\"1970-01-03T00:00:00.000Z\"}}\n");
}

TEST_CASE("commit, reveal and close commands are passed on whole to the sealed desk", "[sim][run]") {
  auto commit = ParseCommand(R"({"kind":"commit","action":"OPEN"})");
  REQUIRE(commit.ok());
  const auto* c = std::get_if<SealedCommand>(&commit.value());
  REQUIRE(c != nullptr);
  CHECK(c->kind == SealedCommand::Kind::kCommit);
  CHECK(c->line == R"({"kind":"commit","action":"OPEN"})");
  CHECK(std::get<SealedCommand>(ParseCommand(R"({"kind":"reveal"})").value()).kind ==
        SealedCommand::Kind::kReveal);
  CHECK(std::get<SealedCommand>(ParseCommand(R"({"kind":"close"})").value()).kind ==
        SealedCommand::Kind::kClose);
}

TEST_CASE("a fill event becomes a fill line and an order update", "[sim][run]") {
  engine::Event e;
  e.kind = engine::EventKind::kFill;
  e.order.id = 7;
  e.order.request.client_order_id = "c1";
  e.order.status = engine::OrderStatus::kFilled;
  e.fill = {1, 7, 1, "BTCUSDT", engine::Side::kSell, engine::Qty{50'000'000}, engine::Price{1'000'000},
            engine::Cash{2'000'000}, false, engine::Cash{0}, 1000};
  CHECK(EventLines(e) ==
        "{\"kind\":\"fill\",\"order_id\":\"7\",\"client_order_id\":\"c1\",\"symbol\":\"BTCUSDT\","
        "\"side\":\"sell\",\"quantity\":\"0.50000000\",\"price\":\"100.0000\",\"fee\":"
        "\"0.02000000\",\"time\":\"1970-01-01T00:00:01.000Z\"}\n"
        "{\"kind\":\"order_update\",\"order_id\":\"7\",\"client_order_id\":\"c1\",\"status\":"
        "\"filled\"}\n");
}

TEST_CASE("order commands accept JSON numbers and decimal strings", "[sim][run]") {
  auto c = ParseCommand(R"({"kind":"order","symbol":"BTCUSDT","side":"sell","type":"limit",)"
                        R"("quantity":0.1,"price":"61837.63","time_in_force":"IOC","leverage":3,)"
                        R"("reduce_only":true,"client_order_id":"x"})");
  REQUIRE(c.ok());
  const auto* o = std::get_if<OrderCommand>(&c.value());
  REQUIRE(o != nullptr);
  CHECK(o->request.symbol == "BTCUSDT");
  CHECK(o->request.side == engine::Side::kSell);
  CHECK(o->request.type == engine::OrderType::kLimit);
  CHECK(o->request.quantity.units == 10'000'000);
  CHECK(o->request.price.ticks == 618'376'300);
  CHECK(o->request.time_in_force == engine::TimeInForce::kIoc);
  CHECK(o->request.leverage == 3);
  CHECK(o->request.reduce_only);
  CHECK(o->request.client_order_id == "x");
}

TEST_CASE("malformed commands: garbage is an error, a bad field a rejection", "[sim][run]") {
  CHECK_FALSE(ParseCommand("hello").ok());
  CHECK_FALSE(ParseCommand("[1,2]").ok());
  CHECK(ParseCommand(R"({"kind":"dance"})").status().message() == "unknown message kind 'dance'");
  auto bad = ParseCommand(R"({"kind":"order","side":"up","client_order_id":"k"})");
  REQUIRE(bad.ok());
  const auto* inv = std::get_if<InvalidOrder>(&bad.value());
  REQUIRE(inv != nullptr);
  CHECK(inv->client_order_id == "k");
  CHECK(inv->reason == "'side' must be \"buy\" or \"sell\"");
  auto qty = ParseCommand(R"({"kind":"order","side":"buy","quantity":"1e5"})");
  REQUIRE(std::get_if<InvalidOrder>(&qty.value()) != nullptr);
  CHECK(std::holds_alternative<DoneCommand>(ParseCommand(R"({"kind":"done"})").value()));
  auto cancel = ParseCommand(R"({"kind":"cancel","order_id":"12"})");
  REQUIRE(std::get_if<CancelCommand>(&cancel.value()) != nullptr);
  CHECK(std::get_if<CancelCommand>(&cancel.value())->order_id == 12);
}

}  // namespace
}  // namespace claw::run
