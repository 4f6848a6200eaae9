// The tick path: ApplyMarket updates one symbol's quote, fills its crossed resting limits,
// marks its holders to market, triggers their stops and liquidates those under maintenance.
//
// Decisions:
//  - Mark = the markPrice stream once the symbol has one, else the bookTicker mid (half-even
//    to 1e-4), else the last trade / kline close. Quote.mark reports this mark.
//  - Resting limits cross on a bookTicker (buy when ask <= limit, sell when bid >= limit,
//    taking at most the displayed size left), on a trade (buy when price <= limit, sell when
//    >= limit, taking at most the trade's quantity) or on a kline close (uncapped). They fill
//    at their limit price as maker, in placement order. markPrice events do not fill orders.
//  - Stops trigger on the mark: a long's stop-loss when mark <= SL, take-profit when
//    mark >= TP; a short's mirrored. The position closes with a reduce-only market fill at
//    the bid (long) / ask (short) when a book is known, else at the mark, uncapped, taker fee.
//    When both levels are hit, stop-loss wins.
//  - Liquidation (cross margin): equity * 1e4 < margin_used * liquidation_margin_level_e4,
//    checked for the ticked symbol's holders only. Every order of the wallet is cancelled,
//    every position closed at its symbol's mark (fee-free fills), then a fee of
//    ceil(closed notional * liquidation_bps / 1e4) is charged up to the balance left; any
//    negative balance is set to 0 and booked to the insurance fund (kLiquidated.shortfall).
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "sim/engine/engine_internal.h"

namespace claw::engine {
namespace {

using Impl = Engine::Impl;

void UpdateQuote(Impl::Sym& s, const MarketEvent& ev) {
  Quote& q = s.quote;
  switch (ev.kind) {
    case MarketEventKind::kBookTicker:
      if (ev.bid.ticks <= 0 || ev.ask.ticks <= 0) return;
      q.bid = ev.bid;
      q.ask = ev.ask;
      q.bid_qty = ev.bid_qty;
      q.ask_qty = ev.ask_qty;
      s.has_book = true;
      s.consumed_bid = s.consumed_ask = 0;
      break;
    case MarketEventKind::kTrade:
    case MarketEventKind::kKline:
      if (ev.price.ticks <= 0) return;
      q.last = ev.price;
      break;
    case MarketEventKind::kMarkPrice:
      if (ev.price.ticks <= 0) return;
      s.has_mark_stream = true;
      s.mark = ev.price.ticks;
      break;
  }
  q.time_ms = std::max(q.time_ms, ev.time_ms);
  if (!s.has_mark_stream) {
    if (s.has_book) {
      s.mark = internal::Saturate(internal::DivHalfEven(static_cast<Int128>(q.bid.ticks) + q.ask.ticks, 2));
    } else {
      s.mark = q.last.ticks;
    }
  }
  q.mark = Price{s.mark};
}

// Floor division by 1e4 (price x qty -> Cash) without 128-bit division when it fits.
inline std::int64_t UpnlOf(std::int64_t entry, std::int64_t mark, std::int64_t qty) {
  std::int64_t prod = 0;
  if (!__builtin_mul_overflow(mark - entry, qty, &prod)) {
    std::int64_t q = prod / internal::kNotionalToCash;
    if (prod % internal::kNotionalToCash != 0 && prod < 0) --q;
    return q;
  }
  return internal::PnlFor(Price{entry}, Price{mark}, Qty{qty}).units;
}

inline bool StopHit(const Impl::PosHot& h, std::int64_t mark) {
  if (h.qty > 0) return (h.sl != 0 && mark <= h.sl) || (h.tp != 0 && mark >= h.tp);
  return (h.sl != 0 && mark >= h.sl) || (h.tp != 0 && mark <= h.tp);
}

inline bool StopLossHit(const Impl::PosHot& h, std::int64_t mark) {
  return h.sl != 0 && (h.qty > 0 ? mark <= h.sl : mark >= h.sl);
}

}  // namespace

bool Engine::Impl::BelowMaintenance(WalletId w) const {
  const WalletMoney& m = money[w - 1];
  return m.margin_used > 0 && static_cast<Int128>(m.balance + m.upnl) * 10'000 <
                                  static_cast<Int128>(m.margin_used) * config.liquidation_margin_level_e4;
}

void Engine::Impl::Apply(const MarketEvent& ev, std::vector<Event>* out) {
  arena_time = std::max(arena_time, ev.time_ms);
  Sym* s = FindSym(ev.symbol);
  if (s == nullptr && config.instruments.empty() && !ev.symbol.empty()) {
    Instrument inst = config.default_instrument;
    inst.symbol = ev.symbol;
    s = &syms[AddSym(inst)];
  }
  std::int64_t marked = 0;
  Price mark;
  if (s != nullptr) {
    const std::uint32_t sym = SymIndex(*s);
    UpdateQuote(*s, ev);
    FillResting(*s, ev, out);
    std::vector<WalletId> stops, liq;
    marked = MarkAll(syms[sym], &stops, &liq);
    TriggerStops(sym, stops, ev.time_ms, out);
    liq.insert(liq.end(), stops.begin(), stops.end());
    for (WalletId w : liq) {
      if (BelowMaintenance(w)) Liquidate(w, ev.time_ms, out);
    }
    mark = Price{syms[sym].mark};
  }
  Event e;
  e.kind = EventKind::kTickApplied;
  e.time_ms = ev.time_ms;
  e.symbol = ev.symbol;
  e.position.symbol = ev.symbol;
  e.position.mark_price = mark;
  e.positions_marked = marked;
  out->push_back(std::move(e));
}

void Engine::Impl::FillResting(Sym& s, const MarketEvent& ev, std::vector<Event>* out) {
  if (s.resting.empty() || ev.kind == MarketEventKind::kMarkPrice) return;
  const bool book = ev.kind == MarketEventKind::kBookTicker;
  if (book ? ev.bid.ticks <= 0 || ev.ask.ticks <= 0 : ev.price.ticks <= 0) return;
  std::int64_t trade_left = ev.kind == MarketEventKind::kTrade
                                ? ev.qty.units : std::numeric_limits<std::int64_t>::max();
  std::vector<OrderId> ids = std::move(s.resting);
  s.resting.clear();
  std::vector<OrderId> kept;
  const std::uint32_t sym = SymIndex(s);
  for (OrderId id : ids) {
    OrderRec& rec = orders[id - 1];
    Order& o = rec.order;
    const bool buy = o.request.side == Side::kBuy;
    const std::int64_t limit = o.request.price.ticks;
    bool crossed = false;
    std::int64_t cap = trade_left;
    if (book) {
      crossed = buy ? s.quote.ask.ticks <= limit : s.quote.bid.ticks >= limit;
      cap = buy ? s.quote.ask_qty.units - s.consumed_ask : s.quote.bid_qty.units - s.consumed_bid;
    } else {
      crossed = buy ? ev.price.ticks <= limit : ev.price.ticks >= limit;
    }
    const std::int64_t remaining = o.quantity.units - o.filled.units;
    std::int64_t qty = crossed && cap > 0 ? std::min(remaining, cap - cap % s.inst.step_size.units) : 0;
    if (o.request.reduce_only && crossed) {
      const std::int64_t opp = Opposite(o.wallet, sym, o.request.side);
      if (opp == 0) {
        Cancel(rec, "reduce_only: no position to reduce", ev.time_ms, out);
        continue;
      }
      qty = std::min(qty, opp);
    }
    if (qty <= 0) {
      kept.push_back(id);
      continue;
    }
    if (book) {
      (buy ? s.consumed_ask : s.consumed_bid) += qty;
    } else if (ev.kind == MarketEventKind::kTrade) {
      trade_left -= qty;
    }
    Fill(rec, Qty{qty}, o.request.price, true, config.maker_bps, ev.time_ms, out);
    if (o.filled == o.quantity) {
      auto& open = Info(o.wallet).open_orders;
      open.erase(std::find(open.begin(), open.end(), id));
    } else {
      kept.push_back(id);
    }
  }
  s.resting = std::move(kept);
}

// One pass over the symbol's positions: new unrealized PnL (the wallet aggregate adjusted by
// the difference), stop checks and the maintenance check. Returns how many were marked.
std::int64_t Engine::Impl::MarkAll(Sym& s, std::vector<WalletId>* stops, std::vector<WalletId>* liq) {
  const std::int64_t mark = s.mark;
  if (mark <= 0) return 0;
  const std::int64_t level = config.liquidation_margin_level_e4;
  WalletMoney* const wm = money.data();
  for (PosHot& h : s.pos) {
    const std::int64_t v = UpnlOf(h.entry, mark, h.qty);
    WalletMoney& m = wm[h.wallet - 1];
    m.upnl += v - h.upnl;
    h.upnl = v;
    if ((h.sl | h.tp) != 0 && StopHit(h, mark)) stops->push_back(h.wallet);
    if (static_cast<Int128>(m.balance + m.upnl) * 10'000 < static_cast<Int128>(m.margin_used) * level) {
      liq->push_back(h.wallet);
    }
  }
  return static_cast<std::int64_t>(s.pos.size());
}

void Engine::Impl::TriggerStops(std::uint32_t sym, const std::vector<WalletId>& hit,
                                std::int64_t now, std::vector<Event>* out) {
  for (WalletId w : hit) {
    const int slot = PosSlot(w, sym);
    Sym& s = syms[sym];
    if (slot < 0 || !StopHit(s.pos[static_cast<std::size_t>(slot)], s.mark)) continue;
    const PosHot& h = s.pos[static_cast<std::size_t>(slot)];
    const std::string reason = StopLossHit(h, s.mark) ? "stop_loss" : "take_profit";
    Price price{s.mark};
    if (s.has_book) price = h.qty > 0 ? s.quote.bid : s.quote.ask;
    Event e;
    e.kind = EventKind::kStopTriggered;
    e.time_ms = now;
    e.wallet = w;
    e.symbol = s.inst.symbol;
    e.position = MakePosition(s, static_cast<std::size_t>(slot));
    e.reason = reason;
    out->push_back(std::move(e));
    ClosePosition(w, sym, price, config.taker_bps, reason, now, out);
  }
}

void Engine::Impl::Liquidate(WalletId w, std::int64_t now, std::vector<Event>* out) {
  WalletInfo& info = Info(w);
  ++info.liquidations;
  const std::vector<OrderId> open = info.open_orders;
  for (OrderId id : open) Cancel(orders[id - 1], "liquidation", now, out);
  Int128 closed = 0;  // sum of price * qty, 1e-12 quote units
  while (!info.slots.empty()) {
    const auto [sym, slot] = info.slots.back();
    const Sym& s = syms[sym];
    const std::int64_t q = s.pos[slot].qty;
    closed += static_cast<Int128>(s.mark) * (q < 0 ? -q : q);
    ClosePosition(w, sym, Price{s.mark}, 0, "liquidation", now, out);
  }
  WalletMoney& m = Money(w);
  const std::int64_t fee = internal::Saturate(internal::DivCeil(
      closed * config.liquidation_bps, static_cast<Int128>(internal::kNotionalToCash) * 10'000));
  const std::int64_t charged = std::clamp<std::int64_t>(m.balance, 0, fee);
  m.balance -= charged;
  fees_collected += charged;
  info.fees += Cash{charged};
  const std::int64_t shortfall = m.balance < 0 ? -m.balance : 0;
  m.balance += shortfall;
  insurance -= shortfall;
  info.updated_ms = now;
  Event e;
  e.kind = EventKind::kLiquidated;
  e.time_ms = now;
  e.wallet = w;
  e.cash = Cash{charged};
  e.shortfall = Cash{shortfall};
  e.reason = "margin level below " + FormatFixed(config.liquidation_margin_level_e4, 4);
  out->push_back(std::move(e));
}

}  // namespace claw::engine
