// Runner: `arena-sim run` without the command line. Replays a feed through the engine in
// lockstep with strategy processes and collects what the report needs.
//
// The clock is the feed's: a step is one distinct event time (or a `step_ms` window). For each
// step the runner applies the step's market events, then sends every live strategy its ticks,
// its own fills / order updates / liquidations and a `step` marker, waits for each one's `done`,
// and applies their commands in agent order. Strategies think concurrently, but what they do is
// applied in a fixed order, so results never depend on machine speed. A strategy that crashes,
// writes garbage or misses the step timeout is stopped and reported; the others go on.
//
// Not thread-safe; one run at a time per Runner.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/metrics.h"
#include "sim/engine/status.h"
#include "sim/run/config.h"

namespace claw::run {

struct AgentSpec {
  std::string name;     // unique, [A-Za-z0-9_.-]{1,64}
  std::string command;  // run with /bin/sh -c
};

struct Progress {
  std::uint64_t events = 0;
  std::uint64_t steps = 0;
  double fraction = -1;  // 0..1 of the input read, or < 0 when unknown (stdin)
  double elapsed_s = 0;
};

struct RunOptions {
  RunConfig config;
  std::vector<AgentSpec> agents;
  bool strict = false;  // first malformed feed line is an error
  // Called about every 200 ms of wall time while running; may be empty.
  std::function<void(const Progress&)> on_progress;
};

struct FeedFileInfo {
  std::string path;
  std::string sha256;  // lowercase hex of the file's bytes; empty for stdin
  std::uint64_t bytes = 0;
};

// An agent's sealed trades at the end of the run: its OPEN trades by final state.
struct SealedCounts {
  std::uint64_t commits = 0;
  std::uint64_t revealed = 0;        // revealed opens (closed or not)
  std::uint64_t closed = 0;
  std::uint64_t pending_reveal = 0;  // still unrevealed after their period's end
  std::uint64_t reveal_failed = 0;
  std::uint64_t refused = 0;         // commit/reveal/close commands refused
  std::int64_t pnl_e4 = 0;           // sum of closed trades' pnl_lobs, 1e-4 quote units
};

// One reveal period's ranking from revealed trades only (engine::SealedBook::Rankings).
struct SealedRankingRow {
  int rank = 0;
  std::string name;
  std::int64_t pnl_e4 = 0;
  std::int64_t pnl_percent_e4 = 0;
  int revealed = 0;
  int closed = 0;
  int failed = 0;
};
struct SealedPeriodResult {
  std::int64_t period = 0;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int64_t grace_end_ms = 0;
  bool complete = false;  // the feed reached the period's grace end: nothing can change any more
  std::vector<SealedRankingRow> rankings;
};

// Equity as a run measures and ranks it: the engine's equity plus the lobs held by open sealed
// trades, at cost (a sealed trade's PnL is unknown until it closes; the engine keeps the held
// lobs out of its equity so they never back market positions).
inline engine::Cash RunEquity(const engine::Portfolio& p) {
  return engine::Cash{p.equity.units + p.sealed_held.units};
}

struct AgentResult {
  std::string name;
  std::string agent_id;
  std::string status = "ok";  // ok | crashed | timeout | protocol_error | failed_to_start
  std::string detail;         // what happened, for anything but ok
  std::int64_t stopped_at_ms = 0;
  engine::Portfolio portfolio;  // at the end of the run
  engine::Performance performance;
  std::vector<engine::EquityPoint> curve;  // downsampled to config.curve_points
  std::uint64_t orders_accepted = 0;
  std::uint64_t orders_rejected = 0;
  std::uint64_t fills = 0;
  SealedCounts sealed;
};

struct RunResult {
  std::vector<FeedFileInfo> feeds;
  std::uint64_t events = 0;
  std::uint64_t events_by_kind[4] = {};  // indexed by MarketEventKind
  std::uint64_t lines = 0;
  std::uint64_t malformed = 0;
  std::uint64_t skipped = 0;
  std::map<std::string, std::uint64_t> skipped_by_type;
  std::vector<std::string> malformed_samples;
  std::uint64_t steps = 0;
  std::int64_t start_ms = 0;  // first and last feed event time
  std::int64_t end_ms = 0;
  std::vector<AgentResult> agents;  // in --agent order
  std::vector<SealedPeriodResult> sealed_periods;  // every period holding a sealed trade, ascending
  engine::Cash insurance_fund{0};
  engine::Cash fees_collected{0};
  double wall_seconds = 0;          // timing only: never part of the comparable report
};

// Validates the agent specs (unique names, non-empty commands) and runs. Errors: unreadable or
// missing feeds, strict-mode malformed lines, bad agent specs. A strategy's failure is not an
// error: it is recorded in its AgentResult.
Result<RunResult> RunSimulation(const RunOptions& options);

}  // namespace claw::run
