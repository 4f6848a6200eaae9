#include "sim/engine/budget.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace claw::engine;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kMon23Nov2026 = 1795392000000;  // Monday 2026-11-23 00:00 UTC
constexpr std::int64_t kSun22Nov2026 = 1795305600000;
constexpr std::int64_t kMon30Nov2026 = 1795996800000;
constexpr std::int64_t kTue01Dec2026 = 1796083200000;
constexpr std::int64_t kThu31Dec2026 = 1798675200000;
constexpr std::int64_t kFri01Jan2027 = 1798761600000;
constexpr std::int64_t kThu29Feb2024 = 1709164800000;
constexpr std::int64_t kFri01Mar2024 = 1709251200000;
constexpr std::int64_t kMon28Dec2020 = 1609113600000;

Cash Usd(std::int64_t whole) { return Cash{whole * kCashScale}; }

}  // namespace

TEST_CASE("period starts are UTC calendar periods: day, ISO week from Monday, month", "[sim][engine][budget]") {
  const std::int64_t noon = kMon23Nov2026 + 12 * 3'600'000 + 5;
  CHECK(DayStartMs(noon) == kMon23Nov2026);
  CHECK(DayStartMs(kMon23Nov2026) == kMon23Nov2026);
  CHECK(DayStartMs(kMon23Nov2026 - 1) == kSun22Nov2026);
  // Monday is the first day of the week; Sunday belongs to the week before.
  CHECK(WeekStartMs(noon) == kMon23Nov2026);
  CHECK(WeekStartMs(kMon23Nov2026 + 7 * kDay - 1) == kMon23Nov2026);
  CHECK(WeekStartMs(kSun22Nov2026 + kDay - 1) == kMon23Nov2026 - 7 * kDay);
  CHECK(WeekStartMs(kMon30Nov2026) == kMon30Nov2026);
  // A week across the turn of the year starts in the old year.
  CHECK(WeekStartMs(kFri01Jan2027) == kThu31Dec2026 - 3 * kDay);
  CHECK(WeekStartMs(kMon28Dec2020 + 6 * kDay) == kMon28Dec2020);
  // Months of 30 and 31 days, a leap February, the turn of the year.
  CHECK(MonthStartMs(kMon30Nov2026 + kDay - 1) == kMon30Nov2026 - 29 * kDay);
  CHECK(MonthStartMs(kTue01Dec2026) == kTue01Dec2026);
  CHECK(MonthStartMs(kThu31Dec2026 + kDay - 1) == kTue01Dec2026);
  CHECK(MonthStartMs(kFri01Jan2027) == kFri01Jan2027);
  CHECK(MonthStartMs(kThu29Feb2024 + kDay - 1) == kThu29Feb2024 - 28 * kDay);
  CHECK(MonthStartMs(kFri01Mar2024) == kFri01Mar2024);
  // Before 1970: floor, not truncation toward zero.
  CHECK(DayStartMs(-1) == -kDay);
  CHECK(WeekStartMs(-1) == -3 * kDay);  // Wed 1969-12-31 -> Mon 1969-12-29
  CHECK(MonthStartMs(-1) == -31 * kDay);
  CHECK(MonthStartMs(0) == 0);
}

TEST_CASE("no budget allows everything and still rolls the spend over", "[sim][engine][budget]") {
  Spend s;
  auto d = DecideBudget(Budget{}, s, Usd(1'000'000'000), kMon23Nov2026 + 5);
  CHECK(d.allowed);
  CHECK(d.limit == BudgetLimit::kNone);
  CHECK(d.spend.day_start_ms == kMon23Nov2026);
  CHECK(d.spend.week_start_ms == kMon23Nov2026);
  CHECK(d.spend.month_start_ms == kMon23Nov2026 - 22 * kDay);
  CHECK(Budget{}.empty());
  CHECK_FALSE((Budget{Cash{0}, Cash{1}, Cash{0}, Cash{0}}).empty());
}

TEST_CASE("max order notional: exactly at the limit passes, one unit over needs approval", "[sim][engine][budget]") {
  Budget b;
  b.max_order = Usd(100);
  auto at = DecideBudget(b, {}, Usd(100), kMon23Nov2026);
  CHECK(at.allowed);
  auto over = DecideBudget(b, {}, Cash{Usd(100).units + 1}, kMon23Nov2026);
  CHECK_FALSE(over.allowed);
  CHECK(over.limit == BudgetLimit::kOrder);
  CHECK(std::string(ToString(over.limit)) == "order");
  CHECK(over.limit_value == Usd(100));
  CHECK(over.would_be == Cash{Usd(100).units + 1});
  // A zero notional (unknown price) passes every limit: the engine decides such an order.
  CHECK(DecideBudget(b, {}, Cash{0}, kMon23Nov2026).allowed);
}

TEST_CASE("daily limit counts spend so far and names the first limit exceeded", "[sim][engine][budget]") {
  Budget b;
  b.max_order = Usd(1'000);
  b.max_daily = Usd(250);
  b.max_weekly = Usd(300);
  b.max_monthly = Usd(400);
  const std::int64_t t = kMon23Nov2026 + 3'600'000;
  Spend s = AddSpend({}, Usd(200), t);
  CHECK(s.day == Usd(200));
  CHECK(s.week == Usd(200));
  CHECK(s.month == Usd(200));
  CHECK(DecideBudget(b, s, Usd(50), t).allowed);  // 250 == daily limit
  auto d = DecideBudget(b, s, Usd(51), t);
  CHECK_FALSE(d.allowed);
  CHECK(d.limit == BudgetLimit::kDaily);
  CHECK(d.would_be == Usd(251));
  CHECK(d.limit_value == Usd(250));
  // Over daily and weekly at once: daily is named (checked first).
  auto both = DecideBudget(b, s, Usd(150), t);
  CHECK(both.limit == BudgetLimit::kDaily);
}

TEST_CASE("the daily spend starts again at 00:00 UTC; the week and month keep counting", "[sim][engine][budget]") {
  Budget b;
  b.max_daily = Usd(100);
  b.max_weekly = Usd(150);
  const std::int64_t monday = kMon23Nov2026 + 10;
  Spend s = AddSpend({}, Usd(100), monday);
  CHECK_FALSE(DecideBudget(b, s, Usd(1), kMon23Nov2026 + kDay - 1).allowed);  // 23:59:59.999
  auto tuesday = DecideBudget(b, s, Usd(50), kMon23Nov2026 + kDay);           // 00:00:00.000
  CHECK(tuesday.allowed);
  CHECK(tuesday.spend.day == Cash{0});
  CHECK(tuesday.spend.day_start_ms == kMon23Nov2026 + kDay);
  CHECK(tuesday.spend.week == Usd(100));
  auto weekly = DecideBudget(b, s, Usd(51), kMon23Nov2026 + kDay);
  CHECK_FALSE(weekly.allowed);
  CHECK(weekly.limit == BudgetLimit::kWeekly);
  CHECK(weekly.would_be == Usd(151));
}

TEST_CASE("the weekly spend starts again on Monday, not seven days after the first order", "[sim][engine][budget]") {
  Budget b;
  b.max_weekly = Usd(100);
  // Spent on Sunday: the week of Monday 16 Nov. Monday 23 Nov is a new week a day later.
  Spend s = AddSpend({}, Usd(100), kSun22Nov2026 + 1000);
  CHECK_FALSE(DecideBudget(b, s, Usd(1), kSun22Nov2026 + kDay - 1).allowed);
  auto d = DecideBudget(b, s, Usd(100), kMon23Nov2026);
  CHECK(d.allowed);
  CHECK(d.spend.week == Cash{0});
  CHECK(d.spend.week_start_ms == kMon23Nov2026);
  // Spend on Monday 23 lasts through Sunday 29 23:59:59.999.
  Spend m = AddSpend({}, Usd(100), kMon23Nov2026);
  CHECK_FALSE(DecideBudget(b, m, Usd(1), kMon30Nov2026 - 1).allowed);
  CHECK(DecideBudget(b, m, Usd(1), kMon30Nov2026).allowed);
}

TEST_CASE("the monthly spend starts again on the 1st; across a year and a leap day", "[sim][engine][budget]") {
  Budget b;
  b.max_monthly = Usd(500);
  Spend s = AddSpend({}, Usd(500), kMon30Nov2026);
  CHECK_FALSE(DecideBudget(b, s, Usd(1), kTue01Dec2026 - 1).allowed);
  auto dec = DecideBudget(b, s, Usd(500), kTue01Dec2026);
  CHECK(dec.allowed);
  CHECK(dec.spend.month_start_ms == kTue01Dec2026);
  // The week of Mon 30 Nov keeps its spend across the month boundary.
  CHECK(dec.spend.week == Usd(500));
  Spend y = AddSpend({}, Usd(500), kThu31Dec2026 + 5);
  CHECK_FALSE(DecideBudget(b, y, Usd(1), kFri01Jan2027 - 1).allowed);
  CHECK(DecideBudget(b, y, Usd(1), kFri01Jan2027).allowed);
  Spend leap = AddSpend({}, Usd(500), kThu29Feb2024);
  CHECK_FALSE(DecideBudget(b, leap, Usd(1), kFri01Mar2024 - 1).allowed);
  CHECK(DecideBudget(b, leap, Usd(1), kFri01Mar2024).allowed);
}

TEST_CASE("a clock that goes backwards does not reset the spend", "[sim][engine][budget]") {
  Budget b;
  b.max_daily = Usd(100);
  Spend s = AddSpend({}, Usd(100), kMon23Nov2026 + kDay + 5);
  auto d = DecideBudget(b, s, Usd(1), kMon23Nov2026 + 5);  // yesterday, per the caller
  CHECK_FALSE(d.allowed);
  CHECK(d.spend == s);
}

TEST_CASE("spend accumulates per period and saturates instead of overflowing", "[sim][engine][budget]") {
  const std::int64_t t = kMon23Nov2026;
  Spend s = AddSpend({}, Usd(10), t);
  s = AddSpend(s, Usd(15), t + 1000);
  CHECK(s.day == Usd(25));
  s = AddSpend(s, Cash{0}, t + 2000);  // nothing
  CHECK(s.day == Usd(25));
  Spend big = AddSpend(s, Cash{std::numeric_limits<std::int64_t>::max()}, t);
  CHECK(big.day.units == std::numeric_limits<std::int64_t>::max());
  Budget b;
  b.max_daily = Cash{std::numeric_limits<std::int64_t>::max()};
  CHECK(DecideBudget(b, big, Usd(1), t).allowed);  // saturated sum == limit: not over
  b.max_daily = Cash{std::numeric_limits<std::int64_t>::max() - 1};
  CHECK_FALSE(DecideBudget(b, big, Usd(1), t).allowed);
}
