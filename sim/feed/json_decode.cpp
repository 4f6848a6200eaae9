#include "sim/feed/json_decode.h"

namespace claw::feed {
namespace {

using engine::MarketEvent;
using engine::MarketEventKind;

bool IsDigit(char c) { return static_cast<unsigned>(c - '0') < 10; }

// Strips a receive-time prefix: "<int> " (any unit, by magnitude) or "<sec>.<frac>: ".
// *recv_ms = -1 when there is none. A line that starts with digits but has no separator is
// left whole (and will not parse as JSON).
std::string_view StripPrefix(std::string_view line, std::int64_t* recv_ms) {
  *recv_ms = -1;
  std::size_t i = 0;
  std::int64_t whole = 0;
  while (i < line.size() && IsDigit(line[i]) && i < 19) whole = whole * 10 + (line[i++] - '0');
  if (i == 0) return line;
  std::int64_t ms = 0;
  if (i < line.size() && line[i] == '.') {  // seconds with a fraction: keep 3 digits
    ++i;
    int kept = 0;
    for (; i < line.size() && IsDigit(line[i]); ++i) {
      if (kept < 3) {
        ms = ms * 10 + (line[i] - '0');
        ++kept;
      }
    }
    for (; kept < 3; ++kept) ms *= 10;
    ms += whole * 1000;
  } else {
    ms = ToMillis(whole);
  }
  if (i < line.size() && line[i] == ':') ++i;
  if (i >= line.size() || line[i] != ' ') return line;
  while (i < line.size() && line[i] == ' ') ++i;
  *recv_ms = ms;
  return line.substr(i);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

LineOutcome Trade(const RawObject& o, std::int64_t ms, MarketEvent* ev) {
  std::string_view sym = o.Get(kSlotSymbol);
  if (sym.empty()) return LineOutcome::Bad("trade: missing symbol \"s\"");
  StartEvent(ev, MarketEventKind::kTrade, ms, sym);
  if (!ParsePrice(o.Get(kSlotPrice), &ev->price)) {
    return LineOutcome::Bad("trade: bad price \"p\"", o.Get(kSlotPrice));
  }
  if (!ParseQty(o.Get(kSlotQty), &ev->qty)) {
    return LineOutcome::Bad("trade: bad quantity \"q\"", o.Get(kSlotQty));
  }
  if (!ParseBool(o.Get(kSlotMaker), &ev->buyer_is_maker)) {
    return LineOutcome::Bad("trade: bad buyer-is-maker \"m\"", o.Get(kSlotMaker));
  }
  return LineOutcome::Event();
}

LineOutcome MarkPrice(const RawObject& o, std::int64_t ms, MarketEvent* ev) {
  std::string_view sym = o.Get(kSlotSymbol);
  if (sym.empty()) return LineOutcome::Bad("markPriceUpdate: missing symbol \"s\"");
  StartEvent(ev, MarketEventKind::kMarkPrice, ms, sym);
  if (!ParsePrice(o.Get(kSlotPrice), &ev->price)) {
    return LineOutcome::Bad("markPriceUpdate: bad mark price \"p\"", o.Get(kSlotPrice));
  }
  return LineOutcome::Event();
}

}  // namespace

void JsonLineDecoder::Reset() {
  last_event_ms_ = -1;
  last_event_recv_ms_ = -1;
}

LineOutcome JsonLineDecoder::Decode(std::string_view line, MarketEvent* ev) {
  if (StartsWith(line, "wss://") || StartsWith(line, "ws://")) {
    return LineOutcome::Skip("connection");  // cryptofeed's first line: the stream URL
  }
  if (StartsWith(line, "http")) {  // cryptofeed REST log: "<url> -> <sec>: <json>"
    std::size_t arrow = line.find(" -> ");
    if (arrow == std::string_view::npos) return LineOutcome::Bad("request line without \" -> \"");
    line.remove_prefix(arrow + 4);
  }
  std::int64_t recv_ms = -1;
  std::string_view body = StripPrefix(line, &recv_ms);
  bool scanned = !simdjson_only_ && ScanFrame(body, &frame_);
  if (!scanned && !fallback_.Parse(body, &frame_, &error_)) {
    return LineOutcome::Bad("invalid JSON frame", error_);
  }
  return Classify(recv_ms, ev);
}

LineOutcome JsonLineDecoder::Classify(std::int64_t recv_ms, MarketEvent* ev) {
  const RawObject& o = frame_.payload;
  if (frame_.data_is_array) return LineOutcome::Skip("array");
  std::int64_t event_ms = -1;
  Slot time_slot = o.Has(kSlotEventTime) ? kSlotEventTime : kSlotTradeTime;
  if (o.Has(time_slot)) {
    if (!ParseTimeMs(o.v[time_slot], &event_ms)) {
      return LineOutcome::Bad("bad event time", o.v[time_slot]);
    }
    last_event_ms_ = event_ms;
    last_event_recv_ms_ = recv_ms;
  }
  std::string_view type = o.Get(kSlotType);
  if (type.empty()) return NoType(event_ms, recv_ms, ev);
  const bool known = type == "trade" || type == "aggTrade" || type == "bookTicker" ||
                     type == "markPriceUpdate" || type == "kline";
  if (!known) return LineOutcome::Skip(type);
  if (event_ms < 0) return LineOutcome::Bad("missing event time \"E\"", type);
  switch (type[0]) {
    case 't':
    case 'a':
      return Trade(o, event_ms, ev);
    case 'b':
      return BookTicker(event_ms, ev);
    case 'm':
      return MarkPrice(o, event_ms, ev);
    default:
      return Kline(event_ms, ev);
  }
}

// Frames without "e": spot bookTicker, snapshots, replies.
LineOutcome JsonLineDecoder::NoType(std::int64_t event_ms, std::int64_t recv_ms,
                                    MarketEvent* ev) {
  const RawObject& o = frame_.payload;
  if (o.Has(kSlotLastUpdateId)) {
    bool partial = frame_.wrapped && frame_.stream.find("@depth") != std::string_view::npos;
    return LineOutcome::Skip(partial ? "partialDepth" : "depthSnapshot");
  }
  if (o.Has(kSlotResult)) return LineOutcome::Skip("response");
  if (o.Has(kSlotCode)) return LineOutcome::Skip("error");
  constexpr std::uint32_t kBookBits =
      1u << kSlotBid | 1u << kSlotBidQty | 1u << kSlotAsk | 1u << kSlotAskQty;
  if ((o.has & kBookBits) == 0) return LineOutcome::Skip("unknown");
  if (event_ms < 0) event_ms = SpotBookTime(recv_ms);
  if (event_ms < 0) return LineOutcome::Skip("bookTicker(untimed)");
  return BookTicker(event_ms, ev);
}

std::int64_t JsonLineDecoder::SpotBookTime(std::int64_t recv_ms) const {
  if (recv_ms < 0) return last_event_ms_;
  if (last_event_ms_ < 0 || last_event_recv_ms_ < 0) return recv_ms;
  return last_event_ms_ + (recv_ms - last_event_recv_ms_);
}

LineOutcome JsonLineDecoder::BookTicker(std::int64_t ms, MarketEvent* ev) {
  const RawObject& o = frame_.payload;
  std::string_view sym = o.Get(kSlotSymbol);
  if (sym.empty()) return LineOutcome::Bad("bookTicker: missing symbol \"s\"");
  StartEvent(ev, MarketEventKind::kBookTicker, ms, sym);
  if (!ParsePrice(o.Get(kSlotBid), &ev->bid)) {
    return LineOutcome::Bad("bookTicker: bad bid price \"b\"", o.Get(kSlotBid));
  }
  if (!ParseQty(o.Get(kSlotBidQty), &ev->bid_qty)) {
    return LineOutcome::Bad("bookTicker: bad bid quantity \"B\"", o.Get(kSlotBidQty));
  }
  if (!ParsePrice(o.Get(kSlotAsk), &ev->ask)) {
    return LineOutcome::Bad("bookTicker: bad ask price \"a\"", o.Get(kSlotAsk));
  }
  if (!ParseQty(o.Get(kSlotAskQty), &ev->ask_qty)) {
    return LineOutcome::Bad("bookTicker: bad ask quantity \"A\"", o.Get(kSlotAskQty));
  }
  return LineOutcome::Event();
}

LineOutcome JsonLineDecoder::Kline(std::int64_t ms, MarketEvent* ev) {
  const RawObject& k = frame_.kline;
  bool closed = false;
  if (!ParseBool(k.Get(kSlotClosed), &closed)) {
    return LineOutcome::Bad("kline: bad or missing \"k\".\"x\"", k.Get(kSlotClosed));
  }
  if (!closed) return LineOutcome::Skip("kline(open)");
  std::string_view sym = frame_.payload.Get(kSlotSymbol);
  if (sym.empty()) sym = k.Get(kSlotSymbol);
  if (sym.empty()) return LineOutcome::Bad("kline: missing symbol \"s\"");
  StartEvent(ev, MarketEventKind::kKline, ms, sym);
  if (!ParsePrice(k.Get(kSlotClose), &ev->price)) {
    return LineOutcome::Bad("kline: bad close \"c\"", k.Get(kSlotClose));
  }
  if (!ParsePrice(k.Get(kSlotHigh), &ev->high) || !ParsePrice(k.Get(kSlotLow), &ev->low)) {
    return LineOutcome::Bad("kline: bad high \"h\" or low \"l\"");
  }
  if (!ParseQty(k.Get(kSlotVolume), &ev->qty)) {
    return LineOutcome::Bad("kline: bad volume \"v\"", k.Get(kSlotVolume));
  }
  return LineOutcome::Event();
}

}  // namespace claw::feed
