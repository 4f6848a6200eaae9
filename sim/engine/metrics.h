// Performance metrics of one wallet (seed 002 `/v1/portfolio/performance`), computed from the
// engine's events and periodic equity samples.
//
// Money values are Cash (exact); returns and drawdowns are fractions x 1e8 in integers; the
// statistics below are doubles because they are ratios, not money. They are computed in a
// fixed order of summation, so the same samples give the same bits on the same platform.
//
// Definitions (points = the recorded snapshots plus the final point given to Finish):
//  - return_e8 = (final - starting) / starting x 1e8, rounded toward zero; 0 when starting <= 0.
//  - max_drawdown_e8 = max over points of (running peak - equity) / running peak x 1e8.
//  - interval returns r_i = equity_i / equity_{i-1} - 1 between consecutive points (an
//    interval starting at equity <= 0 is skipped); n = their count.
//  - annualisation: crypto trades all year, so periods per year P = 365 x 86,400,000 ms /
//    snapshot_interval_ms (the nominal interval, also for a shorter last interval).
//  - sharpe  = mean(r) / sample stddev(r) (n - 1 denominator) x sqrt(P); 0 when n < 2 or the
//    stddev is 0. Risk-free rate 0.
//  - sortino = mean(r) / downside deviation x sqrt(P), downside deviation =
//    sqrt(sum(min(r_i, 0)^2) / n); 0 when n < 1 or there is no negative return.
//  - calmar  = annualised return / max drawdown, annualised return = total return x
//    (365 x 86,400,000 / elapsed ms), elapsed = last point time - first point time (simple,
//    not compounded, so short runs do not explode); 0 when there is no drawdown or no time.
//  - trades are round trips: a position opened (from flat) until it is flat again or flips;
//    a trade's PnL is its realised PnL minus the fees of its fills (the flipping fill's fee
//    counts to the trade it closes). winning: PnL > 0, losing: PnL < 0.
//  - win_rate = winning / trades; profit_factor = sum of winning PnL / |sum of losing PnL|;
//    0 when there are no trades, resp. no losing trade.
//  - avg_trade_duration_ms = sum of durations / trades (floor); fees = fill fees +
//    liquidation fees; liquidations = kLiquidated events.
// Thread safety: none (a plain value type).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/engine/engine.h"

namespace claw::engine {

struct EquityPoint {
  std::int64_t time_ms = 0;
  Cash equity;
};

struct Performance {
  Cash starting_equity, final_equity, max_equity;
  std::int64_t return_e8 = 0;        // total return as a fraction x 1e8
  std::int64_t max_drawdown_e8 = 0;  // as a fraction x 1e8
  double sharpe = 0, sortino = 0, calmar = 0;
  std::int64_t trades = 0, winning_trades = 0, losing_trades = 0;
  double win_rate = 0, profit_factor = 0;
  std::int64_t avg_trade_duration_ms = 0;
  Cash fees;
  int liquidations = 0;
};

class MetricsTracker {
 public:
  // `wallet` != 0: events of other wallets are ignored; 0: every event given is this wallet's.
  // REQUIRES: snapshot_interval_ms > 0.
  explicit MetricsTracker(std::int64_t snapshot_interval_ms = 60'000, WalletId wallet = 0);

  // Fills and position changes build round trips; kLiquidated counts and adds its fee.
  void OnEvent(const Event& e);
  // Records a snapshot when at least the interval has passed since the last one (the first
  // sample always); the latest sample is kept too and joins the points at Finish.
  void Sample(std::int64_t time_ms, Cash equity);
  // Metrics over the snapshots, the latest sample and (final_equity, time_ms).
  Performance Finish(Cash final_equity, std::int64_t time_ms) const;
  const std::vector<EquityPoint>& snapshots() const { return snapshots_; }

 private:
  struct Trip {
    bool open = false;
    std::int64_t open_ms = 0;
    std::int64_t pnl = 0;  // Cash units: realised - fees
    std::int64_t qty = 0;  // signed position after the last change
  };
  void CloseTrip(Trip& t, std::int64_t time_ms);

  std::int64_t interval_ms_;
  WalletId wallet_;
  std::vector<EquityPoint> snapshots_;
  EquityPoint last_sample_;
  bool has_last_ = false;
  std::map<std::string, Trip> trips_;  // by symbol
  std::int64_t trades_ = 0, winning_ = 0, losing_ = 0;
  std::int64_t gross_profit_ = 0, gross_loss_ = 0, duration_sum_ = 0;
  std::int64_t fees_ = 0;
  int liquidations_ = 0;
};

}  // namespace claw::engine
