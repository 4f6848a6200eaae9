// One JSON-lines recording line -> a MarketEvent, a skip (by type) or a malformed verdict.
//
// Line shape: optional receive-time prefix, then one Binance frame:
//   1723161254087896568 {"stream":"btcusdt@trade","data":{...}}     (hftbacktest, ns)
//   1633998512.0633569: {"stream":"nknusdt@aggTrade","data":{...}}  (cryptofeed, seconds)
//   https://api.binance.com/api/v3/depth?... -> 1633998512.32: {...}  (cryptofeed REST log)
//   wss://stream.binance.com:9443/stream?streams=... <-> 1633998511.15 (connection; skipped)
//   {"e":"trade",...}                                                 (bare payload)
// Event time is "E", else "T". Spot bookTicker has neither: it is timed by the last event
// time seen in the file advanced by the receive-clock gap since that frame (the recording
// host's clock may be off by seconds: the hftbacktest files run 1.27 s behind Binance, so the
// raw receive time would stamp book updates before the trades around them); with no prefix,
// the last event time itself; before any timed frame, the raw receive time; with neither,
// the frame is skipped as "bookTicker(untimed)".
// Klines: only closed bars (x:true) become events; an open bar's close is the last trade
// price, already delivered by the trade streams, and its high/low are not final. Open bars
// are skipped as "kline(open)".
//
// Internal to sim/feed. Thread safety: none; one decoder per file part.
#pragma once

#include <string>
#include <string_view>

#include "sim/engine/market_event.h"
#include "sim/feed/json_scan.h"
#include "sim/feed/parse_util.h"

namespace claw::feed {

class JsonLineDecoder {
 public:
  explicit JsonLineDecoder(bool simdjson_only) : simdjson_only_(simdjson_only) {}
  void Reset();  // a new file or zip member: forget the time state
  // `line` is non-blank, without its newline. Views in the outcome point into `line` or
  // into the decoder and are valid until the next call.
  LineOutcome Decode(std::string_view line, engine::MarketEvent* ev);

 private:
  LineOutcome Classify(std::int64_t recv_ms, engine::MarketEvent* ev);
  LineOutcome NoType(std::int64_t event_ms, std::int64_t recv_ms, engine::MarketEvent* ev);
  LineOutcome BookTicker(std::int64_t event_ms, engine::MarketEvent* ev);
  LineOutcome Kline(std::int64_t event_ms, engine::MarketEvent* ev);
  std::int64_t SpotBookTime(std::int64_t recv_ms) const;

  bool simdjson_only_;
  RawFrame frame_;
  JsonFallbackParser fallback_;
  std::string error_;
  std::int64_t last_event_ms_ = -1;       // last "E"/"T" seen in this file
  std::int64_t last_event_recv_ms_ = -1;  // receive time of that frame, -1 if none
};

}  // namespace claw::feed
