// The SQLite implementation of Store (store.h).
//
// Connections: one read-write connection for the engine thread (Commit, SetMeta,
// LastJournalSeq), guarded by a mutex so a stray call from another thread is serialised rather
// than undefined; and a fixed pool of read-only connections for the queries, handed out under
// a mutex/condvar. A pool rather than a connection per call: opening one costs a file open and
// a schema parse per HTTP request, and a pool bounds the file descriptors under load while
// keeping each connection's prepared statements warm. WAL lets every reader run during a
// commit; each query is one statement, so it reads one consistent snapshot.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/store/sqlite_internal.h"
#include "sim/store/store.h"

namespace claw::store {
namespace {

using sqlite::Conn;
using sqlite::ResetOnExit;
using sqlite::Stmt;

constexpr int kMaxPageLimit = 500;        // PROTOCOL.md list endpoints: limit 1..500
constexpr std::size_t kMaxStatuses = 16;  // more than the 7 order statuses, after dedupe
// Journal rows per read during ForEachJournal: the read transaction (and the pooled
// connection) is released between chunks, so a long replay neither holds back WAL
// checkpoints nor deadlocks a callback that calls into the store.
constexpr int kJournalChunk = 1024;
constexpr int kMaxReadConnections = 64;

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxPageLimit); }
int ClampOffset(int offset) { return std::max(offset, 0); }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class ReadPool {
 public:
  class Lease {
   public:
    Lease(ReadPool* pool, Conn* conn) : pool_(pool), conn_(conn) {}
    ~Lease() { pool_->Release(conn_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Conn* operator->() const { return conn_; }
    Conn* get() const { return conn_; }

   private:
    ReadPool* pool_;
    Conn* conn_;
  };

  Status Open(const std::string& path, int n) {
    n = std::clamp(n, 1, kMaxReadConnections);
    for (int i = 0; i < n; ++i) {
      Result<std::unique_ptr<Conn>> c = Conn::Open(path, /*read_only=*/true);
      if (!c.ok()) return c.status();
      free_.push_back(c->get());
      all_.push_back(std::move(c).value());
    }
    return Status::Ok();
  }

  // Blocks while every connection is in use.
  Lease Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !free_.empty(); });
    Conn* c = free_.back();
    free_.pop_back();
    return Lease(this, c);
  }

 private:
  void Release(Conn* c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_.push_back(c);
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Conn*> free_;                 // guarded by mu_
  std::vector<std::unique_ptr<Conn>> all_;  // fixed after Open
};

// Appends every row of `s` (already bound) read by `read`; resets `s` on return.
template <typename T, typename ReadFn>
Status CollectRows(Stmt* s, ReadFn read, const std::string& what, std::vector<T>* out) {
  ResetOnExit reset(s);
  for (;;) {
    Result<bool> row = s->Step(what);
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    out->push_back(read(*s));
  }
}

// Binds `row` and steps once; on failure the error names the row via `describe` (called
// only then, so the hot path builds no strings).
// `id`, when given, replaces parameter ?1 (the key Commit assigns: journal seq, audit id).
template <typename Row, typename DescribeFn>
Status WriteRow(Stmt* s, const Row& row, DescribeFn describe,
                std::optional<std::int64_t> id = std::nullopt) {
  ResetOnExit reset(s);
  sqlite::Bind(s, row);
  if (id) s->Bind(1, *id);
  const int rc = s->StepRc();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return sqlite::SqliteError(rc, s->db(), describe());
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<Conn> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  Status OpenReaders(int n) { return readers_.Open(path_, n); }

  Status Commit(Batch* batch) override;
  Result<std::vector<AgentRow>> LoadAgents() override;
  Status ForEachJournal(std::int64_t after_seq,
                        const std::function<Status(const JournalRow&)>& fn) override;
  Result<std::int64_t> LastJournalSeq() override;
  Result<std::optional<std::string>> GetMeta(const std::string& key) override;
  Status SetMeta(const std::string& key, const std::string& value) override;
  Result<std::vector<OrderRow>> ListOrders(const OrderQuery& q) override;
  Result<std::optional<OrderRow>> GetOrder(std::uint64_t id) override;
  Result<std::vector<FillRow>> ListFills(const std::string& agent_id, const std::string& symbol,
                                         Page page) override;
  Result<std::vector<PositionRow>> ListPositions(const std::string& agent_id) override;
  Result<std::vector<WalletRow>> ListWallets() override;
  Result<std::vector<PriceRow>> ListPrices() override;
  Result<std::vector<SnapshotRow>> ListSnapshots(const std::string& agent_id, std::int64_t since_ms,
                                                 std::int64_t interval_ms) override;
  Result<std::vector<AuditRow>> ListAudit(const std::string& agent_id, Page page) override;
  Result<std::optional<CommitmentRow>> GetCommitment(std::uint64_t id) override {
    ReadPool::Lease conn = readers_.Acquire();
    Result<std::vector<CommitmentRow>> rows = sqlite::QueryCommitmentById(conn.get(), id);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return std::optional<CommitmentRow>();
    return std::optional<CommitmentRow>(std::move(rows->front()));
  }
  Result<std::vector<CommitmentRow>> ListCommitments(const CommitmentQuery& q) override {
    ReadPool::Lease conn = readers_.Acquire();
    return sqlite::QueryCommitments(conn.get(), q);
  }
  Result<std::vector<TapePointRow>> LoadTape() override {
    ReadPool::Lease conn = readers_.Acquire();
    return sqlite::QueryTape(conn.get());
  }

 private:
  // Runs `sql` on a pooled reader: `bind` fills the parameters, `read` maps each row.
  template <typename T, typename BindFn, typename ReadFn>
  Result<std::vector<T>> Query(const std::string& sql, BindFn bind, ReadFn read,
                               const std::string& what) {
    ReadPool::Lease conn = readers_.Acquire();
    Result<Stmt*> st = conn->Prepare(sql);
    if (!st.ok()) return st.status();
    bind(*st);
    std::vector<T> out;
    CLAW_RETURN_IF_ERROR(CollectRows<T>(*st, read, what, &out));
    return out;
  }

  Result<std::int64_t> WriterInt(const std::string& sql, const std::string& what);
  Status WriteBatch(const Batch& b, std::int64_t seq0, std::int64_t audit0);
  // Writes `rows` with `sql`; when `first_id` is given, row i gets key first_id + i.
  template <typename Row, typename DescribeFn>
  Status WriteAll(const std::string& sql, const std::vector<Row>& rows, DescribeFn describe,
                  std::optional<std::int64_t> first_id = std::nullopt);
  Status WritePositions(const std::vector<PositionRow>& rows);

  const std::string path_;
  std::mutex writer_mu_;
  std::unique_ptr<Conn> writer_;  // guarded by writer_mu_
  ReadPool readers_;              // declared last: its connections close before the writer's,
                                  // so the writer's close checkpoints and removes the WAL
};

Result<std::int64_t> SqliteStore::WriterInt(const std::string& sql, const std::string& what) {
  Result<Stmt*> st = writer_->Prepare(sql);
  if (!st.ok()) return st.status();
  Stmt* s = *st;
  ResetOnExit reset(s);
  Result<bool> row = s->Step(what);
  if (!row.ok()) return row.status();
  return *row ? s->Int64(0) : 0;
}

template <typename Row, typename DescribeFn>
Status SqliteStore::WriteAll(const std::string& sql, const std::vector<Row>& rows,
                             DescribeFn describe, std::optional<std::int64_t> first_id) {
  if (rows.empty()) return Status::Ok();
  Result<Stmt*> st = writer_->Prepare(sql);
  if (!st.ok()) return st.status();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::optional<std::int64_t> id;
    if (first_id) id = *first_id + static_cast<std::int64_t>(i);
    CLAW_RETURN_IF_ERROR(WriteRow(
        *st, rows[i], [&] { return describe(rows[i]); }, id));
  }
  return Status::Ok();
}

// A flat position has no row: quantity 0 deletes (not an error if there was none).
Status SqliteStore::WritePositions(const std::vector<PositionRow>& rows) {
  if (rows.empty()) return Status::Ok();
  Result<Stmt*> upsert = writer_->Prepare(sqlite::PositionUpsertSql());
  if (!upsert.ok()) return upsert.status();
  Result<Stmt*> del = writer_->Prepare(sqlite::PositionDeleteSql());
  if (!del.ok()) return del.status();
  for (const PositionRow& r : rows) {
    auto describe = [&] {
      return "writing position " + Quote(r.symbol) + " of agent " + Quote(r.agent_id);
    };
    if (r.quantity != 0) {
      CLAW_RETURN_IF_ERROR(WriteRow(*upsert, r, describe));
      continue;
    }
    Stmt* s = *del;
    ResetOnExit reset(s);
    s->Bind(1, r.agent_id);
    s->Bind(2, r.symbol);
    const int rc = s->StepRc();
    if (rc != SQLITE_DONE) return sqlite::SqliteError(rc, s->db(), describe());
  }
  return Status::Ok();
}

// Agents first: the other read models reference agents(id), and a batch may register an agent
// and write its wallet together. The caller's journal seqs and audit ids are ignored.
Status SqliteStore::WriteBatch(const Batch& b, std::int64_t seq0, std::int64_t audit0) {
  CLAW_RETURN_IF_ERROR(WriteAll(
      sqlite::JournalInsertSql(), b.journal,
      [](const JournalRow& r) { return "inserting journal row (kind " + Quote(r.kind) + ")"; },
      seq0 + 1));
  CLAW_RETURN_IF_ERROR(WriteAll(sqlite::AgentUpsertSql(), b.agents, [](const AgentRow& r) {
    return "writing agent " + Quote(r.id) + " (" + Quote(r.name) + ")";
  }));
  CLAW_RETURN_IF_ERROR(WriteAll(sqlite::OrderUpsertSql(), b.orders, [](const OrderRow& r) {
    return "writing order " + std::to_string(r.id) + " of agent " + Quote(r.agent_id);
  }));
  CLAW_RETURN_IF_ERROR(WriteAll(sqlite::FillInsertSql(), b.fills, [](const FillRow& r) {
    return "inserting fill " + std::to_string(r.id) + " of order " + std::to_string(r.order_id);
  }));
  CLAW_RETURN_IF_ERROR(WritePositions(b.positions));
  CLAW_RETURN_IF_ERROR(WriteAll(sqlite::WalletUpsertSql(), b.wallets, [](const WalletRow& r) {
    return "writing wallet of agent " + Quote(r.agent_id);
  }));
  CLAW_RETURN_IF_ERROR(WriteAll(sqlite::PriceUpsertSql(), b.prices, [](const PriceRow& r) {
    return "writing price of " + Quote(r.symbol);
  }));
  CLAW_RETURN_IF_ERROR(WriteAll(sqlite::SnapshotUpsertSql(), b.snapshots, [](const SnapshotRow& r) {
    return "writing snapshot of agent " + Quote(r.agent_id) + " at " + std::to_string(r.time_ms);
  }));
  CLAW_RETURN_IF_ERROR(sqlite::WriteCommitments(writer_.get(), b));
  return WriteAll(
      sqlite::AuditInsertSql(), b.audit,
      [](const AuditRow& r) { return "inserting audit row (event " + Quote(r.event_type) + ")"; },
      audit0 + 1);
}

Status SqliteStore::Commit(Batch* batch) {
  if (batch == nullptr) return Status::InvalidArgument("commit: batch is null");
  if (batch->empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(writer_mu_);
  // IMMEDIATE takes the write lock up front, so the seq and id read below cannot be raced by
  // another writer (another process on the same file) before our inserts.
  CLAW_RETURN_IF_ERROR(
      writer_->Exec("BEGIN IMMEDIATE", "starting a transaction").WithContext("committing batch"));
  // Read inside the transaction rather than cached: gapless even if something else appended.
  Result<std::int64_t> seq0 =
      WriterInt("SELECT coalesce(max(seq), 0) FROM journal", "reading the last journal seq");
  Result<std::int64_t> audit0 =
      WriterInt("SELECT coalesce(max(id), 0) FROM audit", "reading the last audit id");
  Status s = !seq0.ok() ? seq0.status() : !audit0.ok() ? audit0.status() : Status::Ok();
  if (s.ok()) s = WriteBatch(*batch, *seq0, *audit0);
  if (s.ok()) s = writer_->Exec("COMMIT", "committing");
  if (!s.ok()) {
    // Some errors (I/O, full disk) already rolled back; ROLLBACK then would itself fail.
    if (sqlite3_get_autocommit(writer_->db()) == 0) {
      (void)writer_->Exec("ROLLBACK", "rolling back");
    }
    return s.WithContext("committing batch");
  }
  for (std::size_t i = 0; i < batch->journal.size(); ++i) {
    batch->journal[i].seq = *seq0 + 1 + static_cast<std::int64_t>(i);
  }
  for (std::size_t i = 0; i < batch->audit.size(); ++i) {
    batch->audit[i].id = *audit0 + 1 + static_cast<std::int64_t>(i);
  }
  return Status::Ok();
}

Result<std::vector<AgentRow>> SqliteStore::LoadAgents() {
  return Query<AgentRow>(
      "SELECT " + sqlite::AgentCols() + " FROM agents ORDER BY created_ms, id", [](Stmt*) {},
      sqlite::ReadAgent, "loading agents");
}

Status SqliteStore::ForEachJournal(std::int64_t after_seq,
                                   const std::function<Status(const JournalRow&)>& fn) {
  const std::string sql =
      "SELECT " + sqlite::JournalCols() + " FROM journal WHERE seq > ?1 ORDER BY seq LIMIT ?2";
  for (;;) {
    Result<std::vector<JournalRow>> rows = Query<JournalRow>(
        sql,
        [&](Stmt* s) {
          s->Bind(1, after_seq);
          s->Bind(2, kJournalChunk);
        },
        sqlite::ReadJournal, "reading the journal");
    if (!rows.ok()) return rows.status();
    for (const JournalRow& r : *rows) {
      CLAW_RETURN_IF_ERROR(fn(r));
      after_seq = r.seq;
    }
    if (rows->size() < static_cast<std::size_t>(kJournalChunk)) return Status::Ok();
  }
}

Result<std::int64_t> SqliteStore::LastJournalSeq() {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return WriterInt("SELECT coalesce(max(seq), 0) FROM journal", "reading the last journal seq");
}

Result<std::optional<std::string>> SqliteStore::GetMeta(const std::string& key) {
  Result<std::vector<std::string>> rows = Query<std::string>(
      "SELECT value FROM meta WHERE key = ?1", [&](Stmt* s) { s->Bind(1, key); },
      [](const Stmt& s) { return s.Text(0); }, "reading meta " + Quote(key));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(rows->front()));
}

Status SqliteStore::SetMeta(const std::string& key, const std::string& value) {
  // The schema version changes only with a migration in this module.
  if (key == "schema_version") {
    return Status::InvalidArgument("meta key 'schema_version' is managed by the store");
  }
  std::lock_guard<std::mutex> lock(writer_mu_);
  Result<Stmt*> st = writer_->Prepare(
      "INSERT INTO meta (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, key);
  (*st)->Bind(2, value);
  return (*st)->Run("writing meta " + Quote(key));
}

Result<std::vector<OrderRow>> SqliteStore::ListOrders(const OrderQuery& q) {
  if (q.agent_id.empty()) return Status::InvalidArgument("listing orders: agent_id is required");
  std::vector<std::string> statuses = q.statuses;
  std::sort(statuses.begin(), statuses.end());
  statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
  if (statuses.size() > kMaxStatuses) {
    return Status::InvalidArgument("listing orders: too many statuses (" +
                                   std::to_string(statuses.size()) + ")");
  }
  // The text depends only on the number of statuses, so each connection caches at most
  // kMaxStatuses + 1 variants of this statement.
  std::string sql = "SELECT " + sqlite::OrderCols() + " FROM orders WHERE agent_id = ?1";
  if (!statuses.empty()) {
    sql += " AND status IN (";
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      sql += (i ? ", ?" : "?") + std::to_string(i + 5);
    }
    sql += ")";
  }
  sql += " AND (?2 = '' OR symbol = ?2) ORDER BY created_ms DESC, id DESC LIMIT ?3 OFFSET ?4";
  return Query<OrderRow>(
      sql,
      [&](Stmt* s) {
        s->Bind(1, q.agent_id);
        s->Bind(2, q.symbol);
        s->Bind(3, ClampLimit(q.limit));
        s->Bind(4, ClampOffset(q.offset));
        for (std::size_t i = 0; i < statuses.size(); ++i) {
          s->Bind(static_cast<int>(i) + 5, statuses[i]);
        }
      },
      sqlite::ReadOrder, "listing orders of agent " + Quote(q.agent_id));
}

Result<std::optional<OrderRow>> SqliteStore::GetOrder(std::uint64_t id) {
  Result<std::vector<OrderRow>> rows = Query<OrderRow>(
      "SELECT " + sqlite::OrderCols() + " FROM orders WHERE id = ?1",
      [&](Stmt* s) { s->Bind(1, id); }, sqlite::ReadOrder, "reading order " + std::to_string(id));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<OrderRow>();
  return std::optional<OrderRow>(std::move(rows->front()));
}

Result<std::vector<FillRow>> SqliteStore::ListFills(const std::string& agent_id,
                                                    const std::string& symbol, Page page) {
  return Query<FillRow>(
      "SELECT " + sqlite::FillCols() +
          " FROM fills WHERE agent_id = ?1 AND (?2 = '' OR symbol = ?2)"
          " ORDER BY time_ms DESC, id DESC LIMIT ?3 OFFSET ?4",
      [&](Stmt* s) {
        s->Bind(1, agent_id);
        s->Bind(2, symbol);
        s->Bind(3, ClampLimit(page.limit));
        s->Bind(4, ClampOffset(page.offset));
      },
      sqlite::ReadFill, "listing fills of agent " + Quote(agent_id));
}

Result<std::vector<PositionRow>> SqliteStore::ListPositions(const std::string& agent_id) {
  return Query<PositionRow>(
      "SELECT " + sqlite::PositionCols() + " FROM positions WHERE agent_id = ?1 ORDER BY symbol",
      [&](Stmt* s) { s->Bind(1, agent_id); }, sqlite::ReadPosition,
      "listing positions of agent " + Quote(agent_id));
}

Result<std::vector<WalletRow>> SqliteStore::ListWallets() {
  return Query<WalletRow>(
      "SELECT " + sqlite::WalletCols() + " FROM wallets ORDER BY agent_id", [](Stmt*) {},
      sqlite::ReadWallet, "listing wallets");
}

Result<std::vector<PriceRow>> SqliteStore::ListPrices() {
  return Query<PriceRow>(
      "SELECT " + sqlite::PriceCols() + " FROM prices ORDER BY symbol", [](Stmt*) {},
      sqlite::ReadPrice, "listing prices");
}

Result<std::vector<SnapshotRow>> SqliteStore::ListSnapshots(const std::string& agent_id,
                                                            std::int64_t since_ms,
                                                            std::int64_t interval_ms) {
  if (interval_ms < 0) {
    return Status::InvalidArgument("listing snapshots: negative interval " +
                                   std::to_string(interval_ms));
  }
  // Buckets are aligned to the epoch (time_ms / interval), not to since_ms, so a point's
  // bucket does not depend on the query. With max(time_ms), SQLite takes the bare columns
  // from the row holding the maximum: the last point of each bucket.
  const std::string sql =
      interval_ms == 0
          ? "SELECT " + sqlite::SnapshotCols() +
                " FROM snapshots WHERE agent_id = ?1 AND time_ms >= ?2 ORDER BY time_ms"
          : "SELECT agent_id, max(time_ms), equity, balance FROM snapshots"
            " WHERE agent_id = ?1 AND time_ms >= ?2 GROUP BY time_ms / ?3 ORDER BY 2";
  return Query<SnapshotRow>(
      sql,
      [&](Stmt* s) {
        s->Bind(1, agent_id);
        s->Bind(2, since_ms);
        if (interval_ms > 0) s->Bind(3, interval_ms);
      },
      sqlite::ReadSnapshot, "listing snapshots of agent " + Quote(agent_id));
}

Result<std::vector<AuditRow>> SqliteStore::ListAudit(const std::string& agent_id, Page page) {
  return Query<AuditRow>(
      "SELECT " + sqlite::AuditCols() +
          " FROM audit WHERE agent_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
      [&](Stmt* s) {
        s->Bind(1, agent_id);
        s->Bind(2, ClampLimit(page.limit));
        s->Bind(3, ClampOffset(page.offset));
      },
      sqlite::ReadAudit, "listing audit of agent " + Quote(agent_id));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  CLAW_RETURN_IF_ERROR(sqlite::PrepareDatabaseFile(options.path));
  CLAW_RETURN_IF_ERROR(sqlite::CheckDatabaseFile(options.path));
  Result<std::unique_ptr<Conn>> writer = Conn::Open(options.path, /*read_only=*/false);
  if (!writer.ok()) return writer.status();
  CLAW_RETURN_IF_ERROR(sqlite::InitWriter(writer->get(), options.path, options.synchronous_full));
  auto store = std::make_unique<SqliteStore>(options.path, std::move(writer).value());
  CLAW_RETURN_IF_ERROR(store->OpenReaders(options.read_connections)
                           .WithContext("opening store '" + options.path + "'"));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace claw::store
