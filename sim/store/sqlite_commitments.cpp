// Sealed trades and the price tape in SQLite (schema v2; store.h CommitmentRow, TapePointRow).
#include <algorithm>
#include <string>
#include <vector>

#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {
namespace {

const char* const kCols =
    "id, agent_id, action, side, lobs, timestamp, timestamp_ms, commitment_hash, signature, "
    "scheme, status, revealed, symbol, price, revealed_ms, period, opening_id, close_id, has_pnl, "
    "pnl_e4, pnl_percent_e4, sealed_nonce, sealed_ciphertext, created_ms";

const std::string& UpsertSql() {
  static const std::string s = [] {
    std::string sql = std::string("INSERT INTO commitments (") + kCols + ") VALUES (";
    for (int i = 1; i <= 24; ++i) sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
    sql += ") ON CONFLICT (id) DO UPDATE SET status = excluded.status, revealed = excluded.revealed,"
           " symbol = excluded.symbol, price = excluded.price, revealed_ms = excluded.revealed_ms,"
           " close_id = excluded.close_id, has_pnl = excluded.has_pnl, pnl_e4 = excluded.pnl_e4,"
           " pnl_percent_e4 = excluded.pnl_percent_e4";
    return sql;
  }();
  return s;
}

void BindRow(Stmt* s, const CommitmentRow& r) {
  s->Bind(1, r.id);
  s->Bind(2, r.agent_id);
  s->Bind(3, r.action);
  s->Bind(4, r.side);
  s->Bind(5, r.lobs);
  s->Bind(6, r.timestamp);
  s->Bind(7, r.timestamp_ms);
  s->Bind(8, r.commitment_hash);
  s->Bind(9, r.signature);
  s->Bind(10, r.scheme);
  s->Bind(11, r.status);
  s->Bind(12, r.revealed);
  s->Bind(13, r.symbol);
  s->Bind(14, r.price);
  s->Bind(15, r.revealed_ms);
  s->Bind(16, r.period);
  s->Bind(17, r.opening_id);
  s->Bind(18, r.close_id);
  s->Bind(19, r.has_pnl);
  s->Bind(20, r.pnl_e4);
  s->Bind(21, r.pnl_percent_e4);
  s->Bind(22, r.sealed_nonce);
  s->Bind(23, r.sealed_ciphertext);
  s->Bind(24, r.created_ms);
}

CommitmentRow ReadRow(const Stmt& s) {
  CommitmentRow r;
  r.id = s.UInt64(0);
  r.agent_id = s.Text(1);
  r.action = s.Text(2);
  r.side = s.Text(3);
  r.lobs = s.Int64(4);
  r.timestamp = s.Text(5);
  r.timestamp_ms = s.Int64(6);
  r.commitment_hash = s.Text(7);
  r.signature = s.Text(8);
  r.scheme = s.Text(9);
  r.status = s.Text(10);
  r.revealed = s.Bool(11);
  r.symbol = s.Text(12);
  r.price = s.Text(13);
  r.revealed_ms = s.Int64(14);
  r.period = s.Int64(15);
  r.opening_id = s.UInt64(16);
  r.close_id = s.UInt64(17);
  r.has_pnl = s.Bool(18);
  r.pnl_e4 = s.Int64(19);
  r.pnl_percent_e4 = s.Int64(20);
  r.sealed_nonce = s.Text(21);
  r.sealed_ciphertext = s.Text(22);
  r.created_ms = s.Int64(23);
  return r;
}

Status StepDone(Stmt* s, const std::string& what) {
  ResetOnExit reset(s);
  const int rc = s->StepRc();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return SqliteError(rc, s->db(), what);
}

template <typename T, typename BindFn, typename ReadFn>
Result<std::vector<T>> Collect(Conn* conn, const std::string& sql, BindFn bind, ReadFn read,
                               const std::string& what) {
  Result<Stmt*> st = conn->Prepare(sql);
  if (!st.ok()) return st.status();
  Stmt* s = *st;
  ResetOnExit reset(s);
  bind(s);
  std::vector<T> out;
  for (;;) {
    Result<bool> row = s->Step(what);
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read(*s));
  }
}

}  // namespace

Status WriteCommitments(Conn* writer, const Batch& b) {
  if (!b.commitments.empty()) {
    Result<Stmt*> st = writer->Prepare(UpsertSql());
    if (!st.ok()) return st.status();
    for (const CommitmentRow& r : b.commitments) {
      BindRow(*st, r);
      CLAW_RETURN_IF_ERROR(StepDone(*st, "writing commitment " + std::to_string(r.id) +
                                             " of agent '" + r.agent_id + "'"));
    }
  }
  if (!b.tape.empty()) {
    Result<Stmt*> st = writer->Prepare(
        "INSERT INTO tape_points (symbol, time_ms, price) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (symbol, time_ms) DO UPDATE SET price = excluded.price");
    if (!st.ok()) return st.status();
    for (const TapePointRow& p : b.tape) {
      (*st)->Bind(1, p.symbol);
      (*st)->Bind(2, p.time_ms);
      (*st)->Bind(3, p.price);
      CLAW_RETURN_IF_ERROR(StepDone(*st, "writing a tape point of '" + p.symbol + "'"));
    }
  }
  if (b.tape_prune_before_ms > 0) {
    // Keeps, per symbol, the last point at or before the cutoff: the price at the cutoff.
    Result<Stmt*> st = writer->Prepare(
        "DELETE FROM tape_points WHERE time_ms < ?1 AND time_ms < (SELECT max(t.time_ms) FROM"
        " tape_points t WHERE t.symbol = tape_points.symbol AND t.time_ms <= ?1)");
    if (!st.ok()) return st.status();
    (*st)->Bind(1, b.tape_prune_before_ms);
    CLAW_RETURN_IF_ERROR(StepDone(*st, "pruning the price tape"));
  }
  return Status::Ok();
}

Result<std::vector<CommitmentRow>> QueryCommitmentById(Conn* reader, std::uint64_t id) {
  return Collect<CommitmentRow>(
      reader, std::string("SELECT ") + kCols + " FROM commitments WHERE id = ?1",
      [&](Stmt* s) { s->Bind(1, id); }, ReadRow, "reading commitment " + std::to_string(id));
}

Result<std::vector<CommitmentRow>> QueryCommitments(Conn* reader, const CommitmentQuery& q) {
  return Collect<CommitmentRow>(
      reader,
      std::string("SELECT ") + kCols +
          " FROM commitments WHERE agent_id = ?1 AND (?2 < 0 OR revealed = ?2)"
          " ORDER BY id DESC LIMIT ?3 OFFSET ?4",
      [&](Stmt* s) {
        s->Bind(1, q.agent_id);
        s->Bind(2, q.revealed ? (*q.revealed ? 1 : 0) : -1);
        s->Bind(3, std::clamp(q.limit, 1, 500));
        s->Bind(4, std::max(q.offset, 0));
      },
      ReadRow, "listing commitments of agent '" + q.agent_id + "'");
}

Result<std::vector<TapePointRow>> QueryTape(Conn* reader) {
  return Collect<TapePointRow>(
      reader, "SELECT symbol, time_ms, price FROM tape_points ORDER BY symbol, time_ms",
      [](Stmt*) {},
      [](const Stmt& s) { return TapePointRow{s.Text(0), s.Int64(1), s.Int64(2)}; },
      "loading the price tape");
}

}  // namespace claw::store::sqlite
