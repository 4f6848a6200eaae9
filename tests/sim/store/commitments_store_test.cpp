// Sealed trades and the price tape in the SQLite store (schema v2).
#include <catch2/catch.hpp>

#include "tests/sim/store/store_test_util.h"

namespace claw::store {
namespace {

using testing::Agent;
using testing::OpenOrDie;
using testing::TempDir;

CommitmentRow Row(std::uint64_t id, const std::string& agent, bool revealed) {
  CommitmentRow r;
  r.id = id;
  r.agent_id = agent;
  r.action = "OPEN";
  r.side = "LONG";
  r.lobs = 500;
  r.timestamp = "2026-02-22T01:50:00Z";
  r.timestamp_ms = 1'771'725'000'000;
  r.commitment_hash = "0x" + std::string(64, 'a');
  r.signature = "sig";
  r.scheme = "ed25519";
  r.status = revealed ? "revealed" : "committed";
  r.revealed = revealed;
  r.symbol = revealed ? "BTCUSDT" : "";
  r.price = revealed ? "875.5" : "";
  r.period = 1456;
  return r;
}

TEST_CASE("commitments: upsert, get by id, list by agent and revealed state, paging", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.File("a.db"));
  Batch b;
  b.agents = {Agent("a1", "alice"), Agent("b1", "bob")};
  b.commitments = {Row(1, "a1", false), Row(2, "a1", true), Row(3, "b1", false), Row(4, "a1", false)};
  REQUIRE(store->Commit(&b).ok());

  auto one = store->GetCommitment(2);
  REQUIRE(one.ok());
  REQUIRE(one->has_value());
  CHECK((*one)->symbol == "BTCUSDT");
  CHECK((*one)->price == "875.5");
  CHECK((*one)->period == 1456);
  CHECK_FALSE(store->GetCommitment(9)->has_value());

  CommitmentQuery q;
  q.agent_id = "a1";
  auto all = store->ListCommitments(q);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].id == 4);  // newest first
  q.revealed = false;
  CHECK(store->ListCommitments(q)->size() == 2);
  q.revealed = true;
  CHECK(store->ListCommitments(q)->size() == 1);
  q.revealed.reset();
  q.limit = 1;
  q.offset = 1;
  REQUIRE(store->ListCommitments(q)->size() == 1);
  CHECK(store->ListCommitments(q)->front().id == 2);

  // A state change replaces the row.
  Batch c;
  CommitmentRow closed = Row(1, "a1", true);
  closed.status = "closed";
  closed.has_pnl = true;
  closed.pnl_e4 = 95'660;
  c.commitments = {closed};
  REQUIRE(store->Commit(&c).ok());
  auto after = store->GetCommitment(1);
  CHECK((*after)->status == "closed");
  CHECK((*after)->pnl_e4 == 95'660);

  // Rows must name a stored agent.
  Batch bad;
  bad.commitments = {Row(5, "nobody", false)};
  CHECK_FALSE(store->Commit(&bad).ok());
}

TEST_CASE("the price tape: points stored, pruning keeps the price at the cutoff", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.File("t.db"));
  Batch b;
  b.tape = {{"BTC", 1'000, 100}, {"BTC", 2'000, 101}, {"BTC", 3'000, 102}, {"ETH", 500, 7}};
  REQUIRE(store->Commit(&b).ok());
  CHECK(store->LoadTape()->size() == 4);
  Batch p;
  p.tape_prune_before_ms = 2'500;
  REQUIRE(store->Commit(&p).ok());
  auto tape = store->LoadTape();
  REQUIRE(tape.ok());
  REQUIRE(tape->size() == 3);  // BTC 2000 (the price at 2500) and 3000; ETH 500 (its only point)
  CHECK((*tape)[0].time_ms == 2'000);
  CHECK((*tape)[1].time_ms == 3'000);
  CHECK((*tape)[2].symbol == "ETH");
}

}  // namespace
}  // namespace claw::store
