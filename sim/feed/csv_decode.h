// One data.binance.vision CSV row -> a MarketEvent (binance-formats.md §3).
//
// The layout is fixed per file (or zip member) by its header row if it has one, else by its
// first data row:
//   trades       6 or 7 columns, column 5 a boolean: id,price,qty,quoteQty,time,isBuyerMaker[,..]
//   aggTrades    7 or 8 columns, column 6 a boolean: id,price,qty,first,last,time,isBuyerMaker[,..]
//   bookTicker   7 numeric columns: update_id,bid,bid_qty,ask,ask_qty,transaction_time,event_time
//   klines       12 columns: open_time,open,high,low,close,volume,close_time,...
// Klines become kKline events at their close time, or kMarkPrice when the file or member
// name contains "markPrice" (markPriceKlines share the kline layout; only the name tells).
// Times in s/ms/us/ns by magnitude. A header is a first row whose first field is not a
// number; it is counted as skipped ("header").
//
// Internal to sim/feed. Thread safety: none; one decoder per file part.
#pragma once

#include <string>
#include <string_view>

#include "sim/engine/market_event.h"
#include "sim/feed/parse_util.h"

namespace claw::feed {

class CsvLineDecoder {
 public:
  // `symbol`: for every row. `name`: the file or member name (for "markPrice").
  void Reset(std::string symbol, std::string_view name);
  LineOutcome Decode(std::string_view line, engine::MarketEvent* ev);

  enum class Layout { kUnknown, kTrades, kAggTrades, kBookTicker, kKlines };
  Layout layout() const { return layout_; }

 private:
  static constexpr int kMaxFields = 13;
  LineOutcome Header(int n);
  Layout Detect(int n) const;
  LineOutcome Trade(int price, int qty, int time, int maker, engine::MarketEvent* ev);
  LineOutcome BookTicker(int n, engine::MarketEvent* ev);
  LineOutcome Kline(engine::MarketEvent* ev);

  std::string symbol_;
  bool mark_price_ = false;
  bool first_row_ = true;
  Layout layout_ = Layout::kUnknown;
  std::string_view f_[kMaxFields];
};

// The symbol a data.binance.vision file name implies: "BTCUSDT-aggTrades-2024-01-01.csv"
// -> "BTCUSDT"; a "prefix_" is dropped unless what follows the '_' is all digits (delivery
// contracts such as "BTCUSD_240927"). Upper-cased. Directories are ignored.
std::string SymbolFromFileName(std::string_view path);

}  // namespace claw::feed
