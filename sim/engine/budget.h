// The owner's budget (issue 7; seed 004 §10 spendingLimitPolicy): the one pure decision whether
// an order may go to the market at once or must wait for the owner's approval.
//
// A budget has up to four limits, each optional: the notional of a single order, and the
// notional traded per UTC day, per ISO week (Monday 00:00 UTC) and per calendar month (UTC).
// Spend is the sum of the notionals of the orders the budget let through (or the owner
// approved) within the current period of each kind. Periods are calendar periods on the
// caller's clock (the arena clock in the server), not rolling windows: at 00:00 UTC the daily
// spend starts again from zero, on Monday the weekly one, on the 1st the monthly one.
//
// Pure and deterministic: no clock, no I/O; the caller passes `now_ms`.
#pragma once

#include <cstdint>
#include <string>

#include "sim/engine/money.h"

namespace claw::engine {

// A limit of Cash{0} (or less) means "no limit".
struct Budget {
  Cash max_order{0};
  Cash max_daily{0};
  Cash max_weekly{0};
  Cash max_monthly{0};
  bool empty() const {
    return max_order.units <= 0 && max_daily.units <= 0 && max_weekly.units <= 0 &&
           max_monthly.units <= 0;
  }
  friend bool operator==(const Budget&, const Budget&) = default;
};

// Spend so far, each with the start (unix ms, UTC) of the period it belongs to. A start of 0
// means "nothing counted yet" and is rolled to the current period like any stale one.
struct Spend {
  std::int64_t day_start_ms = 0;
  std::int64_t week_start_ms = 0;
  std::int64_t month_start_ms = 0;
  Cash day{0};
  Cash week{0};
  Cash month{0};
  friend bool operator==(const Spend&, const Spend&) = default;
};

enum class BudgetLimit : std::uint8_t { kNone, kOrder, kDaily, kWeekly, kMonthly };
const char* ToString(BudgetLimit l);  // "" | "order" | "daily" | "weekly" | "monthly"

struct BudgetDecision {
  bool allowed = true;          // false: the order needs the owner's approval
  BudgetLimit limit = BudgetLimit::kNone;  // the first limit exceeded (order, daily, weekly, monthly)
  Cash limit_value{0};          // that limit
  Cash would_be{0};             // the order's notional (kOrder) or the period's spend with it
  Spend spend;                  // spend rolled over to `now_ms` (without this order)
};

// Period starts (UTC) of the period containing `ms`. ms may be negative (before 1970).
std::int64_t DayStartMs(std::int64_t ms);
std::int64_t WeekStartMs(std::int64_t ms);   // Monday 00:00 UTC (ISO 8601 week)
std::int64_t MonthStartMs(std::int64_t ms);  // the 1st, 00:00 UTC

// Spend with every period that `now_ms` has left reset to zero and moved to now's period.
// A clock that went backwards (now before a period start) keeps the spend as it is.
Spend RollOver(const Spend& spend, std::int64_t now_ms);

// Decides an order of `notional` (> 0; 0 or less passes every limit) placed at `now_ms`.
// A limit is exceeded when the order's notional (max_order) or the period's spend plus the
// notional (the others) is strictly greater than it: exactly at the limit is allowed.
// Spend sums saturate instead of overflowing.
BudgetDecision DecideBudget(const Budget& budget, const Spend& spend, Cash notional,
                            std::int64_t now_ms);

// Spend after an order of `notional` went to the market at `now_ms` (rolled over first).
Spend AddSpend(const Spend& spend, Cash notional, std::int64_t now_ms);

}  // namespace claw::engine
