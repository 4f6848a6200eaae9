// Builders shared by the engine tests: market events and orders in readable units.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/engine.h"

namespace claw::engine::testing {

// 1 USDT price = 10'000 ticks; 1 base unit = 1e8 Qty units; 1 USDT = 1e8 Cash units.
inline Price Px(std::int64_t whole) { return Price{whole * kPriceScale}; }
inline Qty Base(std::int64_t whole) { return Qty{whole * kQtyScale}; }
inline Cash Usd(std::int64_t whole) { return Cash{whole * kCashScale}; }

inline MarketEvent Book(const std::string& sym, std::int64_t t, Price bid, Price ask,
                        Qty bid_qty = Base(1000), Qty ask_qty = Base(1000)) {
  MarketEvent e;
  e.time_ms = t;
  e.symbol = sym;
  e.kind = MarketEventKind::kBookTicker;
  e.bid = bid;
  e.ask = ask;
  e.bid_qty = bid_qty;
  e.ask_qty = ask_qty;
  return e;
}

inline MarketEvent Trade(const std::string& sym, std::int64_t t, Price p, Qty q = Base(1000)) {
  MarketEvent e;
  e.time_ms = t;
  e.symbol = sym;
  e.kind = MarketEventKind::kTrade;
  e.price = p;
  e.qty = q;
  return e;
}

inline MarketEvent MarkPx(const std::string& sym, std::int64_t t, Price p) {
  MarketEvent e;
  e.time_ms = t;
  e.symbol = sym;
  e.kind = MarketEventKind::kMarkPrice;
  e.price = p;
  return e;
}

inline OrderRequest Market(const std::string& sym, Side side, Qty q, int leverage = 1) {
  OrderRequest r;
  r.symbol = sym;
  r.side = side;
  r.type = OrderType::kMarket;
  r.quantity = q;
  r.leverage = leverage;
  return r;
}

inline OrderRequest Limit(const std::string& sym, Side side, Qty q, Price p,
                          TimeInForce tif = TimeInForce::kGtc, int leverage = 1) {
  OrderRequest r = Market(sym, side, q, leverage);
  r.type = OrderType::kLimit;
  r.price = p;
  r.time_in_force = tif;
  return r;
}

inline std::vector<EventKind> Kinds(const std::vector<Event>& ev) {
  std::vector<EventKind> k;
  for (const Event& e : ev) k.push_back(e.kind);
  return k;
}

inline std::vector<Event> OfKind(const std::vector<Event>& ev, EventKind kind) {
  std::vector<Event> r;
  for (const Event& e : ev) {
    if (e.kind == kind) r.push_back(e);
  }
  return r;
}

// One line per event with every field that matters, for determinism comparisons.
std::string Serialize(const Event& e);

}  // namespace claw::engine::testing
