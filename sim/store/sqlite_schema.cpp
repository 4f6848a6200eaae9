// The SQLite store's schema and the checks made when opening a file (sqlite_internal.h).
//
// Tables are STRICT so a money column can only ever hold an INTEGER (a REAL bound by mistake is
// an error, not a silent float), and the per-agent read models reference agents(id) so a row
// for an agent the store has never seen is refused at commit. fills.order_id has no foreign key:
// liquidation closes positions with fills that belong to no order (order id 0).
#include <string>

#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {
namespace {

// "Claw" in ASCII, in the file header (PRAGMA application_id), so `file(1)` and tools can tell
// an arena store from other SQLite files. Part of stored data: never change it.
constexpr int kApplicationId = 0x436c6177;

// Version 1. Append-only audit: no statement in the store updates or deletes it, and the
// triggers make any other client's attempt fail too.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE journal (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL
) STRICT;

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  public_key TEXT NOT NULL,
  eth_address TEXT NOT NULL,
  status TEXT NOT NULL,
  claim_token_hash TEXT NOT NULL,
  verification_code TEXT NOT NULL,
  claim_attempts INTEGER NOT NULL,
  owner_token_hash TEXT NOT NULL,
  device_id TEXT NOT NULL,
  wallet INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  claimed_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  client_order_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  time_in_force TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  notional INTEGER NOT NULL,
  price INTEGER NOT NULL,
  filled INTEGER NOT NULL,
  average_price INTEGER NOT NULL,
  fees INTEGER NOT NULL,
  leverage INTEGER NOT NULL,
  reduce_only INTEGER NOT NULL,
  status TEXT NOT NULL,
  reject_code TEXT NOT NULL,
  reason TEXT NOT NULL,
  rationale TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_by_agent_created ON orders (agent_id, created_ms DESC, id DESC);
CREATE INDEX orders_by_agent_status ON orders (agent_id, status, created_ms DESC, id DESC);

CREATE TABLE fills (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  price INTEGER NOT NULL,
  fee INTEGER NOT NULL,
  realized_pnl INTEGER NOT NULL,
  maker INTEGER NOT NULL,
  time_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX fills_by_agent_time ON fills (agent_id, time_ms DESC, id DESC);
CREATE INDEX fills_by_order ON fills (order_id);

CREATE TABLE positions (
  agent_id TEXT NOT NULL REFERENCES agents(id),
  symbol TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  entry_price INTEGER NOT NULL,
  leverage INTEGER NOT NULL,
  margin INTEGER NOT NULL,
  opened_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (agent_id, symbol)
) WITHOUT ROWID, STRICT;

CREATE TABLE wallets (
  agent_id TEXT PRIMARY KEY REFERENCES agents(id),
  balance INTEGER NOT NULL,
  equity INTEGER NOT NULL,
  margin_used INTEGER NOT NULL,
  realized_pnl INTEGER NOT NULL,
  fees_paid INTEGER NOT NULL,
  liquidations INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE prices (
  symbol TEXT PRIMARY KEY,
  bid INTEGER NOT NULL,
  ask INTEGER NOT NULL,
  last INTEGER NOT NULL,
  mark INTEGER NOT NULL,
  time_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE snapshots (
  agent_id TEXT NOT NULL REFERENCES agents(id),
  time_ms INTEGER NOT NULL,
  equity INTEGER NOT NULL,
  balance INTEGER NOT NULL,
  PRIMARY KEY (agent_id, time_ms)
) WITHOUT ROWID, STRICT;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  ip TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_agent ON audit (agent_id, id DESC);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
)sql";

Result<std::int64_t> QueryInt(Conn* conn, const std::string& sql, const std::string& what) {
  Result<Stmt*> st = conn->Prepare(sql);
  if (!st.ok()) return st.status();
  Stmt* s = *st;
  ResetOnExit reset(s);
  Result<bool> row = s->Step(what);
  if (!row.ok()) return row.status();
  return *row ? s->Int64(0) : 0;
}

// kMigrations[v - 2] takes a store from version v - 1 to v.
Status RunMigrations(Conn* conn, int from_version) {
  static const char* const kMigrations[] = {kSchemaV2, kSchemaV3, kSchemaV4};
  static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion - 1,
                "one migration per schema version after 1");
  for (int v = from_version; v < kSchemaVersion; ++v) {
    CLAW_RETURN_IF_ERROR(conn->Exec(kMigrations[v - 1], "migrating the schema to version " +
                                                            std::to_string(v + 1)));
  }
  return Status::Ok();
}

Status WriteSchemaVersion(Conn* conn) {
  Result<Stmt*> st = conn->Prepare(
      "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!st.ok()) return st.status();
  const std::string version = std::to_string(kSchemaVersion);  // bound by reference
  (*st)->Bind(1, version);
  return (*st)->Run("writing schema_version");
}

Status CreateSchema(Conn* conn) {
  CLAW_RETURN_IF_ERROR(conn->Exec(kSchemaV1, "creating the schema"));
  CLAW_RETURN_IF_ERROR(RunMigrations(conn, 1));
  CLAW_RETURN_IF_ERROR(conn->Exec("PRAGMA application_id = " + std::to_string(kApplicationId),
                                  "setting application_id"));
  return WriteSchemaVersion(conn);
}

// A store made by this or an older version of the code; sets *version.
Status CheckSchemaVersion(Conn* conn, int* version) {
  Result<Stmt*> st = conn->Prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!st.ok()) return st.status();
  Stmt* s = *st;
  ResetOnExit reset(s);
  Result<bool> row = s->Step("reading schema_version");
  if (!row.ok()) return row.status();
  const std::string text = *row ? s->Text(0) : std::string();
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || v < 1) {
    return Status::DataLoss("invalid schema_version \"" + text + "\"");
  }
  if (v > kSchemaVersion) {
    return Status::InvalidArgument(
        "schema_version " + text + " is newer than this program knows (" +
            std::to_string(kSchemaVersion) + ")",
        "use the arena-sim version that wrote this store, or a newer one");
  }
  *version = static_cast<int>(v);
  return Status::Ok();
}

// Reads only: a file we refuse must not be changed, not even its header's journal mode.
// Sets *is_new when the database has no tables yet, else *version.
Status CheckExisting(Conn* conn, bool* is_new, int* version) {
  Result<std::int64_t> tables =
      QueryInt(conn, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", "listing tables");
  if (!tables.ok()) return tables.status();
  *is_new = *tables == 0;
  if (*is_new) return Status::Ok();
  Result<std::int64_t> meta =
      QueryInt(conn, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'",
               "looking for the meta table");
  if (!meta.ok()) return meta.status();
  if (*meta == 0) {
    return Status::DataLoss("an SQLite database but not an arena store (no meta table)",
                            "the file was left untouched; choose another path");
  }
  return CheckSchemaVersion(conn, version);
}

Status SetPragmas(Conn* conn, bool synchronous_full) {
  Result<Stmt*> st = conn->Prepare("PRAGMA journal_mode = WAL");
  if (!st.ok()) return st.status();
  {
    Stmt* s = *st;
    ResetOnExit reset(s);
    Result<bool> row = s->Step("setting journal_mode=WAL");
    if (!row.ok()) return row.status();
    // Some filesystems cannot do WAL's shared memory; SQLite then keeps the old mode.
    const std::string mode = *row ? s->Text(0) : std::string();
    if (mode != "wal") {
      return Status::IOError("cannot use WAL mode (journal_mode is \"" + mode + "\")");
    }
  }
  return conn->Exec(std::string("PRAGMA synchronous = ") + (synchronous_full ? "FULL" : "NORMAL") +
                        "; PRAGMA foreign_keys = ON",
                    "setting pragmas");
}

// Creates the schema of a new store, or migrates an older one.
Status CreateOrMigrate(Conn* conn) {
  // IMMEDIATE, and a second look inside it: two servers starting on one file must not both
  // create or migrate the schema.
  CLAW_RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE", "starting a transaction"));
  bool is_new = false;
  int version = 0;
  Status s = CheckExisting(conn, &is_new, &version);
  if (s.ok() && is_new) {
    s = CreateSchema(conn);
  } else if (s.ok() && version < kSchemaVersion) {
    s = RunMigrations(conn, version);
    if (s.ok()) s = WriteSchemaVersion(conn);
  }
  if (s.ok()) s = conn->Exec("COMMIT", "committing the schema");
  if (!s.ok() && sqlite3_get_autocommit(conn->db()) == 0) {
    (void)conn->Exec("ROLLBACK", "rolling back");
  }
  return s;
}

}  // namespace

Status InitWriter(Conn* conn, const std::string& path, bool synchronous_full) {
  bool is_new = false;
  int version = 0;
  Status s = CheckExisting(conn, &is_new, &version);
  if (s.ok()) s = SetPragmas(conn, synchronous_full);
  if (s.ok() && (is_new || version < kSchemaVersion)) s = CreateOrMigrate(conn);
  return s.WithContext("opening store '" + path + "'");
}

}  // namespace claw::store::sqlite
