#include "sim/engine/budget.h"

#include <limits>

namespace claw::engine {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// Floor division (toward -inf), so times before 1970 land in the right day.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm, proleptic Gregorian).
void CivilFromDays(std::int64_t z, std::int64_t* y, int* m, int* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Cash SatAdd(Cash a, Cash b) {
  if (b.units > 0 && a.units > std::numeric_limits<std::int64_t>::max() - b.units) {
    return Cash{std::numeric_limits<std::int64_t>::max()};
  }
  return Cash{a.units + b.units};
}

}  // namespace

const char* ToString(BudgetLimit l) {
  switch (l) {
    case BudgetLimit::kNone: return "";
    case BudgetLimit::kOrder: return "order";
    case BudgetLimit::kDaily: return "daily";
    case BudgetLimit::kWeekly: return "weekly";
    case BudgetLimit::kMonthly: return "monthly";
  }
  return "";
}

std::int64_t DayStartMs(std::int64_t ms) { return FloorDiv(ms, kDayMs) * kDayMs; }

std::int64_t WeekStartMs(std::int64_t ms) {
  const std::int64_t days = FloorDiv(ms, kDayMs);
  // 1970-01-01 was a Thursday: weekday index with Monday = 0 is (days + 3) mod 7.
  std::int64_t wd = (days + 3) % 7;
  if (wd < 0) wd += 7;
  return (days - wd) * kDayMs;
}

std::int64_t MonthStartMs(std::int64_t ms) {
  std::int64_t y = 0;
  int m = 0, d = 0;
  CivilFromDays(FloorDiv(ms, kDayMs), &y, &m, &d);
  return DaysFromCivil(y, m, 1) * kDayMs;
}

Spend RollOver(const Spend& spend, std::int64_t now_ms) {
  Spend s = spend;
  const std::int64_t day = DayStartMs(now_ms), week = WeekStartMs(now_ms),
                     month = MonthStartMs(now_ms);
  if (s.day_start_ms == 0 || day > s.day_start_ms) {
    s.day_start_ms = day;
    s.day = Cash{0};
  }
  if (s.week_start_ms == 0 || week > s.week_start_ms) {
    s.week_start_ms = week;
    s.week = Cash{0};
  }
  if (s.month_start_ms == 0 || month > s.month_start_ms) {
    s.month_start_ms = month;
    s.month = Cash{0};
  }
  return s;
}

BudgetDecision DecideBudget(const Budget& budget, const Spend& spend, Cash notional,
                            std::int64_t now_ms) {
  BudgetDecision d;
  d.spend = RollOver(spend, now_ms);
  if (notional.units <= 0) return d;
  auto check = [&](BudgetLimit which, Cash limit, Cash would_be) {
    if (limit.units <= 0 || would_be <= limit) return false;
    d.allowed = false;
    d.limit = which;
    d.limit_value = limit;
    d.would_be = would_be;
    return true;
  };
  if (check(BudgetLimit::kOrder, budget.max_order, notional)) return d;
  if (check(BudgetLimit::kDaily, budget.max_daily, SatAdd(d.spend.day, notional))) return d;
  if (check(BudgetLimit::kWeekly, budget.max_weekly, SatAdd(d.spend.week, notional))) return d;
  if (check(BudgetLimit::kMonthly, budget.max_monthly, SatAdd(d.spend.month, notional))) return d;
  return d;
}

Spend AddSpend(const Spend& spend, Cash notional, std::int64_t now_ms) {
  Spend s = RollOver(spend, now_ms);
  if (notional.units <= 0) return s;
  s.day = SatAdd(s.day, notional);
  s.week = SatAdd(s.week, notional);
  s.month = SatAdd(s.month, notional);
  return s;
}

}  // namespace claw::engine
