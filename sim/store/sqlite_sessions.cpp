// DPoP session rows in the SQLite store (schema v3, sqlite_schema_v3.cpp): the writes of a
// batch's SessionChanges inside the batch's transaction, and the start-up load.
#include <string>

#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {
namespace {

const char* const kSessionCols =
    "id, agent_id, jkt, origin, access_hash, access_expires_ms, refresh_hash, "
    "refresh_expires_ms, sequence, created_ms, refreshed_ms, revoked_ms, revoke_reason";

Status Step(Stmt* s, const std::string& what) {
  ResetOnExit reset(s);
  const int rc = s->StepRc();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return SqliteError(rc, s->db(), what);
}

template <typename Fn>
Status Each(Conn* conn, const std::string& sql, const std::string& what, Fn fn) {
  Result<Stmt*> st = conn->Prepare(sql);
  if (!st.ok()) return st.status();
  Stmt* s = *st;
  ResetOnExit reset(s);
  for (;;) {
    Result<bool> row = s->Step(what);
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    fn(*s);
  }
}

}  // namespace

Status WriteSessionChanges(Conn* conn, const SessionChanges& c) {
  if (!c.sessions.empty()) {
    Result<Stmt*> st = conn->Prepare(
        std::string("INSERT INTO sessions (") + kSessionCols +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        " ON CONFLICT (id) DO UPDATE SET access_hash = excluded.access_hash,"
        " access_expires_ms = excluded.access_expires_ms, refresh_hash = excluded.refresh_hash,"
        " refresh_expires_ms = excluded.refresh_expires_ms, sequence = excluded.sequence,"
        " refreshed_ms = excluded.refreshed_ms, revoked_ms = excluded.revoked_ms,"
        " revoke_reason = excluded.revoke_reason");
    if (!st.ok()) return st.status();
    for (const SessionRow& r : c.sessions) {
      Stmt* s = *st;
      s->Bind(1, r.id);
      s->Bind(2, r.agent_id);
      s->Bind(3, r.jkt);
      s->Bind(4, r.origin);
      s->Bind(5, r.access_hash);
      s->Bind(6, r.access_expires_ms);
      s->Bind(7, r.refresh_hash);
      s->Bind(8, r.refresh_expires_ms);
      s->Bind(9, r.sequence);
      s->Bind(10, r.created_ms);
      s->Bind(11, r.refreshed_ms);
      s->Bind(12, r.revoked_ms);
      s->Bind(13, r.revoke_reason);
      CLAW_RETURN_IF_ERROR(Step(s, "writing session '" + r.id + "' of agent '" + r.agent_id + "'"));
    }
  }
  if (!c.rotated.empty()) {
    Result<Stmt*> st = conn->Prepare(
        "INSERT OR IGNORE INTO session_rotated (refresh_hash, session_id, sequence, expires_ms)"
        " VALUES (?1, ?2, ?3, ?4)");
    if (!st.ok()) return st.status();
    for (const RotatedRefreshRow& r : c.rotated) {
      Stmt* s = *st;
      s->Bind(1, r.refresh_hash);
      s->Bind(2, r.session_id);
      s->Bind(3, r.sequence);
      s->Bind(4, r.expires_ms);
      CLAW_RETURN_IF_ERROR(Step(s, "writing a rotated refresh token of session '" + r.session_id + "'"));
    }
  }
  if (!c.jtis.empty()) {
    Result<Stmt*> st =
        conn->Prepare("INSERT OR IGNORE INTO dpop_jti (key, expires_ms) VALUES (?1, ?2)");
    if (!st.ok()) return st.status();
    for (const JtiRow& r : c.jtis) {
      Stmt* s = *st;
      s->Bind(1, r.key);
      s->Bind(2, r.expires_ms);
      CLAW_RETURN_IF_ERROR(Step(s, "writing a DPoP jti"));
    }
  }
  if (!c.connect_codes.empty()) {
    Result<Stmt*> st = conn->Prepare(
        "INSERT INTO connect_codes (code_hash, agent_id, created_ms, expires_ms, used_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (code_hash) DO UPDATE SET"
        " used_ms = excluded.used_ms");
    if (!st.ok()) return st.status();
    for (const ConnectCodeRow& r : c.connect_codes) {
      Stmt* s = *st;
      s->Bind(1, r.code_hash);
      s->Bind(2, r.agent_id);
      s->Bind(3, r.created_ms);
      s->Bind(4, r.expires_ms);
      s->Bind(5, r.used_ms);
      CLAW_RETURN_IF_ERROR(Step(s, "writing a connect code of agent '" + r.agent_id + "'"));
    }
  }
  if (c.prune_before_ms > 0) {
    static const char* const kPrune[] = {
        "DELETE FROM dpop_jti WHERE expires_ms < ?1",
        "DELETE FROM session_rotated WHERE expires_ms < ?1",
        "DELETE FROM connect_codes WHERE expires_ms < ?1",
        "DELETE FROM sessions WHERE refresh_expires_ms < ?1",
    };
    for (const char* sql : kPrune) {
      Result<Stmt*> st = conn->Prepare(sql);
      if (!st.ok()) return st.status();
      (*st)->Bind(1, c.prune_before_ms);
      CLAW_RETURN_IF_ERROR(Step(*st, "pruning expired session state"));
    }
  }
  return Status::Ok();
}

Result<SessionState> LoadSessionState(Conn* conn) {
  SessionState out;
  CLAW_RETURN_IF_ERROR(Each(
      conn, std::string("SELECT ") + kSessionCols + " FROM sessions ORDER BY created_ms, id",
      "loading sessions", [&](const Stmt& s) {
        SessionRow r;
        r.id = s.Text(0);
        r.agent_id = s.Text(1);
        r.jkt = s.Text(2);
        r.origin = s.Text(3);
        r.access_hash = s.Text(4);
        r.access_expires_ms = s.Int64(5);
        r.refresh_hash = s.Text(6);
        r.refresh_expires_ms = s.Int64(7);
        r.sequence = s.Int64(8);
        r.created_ms = s.Int64(9);
        r.refreshed_ms = s.Int64(10);
        r.revoked_ms = s.Int64(11);
        r.revoke_reason = s.Text(12);
        out.sessions.push_back(std::move(r));
      }));
  CLAW_RETURN_IF_ERROR(Each(
      conn, "SELECT refresh_hash, session_id, sequence, expires_ms FROM session_rotated",
      "loading rotated refresh tokens", [&](const Stmt& s) {
        out.rotated.push_back({s.Text(0), s.Text(1), s.Int64(2), s.Int64(3)});
      }));
  CLAW_RETURN_IF_ERROR(Each(conn, "SELECT key, expires_ms FROM dpop_jti", "loading DPoP jtis",
                            [&](const Stmt& s) { out.jtis.push_back({s.Text(0), s.Int64(1)}); }));
  CLAW_RETURN_IF_ERROR(Each(
      conn, "SELECT code_hash, agent_id, created_ms, expires_ms, used_ms FROM connect_codes",
      "loading connect codes", [&](const Stmt& s) {
        out.connect_codes.push_back({s.Text(0), s.Text(1), s.Int64(2), s.Int64(3), s.Int64(4)});
      }));
  return out;
}

}  // namespace claw::store::sqlite
