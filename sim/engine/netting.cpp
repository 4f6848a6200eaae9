#include "sim/engine/netting.h"

#include <limits>

namespace claw::engine::internal {

Int128 DivFloor(Int128 n, Int128 d) {
  Int128 q = n / d;
  if (n % d != 0 && n < 0) --q;
  return q;
}

Int128 DivCeil(Int128 n, Int128 d) {
  Int128 q = n / d;
  if (n % d != 0 && n > 0) ++q;
  return q;
}

Int128 DivHalfEven(Int128 n, Int128 d) {
  Int128 q = n / d;
  Int128 rem = n % d;
  if (rem == 0) return q;
  Int128 twice = rem < 0 ? -rem * 2 : rem * 2;
  if (twice > d || (twice == d && q % 2 != 0)) q += (n < 0) ? -1 : 1;
  return q;
}

std::int64_t Saturate(Int128 v) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  if (v > kMax) return kMax;
  if (v < kMin) return kMin;
  return static_cast<std::int64_t>(v);
}

namespace {
Int128 Abs(std::int64_t v) { return v < 0 ? -static_cast<Int128>(v) : static_cast<Int128>(v); }
}  // namespace

Cash FeeFor(Price price, Qty qty, int bps) {
  Int128 n = static_cast<Int128>(price.ticks) * Abs(qty.units) * bps;
  return Cash{Saturate(DivCeil(n, static_cast<Int128>(kNotionalToCash) * 10'000))};
}

Cash MarginFor(Price entry, Qty qty, int leverage) {
  Int128 n = static_cast<Int128>(entry.ticks) * Abs(qty.units);
  return Cash{Saturate(DivCeil(n, static_cast<Int128>(kNotionalToCash) * leverage))};
}

Cash PnlFor(Price entry, Price exit, Qty signed_qty) {
  Int128 n = static_cast<Int128>(exit.ticks - entry.ticks) * signed_qty.units;
  return Cash{Saturate(DivFloor(n, kNotionalToCash))};
}

Cash NotionalOf(Price price, Qty qty, Rounding r) {
  Int128 n = static_cast<Int128>(price.ticks) * Abs(qty.units);
  switch (r) {
    case Rounding::kDown: return Cash{Saturate(DivFloor(n, kNotionalToCash))};
    case Rounding::kUp: return Cash{Saturate(DivCeil(n, kNotionalToCash))};
    case Rounding::kHalfEven: break;
  }
  return Cash{Saturate(DivHalfEven(n, kNotionalToCash))};
}

NetResult Net(Qty qty, Price entry, Qty fill, Price price) {
  NetResult r;
  const std::int64_t q = qty.units;
  const std::int64_t f = fill.units;
  if (q == 0 || (q > 0) == (f > 0)) {  // open or add
    r.quantity = Qty{q + f};
    r.opened = (q == 0);
    Int128 sum = static_cast<Int128>(q) * entry.ticks + static_cast<Int128>(f) * price.ticks;
    r.entry = Price{Saturate(DivHalfEven(sum, static_cast<Int128>(q) + f))};
    return r;
  }
  const std::int64_t abs_q = q < 0 ? -q : q;
  const std::int64_t abs_f = f < 0 ? -f : f;
  const std::int64_t closed = abs_f < abs_q ? abs_f : abs_q;
  r.reduced = Qty{closed};
  r.realized = PnlFor(entry, price, Qty{q > 0 ? closed : -closed});
  r.quantity = Qty{q + f};
  if (r.quantity.units == 0) {
    r.entry = Price{0};
  } else if ((r.quantity.units > 0) == (q > 0)) {
    r.entry = entry;  // partly reduced: entry unchanged
  } else {
    r.entry = price;  // flipped: the remainder opens at the fill price
    r.opened = true;
  }
  return r;
}

}  // namespace claw::engine::internal
