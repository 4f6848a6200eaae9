// Row types <-> SQLite statements (sqlite_internal.h). One place lists each table's columns;
// the SELECT lists, INSERT/upsert statements and the Bind/Read functions all follow that
// order, so adding a column means touching one list and two functions here.
#include <string>
#include <vector>

#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {
namespace {

std::string Join(const std::vector<std::string>& cols) {
  std::string out;
  for (const std::string& c : cols) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// INSERT ... VALUES (?1..?n) and, when `keys` > 0, ON CONFLICT on the first `keys` columns
// updating the others. An upsert rather than INSERT OR REPLACE: REPLACE deletes the old row
// first, which would fire delete-side foreign-key actions and change rowids.
std::string InsertSql(const std::string& table, const std::vector<std::string>& cols,
                      std::size_t keys) {
  std::string sql = "INSERT INTO " + table + " (" + Join(cols) + ") VALUES (";
  for (std::size_t i = 0; i < cols.size(); ++i) {
    sql += (i ? ", ?" : "?") + std::to_string(i + 1);
  }
  sql += ")";
  if (keys == 0) return sql;
  std::vector<std::string> key_cols(cols.begin(), cols.begin() + static_cast<long>(keys));
  sql += " ON CONFLICT (" + Join(key_cols) + ") DO UPDATE SET ";
  for (std::size_t i = keys; i < cols.size(); ++i) {
    sql += (i > keys ? ", " : "") + cols[i] + " = excluded." + cols[i];
  }
  return sql;
}

// Filled lines read better than clang-format's one name per line.
// clang-format off
const std::vector<std::string> kAgent = {
    "id", "name", "description", "public_key", "eth_address", "status", "claim_token_hash",
    "verification_code", "claim_attempts", "owner_token_hash", "device_id", "wallet",
    "created_ms", "claimed_ms"};
const std::vector<std::string> kOrder = {
    "id", "agent_id", "client_order_id", "symbol", "side", "type", "time_in_force", "quantity",
    "notional", "price", "filled", "average_price", "fees", "leverage", "reduce_only", "status",
    "reject_code", "reason", "rationale", "created_ms", "updated_ms"};
const std::vector<std::string> kFill = {
    "id", "order_id", "agent_id", "symbol", "side", "quantity", "price", "fee", "realized_pnl",
    "maker", "time_ms"};
const std::vector<std::string> kPosition = {
    "agent_id", "symbol", "quantity", "entry_price", "leverage", "margin", "opened_ms",
    "updated_ms"};
const std::vector<std::string> kWallet = {
    "agent_id", "balance", "equity", "margin_used", "realized_pnl", "fees_paid", "liquidations",
    "updated_ms"};
const std::vector<std::string> kPrice = {"symbol", "bid", "ask", "last", "mark", "time_ms"};
const std::vector<std::string> kSnapshot = {"agent_id", "time_ms", "equity", "balance"};
const std::vector<std::string> kAudit = {
    "id", "time_ms", "agent_id", "event_type", "ip", "request_id", "details"};
const std::vector<std::string> kJournal = {"seq", "time_ms", "kind", "body"};
// clang-format on

}  // namespace

// Function-local statics: built on first use, after the column vectors above exist.
const std::string& AgentCols() {
  static const std::string s = Join(kAgent);
  return s;
}
const std::string& OrderCols() {
  static const std::string s = Join(kOrder);
  return s;
}
const std::string& FillCols() {
  static const std::string s = Join(kFill);
  return s;
}
const std::string& PositionCols() {
  static const std::string s = Join(kPosition);
  return s;
}
const std::string& WalletCols() {
  static const std::string s = Join(kWallet);
  return s;
}
const std::string& PriceCols() {
  static const std::string s = Join(kPrice);
  return s;
}
const std::string& SnapshotCols() {
  static const std::string s = Join(kSnapshot);
  return s;
}
const std::string& AuditCols() {
  static const std::string s = Join(kAudit);
  return s;
}
const std::string& JournalCols() {
  static const std::string s = Join(kJournal);
  return s;
}
const std::string& AgentUpsertSql() {
  static const std::string s = InsertSql("agents", kAgent, 1);
  return s;
}
const std::string& OrderUpsertSql() {
  static const std::string s = InsertSql("orders", kOrder, 1);
  return s;
}
const std::string& FillInsertSql() {
  static const std::string s = InsertSql("fills", kFill, 0);
  return s;
}
const std::string& PositionUpsertSql() {
  static const std::string s = InsertSql("positions", kPosition, 2);
  return s;
}
const std::string& PositionDeleteSql() {
  static const std::string s = "DELETE FROM positions WHERE agent_id = ?1 AND symbol = ?2";
  return s;
}
const std::string& WalletUpsertSql() {
  static const std::string s = InsertSql("wallets", kWallet, 1);
  return s;
}
const std::string& PriceUpsertSql() {
  static const std::string s = InsertSql("prices", kPrice, 1);
  return s;
}
const std::string& SnapshotUpsertSql() {
  static const std::string s = InsertSql("snapshots", kSnapshot, 2);
  return s;
}
const std::string& AuditInsertSql() {
  static const std::string s = InsertSql("audit", kAudit, 0);
  return s;
}
const std::string& JournalInsertSql() {
  static const std::string s = InsertSql("journal", kJournal, 0);
  return s;
}

void Bind(Stmt* s, const AgentRow& r) {
  s->Bind(1, r.id);
  s->Bind(2, r.name);
  s->Bind(3, r.description);
  s->Bind(4, r.public_key);
  s->Bind(5, r.eth_address);
  s->Bind(6, r.status);
  s->Bind(7, r.claim_token_hash);
  s->Bind(8, r.verification_code);
  s->Bind(9, r.claim_attempts);
  s->Bind(10, r.owner_token_hash);
  s->Bind(11, r.device_id);
  s->Bind(12, static_cast<std::int64_t>(r.wallet));
  s->Bind(13, r.created_ms);
  s->Bind(14, r.claimed_ms);
}

AgentRow ReadAgent(const Stmt& s) {
  AgentRow r;
  r.id = s.Text(0);
  r.name = s.Text(1);
  r.description = s.Text(2);
  r.public_key = s.Text(3);
  r.eth_address = s.Text(4);
  r.status = s.Text(5);
  r.claim_token_hash = s.Text(6);
  r.verification_code = s.Text(7);
  r.claim_attempts = s.Int(8);
  r.owner_token_hash = s.Text(9);
  r.device_id = s.Text(10);
  r.wallet = static_cast<std::uint32_t>(s.Int64(11));
  r.created_ms = s.Int64(12);
  r.claimed_ms = s.Int64(13);
  return r;
}

void Bind(Stmt* s, const OrderRow& r) {
  s->Bind(1, r.id);
  s->Bind(2, r.agent_id);
  s->Bind(3, r.client_order_id);
  s->Bind(4, r.symbol);
  s->Bind(5, r.side);
  s->Bind(6, r.type);
  s->Bind(7, r.time_in_force);
  s->Bind(8, r.quantity);
  s->Bind(9, r.notional);
  s->Bind(10, r.price);
  s->Bind(11, r.filled);
  s->Bind(12, r.average_price);
  s->Bind(13, r.fees);
  s->Bind(14, r.leverage);
  s->Bind(15, r.reduce_only);
  s->Bind(16, r.status);
  s->Bind(17, r.reject_code);
  s->Bind(18, r.reason);
  s->Bind(19, r.rationale);
  s->Bind(20, r.created_ms);
  s->Bind(21, r.updated_ms);
}

OrderRow ReadOrder(const Stmt& s) {
  OrderRow r;
  r.id = s.UInt64(0);
  r.agent_id = s.Text(1);
  r.client_order_id = s.Text(2);
  r.symbol = s.Text(3);
  r.side = s.Text(4);
  r.type = s.Text(5);
  r.time_in_force = s.Text(6);
  r.quantity = s.Int64(7);
  r.notional = s.Int64(8);
  r.price = s.Int64(9);
  r.filled = s.Int64(10);
  r.average_price = s.Int64(11);
  r.fees = s.Int64(12);
  r.leverage = s.Int(13);
  r.reduce_only = s.Bool(14);
  r.status = s.Text(15);
  r.reject_code = s.Text(16);
  r.reason = s.Text(17);
  r.rationale = s.Text(18);
  r.created_ms = s.Int64(19);
  r.updated_ms = s.Int64(20);
  return r;
}

void Bind(Stmt* s, const FillRow& r) {
  s->Bind(1, r.id);
  s->Bind(2, r.order_id);
  s->Bind(3, r.agent_id);
  s->Bind(4, r.symbol);
  s->Bind(5, r.side);
  s->Bind(6, r.quantity);
  s->Bind(7, r.price);
  s->Bind(8, r.fee);
  s->Bind(9, r.realized_pnl);
  s->Bind(10, r.maker);
  s->Bind(11, r.time_ms);
}

FillRow ReadFill(const Stmt& s) {
  FillRow r;
  r.id = s.UInt64(0);
  r.order_id = s.UInt64(1);
  r.agent_id = s.Text(2);
  r.symbol = s.Text(3);
  r.side = s.Text(4);
  r.quantity = s.Int64(5);
  r.price = s.Int64(6);
  r.fee = s.Int64(7);
  r.realized_pnl = s.Int64(8);
  r.maker = s.Bool(9);
  r.time_ms = s.Int64(10);
  return r;
}

void Bind(Stmt* s, const PositionRow& r) {
  s->Bind(1, r.agent_id);
  s->Bind(2, r.symbol);
  s->Bind(3, r.quantity);
  s->Bind(4, r.entry_price);
  s->Bind(5, r.leverage);
  s->Bind(6, r.margin);
  s->Bind(7, r.opened_ms);
  s->Bind(8, r.updated_ms);
}

PositionRow ReadPosition(const Stmt& s) {
  PositionRow r;
  r.agent_id = s.Text(0);
  r.symbol = s.Text(1);
  r.quantity = s.Int64(2);
  r.entry_price = s.Int64(3);
  r.leverage = s.Int(4);
  r.margin = s.Int64(5);
  r.opened_ms = s.Int64(6);
  r.updated_ms = s.Int64(7);
  return r;
}

void Bind(Stmt* s, const WalletRow& r) {
  s->Bind(1, r.agent_id);
  s->Bind(2, r.balance);
  s->Bind(3, r.equity);
  s->Bind(4, r.margin_used);
  s->Bind(5, r.realized_pnl);
  s->Bind(6, r.fees_paid);
  s->Bind(7, r.liquidations);
  s->Bind(8, r.updated_ms);
}

WalletRow ReadWallet(const Stmt& s) {
  WalletRow r;
  r.agent_id = s.Text(0);
  r.balance = s.Int64(1);
  r.equity = s.Int64(2);
  r.margin_used = s.Int64(3);
  r.realized_pnl = s.Int64(4);
  r.fees_paid = s.Int64(5);
  r.liquidations = s.Int(6);
  r.updated_ms = s.Int64(7);
  return r;
}

void Bind(Stmt* s, const PriceRow& r) {
  s->Bind(1, r.symbol);
  s->Bind(2, r.bid);
  s->Bind(3, r.ask);
  s->Bind(4, r.last);
  s->Bind(5, r.mark);
  s->Bind(6, r.time_ms);
}

PriceRow ReadPrice(const Stmt& s) {
  PriceRow r;
  r.symbol = s.Text(0);
  r.bid = s.Int64(1);
  r.ask = s.Int64(2);
  r.last = s.Int64(3);
  r.mark = s.Int64(4);
  r.time_ms = s.Int64(5);
  return r;
}

void Bind(Stmt* s, const SnapshotRow& r) {
  s->Bind(1, r.agent_id);
  s->Bind(2, r.time_ms);
  s->Bind(3, r.equity);
  s->Bind(4, r.balance);
}

SnapshotRow ReadSnapshot(const Stmt& s) {
  SnapshotRow r;
  r.agent_id = s.Text(0);
  r.time_ms = s.Int64(1);
  r.equity = s.Int64(2);
  r.balance = s.Int64(3);
  return r;
}

void Bind(Stmt* s, const AuditRow& r) {
  s->Bind(1, r.id);
  s->Bind(2, r.time_ms);
  s->Bind(3, r.agent_id);
  s->Bind(4, r.event_type);
  s->Bind(5, r.ip);
  s->Bind(6, r.request_id);
  s->Bind(7, r.details);
}

AuditRow ReadAudit(const Stmt& s) {
  AuditRow r;
  r.id = s.Int64(0);
  r.time_ms = s.Int64(1);
  r.agent_id = s.Text(2);
  r.event_type = s.Text(3);
  r.ip = s.Text(4);
  r.request_id = s.Text(5);
  r.details = s.Text(6);
  return r;
}

void Bind(Stmt* s, const JournalRow& r) {
  s->Bind(1, r.seq);
  s->Bind(2, r.time_ms);
  s->Bind(3, r.kind);
  s->Bind(4, r.body);
}

JournalRow ReadJournal(const Stmt& s) {
  JournalRow r;
  r.seq = s.Int64(0);
  r.time_ms = s.Int64(1);
  r.kind = s.Text(2);
  r.body = s.Text(3);
  return r;
}

}  // namespace claw::store::sqlite
