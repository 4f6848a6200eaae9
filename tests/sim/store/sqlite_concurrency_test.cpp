// Readers on other threads while the engine thread commits (WAL + the read pool).
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "sim/store/store.h"
#include "tests/sim/store/store_test_util.h"

using namespace claw;
using namespace claw::store;
using namespace claw::store::testing;

TEST_CASE("queries on many threads run cleanly while 1000 batches commit", "[sim][store][io]") {
  TempDir dir;
  SqliteOptions o;
  o.path = dir.File("arena.db");
  o.read_connections = 2;  // fewer than the reader threads: exercises waiting for a lease
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(o);
  REQUIRE(opened.ok());
  std::unique_ptr<Store> s = std::move(opened).value();
  {
    Batch reg;
    reg.agents = {Agent("a-1", "alice")};
    REQUIRE(s->Commit(&reg).ok());
  }

  constexpr int kBatches = 1'000;
  constexpr int kReaders = 4;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      std::size_t last_orders = 0;
      while (!done.load()) {
        OrderQuery q;
        q.agent_id = "a-1";
        q.limit = 500;
        if (t % 2) q.statuses = {"filled"};
        Result<std::vector<OrderRow>> orders = s->ListOrders(q);
        Result<std::vector<FillRow>> fills = s->ListFills("a-1", "", Page{20, 0});
        Result<std::vector<WalletRow>> wallets = s->ListWallets();
        Result<std::optional<std::string>> meta = s->GetMeta("schema_version");
        if (!orders.ok() || !fills.ok() || !wallets.ok() || !meta.ok()) {
          ++errors;
          continue;
        }
        // Each read sees a committed state: counts never go backwards, and a wallet row
        // always matches a whole batch (equity == balance in every batch written below).
        if (t % 2 == 0 && orders->size() < last_orders && last_orders < 500) ++errors;
        last_orders = orders->size();
        for (const WalletRow& w : *wallets) {
          if (w.equity != w.balance) ++errors;
        }
        ++reads;
      }
    });
  }

  Status first_error;
  for (int i = 1; i <= kBatches && first_error.ok(); ++i) {
    Batch b;
    b.journal = {Journal("order", i)};
    b.orders = {Order(static_cast<std::uint64_t>(i), "a-1", "BTCUSDT", "filled", i)};
    b.fills = {Fill(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(i), "a-1", i)};
    b.wallets = {{"a-1", i, i, 0, 0, 0, 0, i}};
    b.audit = {Audit("a-1", "order_placed")};
    first_error = s->Commit(&b);
  }
  done = true;
  for (std::thread& t : readers) t.join();

  INFO(first_error.message());
  CHECK(first_error.ok());
  CHECK(errors.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(*s->LastJournalSeq() == kBatches);
  CHECK(s->ListAudit("a-1", Page{1, 0})->at(0).id == kBatches);
  CHECK(s->ListWallets()->at(0).balance == kBatches);
}
