// Fills and positions: fees, one-way netting into the position, margin, unrealized PnL.
//
// Decisions:
//  - Fee = ceil(price * qty * bps / 1e4) on the exact notional, rounded UP to 1e-8 USDT.
//  - Realised PnL = (exit - entry) * reduced qty * sign, rounded toward -infinity.
//  - Adds average the entry (half-even to the 1e-4 price unit). The position takes the
//    leverage of the latest order that opened or added to it (a reduction keeps it), and its
//    margin is recomputed as ceil(|qty| * entry / leverage) after every change.
//  - A flip closes the old position (realising its PnL) and opens the remainder at the fill
//    price with the order's leverage; stops of the old position are cleared. An order's
//    stop_loss / take_profit (when non-zero) are set on the position after each of its fills.
#include <string>
#include <utility>

#include "sim/engine/engine_internal.h"

namespace claw::engine {

using internal::FeeFor;
using internal::MarginFor;

void Engine::Impl::SetUpnl(Sym& s, std::size_t slot) {
  PosHot& h = s.pos[slot];
  const std::int64_t v = s.mark > 0 ? internal::PnlFor(Price{h.entry}, Price{s.mark}, Qty{h.qty}).units : 0;
  Money(h.wallet).upnl += v - h.upnl;
  h.upnl = v;
}

void Engine::Impl::RemovePosition(std::uint32_t sym, std::size_t slot) {
  Sym& s = syms[sym];
  const WalletId w = s.pos[slot].wallet;
  WalletMoney& m = Money(w);
  m.margin_used -= s.cold[slot].margin;
  m.upnl -= s.pos[slot].upnl;
  auto& slots = Info(w).slots;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].first == sym) {
      slots.erase(slots.begin() + static_cast<std::ptrdiff_t>(i));  // keeps opening order
      break;
    }
  }
  const std::size_t last = s.pos.size() - 1;
  if (slot != last) {
    s.pos[slot] = s.pos[last];
    s.cold[slot] = s.cold[last];
    for (auto& [sy, sl] : Info(s.pos[slot].wallet).slots) {
      if (sy == sym) sl = static_cast<std::uint32_t>(slot);
    }
  }
  s.pos.pop_back();
  s.cold.pop_back();
}

Cash Engine::Impl::NetIntoPosition(WalletId w, std::uint32_t sym, Qty fill, Price price,
                                   int leverage, std::int64_t now) {
  Sym& s = syms[sym];
  const int slot_i = PosSlot(w, sym);
  if (slot_i < 0) {
    PosHot h;
    h.qty = fill.units;
    h.entry = price.ticks;
    h.wallet = w;
    h.leverage = leverage;
    PosCold c;
    c.margin = MarginFor(price, fill, leverage).units;
    c.opened_ms = now;
    s.pos.push_back(h);
    s.cold.push_back(c);
    Info(w).slots.emplace_back(sym, static_cast<std::uint32_t>(s.pos.size() - 1));
    Money(w).margin_used += c.margin;
    SetUpnl(s, s.pos.size() - 1);
    return Cash{0};
  }
  const auto slot = static_cast<std::size_t>(slot_i);
  PosHot& h = s.pos[slot];
  const internal::NetResult r = internal::Net(Qty{h.qty}, Price{h.entry}, fill, price);
  if (r.quantity.units == 0) {
    RemovePosition(sym, slot);
    return r.realized;
  }
  const bool added = r.reduced.units == 0;
  if (added || r.opened) h.leverage = leverage;
  if (r.opened) {  // flipped
    s.cold[slot].opened_ms = now;
    h.sl = h.tp = 0;
  }
  h.qty = r.quantity.units;
  h.entry = r.entry.ticks;
  const std::int64_t margin = MarginFor(r.entry, r.quantity, h.leverage).units;
  Money(w).margin_used += margin - s.cold[slot].margin;
  s.cold[slot].margin = margin;
  SetUpnl(s, slot);
  return r.realized;
}

void Engine::Impl::EmitPosition(const Sym& s, WalletId w, std::int64_t now,
                                std::vector<Event>* out) {
  Event e;
  e.kind = EventKind::kPositionChanged;
  e.time_ms = now;
  e.wallet = w;
  e.symbol = s.inst.symbol;
  const int slot = PosSlot(w, SymIndex(s));
  if (slot >= 0) {
    e.position = MakePosition(s, static_cast<std::size_t>(slot));
  } else {
    e.position.symbol = s.inst.symbol;
    e.position.mark_price = Price{s.mark};
  }
  out->push_back(std::move(e));
}

void Engine::Impl::Fill(OrderRec& rec, Qty qty, Price price, bool maker, int bps,
                        std::int64_t now, std::vector<Event>* out) {
  Order& o = rec.order;
  Sym& s = syms[rec.sym];
  const WalletId w = o.wallet;
  const Cash fee = FeeFor(price, qty, bps);
  const bool buy = o.request.side == Side::kBuy;
  const Cash realized =
      NetIntoPosition(w, rec.sym, Qty{buy ? qty.units : -qty.units}, price, o.request.leverage, now);
  const int slot = PosSlot(w, rec.sym);
  if (slot >= 0) {
    PosHot& h = s.pos[static_cast<std::size_t>(slot)];
    if (o.request.stop_loss.ticks != 0) h.sl = o.request.stop_loss.ticks;
    if (o.request.take_profit.ticks != 0) h.tp = o.request.take_profit.ticks;
  }
  Money(w).balance += realized.units - fee.units;
  fees_collected += fee.units;
  pnl_paid += realized.units;
  WalletInfo& info = Info(w);
  info.realized += realized;
  info.fees += fee;
  info.updated_ms = now;
  o.filled = Qty{o.filled.units + qty.units};
  rec.filled_notional += static_cast<Int128>(price.ticks) * qty.units;
  o.average_price = Price{internal::Saturate(internal::DivHalfEven(rec.filled_notional, o.filled.units))};
  o.fees += fee;
  o.status = o.filled == o.quantity ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
  o.updated_ms = now;
  if (o.reserved.units != 0) SetReserve(rec, RestingReserve(rec));
  Event e;
  e.kind = EventKind::kFill;
  e.time_ms = now;
  e.wallet = w;
  e.symbol = s.inst.symbol;
  e.fill = ::claw::engine::Fill{next_fill++, o.id, w, s.inst.symbol, o.request.side, qty, price,
                                fee, maker, realized, now};
  e.order = o;
  out->push_back(std::move(e));
  EmitPosition(s, w, now, out);
}

OrderId Engine::Impl::ClosePosition(WalletId w, std::uint32_t sym, Price price, int bps,
                                    const std::string& reason, std::int64_t now,
                                    std::vector<Event>* out) {
  const int slot = PosSlot(w, sym);
  if (slot < 0) return 0;
  const PosHot& h = syms[sym].pos[static_cast<std::size_t>(slot)];
  OrderRec rec;
  rec.sym = sym;
  Order& o = rec.order;
  o.id = orders.size() + 1;
  o.wallet = w;
  o.request.symbol = syms[sym].inst.symbol;
  o.request.side = h.qty > 0 ? Side::kSell : Side::kBuy;
  o.request.quantity = Qty{h.qty > 0 ? h.qty : -h.qty};
  o.request.leverage = h.leverage;
  o.request.reduce_only = true;
  o.request.rationale = reason;
  o.quantity = o.request.quantity;
  o.status = OrderStatus::kPending;
  o.created_ms = o.updated_ms = now;
  orders.push_back(std::move(rec));
  OrderRec& stored = orders.back();
  Fill(stored, stored.order.quantity, price, false, bps, now, out);
  return stored.order.id;
}

}  // namespace claw::engine
