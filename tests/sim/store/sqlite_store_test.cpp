// Commit, round trips and queries of the SQLite store, on real files in a temporary directory.
#include <catch2/catch.hpp>

#include "sim/store/store.h"
#include "tests/sim/store/store_test_util.h"

using namespace claw;
using namespace claw::store;
using namespace claw::store::testing;

namespace {

// One agent with a wallet, a position, a price, a snapshot, two orders, a fill, an audit row
// and two journal rows: every row type once.
Batch FullBatch() {
  Batch b;
  b.journal = {Journal("register", 100), Journal("order", 101)};
  b.agents = {Agent("a-1", "alice")};
  b.orders = {Order(1, "a-1", "BTCUSDT", "filled", 101), Order(2, "a-1", "ETHUSDT", "open", 102)};
  b.fills = {Fill(10, 1, "a-1", 101)};
  b.positions = {{"a-1", "BTCUSDT", -150'000'000, 618'370'000, 3, 9'999'999, 101, 102}};
  b.wallets = {{"a-1", 1'000'000'000'000, 999'000'000'000, 30'000'000'000, -5, 12'345, 1, 102}};
  b.prices = {{"BTCUSDT", 618'370'000, 618'376'300, 618'370'100, 618'373'000, 102}};
  b.snapshots = {{"a-1", 60'000, 999'000'000'000, 1'000'000'000'000}};
  b.audit = {Audit("a-1", "order_placed")};
  return b;
}

void CheckFullBatchStored(Store* s, const Batch& b) {
  Result<std::vector<AgentRow>> agents = s->LoadAgents();
  REQUIRE(agents.ok());
  REQUIRE(agents->size() == 1);
  CHECK(Same((*agents)[0], b.agents[0]));

  for (const OrderRow& o : b.orders) {
    Result<std::optional<OrderRow>> got = s->GetOrder(o.id);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    CHECK(Same(**got, o));
  }
  Result<std::vector<FillRow>> fills = s->ListFills("a-1", "", Page{});
  REQUIRE(fills.ok());
  REQUIRE(fills->size() == 1);
  CHECK(Same((*fills)[0], b.fills[0]));

  Result<std::vector<PositionRow>> pos = s->ListPositions("a-1");
  REQUIRE(pos.ok());
  REQUIRE(pos->size() == 1);
  CHECK(Same((*pos)[0], b.positions[0]));

  Result<std::vector<WalletRow>> wallets = s->ListWallets();
  REQUIRE(wallets.ok());
  REQUIRE(wallets->size() == 1);
  CHECK(Same((*wallets)[0], b.wallets[0]));

  Result<std::vector<PriceRow>> prices = s->ListPrices();
  REQUIRE(prices.ok());
  REQUIRE(prices->size() == 1);
  CHECK(Same((*prices)[0], b.prices[0]));

  Result<std::vector<SnapshotRow>> snaps = s->ListSnapshots("a-1", 0, 0);
  REQUIRE(snaps.ok());
  REQUIRE(snaps->size() == 1);
  CHECK(Same((*snaps)[0], b.snapshots[0]));

  Result<std::vector<AuditRow>> audit = s->ListAudit("a-1", Page{});
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 1);
  CHECK(Same((*audit)[0], b.audit[0]));

  std::vector<JournalRow> journal = ReadJournal(s);
  REQUIRE(journal.size() == b.journal.size());
  for (std::size_t i = 0; i < journal.size(); ++i) CHECK(Same(journal[i], b.journal[i]));
}

}  // namespace

TEST_CASE("every row type round-trips through commit and reopen", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  Batch b = FullBatch();
  {
    auto s = OpenOrDie(path);
    Status st = s->Commit(&b);
    INFO(st.message());
    REQUIRE(st.ok());
    CHECK(b.journal[0].seq == 1);
    CHECK(b.journal[1].seq == 2);
    CHECK(b.audit[0].id == 1);
    CheckFullBatchStored(s.get(), b);
  }
  auto s = OpenOrDie(path);
  CheckFullBatchStored(s.get(), b);
  CHECK(*s->LastJournalSeq() == 2);
}

TEST_CASE("empty and null batches are not errors and store nothing", "[sim][store][io]") {
  TempDir dir;
  auto s = OpenOrDie(dir.File("arena.db"));
  Batch b;
  CHECK(b.empty());
  CHECK(s->Commit(&b).ok());
  CHECK(s->Commit(nullptr).code() == StatusCode::kInvalidArgument);
  CHECK(*s->LastJournalSeq() == 0);
  b = FullBatch();
  CHECK_FALSE(b.empty());
  b.clear();
  CHECK(b.empty());
}

TEST_CASE("journal seqs and audit ids are gapless across commits and reopen", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  std::int64_t expected_seq = 0, expected_audit = 0;
  for (int round = 0; round < 3; ++round) {
    auto s = OpenOrDie(path);
    if (round == 0) {
      Batch reg;
      reg.agents = {Agent("a-1", "alice")};
      REQUIRE(s->Commit(&reg).ok());
    }
    for (int i = 0; i < 5; ++i) {
      Batch b;
      for (int j = 0; j <= i % 3; ++j) b.journal.push_back(Journal("market", round * 100 + i));
      b.journal.front().seq = 999;  // ignored: Commit assigns
      b.audit = {Audit("a-1", "order_placed"), Audit("", "auth_failure")};
      REQUIRE(s->Commit(&b).ok());
      for (const JournalRow& j : b.journal) CHECK(j.seq == ++expected_seq);
      for (const AuditRow& a : b.audit) CHECK(a.id == ++expected_audit);
    }
    CHECK(*s->LastJournalSeq() == expected_seq);
  }
  auto s = OpenOrDie(path);
  std::vector<JournalRow> all = ReadJournal(s.get());
  REQUIRE(static_cast<std::int64_t>(all.size()) == expected_seq);
  for (std::size_t i = 0; i < all.size(); ++i)
    CHECK(all[i].seq == static_cast<std::int64_t>(i + 1));
}

TEST_CASE("a batch that fails midway stores nothing and the next commit works",
          "[sim][store][io]") {
  TempDir dir;
  auto s = OpenOrDie(dir.File("arena.db"));
  Batch first = FullBatch();
  REQUIRE(s->Commit(&first).ok());

  SECTION("duplicate fill id") {
    Batch bad;
    bad.journal = {Journal("order", 200)};
    bad.orders = {Order(3, "a-1", "BTCUSDT", "filled", 200)};
    bad.fills = {Fill(11, 3, "a-1", 200), Fill(10, 3, "a-1", 200)};  // 10 exists already
    bad.positions = {{"a-1", "BTCUSDT", 0, 0, 1, 0, 0, 200}};        // would delete
    bad.audit = {Audit("a-1", "order_filled")};
    Status st = s->Commit(&bad);
    CHECK(st.code() == StatusCode::kAlreadyExists);
    CHECK(st.message() ==
          "committing batch: inserting fill 10 of order 3: UNIQUE constraint failed: fills.id");
    CHECK(bad.journal[0].seq == 0);  // not assigned on failure
    CHECK(bad.audit[0].id == 0);
  }
  SECTION("order of an unknown agent") {
    Batch bad;
    bad.journal = {Journal("order", 200)};
    bad.agents = {Agent("a-2", "bob")};
    bad.orders = {Order(3, "a-404", "BTCUSDT", "open", 200)};
    Status st = s->Commit(&bad);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message() ==
          "committing batch: writing order 3 of agent 'a-404': FOREIGN KEY constraint failed");
  }
  SECTION("agent name taken by another id") {
    Batch bad;
    bad.journal = {Journal("register", 200)};
    bad.agents = {Agent("a-2", "alice")};
    Status st = s->Commit(&bad);
    CHECK(st.code() == StatusCode::kAlreadyExists);
    CHECK(st.message() ==
          "committing batch: writing agent 'a-2' ('alice'): UNIQUE constraint "
          "failed: agents.name");
  }

  // Nothing of the failed batch is visible; the earlier commit is intact.
  CheckFullBatchStored(s.get(), first);
  CHECK_FALSE(s->GetOrder(3)->has_value());
  CHECK(*s->LastJournalSeq() == 2);
  CHECK(s->ListAudit("a-1", Page{})->size() == 1);

  Batch next;
  next.journal = {Journal("market", 300)};
  next.audit = {Audit("a-1", "order_cancelled")};
  REQUIRE(s->Commit(&next).ok());
  CHECK(next.journal[0].seq == 3);
  CHECK(next.audit[0].id == 2);
}

TEST_CASE("upserts replace by key and a flat position is deleted", "[sim][store][io]") {
  TempDir dir;
  auto s = OpenOrDie(dir.File("arena.db"));
  Batch b = FullBatch();
  REQUIRE(s->Commit(&b).ok());

  Batch u;
  AgentRow a = Agent("a-1", "alice");
  a.status = "claimed";
  a.claim_token_hash = "";
  a.owner_token_hash = "oth";
  a.claimed_ms = 5;
  u.agents = {a};
  OrderRow o = Order(2, "a-1", "ETHUSDT", "cancelled", 102);
  o.updated_ms = 999;
  u.orders = {o};
  u.positions = {{"a-1", "BTCUSDT", 0, 0, 1, 0, 0, 200},  // flat: deleted
                 {"a-1", "ETHUSDT", 5, 30'000'000, 2, 7, 200, 200},
                 {"a-1", "SOLUSDT", 0, 0, 1, 0, 0, 200}};  // never existed: not an error
  u.wallets = {{"a-1", 1, 2, 3, 4, 5, 6, 200}};
  u.prices = {{"BTCUSDT", 1, 2, 3, 4, 200}, {"ETHUSDT", 5, 6, 7, 8, 200}};
  u.snapshots = {{"a-1", 60'000, 11, 12}};  // same time: replaces
  REQUIRE(s->Commit(&u).ok());

  CHECK(Same(s->LoadAgents()->at(0), a));
  CHECK(Same(**s->GetOrder(2), o));
  std::vector<PositionRow> pos = *s->ListPositions("a-1");
  REQUIRE(pos.size() == 1);
  CHECK(Same(pos[0], u.positions[1]));
  CHECK(Same(s->ListWallets()->at(0), u.wallets[0]));
  std::vector<PriceRow> prices = *s->ListPrices();
  REQUIRE(prices.size() == 2);
  CHECK(Same(prices[0], u.prices[0]));
  CHECK(Same(prices[1], u.prices[1]));
  std::vector<SnapshotRow> snaps = *s->ListSnapshots("a-1", 0, 0);
  REQUIRE(snaps.size() == 1);
  CHECK(snaps[0].equity == 11);
}

TEST_CASE("journal replays in seq order after a given seq", "[sim][store][io]") {
  TempDir dir;
  auto s = OpenOrDie(dir.File("arena.db"), /*synchronous_full=*/false);
  // More rows than one read chunk, in batches of varying size.
  const int total = 2'600;
  int written = 0;
  while (written < total) {
    Batch b;
    for (int i = 0; i < 1 + written % 7 && written < total; ++i, ++written) {
      b.journal.push_back(Journal(written % 2 ? "order" : "market", written));
    }
    REQUIRE(s->Commit(&b).ok());
  }
  for (std::int64_t after : {0, 1, 1023, 1024, 1500, 2599, 2600, 5000}) {
    std::vector<JournalRow> rows = ReadJournal(s.get(), after);
    REQUIRE(static_cast<std::int64_t>(rows.size()) == std::max<std::int64_t>(total - after, 0));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::int64_t seq = after + 1 + static_cast<std::int64_t>(i);
      CHECK(rows[i].seq == seq);
      CHECK(rows[i].time_ms == seq - 1);  // written in time order
    }
  }

  SECTION("the callback's error stops the replay and is returned") {
    int seen = 0;
    Status st = s->ForEachJournal(0, [&](const JournalRow& r) {
      ++seen;
      return r.seq == 1500 ? Status::DataLoss("bad row 1500") : Status::Ok();
    });
    CHECK(st.code() == StatusCode::kDataLoss);
    CHECK(st.message() == "bad row 1500");
    CHECK(seen == 1500);
  }
  SECTION("the callback may commit while replaying") {
    int seen = 0;
    Status st = s->ForEachJournal(2590, [&](const JournalRow&) {
      ++seen;
      Batch b;
      b.journal = {Journal("market", 9'000)};
      return s->Commit(&b);
    });
    CHECK(st.ok());
    CHECK(seen >= 10);  // rows committed during the replay may or may not be seen
  }
}

TEST_CASE("ListOrders filters by status and symbol, pages, newest first", "[sim][store][io]") {
  TempDir dir;
  auto s = OpenOrDie(dir.File("arena.db"));
  Batch b;
  b.agents = {Agent("a-1", "alice"), Agent("a-2", "bob")};
  const char* statuses[] = {"open", "filled", "cancelled", "rejected"};
  const char* symbols[] = {"BTCUSDT", "ETHUSDT"};
  for (std::uint64_t id = 1; id <= 40; ++id) {
    // Two orders per millisecond: ties on created_ms are broken by id, newest first.
    b.orders.push_back(Order(id, "a-1", symbols[id % 2], statuses[id % 4],
                             1'000 + static_cast<std::int64_t>((id + 1) / 2)));
  }
  b.orders.push_back(Order(41, "a-2", "BTCUSDT", "open", 5'000));
  REQUIRE(s->Commit(&b).ok());

  auto ids = [&](const OrderQuery& q) {
    Result<std::vector<OrderRow>> r = s->ListOrders(q);
    INFO(r.status().message());
    REQUIRE(r.ok());
    std::vector<std::uint64_t> out;
    for (const OrderRow& o : *r) out.push_back(o.id);
    return out;
  };

  OrderQuery q;
  q.agent_id = "a-1";
  q.limit = 5;
  CHECK(ids(q) == std::vector<std::uint64_t>{40, 39, 38, 37, 36});
  q.offset = 5;
  CHECK(ids(q) == std::vector<std::uint64_t>{35, 34, 33, 32, 31});
  q.offset = 38;
  CHECK(ids(q) == std::vector<std::uint64_t>{2, 1});
  q.offset = 100;
  CHECK(ids(q).empty());

  q = OrderQuery{};
  q.agent_id = "a-1";
  q.statuses = {"open"};  // id % 4 == 0
  CHECK(ids(q) == std::vector<std::uint64_t>{40, 36, 32, 28, 24, 20, 16, 12, 8, 4});
  q.statuses = {"filled", "open", "open"};  // duplicates are harmless
  q.symbol = "ETHUSDT";
  CHECK(ids(q) == std::vector<std::uint64_t>{37, 33, 29, 25, 21, 17, 13, 9, 5, 1});  // filled
  q.symbol = "BTCUSDT";  // even ids: the open ones
  q.limit = 3;
  CHECK(ids(q) == std::vector<std::uint64_t>{40, 36, 32});
  q.statuses = {"expired"};
  CHECK(ids(q).empty());

  SECTION("limit is clamped to 1..500 and a negative offset to 0") {
    q = OrderQuery{};
    q.agent_id = "a-1";
    q.limit = 0;
    CHECK(ids(q).size() == 1);
    q.limit = 100'000;
    q.offset = -3;
    CHECK(ids(q).size() == 40);
  }
  SECTION("another agent's orders are never listed") {
    q = OrderQuery{};
    q.agent_id = "a-2";
    CHECK(ids(q) == std::vector<std::uint64_t>{41});
  }
  SECTION("agent_id is required") {
    Result<std::vector<OrderRow>> r = s->ListOrders(OrderQuery{});
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message() == "listing orders: agent_id is required");
  }
}

TEST_CASE("ListFills and ListAudit page newest first", "[sim][store][io]") {
  TempDir dir;
  auto s = OpenOrDie(dir.File("arena.db"));
  Batch b;
  b.agents = {Agent("a-1", "alice")};
  for (std::uint64_t id = 1; id <= 12; ++id) {
    FillRow f = Fill(id, 100 + id, "a-1", 1'000 + static_cast<std::int64_t>(id / 2));
    if (id > 6) f.symbol = "ETHUSDT";
    b.fills.push_back(f);
    b.audit.push_back(Audit(id % 3 ? "a-1" : "", "order_filled"));
  }
  REQUIRE(s->Commit(&b).ok());

  std::vector<FillRow> fills = *s->ListFills("a-1", "", Page{4, 0});
  REQUIRE(fills.size() == 4);
  CHECK(fills[0].id == 12);
  CHECK(fills[1].id == 11);
  CHECK(fills[3].id == 9);
  fills = *s->ListFills("a-1", "BTCUSDT", Page{50, 2});
  REQUIRE(fills.size() == 4);
  CHECK(fills[0].id == 4);
  CHECK(fills[3].id == 1);

  std::vector<AuditRow> audit = *s->ListAudit("a-1", Page{3, 1});
  REQUIRE(audit.size() == 3);
  CHECK(audit[0].id == 10);  // 12 has no agent; 11 skipped by the offset
  CHECK(audit[1].id == 8);
  CHECK(audit[2].id == 7);
  CHECK(s->ListAudit("", Page{})->size() == 4);  // auth failures of unknown agents
}

TEST_CASE("snapshots keep the last point of each interval bucket, oldest first",
          "[sim][store][io]") {
  TempDir dir;
  auto s = OpenOrDie(dir.File("arena.db"));
  Batch b;
  b.agents = {Agent("a-1", "alice"), Agent("a-2", "bob")};
  // Points every 15 s for 5 minutes (t = 0 .. 285 s); equity = t.
  for (std::int64_t t = 0; t < 300'000; t += 15'000) {
    b.snapshots.push_back({"a-1", t, t, 0});
    b.snapshots.push_back({"a-2", t, -t, 0});
  }
  REQUIRE(s->Commit(&b).ok());

  auto times = [&](std::int64_t since, std::int64_t interval) {
    Result<std::vector<SnapshotRow>> r = s->ListSnapshots("a-1", since, interval);
    REQUIRE(r.ok());
    std::vector<std::int64_t> out;
    for (const SnapshotRow& p : *r) {
      CHECK(p.agent_id == "a-1");
      CHECK(p.equity == p.time_ms);  // the point's own values, not another row's
      out.push_back(p.time_ms);
    }
    return out;
  };
  CHECK(times(0, 60'000) == std::vector<std::int64_t>{45'000, 105'000, 165'000, 225'000, 285'000});
  CHECK(times(100'000, 60'000) == std::vector<std::int64_t>{105'000, 165'000, 225'000, 285'000});
  CHECK(times(250'000, 60'000) == std::vector<std::int64_t>{285'000});
  CHECK(times(0, 3'600'000) == std::vector<std::int64_t>{285'000});
  CHECK(times(240'000, 0) == std::vector<std::int64_t>{240'000, 255'000, 270'000, 285'000});
  CHECK(times(240'000, 1) == std::vector<std::int64_t>{240'000, 255'000, 270'000, 285'000});
  CHECK(times(300'000, 60'000).empty());
  CHECK(s->ListSnapshots("a-1", 0, -1).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("meta values are stored, replaced and survive reopen", "[sim][store][io]") {
  TempDir dir;
  const std::string path = dir.File("arena.db");
  {
    auto s = OpenOrDie(path);
    CHECK(**s->GetMeta("schema_version") == "4");
    CHECK_FALSE(s->GetMeta("arena_started_ms")->has_value());
    REQUIRE(s->SetMeta("arena_started_ms", "1700000000000").ok());
    REQUIRE(s->SetMeta("arena_started_ms", "1700000000001").ok());
    REQUIRE(s->SetMeta("empty", "").ok());
    Status st = s->SetMeta("schema_version", "2");
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message() == "meta key 'schema_version' is managed by the store");
  }
  auto s = OpenOrDie(path);
  CHECK(**s->GetMeta("arena_started_ms") == "1700000000001");
  CHECK(**s->GetMeta("empty") == "");
  CHECK(**s->GetMeta("schema_version") == "4");
}
