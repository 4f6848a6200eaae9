// JSON frame field extraction: a hand scanner for the flat shapes Binance sends, with a
// simdjson (DOM, error-code API) parser behind it for anything the scanner does not handle.
//
// Both fill the same RawFrame: for each field the feed uses, a view of its text (string
// contents without quotes, or a literal's text such as 1723161255343 or true). The scanner
// is not a validator: it reads only up to the first array (depth levels, snapshot books: no
// event the feed emits has one), and accepts some non-JSON a strict parser would refuse.
// What it cannot read (escapes, unexpected bytes) makes it return false; the caller then asks
// simdjson, whose verdict is final.
//
// Internal to sim/feed. Thread safety: JsonFallbackParser is not thread-safe; ScanFrame is.
#pragma once

#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace claw::feed {

// The payload keys the feed reads. Single letters are Binance's; see binance-formats.md.
enum Slot : std::uint8_t {
  kSlotType,         // "e"
  kSlotEventTime,    // "E"
  kSlotTradeTime,    // "T" (also the kline close time inside "k")
  kSlotSymbol,       // "s"
  kSlotPrice,        // "p" (mark price in markPriceUpdate)
  kSlotQty,          // "q"
  kSlotBid,          // "b"
  kSlotBidQty,       // "B"
  kSlotAsk,          // "a"
  kSlotAskQty,       // "A"
  kSlotMaker,        // "m"
  kSlotClose,        // "c"
  kSlotHigh,         // "h"
  kSlotLow,          // "l"
  kSlotVolume,       // "v"
  kSlotClosed,       // "x"
  kSlotLastUpdateId, // "lastUpdateId": a REST or partial depth snapshot
  kSlotResult,       // "result": a reply to SUBSCRIBE and friends
  kSlotCode,         // "code": an error reply
  kSlotCount
};

struct RawObject {
  std::uint32_t has = 0;  // bit i: slot i was seen (views of absent slots are stale)
  std::string_view v[kSlotCount];
  bool Has(Slot s) const { return (has >> s) & 1u; }
  std::string_view Get(Slot s) const { return Has(s) ? v[s] : std::string_view(); }
  void Set(Slot s, std::string_view text) {
    v[s] = text;
    has |= 1u << s;
  }
};

struct RawFrame {
  std::string_view stream;  // combined-stream name, empty if bare
  bool wrapped = false;     // had a "data" object
  bool data_is_array = false;  // "data":[...] (the !markPrice@arr style)
  RawObject payload;        // the "data" object, or the whole frame if bare
  RawObject kline;          // the "k" object of a kline payload
  void Clear() {
    stream = {};
    wrapped = data_is_array = false;
    payload.has = kline.has = 0;
  }
};

// Fills *out from `json` (one frame, no prefix). false: not a shape the scanner reads.
bool ScanFrame(std::string_view json, RawFrame* out);

// The full parser. Views in *out point into the parser and stay valid until the next Parse.
class JsonFallbackParser {
 public:
  JsonFallbackParser();
  ~JsonFallbackParser();
  // false if `json` is not a JSON object; *error gets simdjson's reason ("TAPE_ERROR: ...").
  bool Parse(std::string_view json, RawFrame* out, std::string* error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace claw::feed
