// Internals of the SQLite store shared by its .cpp files: RAII owners for connections and
// prepared statements, result-code mapping, file preparation and the schema. Not part of the
// store interface; nothing outside sim/store includes this.
//
// Thread safety: a Conn and its statements are used by one thread at a time (connections are
// opened with SQLITE_OPEN_NOMUTEX; the store's own mutexes serialise access).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sim/engine/status.h"
#include "sim/store/store.h"

namespace claw::store::sqlite {

// Bumped only with a migration in sqlite_schema.cpp. Part of stored data: never reuse a number.
inline constexpr int kSchemaVersion = 4;

// Migrations after version 1 (SQL run in one transaction; a new store runs them all). Each lives
// in its own file so the features that own them can change them independently:
// 2: commit-reveal (sqlite_schema_v2.cpp), 3: sessions (v3), 4: owner controls (v4).
extern const char* const kSchemaV2;
extern const char* const kSchemaV3;
extern const char* const kSchemaV4;

// Maps an SQLite result code to a Status: constraint violations of keys -> kAlreadyExists,
// other constraints -> kInvalidArgument, busy/locked -> kUnavailable, corrupt/not-a-database
// -> kDataLoss, full/I/O/cannot-open -> kIOError, anything else -> kInternal. The message is
// "<what>: <sqlite message>".
Status SqliteError(int rc, sqlite3* db, const std::string& what);

// A prepared statement; finalized on destruction. Bind indexes are 1-based, column indexes
// 0-based, as in the C API. Text is bound with SQLITE_STATIC: the caller keeps bound strings
// alive until Reset(), which also clears the bindings so a stale pointer is never reused.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  void Bind(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Bind(int i, std::uint64_t v) { sqlite3_bind_int64(s_, i, static_cast<std::int64_t>(v)); }
  void Bind(int i, int v) { sqlite3_bind_int(s_, i, v); }
  void Bind(int i, bool v) { sqlite3_bind_int(s_, i, v ? 1 : 0); }
  void Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void Bind(int i, std::string&& v) = delete;  // a temporary would dangle before the step

  // SQLITE_ROW -> true, SQLITE_DONE -> false, else the error naming `what`.
  Result<bool> Step(const std::string& what);
  // The raw result code of one step, for callers that build the error text only on failure.
  int StepRc() { return sqlite3_step(s_); }
  sqlite3* db() const { return db_; }
  // Runs a statement that returns no rows to completion, then resets it.
  Status Run(const std::string& what);
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  std::int64_t Int64(int col) const { return sqlite3_column_int64(s_, col); }
  std::uint64_t UInt64(int col) const { return static_cast<std::uint64_t>(Int64(col)); }
  int Int(int col) const { return sqlite3_column_int(s_, col); }
  bool Bool(int col) const { return sqlite3_column_int(s_, col) != 0; }
  std::string Text(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

// Resets a statement when leaving scope, so an early return never leaves a read transaction
// open (an open read would hold back WAL checkpoints) or bindings pointing at dead strings.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt* s) : s_(s) {}
  ~ResetOnExit() { s_->Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt* s_;
};

// One connection plus its cache of prepared statements, keyed by SQL text: each statement is
// prepared once per connection and reused.
class Conn {
 public:
  // Opens `path` read-write (the writer) or read-only (the query pool); sets busy_timeout and
  // extended result codes. REQUIRES: the file exists and passed CheckDatabaseFile.
  static Result<std::unique_ptr<Conn>> Open(const std::string& path, bool read_only);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  sqlite3* db() const { return db_; }
  // The cached statement for `sql`, prepared on first use. The pointer stays valid for the
  // connection's life.
  Result<Stmt*> Prepare(const std::string& sql);
  // Runs one or more statements without parameters (DDL, BEGIN/COMMIT, pragmas).
  Status Exec(const std::string& sql, const std::string& what);

 private:
  explicit Conn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, Stmt> stmts_;  // finalized before the close in ~Conn
};

// Rows <-> statements (sqlite_rows.cpp). For each row type: its column list (the SELECT list
// Read* expects, in order), the statement that writes it (an upsert by key, or a plain insert
// for fills, journal and audit), and Bind* filling that statement's parameters ?1..?n in
// column order. Bound strings are borrowed from the row (see Stmt).
const std::string& AgentCols();
const std::string& OrderCols();
const std::string& FillCols();
const std::string& PositionCols();
const std::string& WalletCols();
const std::string& PriceCols();
const std::string& SnapshotCols();
const std::string& AuditCols();
const std::string& JournalCols();

const std::string& AgentUpsertSql();
const std::string& OrderUpsertSql();
const std::string& FillInsertSql();
const std::string& PositionUpsertSql();
const std::string& PositionDeleteSql();  // ?1 agent_id, ?2 symbol
const std::string& WalletUpsertSql();
const std::string& PriceUpsertSql();
const std::string& SnapshotUpsertSql();
const std::string& AuditInsertSql();
const std::string& JournalInsertSql();

void Bind(Stmt* s, const AgentRow& r);
void Bind(Stmt* s, const OrderRow& r);
void Bind(Stmt* s, const FillRow& r);
void Bind(Stmt* s, const PositionRow& r);
void Bind(Stmt* s, const WalletRow& r);
void Bind(Stmt* s, const PriceRow& r);
void Bind(Stmt* s, const SnapshotRow& r);
void Bind(Stmt* s, const AuditRow& r);
void Bind(Stmt* s, const JournalRow& r);

AgentRow ReadAgent(const Stmt& s);
OrderRow ReadOrder(const Stmt& s);
FillRow ReadFill(const Stmt& s);
PositionRow ReadPosition(const Stmt& s);
WalletRow ReadWallet(const Stmt& s);
PriceRow ReadPrice(const Stmt& s);
SnapshotRow ReadSnapshot(const Stmt& s);
AuditRow ReadAudit(const Stmt& s);
JournalRow ReadJournal(const Stmt& s);

// Creates the directory (0700, with missing parents) and an empty file (0600) when missing.
// Existing directories and files keep their modes.
// Sealed trades and the price tape (sqlite_commitments.cpp, schema v2).
Status WriteCommitments(Conn* writer, const Batch& b);
Result<std::vector<CommitmentRow>> QueryCommitmentById(Conn* reader, std::uint64_t id);
Result<std::vector<CommitmentRow>> QueryCommitments(Conn* reader, const CommitmentQuery& q);
Result<std::vector<TapePointRow>> QueryTape(Conn* reader);

Status PrepareDatabaseFile(const std::string& path);

// Refuses a file that is not an SQLite database (wrong 100-byte header), without writing to
// it: kDataLoss naming the path. An empty file is a new database.
Status CheckDatabaseFile(const std::string& path);

// On the writer: checks an existing database without writing to it (not an arena store, an
// unreadable file or a bad schema_version: kDataLoss; a schema_version newer than
// kSchemaVersion: kInvalidArgument), then sets WAL, synchronous and foreign keys, and creates
// the schema on first open. Errors start with "opening store '<path>': ".
Status InitWriter(Conn* conn, const std::string& path, bool synchronous_full);

}  // namespace claw::store::sqlite
