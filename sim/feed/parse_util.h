// Small no-allocation parsers shared by the JSON and CSV readers: integers, timestamps of
// any unit, booleans, non-negative prices and quantities.
//
// Internal to sim/feed. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "sim/engine/money.h"

namespace claw::feed {

// Unsigned decimal integer of at most 18 digits (no sign, no spaces).
inline bool ParseUint(std::string_view s, std::int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// A Unix timestamp in s, ms, us or ns, told apart by magnitude (binance-formats.md §3.2:
// 13 digits ms, 16 digits us), to ms. Seconds stop at year 5138; ms start at 1973.
inline std::int64_t ToMillis(std::int64_t t) {
  if (t >= 100'000'000'000'000'000) return t / 1'000'000;  // ns
  if (t >= 100'000'000'000'000) return t / 1'000;          // us
  if (t >= 100'000'000'000) return t;                      // ms
  return t * 1'000;                                        // s
}

inline bool ParseTimeMs(std::string_view s, std::int64_t* ms) {
  std::int64_t t = 0;
  if (!ParseUint(s, &t)) return false;
  *ms = ToMillis(t);
  return true;
}

// true/false in any case (spot CSVs write True/False, futures CSVs and JSON true/false).
inline bool ParseBool(std::string_view s, bool* out) {
  auto lower = [](char c) { return static_cast<char>(c | 0x20); };
  if (s.size() == 4 && lower(s[0]) == 't' && lower(s[1]) == 'r' && lower(s[2]) == 'u' &&
      lower(s[3]) == 'e') {
    *out = true;
    return true;
  }
  if (s.size() == 5 && lower(s[0]) == 'f' && lower(s[1]) == 'a' && lower(s[2]) == 'l' &&
      lower(s[3]) == 's' && lower(s[4]) == 'e') {
    *out = false;
    return true;
  }
  return false;
}

// Non-negative decimal to `decimals` places, half to even. The common case (at most 18
// significant digits kept) runs in 64 bits; anything longer goes to engine::ParseFixed,
// which defines the semantics.
inline bool ParseDecimal(std::string_view s, int decimals, std::int64_t* out) {
  static constexpr std::uint64_t kPow10[] = {1,      10,      100,      1000,     10000,
                                             100000, 1000000, 10000000, 100000000};
  const char* p = s.data();
  const char* end = p + s.size();
  std::uint64_t v = 0;
  int digits = 0, frac = 0;
  while (p < end && static_cast<unsigned>(*p - '0') < 10) {
    v = v * 10 + static_cast<unsigned>(*p++ - '0');
    ++digits;
  }
  if (p < end && *p == '.') {
    ++p;
    while (p < end && frac < decimals && static_cast<unsigned>(*p - '0') < 10) {
      v = v * 10 + static_cast<unsigned>(*p++ - '0');
      ++frac;
    }
    while (p < end && *p == '0') ++p;  // dropped zeros change nothing
  }
  // Rounding needed, a sign, garbage, too many digits or none: the exact parser decides.
  if (p != end || digits + decimals > 18 || digits + frac == 0 || decimals > 8) {
    if (!s.empty() && s[0] == '-') return false;
    return engine::ParseFixed(s, decimals, out);
  }
  *out = static_cast<std::int64_t>(v * kPow10[decimals - frac]);
  return true;
}

inline bool ParsePrice(std::string_view s, engine::Price* p) {
  return ParseDecimal(s, engine::kPriceDecimals, &p->ticks);
}
inline bool ParseQty(std::string_view s, engine::Qty* q) {
  return ParseDecimal(s, engine::kQtyDecimals, &q->units);
}

}  // namespace claw::feed

namespace claw::feed {

// What became of one input line.
struct LineOutcome {
  enum Kind { kEvent, kSkipped, kMalformed } kind = kEvent;
  std::string_view skip_type;  // kSkipped: "depthUpdate", ...; valid until the next line
  const char* reason = "";     // kMalformed: what is wrong, lowercase, no trailing period
  std::string_view detail;     // kMalformed: the offending text, may be empty

  static LineOutcome Event() { return {}; }
  static LineOutcome Skip(std::string_view type) { return {kSkipped, type, "", {}}; }
  static LineOutcome Bad(const char* why, std::string_view what = {}) {
    return {kMalformed, {}, why, what};
  }
};

// Resets every field of *ev except the symbol's buffer, which is reused.
inline void StartEvent(engine::MarketEvent* ev, engine::MarketEventKind kind, std::int64_t ms,
                       std::string_view symbol) {
  ev->time_ms = ms;
  ev->symbol.assign(symbol.data(), symbol.size());
  ev->kind = kind;
  ev->price = ev->bid = ev->ask = ev->high = ev->low = engine::Price{};
  ev->qty = ev->bid_qty = ev->ask_qty = engine::Qty{};
  ev->buyer_is_maker = false;
}

}  // namespace claw::feed
