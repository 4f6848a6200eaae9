#include "sim/feed/csv_decode.h"

#include <algorithm>

namespace claw::feed {
namespace {

using engine::MarketEvent;
using engine::MarketEventKind;

// Splits on ',' into at most `max` fields; returns the count, or max + 1 if there are more.
int Split(std::string_view line, std::string_view* out, int max) {
  int n = 0;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = line.find(',', start);
    if (n == max) return max + 1;
    out[n++] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (comma == std::string_view::npos) return n;
    start = comma + 1;
  }
}

bool IsBool(std::string_view s) {
  bool b = false;
  return ParseBool(s, &b);
}

bool LooksNumeric(std::string_view s) {
  return !s.empty() && (static_cast<unsigned>(s[0] - '0') < 10 || s[0] == '-' || s[0] == '.');
}

}  // namespace

void CsvLineDecoder::Reset(std::string symbol, std::string_view name) {
  symbol_ = std::move(symbol);
  mark_price_ = name.find("markPrice") != std::string_view::npos;
  first_row_ = true;
  layout_ = Layout::kUnknown;
}

CsvLineDecoder::Layout CsvLineDecoder::Detect(int n) const {
  switch (n) {
    case 12:
      return Layout::kKlines;
    case 6:
      return IsBool(f_[5]) ? Layout::kTrades : Layout::kUnknown;
    case 7:
      if (IsBool(f_[5])) return Layout::kTrades;
      if (IsBool(f_[6])) return Layout::kAggTrades;
      return Layout::kBookTicker;
    case 8:
      return IsBool(f_[6]) ? Layout::kAggTrades : Layout::kUnknown;
    default:
      return Layout::kUnknown;
  }
}

LineOutcome CsvLineDecoder::Header(int n) {
  std::string_view first = f_[0];
  if (first == "agg_trade_id") layout_ = Layout::kAggTrades;
  if (first == "id" && n <= 7) layout_ = Layout::kTrades;
  if (first == "update_id") layout_ = Layout::kBookTicker;
  if (first == "open_time" && n == 12) layout_ = Layout::kKlines;
  return LineOutcome::Skip("header");
}

LineOutcome CsvLineDecoder::Decode(std::string_view line, MarketEvent* ev) {
  int n = Split(line, f_, kMaxFields);
  bool first = std::exchange(first_row_, false);
  if (n > kMaxFields) return LineOutcome::Bad("csv: more than 13 columns");
  if (!LooksNumeric(f_[0])) {
    if (first) return Header(n);
    return LineOutcome::Bad("csv: first column is not a number", f_[0]);
  }
  if (symbol_.empty()) {
    return LineOutcome::Bad("csv: no symbol (the file name does not start with one)");
  }
  if (layout_ == Layout::kUnknown) layout_ = Detect(n);
  switch (layout_) {
    case Layout::kTrades:
      if (n != 6 && n != 7) return LineOutcome::Bad("csv trades: expected 6 or 7 columns");
      return Trade(1, 2, 4, 5, ev);
    case Layout::kAggTrades:
      if (n != 7 && n != 8) return LineOutcome::Bad("csv aggTrades: expected 7 or 8 columns");
      return Trade(1, 2, 5, 6, ev);
    case Layout::kBookTicker:
      return BookTicker(n, ev);
    case Layout::kKlines:
      if (n != 12) return LineOutcome::Bad("csv klines: expected 12 columns");
      return Kline(ev);
    case Layout::kUnknown:
      break;
  }
  return LineOutcome::Bad("csv: unknown column layout (not trades, aggTrades, bookTicker or "
                          "klines)");
}

LineOutcome CsvLineDecoder::Trade(int price, int qty, int time, int maker, MarketEvent* ev) {
  std::int64_t ms = 0;
  if (!ParseTimeMs(f_[time], &ms)) return LineOutcome::Bad("csv trade: bad time", f_[time]);
  StartEvent(ev, MarketEventKind::kTrade, ms, symbol_);
  if (!ParsePrice(f_[price], &ev->price)) {
    return LineOutcome::Bad("csv trade: bad price", f_[price]);
  }
  if (!ParseQty(f_[qty], &ev->qty)) return LineOutcome::Bad("csv trade: bad quantity", f_[qty]);
  if (!ParseBool(f_[maker], &ev->buyer_is_maker)) {
    return LineOutcome::Bad("csv trade: bad is_buyer_maker", f_[maker]);
  }
  return LineOutcome::Event();
}

LineOutcome CsvLineDecoder::BookTicker(int n, MarketEvent* ev) {
  if (n != 7) return LineOutcome::Bad("csv bookTicker: expected 7 columns");
  std::int64_t ms = 0;
  if (!ParseTimeMs(f_[6], &ms)) return LineOutcome::Bad("csv bookTicker: bad event_time", f_[6]);
  StartEvent(ev, MarketEventKind::kBookTicker, ms, symbol_);
  if (!ParsePrice(f_[1], &ev->bid) || !ParsePrice(f_[3], &ev->ask)) {
    return LineOutcome::Bad("csv bookTicker: bad bid or ask price");
  }
  if (!ParseQty(f_[2], &ev->bid_qty) || !ParseQty(f_[4], &ev->ask_qty)) {
    return LineOutcome::Bad("csv bookTicker: bad bid or ask quantity");
  }
  return LineOutcome::Event();
}

LineOutcome CsvLineDecoder::Kline(MarketEvent* ev) {
  std::int64_t ms = 0;
  if (!ParseTimeMs(f_[6], &ms)) return LineOutcome::Bad("csv kline: bad close_time", f_[6]);
  StartEvent(ev, mark_price_ ? MarketEventKind::kMarkPrice : MarketEventKind::kKline, ms,
             symbol_);
  if (!ParsePrice(f_[4], &ev->price)) return LineOutcome::Bad("csv kline: bad close", f_[4]);
  if (!ParsePrice(f_[2], &ev->high) || !ParsePrice(f_[3], &ev->low)) {
    return LineOutcome::Bad("csv kline: bad high or low");
  }
  if (!ParseQty(f_[5], &ev->qty)) return LineOutcome::Bad("csv kline: bad volume", f_[5]);
  return LineOutcome::Event();
}

std::string SymbolFromFileName(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  path = path.substr(0, std::min(path.find('-'), path.find('.')));
  std::size_t us = path.find_last_of('_');
  if (us != std::string_view::npos) {
    std::string_view tail = path.substr(us + 1);
    bool digits = !tail.empty();
    for (char c : tail) digits = digits && static_cast<unsigned>(c - '0') < 10;
    if (!digits) path = tail;
  }
  std::string s(path);
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return {};
  }
  return s;
}

}  // namespace claw::feed
