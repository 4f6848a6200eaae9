// Schema version 4: the owner's controls: budgets, orders pending approval, the activity log.
// Runs once, in the transaction that takes a store from version 3 to 4 (or creates it).
// Part of stored data: once released, change it only by adding a later migration.
#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {

const char* const kSchemaV4 = R"sql(
CREATE TABLE IF NOT EXISTS owner_budgets (
  agent_id TEXT PRIMARY KEY REFERENCES agents(id),
  max_order INTEGER NOT NULL,
  max_daily INTEGER NOT NULL,
  max_weekly INTEGER NOT NULL,
  max_monthly INTEGER NOT NULL,
  day_start_ms INTEGER NOT NULL,
  week_start_ms INTEGER NOT NULL,
  month_start_ms INTEGER NOT NULL,
  day_spent INTEGER NOT NULL,
  week_spent INTEGER NOT NULL,
  month_spent INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE IF NOT EXISTS owner_approvals (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  request TEXT NOT NULL,
  notional INTEGER NOT NULL,
  limit_name TEXT NOT NULL,
  limit_value INTEGER NOT NULL,
  status TEXT NOT NULL,
  placed_order_id INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  decided_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS owner_approvals_by_status ON owner_approvals (status, id);
CREATE INDEX IF NOT EXISTS owner_approvals_by_agent ON owner_approvals (agent_id, id DESC);

CREATE INDEX IF NOT EXISTS orders_by_client_id ON orders (agent_id, client_order_id);

CREATE TABLE IF NOT EXISTS activity_log (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL CHECK (actor IN ('agent', 'owner', 'system')),
  action TEXT NOT NULL,
  details TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS activity_log_by_agent ON activity_log (agent_id, id DESC);
CREATE TRIGGER IF NOT EXISTS activity_log_no_update BEFORE UPDATE ON activity_log
  BEGIN SELECT RAISE(ABORT, 'activity_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS activity_log_no_delete BEFORE DELETE ON activity_log
  BEGIN SELECT RAISE(ABORT, 'activity_log is append-only'); END;
)sql";

}  // namespace claw::store::sqlite
