// MarketEvent: one normalised market-data update, the unit the feed hands to the engine.
//
// Produced by sim/feed (recordings, CSV dumps, synthetic, later live Binance) and consumed by
// the engine's tick path. Fixed-point throughout (money.h). Plain value; no ownership.
#pragma once

#include <cstdint>
#include <string>

#include "sim/engine/money.h"

namespace claw::engine {

// Do not renumber: counts by kind appear in reports.
enum class MarketEventKind : std::uint8_t {
  kTrade = 0,       // spot/futures @trade or @aggTrade, CSV trades/aggTrades: price + qty
  kBookTicker = 1,  // best bid/ask with displayed sizes
  kMarkPrice = 2,   // USD-M markPriceUpdate, or a markPriceKlines close
  kKline = 3,       // kline close (and high/low) as a last-price update
};

struct MarketEvent {
  std::int64_t time_ms = 0;  // exchange event time in Unix ms: the arena clock in replays
  std::string symbol;        // upper-case, e.g. "BTCUSDT" (fits std::string's inline buffer)
  MarketEventKind kind = MarketEventKind::kTrade;
  Price price;    // kTrade: trade price; kMarkPrice: mark; kKline: close
  Qty qty;        // kTrade: quantity; kKline: volume
  Price bid, ask;         // kBookTicker
  Qty bid_qty, ask_qty;   // kBookTicker
  Price high, low;        // kKline
  bool buyer_is_maker = false;  // kTrade: the taker sold
};

}  // namespace claw::engine
