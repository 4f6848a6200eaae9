// The arena's durable storage behind one interface (ARCHITECTURE.md: sim/store). SQLite in WAL
// mode is the embedded default (OpenSqliteStore); PostgreSQL comes later behind the same
// interface.
//
// What is stored, and why:
// - journal: every input the engine thread applied, in order (market updates and agent
//   commands), as JSON text. The engine is deterministic, so replaying the journal into a fresh
//   engine on start restores the arena exactly (ARCHITECTURE.md: "restart = load snapshot +
//   replay journal"). This is the source of truth for engine state.
// - agents: identities, claim state and hashes of secrets (claim token, owner token); never a
//   secret in clear.
// - orders, fills, positions, wallets, prices, snapshots: read models written from the engine's
//   events in the same transaction, so HTTP reads (lists with filters and pagination, history)
//   are SQL queries that never touch the engine thread.
// - audit: append-only log of state changes and auth failures (seed 002's event types).
//
// Money and quantities are stored as the engine's fixed-point integers (money.h scales), never
// as floats. Every statement is parameterised.
//
// Threads: Commit() and the Load*/ForEachJournal calls are made by the engine thread only.
// The query calls (List*, Get*) may be made concurrently from any thread (they use their own
// read connections; WAL lets them run while a commit is in progress).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/status.h"

namespace claw::store {

struct AgentRow {
  std::string id;           // uuid
  std::string name;         // unique, ^[a-z][a-z0-9_-]{2,31}$
  std::string description;
  std::string public_key;   // base64url Ed25519 public key (32 bytes)
  std::string eth_address;  // "0x..." lower-case, or empty
  std::string status;       // "pending_claim" | "claimed" | "paused" | "revoked"
  std::string claim_token_hash;   // hex SHA-256 of the claim token; empty once burnt
  std::string verification_code;  // e.g. "reef-4F2A" (shown to the agent and its human)
  int claim_attempts = 0;         // wrong codes so far
  std::string owner_token_hash;   // hex SHA-256 of the owner token; empty until claimed
  std::string device_id;          // hex HMAC-SHA256(device_salt, registration IP)
  std::uint32_t wallet = 0;       // engine WalletId
  std::int64_t created_ms = 0;
  std::int64_t claimed_ms = 0;
};

struct JournalRow {
  std::int64_t seq = 0;      // assigned by Commit, 1-based, gapless
  std::int64_t time_ms = 0;  // arena time when applied
  std::string kind;          // "market", "register", "order", "cancel", "cancel_all", ...
  std::string body;          // JSON text (the caller's format)
};

struct OrderRow {
  std::uint64_t id = 0;
  std::string agent_id;
  std::string client_order_id;
  std::string symbol;
  std::string side;           // "buy" | "sell"
  std::string type;           // "market" | "limit"
  std::string time_in_force;  // "GTC" | "IOC" | "FOK"
  std::int64_t quantity = 0;  // Qty units (1e-8)
  std::int64_t notional = 0;  // Cash units, when ordered by notional
  std::int64_t price = 0;     // Price ticks (1e-4), limit only
  std::int64_t filled = 0;    // Qty units
  std::int64_t average_price = 0;
  std::int64_t fees = 0;      // Cash units
  int leverage = 1;
  bool reduce_only = false;
  std::string status;         // PROTOCOL.md §4
  std::string reject_code;    // §5 code for rejected orders
  std::string reason;
  std::string rationale;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

struct FillRow {
  std::uint64_t id = 0;
  std::uint64_t order_id = 0;
  std::string agent_id;
  std::string symbol;
  std::string side;
  std::int64_t quantity = 0;   // Qty units
  std::int64_t price = 0;      // Price ticks
  std::int64_t fee = 0;        // Cash units
  std::int64_t realized_pnl = 0;
  bool maker = false;
  std::int64_t time_ms = 0;
};

struct PositionRow {  // upserted per (agent, symbol); quantity 0 deletes the row
  std::string agent_id;
  std::string symbol;
  std::int64_t quantity = 0;   // signed Qty units
  std::int64_t entry_price = 0;
  int leverage = 1;
  std::int64_t margin = 0;
  std::int64_t opened_ms = 0;
  std::int64_t updated_ms = 0;
};

struct WalletRow {  // upserted per agent
  std::string agent_id;
  std::int64_t balance = 0;   // Cash units
  std::int64_t equity = 0;
  std::int64_t margin_used = 0;
  std::int64_t realized_pnl = 0;
  std::int64_t fees_paid = 0;
  int liquidations = 0;
  std::int64_t updated_ms = 0;
};

struct PriceRow {  // upserted per symbol: the latest quote
  std::string symbol;
  std::int64_t bid = 0, ask = 0, last = 0, mark = 0;  // Price ticks
  std::int64_t time_ms = 0;
};

struct SnapshotRow {  // equity curve point
  std::string agent_id;
  std::int64_t time_ms = 0;
  std::int64_t equity = 0;   // Cash units
  std::int64_t balance = 0;
};

struct AuditRow {
  std::int64_t id = 0;        // assigned by Commit
  std::int64_t time_ms = 0;   // wall clock
  std::string agent_id;       // may be empty (e.g. an auth failure for an unknown agent)
  std::string event_type;     // seed 002: "order_placed", "order_cancelled", "auth_failure"...
  std::string ip;             // never the device secret; the client IP as seen
  std::string request_id;
  std::string details;        // JSON object text
};

// One sealed trade (PROTOCOL.md §6): an OPEN commitment or the CLOSE that settled one.
// Insert or replace by id (the sealed book's id). Hidden fields are empty until revealed.
struct CommitmentRow {
  std::uint64_t id = 0;
  std::string agent_id;
  std::string action;            // "OPEN" | "CLOSE"
  std::string side;              // "LONG" | "SHORT"
  std::int64_t lobs = 0;         // integer quote units
  std::string timestamp;         // as committed (ISO-8601 text, hashed verbatim)
  std::int64_t timestamp_ms = 0;
  std::string commitment_hash;   // "0x" + 64 lowercase hex
  std::string signature;
  std::string scheme;            // "ed25519" | "eip191"
  std::string status;            // committed | revealed | closed | pending_reveal | reveal_failed
  bool revealed = false;
  std::string symbol;            // "" until revealed
  std::string price;             // revealed JS-number text; "" until revealed
  std::int64_t revealed_ms = 0;  // arena time; 0 = not revealed
  std::int64_t period = 0;
  std::uint64_t opening_id = 0;  // CLOSE: its open
  std::uint64_t close_id = 0;    // OPEN: its close
  bool has_pnl = false;
  std::int64_t pnl_e4 = 0;          // pnl_lobs in 1e-4 quote units
  std::int64_t pnl_percent_e4 = 0;  // 1e-4 percent
  std::string sealed_nonce;      // view-key blob (base64url); "" = none
  std::string sealed_ciphertext;
  std::int64_t created_ms = 0;   // arena time of the commit
};

struct TapePointRow {  // a price-tape point (sim/engine/sealed.h PriceTape)
  std::string symbol;
  std::int64_t time_ms = 0;
  std::int64_t price = 0;  // Price ticks
};

struct CommitmentQuery {
  std::string agent_id;          // required
  std::optional<bool> revealed;  // nullopt: all
  int limit = 50;                // 1..500
  int offset = 0;
};

// Everything one engine-thread batch changed: written in one transaction (group commit).
// Rows that belong to an agent (orders, fills, positions, wallets, snapshots) must name an
// agent already stored or in this batch's `agents`; otherwise Commit fails (the SQLite store
// enforces this with foreign keys). Audit rows may name any agent, or none.
struct Batch {
  std::vector<JournalRow> journal;   // seq assigned on commit (in order)
  std::vector<AgentRow> agents;      // insert or replace by id
  std::vector<OrderRow> orders;      // insert or replace by id
  std::vector<FillRow> fills;        // insert
  std::vector<PositionRow> positions;
  std::vector<WalletRow> wallets;
  std::vector<PriceRow> prices;
  std::vector<SnapshotRow> snapshots;
  std::vector<AuditRow> audit;       // ids assigned on commit
  std::vector<CommitmentRow> commitments;  // insert or replace by id
  std::vector<TapePointRow> tape;          // insert or replace by (symbol, time_ms)
  // > 0: drop tape points older than this, keeping per symbol the last one at or before it.
  std::int64_t tape_prune_before_ms = 0;
  bool empty() const;
  void clear();
};

struct OrderQuery {
  std::string agent_id;               // required
  std::vector<std::string> statuses;  // empty: any
  std::string symbol;                 // empty: any
  int limit = 50;                     // 1..500
  int offset = 0;
};

struct Page {
  int limit = 50;
  int offset = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Writes the batch in one transaction and makes it durable (fsync per the backend's rules)
  // before returning. Assigns journal seqs and audit ids in the batch. On error nothing of the
  // batch is stored, the batch's seqs and ids are left as they were, and the message names
  // the row that failed (a duplicate key: kAlreadyExists; an unknown agent: kInvalidArgument).
  // An empty batch is not an error. REQUIRES: batch != nullptr.
  virtual Status Commit(Batch* batch) = 0;

  // Start-up: everything needed to rebuild in-memory state.
  virtual Result<std::vector<AgentRow>> LoadAgents() = 0;
  // Calls `fn` for each journal row with seq > after_seq, in seq order; stops at the first
  // error and returns it.
  virtual Status ForEachJournal(std::int64_t after_seq,
                                const std::function<Status(const JournalRow&)>& fn) = 0;
  virtual Result<std::int64_t> LastJournalSeq() = 0;

  // Key/value settings of the store itself ("arena_started_ms", "schema_version"...). A
  // missing key is std::nullopt, not an error. "schema_version" is read-only (SetMeta refuses
  // it with kInvalidArgument). GetMeta may be called from any thread.
  virtual Result<std::optional<std::string>> GetMeta(const std::string& key) = 0;
  virtual Status SetMeta(const std::string& key, const std::string& value) = 0;

  // Queries (any thread). Newest first unless stated. Limits are clamped to 1..500 and a
  // negative offset to 0. An empty `symbol` means any symbol; `agent_id` matches exactly.
  virtual Result<std::vector<OrderRow>> ListOrders(const OrderQuery& q) = 0;
  virtual Result<std::optional<OrderRow>> GetOrder(std::uint64_t id) = 0;
  virtual Result<std::vector<FillRow>> ListFills(const std::string& agent_id,
                                                 const std::string& symbol, Page page) = 0;
  virtual Result<std::vector<PositionRow>> ListPositions(const std::string& agent_id) = 0;
  virtual Result<std::vector<WalletRow>> ListWallets() = 0;  // every agent (leaderboard)
  virtual Result<std::vector<PriceRow>> ListPrices() = 0;    // by symbol
  // Oldest first; at most one point per `interval_ms` bucket (the last in it), since `since_ms`.
  // Buckets are aligned to time 0 (time_ms / interval_ms), not to since_ms. interval_ms 0: every
  // point; negative: kInvalidArgument.
  virtual Result<std::vector<SnapshotRow>> ListSnapshots(const std::string& agent_id,
                                                         std::int64_t since_ms,
                                                         std::int64_t interval_ms) = 0;
  virtual Result<std::vector<AuditRow>> ListAudit(const std::string& agent_id, Page page) = 0;
  // Sealed trades: one by id; an agent's, newest first, optionally by revealed state.
  virtual Result<std::optional<CommitmentRow>> GetCommitment(std::uint64_t id) = 0;
  virtual Result<std::vector<CommitmentRow>> ListCommitments(const CommitmentQuery& q) = 0;
  // The stored price tape, by symbol then time.
  virtual Result<std::vector<TapePointRow>> LoadTape() = 0;
};

struct SqliteOptions {
  std::string path;  // created with its directory (0700) when missing; file 0600
  // synchronous=FULL makes each commit durable against power loss; NORMAL only against a
  // process crash. Default FULL: an acknowledged order must survive.
  bool synchronous_full = true;
  // Read-only connections shared by the query calls (clamped to 1..64); a query waits while
  // all are busy.
  int read_connections = 4;
};
// Opens the store at options.path, creating it (and the schema) when missing. A file that is
// not an SQLite database, or an SQLite database that is not an arena store, is kDataLoss and
// left untouched; a store written with a newer schema_version is kInvalidArgument.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace claw::store
