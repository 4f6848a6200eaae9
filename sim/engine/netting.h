// Netting and money arithmetic of the engine: fees, margin, PnL, one-way position netting.
//
// Internal to sim/engine (not included by adapters). Pure functions on integer units with
// 128-bit intermediates; every division names its rounding. Values that cannot fit an int64
// saturate (orders are validated well below that, see orders.cpp kMaxOrderNotional).
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "sim/engine/money.h"

namespace claw::engine::internal {

// price (1e-4) x quantity (1e-8) is in 1e-12 quote units; Cash is 1e-8: divide by 1e4.
inline constexpr std::int64_t kNotionalToCash = kPriceScale * kQtyScale / kCashScale;

Int128 DivFloor(Int128 n, Int128 d);     // REQUIRES: d > 0
Int128 DivCeil(Int128 n, Int128 d);      // REQUIRES: d > 0
Int128 DivHalfEven(Int128 n, Int128 d);  // REQUIRES: d > 0
std::int64_t Saturate(Int128 v);

// Fee on a fill: ceil(price * |qty| * bps / 1e4), computed on the exact notional and rounded
// UP to the 1e-8 unit (the arena never under-charges by a rounding).
Cash FeeFor(Price price, Qty qty, int bps);
// Initial margin of |qty| at `entry`: ceil(|qty| * entry / leverage). > 0 for qty != 0.
// REQUIRES: leverage >= 1, entry > 0.
Cash MarginFor(Price entry, Qty qty, int leverage);
// (exit - entry) * qty for a signed qty (long > 0), rounded toward -infinity (a fraction of a
// unit is the market's, never the trader's).
Cash PnlFor(Price entry, Price exit, Qty signed_qty);
// Notional |qty| * price rounded as named.
Cash NotionalOf(Price price, Qty qty, Rounding r);

// The result of netting a fill into a one-way position.
struct NetResult {
  Qty quantity;        // signed position after the fill
  Price entry;         // entry after the fill (0 when flat)
  Cash realized;       // PnL realised by the reducing part
  Qty reduced;         // how much of the old position was closed (>= 0)
  bool opened = false; // a new position was opened (from flat, or by a flip)
};

// Nets a signed fill (buy > 0) at `price` into position (`qty`, `entry`):
//  - same side (or flat): adds; entry = weighted average rounded half-even to 1e-4;
//  - opposite side: reduces, realising (price - entry) * reduced * sign;
//    past zero it flips and the remainder opens at `price`.
// REQUIRES: fill != 0, price > 0.
NetResult Net(Qty qty, Price entry, Qty fill, Price price);

}  // namespace claw::engine::internal
