// Report: the JSON document `arena-sim run --report` writes, and the `--fail-if` gate.
//
// Schema (report_version 1; documented in man/arena-sim.1, REPORT):
//   report_version, claw_version, arena{name,quote}, config_sha256, feeds[{path,sha256,bytes}],
//   events{total,trade,book_ticker,mark_price,kline}, lines, malformed, malformed_samples[],
//   skipped, skipped_by_type{}, steps, arena_time{start,end},
//   agents[{name, agent_id, status, detail?, final_equity, balance, sealed_held, realized_pnl, return,
//           max_drawdown, sharpe, sortino, calmar, trades, winning_trades, losing_trades,
//           win_rate, profit_factor, avg_trade_duration_ms, fees, liquidations,
//           orders_accepted, orders_rejected, fills,
//           sealed{commits,revealed,closed,pending_reveal,reveal_failed,refused,pnl_lobs},
//           positions[], equity_curve[{time,equity}]}],
//   leaderboard[{rank,name,final_equity,return}],
//   sealed{period_days,anchor,grace_h,tolerance_bps,
//          periods[{period,start,end,grace_end,complete,rankings[{rank,name,pnl_lobs,
//                   pnl_percent,revealed,closed,failed}]}]}, fees_collected, insurance_fund,
//   timing{wall_seconds, events_per_second}
// Money is a decimal string; ratios are JSON numbers. Everything but `timing` depends only on
// the inputs (feeds, config, strategies), so two runs give byte-identical documents once
// `timing` is removed. Pure functions; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/status.h"
#include "sim/run/runner.h"

namespace claw::run {

// The whole report, pretty-printed (2-space indent) with a trailing newline.
// `include_timing` false leaves out the wall-clock object (for byte comparisons).
std::string ReportJson(const RunResult& result, const RunConfig& config,
                       std::string_view version, bool include_timing = true);

// One agent's figures as a compact JSON object (the `bye` message's report).
std::string AgentSummaryJson(const AgentResult& agent);

// The agents ranked by final equity (ties by name), as a text table for terminals; then one
// table per reveal period holding sealed trades ("SEALED PERIOD N ...").
std::string LeaderboardText(const RunResult& result);

// `--fail-if`: conditions `[AGENT.]METRIC OP NUMBER` joined by `||` or `,`; METRIC is one of
// return, drawdown, sharpe, sortino, calmar, liquidations, trades, final_equity, fees,
// win_rate, failed (1 when the strategy was stopped); OP one of < <= > >= == !=.
// Without AGENT a condition applies to every agent.
struct GateCondition {
  std::string agent;  // empty: every agent
  std::string metric;
  std::string op;
  double value = 0;
  std::string text;   // as written, for messages
};
Result<std::vector<GateCondition>> ParseGate(std::string_view expression);

// The conditions that hold, each as "AGENT: CONDITION (METRIC is VALUE)". Empty: the gate passes.
std::vector<std::string> EvaluateGate(const std::vector<GateCondition>& conditions,
                                      const RunResult& result);

}  // namespace claw::run
