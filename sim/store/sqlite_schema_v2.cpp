// Schema version 2: commit-reveal trading (PROTOCOL.md §6): commitments and the price tape.
// Runs once, in the transaction that takes a store from version 1 to 2 (or creates it).
// Part of stored data: once released, change it only by adding a later migration.
#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {

// commitments: one row per sealed trade (OPEN commitments and the CLOSE records that settle
// them), replaced as its state changes; hidden fields are '' until revealed. Read by id and by
// agent (newest first, optionally by revealed state).
// tape_points: the price tape reveals are checked against; one point per price change per
// symbol, pruned by reveal.tape_retention_h.
const char* const kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS commitments (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  action TEXT NOT NULL CHECK (action IN ('OPEN', 'CLOSE')),
  side TEXT NOT NULL CHECK (side IN ('LONG', 'SHORT')),
  lobs INTEGER NOT NULL,
  timestamp TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  commitment_hash TEXT NOT NULL,
  signature TEXT NOT NULL,
  scheme TEXT NOT NULL,
  status TEXT NOT NULL,
  revealed INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  price TEXT NOT NULL,
  revealed_ms INTEGER NOT NULL,
  period INTEGER NOT NULL,
  opening_id INTEGER NOT NULL,
  close_id INTEGER NOT NULL,
  has_pnl INTEGER NOT NULL,
  pnl_e4 INTEGER NOT NULL,
  pnl_percent_e4 INTEGER NOT NULL,
  sealed_nonce TEXT NOT NULL,
  sealed_ciphertext TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS commitments_by_agent ON commitments (agent_id, revealed, id);

CREATE TABLE IF NOT EXISTS tape_points (
  symbol TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  price INTEGER NOT NULL,
  PRIMARY KEY (symbol, time_ms)
) WITHOUT ROWID, STRICT;
)sql";

}  // namespace claw::store::sqlite
