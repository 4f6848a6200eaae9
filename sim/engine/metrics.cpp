#include "sim/engine/metrics.h"

#include <algorithm>
#include <cmath>

#include "sim/engine/netting.h"

namespace claw::engine {
namespace {

constexpr double kMsPerYear = 365.0 * 86'400'000.0;

std::int64_t FractionE8(std::int64_t num, std::int64_t den) {
  if (den <= 0) return 0;
  return internal::Saturate(static_cast<Int128>(num) * 100'000'000 / den);
}

struct Moments {
  double mean = 0, stddev = 0, downside = 0;
  std::size_t n = 0;
};

Moments ReturnMoments(const std::vector<EquityPoint>& pts) {
  std::vector<double> r;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (pts[i - 1].equity.units <= 0) continue;
    r.push_back(static_cast<double>(pts[i].equity.units) /
                    static_cast<double>(pts[i - 1].equity.units) - 1.0);
  }
  Moments m;
  m.n = r.size();
  if (r.empty()) return m;
  double sum = 0, down = 0;
  for (double x : r) {
    sum += x;
    if (x < 0) down += x * x;
  }
  m.mean = sum / static_cast<double>(r.size());
  m.downside = std::sqrt(down / static_cast<double>(r.size()));
  if (r.size() >= 2) {
    double ss = 0;
    for (double x : r) ss += (x - m.mean) * (x - m.mean);
    m.stddev = std::sqrt(ss / static_cast<double>(r.size() - 1));
  }
  return m;
}

}  // namespace

MetricsTracker::MetricsTracker(std::int64_t snapshot_interval_ms, WalletId wallet)
    : interval_ms_(snapshot_interval_ms > 0 ? snapshot_interval_ms : 1), wallet_(wallet) {}

void MetricsTracker::CloseTrip(Trip& t, std::int64_t time_ms) {
  if (!t.open) return;
  ++trades_;
  if (t.pnl > 0) {
    ++winning_;
    gross_profit_ += t.pnl;
  } else if (t.pnl < 0) {
    ++losing_;
    gross_loss_ -= t.pnl;
  }
  duration_sum_ += time_ms - t.open_ms;
  t.open = false;
  t.pnl = 0;
}

void MetricsTracker::OnEvent(const Event& e) {
  if (wallet_ != 0 && e.wallet != wallet_) return;
  switch (e.kind) {
    case EventKind::kFill: {
      Trip& t = trips_[e.fill.symbol];
      if (!t.open) {
        t.open = true;
        t.open_ms = e.fill.time_ms;
        t.pnl = 0;
      }
      t.pnl += e.fill.realized_pnl.units - e.fill.fee.units;
      fees_ += e.fill.fee.units;
      break;
    }
    case EventKind::kPositionChanged: {
      Trip& t = trips_[e.position.symbol];
      const std::int64_t q = e.position.quantity.units;
      const bool flipped = t.qty != 0 && q != 0 && (t.qty > 0) != (q > 0);
      if (q == 0 || flipped) CloseTrip(t, e.time_ms);
      if (flipped) {
        t.open = true;
        t.open_ms = e.time_ms;
      }
      t.qty = q;
      break;
    }
    case EventKind::kLiquidated:
      ++liquidations_;
      fees_ += e.cash.units;
      break;
    default:
      break;
  }
}

void MetricsTracker::Sample(std::int64_t time_ms, Cash equity) {
  if (snapshots_.empty() || time_ms - snapshots_.back().time_ms >= interval_ms_) {
    snapshots_.push_back({time_ms, equity});
  }
  last_sample_ = {time_ms, equity};
  has_last_ = true;
}

Performance MetricsTracker::Finish(Cash final_equity, std::int64_t time_ms) const {
  std::vector<EquityPoint> pts = snapshots_;
  if (has_last_ && (pts.empty() || last_sample_.time_ms > pts.back().time_ms)) pts.push_back(last_sample_);
  if (pts.empty() || time_ms > pts.back().time_ms) pts.push_back({time_ms, final_equity});
  else pts.back().equity = final_equity;  // same time: the final value wins
  Performance p;
  p.starting_equity = pts.front().equity;
  p.final_equity = final_equity;
  std::int64_t peak = pts.front().equity.units;
  for (const EquityPoint& e : pts) {
    peak = std::max(peak, e.equity.units);
    p.max_drawdown_e8 = std::max(p.max_drawdown_e8, FractionE8(peak - e.equity.units, peak));
  }
  p.max_equity = Cash{peak};
  p.return_e8 = FractionE8(final_equity.units - p.starting_equity.units, p.starting_equity.units);
  const Moments m = ReturnMoments(pts);
  const double periods = std::sqrt(kMsPerYear / static_cast<double>(interval_ms_));
  if (m.n >= 2 && m.stddev > 0) p.sharpe = m.mean / m.stddev * periods;
  if (m.n >= 1 && m.downside > 0) p.sortino = m.mean / m.downside * periods;
  const std::int64_t elapsed = pts.back().time_ms - pts.front().time_ms;
  if (p.max_drawdown_e8 > 0 && elapsed > 0) {
    const double annual = static_cast<double>(p.return_e8) / 1e8 * (kMsPerYear / static_cast<double>(elapsed));
    p.calmar = annual / (static_cast<double>(p.max_drawdown_e8) / 1e8);
  }
  p.trades = trades_;
  p.winning_trades = winning_;
  p.losing_trades = losing_;
  if (trades_ > 0) {
    p.win_rate = static_cast<double>(winning_) / static_cast<double>(trades_);
    p.avg_trade_duration_ms = duration_sum_ / trades_;
  }
  if (gross_loss_ > 0) p.profit_factor = static_cast<double>(gross_profit_) / static_cast<double>(gross_loss_);
  p.fees = Cash{fees_};
  p.liquidations = liquidations_;
  return p;
}

}  // namespace claw::engine
