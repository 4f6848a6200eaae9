#include "sim/engine/money.h"

#include <limits>

namespace claw::engine {
namespace {

constexpr std::int64_t kPow10[] = {1,
                                   10,
                                   100,
                                   1'000,
                                   10'000,
                                   100'000,
                                   1'000'000,
                                   10'000'000,
                                   100'000'000,
                                   1'000'000'000,
                                   10'000'000'000,
                                   100'000'000'000,
                                   1'000'000'000'000,
                                   10'000'000'000'000,
                                   100'000'000'000'000,
                                   1'000'000'000'000'000,
                                   10'000'000'000'000'000,
                                   100'000'000'000'000'000,
                                   1'000'000'000'000'000'000};

}  // namespace

bool MulDiv(std::int64_t a, std::int64_t b, std::int64_t d, Rounding r, std::int64_t* out) {
  Int128 n = static_cast<Int128>(a) * b;
  Int128 q = n / d;
  Int128 rem = n % d;  // same sign as n (C++ truncates toward zero)
  if (rem != 0) {
    switch (r) {
      case Rounding::kDown:
        if (rem < 0) --q;
        break;
      case Rounding::kUp:
        if (rem > 0) ++q;
        break;
      case Rounding::kHalfEven: {
        Int128 twice = rem < 0 ? -rem * 2 : rem * 2;
        bool away = twice > d || (twice == d && (q % 2 != 0));
        if (away) q += (n < 0) ? -1 : 1;
        break;
      }
    }
  }
  if (q > std::numeric_limits<std::int64_t>::max() ||
      q < std::numeric_limits<std::int64_t>::min()) {
    return false;
  }
  *out = static_cast<std::int64_t>(q);
  return true;
}

Result<Cash> Notional(Price p, Qty q, Rounding r) {
  // ticks (1e-4) * units (1e-8) = 1e-12 quote units; Cash is 1e-8, so divide by 1e4.
  std::int64_t v = 0;
  if (!MulDiv(p.ticks, q.units, kPriceScale * kQtyScale / kCashScale, r, &v)) {
    return Status::InvalidArgument("notional of price " + ToString(p) + " x quantity " +
                                   ToString(q) + " overflows");
  }
  return Cash{v};
}

bool ParseFixed(std::string_view s, int decimals, std::int64_t* out) {
  if (decimals < 0 || decimals > 18) return false;
  std::size_t i = 0;
  const std::size_t n = s.size();
  bool neg = false;
  if (i < n && s[i] == '-') {
    neg = true;
    ++i;
  }
  // Accumulate as a positive value in unsigned 128 bits: integer digits, then `decimals`
  // fraction digits; the first dropped digit and any non-zero after it decide the rounding.
  UInt128 v = 0;
  const UInt128 kLimit = static_cast<UInt128>(1) << 64;
  bool any_digit = false;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
    if (v >= kLimit) return false;
    any_digit = true;
    ++i;
  }
  int frac = 0;
  int first_dropped = -1;
  bool sticky = false;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      int d = s[i] - '0';
      if (frac < decimals) {
        v = v * 10 + static_cast<unsigned>(d);
        ++frac;
      } else if (first_dropped < 0) {
        first_dropped = d;
      } else if (d != 0) {
        sticky = true;
      }
      any_digit = true;
      ++i;
    }
  }
  if (!any_digit || i != n) return false;
  for (; frac < decimals; ++frac) v *= 10;
  if (v >= kLimit) return false;
  if (first_dropped > 5 || (first_dropped == 5 && (sticky || (v & 1) != 0))) ++v;
  const UInt128 kMax = static_cast<UInt128>(
      std::numeric_limits<std::int64_t>::max());
  if (v > kMax + (neg ? 1 : 0)) return false;
  *out = neg ? static_cast<std::int64_t>(-static_cast<Int128>(v)) : static_cast<std::int64_t>(v);
  return true;
}

Result<std::int64_t> ParseFixedOrError(std::string_view s, int decimals, std::string_view what) {
  std::int64_t v = 0;
  if (!ParseFixed(s, decimals, &v)) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(s) +
                                       "' is not a decimal number in range",
                                   "write a plain decimal such as \"42.5\" (no exponent)");
  }
  return v;
}

std::string FormatFixed(std::int64_t v, int decimals) {
  const bool neg = v < 0;
  UInt128 a = neg ? static_cast<UInt128>(-static_cast<Int128>(v))
                            : static_cast<UInt128>(v);
  const auto scale = static_cast<UInt128>(kPow10[decimals]);
  auto whole = static_cast<unsigned long long>(a / scale);
  auto frac = static_cast<unsigned long long>(a % scale);
  std::string out = neg ? "-" : "";
  out += std::to_string(whole);
  if (decimals > 0) {
    std::string f = std::to_string(frac);
    out += '.';
    out.append(static_cast<std::size_t>(decimals) - f.size(), '0');
    out += f;
  }
  return out;
}

}  // namespace claw::engine
