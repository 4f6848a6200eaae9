// Fixed-point money: prices, quantities and cash as distinct integer types (STYLE.md §4).
//
// Never a binary float. Each type has one scale, fixed here with its reason; products widen to
// 128 bits before dividing back down, and every division names its rounding.
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/engine/status.h"

namespace claw::engine {

// Scales are part of the wire format and of stored data (PROTOCOL.md §1); never change them.
inline constexpr int kPriceDecimals = 4;  // feed prices are normalised to 4 decimals
inline constexpr int kQtyDecimals = 8;    // Binance quantities carry 8 decimals
inline constexpr int kCashDecimals = 8;   // quote currency (USDT) amounts
inline constexpr std::int64_t kPriceScale = 10'000;
inline constexpr std::int64_t kQtyScale = 100'000'000;
inline constexpr std::int64_t kCashScale = 100'000'000;

struct Price {  // 1 tick = 1e-4 quote units per base unit
  std::int64_t ticks = 0;
  friend auto operator<=>(const Price&, const Price&) = default;
};
struct Qty {  // 1 unit = 1e-8 base units; signed where it is a position
  std::int64_t units = 0;
  friend auto operator<=>(const Qty&, const Qty&) = default;
};
struct Cash {  // 1 unit = 1e-8 quote units (USDT)
  std::int64_t units = 0;
  friend auto operator<=>(const Cash&, const Cash&) = default;
  Cash operator+(Cash o) const { return {units + o.units}; }
  Cash operator-(Cash o) const { return {units - o.units}; }
  Cash& operator+=(Cash o) { units += o.units; return *this; }
  Cash& operator-=(Cash o) { units -= o.units; return *this; }
  Cash operator-() const { return {-units}; }
};

// 128-bit intermediates (a GCC/Clang extension; __extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

enum class Rounding { kDown, kUp, kHalfEven };  // kDown/kUp: toward -inf / +inf

// a * b / d with a 128-bit intermediate, rounded as named.
// REQUIRES: d > 0. Returns false on int64 overflow of the result (out untouched).
[[nodiscard]] bool MulDiv(std::int64_t a, std::int64_t b, std::int64_t d, Rounding r,
                          std::int64_t* out);

// Quote value of `q` at `p`: p * q, in Cash. Overflow is an error, never a wrap.
[[nodiscard]] Result<Cash> Notional(Price p, Qty q, Rounding r = Rounding::kHalfEven);

// Parses a plain decimal ("61837.63000000", "-0.5", "42", ".5") into units of 10^-decimals,
// rounding half to even beyond `decimals` digits. No exponent, no spaces, no "+", no "NaN".
// The hot path for feeds: no allocation. Returns false on malformed input or overflow.
[[nodiscard]] bool ParseFixed(std::string_view s, int decimals, std::int64_t* out);

// The same with an error message naming the input, for adapters that answer users.
[[nodiscard]] Result<std::int64_t> ParseFixedOrError(std::string_view s, int decimals,
                                                     std::string_view what);

// Formats with exactly `decimals` digits after the point: FormatFixed(955000, 4) == "95.5000".
std::string FormatFixed(std::int64_t v, int decimals);

inline std::string ToString(Price p) { return FormatFixed(p.ticks, kPriceDecimals); }
inline std::string ToString(Qty q) { return FormatFixed(q.units, kQtyDecimals); }
inline std::string ToString(Cash c) { return FormatFixed(c.units, kCashDecimals); }

}  // namespace claw::engine
