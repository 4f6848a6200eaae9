// Schema version 3: DPoP sessions (PROTOCOL.md §7): sessions, refresh families, the jti replay cache, connect codes.
// Runs once, in the transaction that takes a store from version 2 to 3 (or creates it).
// Part of stored data: once released, change it only by adding a later migration.
//
// No secret is stored in clear: tokens and connect codes are hex SHA-256 hashes, and a jti is
// kept as hex SHA-256 of "<jkt>\n<jti>" (the proof key's thumbprint scopes it).
// - sessions: one row per session; the session id is also its refresh-token family. The row
//   holds the current access and refresh token hashes; `sequence` counts rotations.
// - session_rotated: refresh tokens already rotated away, kept until they would have expired,
//   so presenting one again is recognised as reuse (token theft) rather than unknown.
// - dpop_jti: proof ids seen, until the proof's iat window has passed (then iat alone refuses it).
// - connect_codes: single-use codes an owner hands to an agent, with their expiry and use.
#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {

const char* const kSchemaV3 = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  jkt TEXT NOT NULL,
  origin TEXT NOT NULL,
  access_hash TEXT NOT NULL,
  access_expires_ms INTEGER NOT NULL,
  refresh_hash TEXT NOT NULL,
  refresh_expires_ms INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  refreshed_ms INTEGER NOT NULL,
  revoked_ms INTEGER NOT NULL,
  revoke_reason TEXT NOT NULL
) WITHOUT ROWID, STRICT;
CREATE INDEX IF NOT EXISTS sessions_by_agent ON sessions (agent_id);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_access ON sessions (access_hash);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_by_refresh ON sessions (refresh_hash);

CREATE TABLE IF NOT EXISTS session_rotated (
  refresh_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
CREATE INDEX IF NOT EXISTS session_rotated_by_expiry ON session_rotated (expires_ms);

CREATE TABLE IF NOT EXISTS dpop_jti (
  key TEXT PRIMARY KEY,
  expires_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
CREATE INDEX IF NOT EXISTS dpop_jti_by_expiry ON dpop_jti (expires_ms);

CREATE TABLE IF NOT EXISTS connect_codes (
  code_hash TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  used_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
CREATE INDEX IF NOT EXISTS connect_codes_by_expiry ON connect_codes (expires_ms);
)sql";

}  // namespace claw::store::sqlite
