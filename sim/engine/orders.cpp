// Order placement: validation (rejection codes), idempotency, the taker fill against the
// current quote, and what happens to the remainder.
//
// Decisions (PROTOCOL.md §4, seed 002 §2.3):
//  - Leverage < 1 is INVALID_PARAMETER; above min(instrument max, arena max) it is
//    RISK_LIMIT_EXCEEDED (a valid number the risk limits refuse).
//  - Reduce-only orders are rejected (INVALID_PARAMETER) when there is no opposite position
//    to reduce, and clipped to the position's size when larger. A resting reduce-only order
//    is clipped again at each fill and cancelled once the position is gone. Reduce-only
//    orders are exempt from min_notional so any position can be closed.
//  - Notional orders convert to a quantity once, at placement, at the price the order would
//    fill at now (market: best ask/bid, else last trade, else mark; limit: its limit price),
//    rounded DOWN to the step size.
//  - Taker fills take at most the displayed size left on the current bookTicker (size taken
//    by earlier orders is not offered again until the next bookTicker of that symbol, even at
//    a later timestamp: the quote is the only liquidity we know of). No book: last trade,
//    else mark price, uncapped.
//  - The remainder of a GTC limit rests (reserving margin for the part that would open
//    exposure + maker fee); of an IOC order, or of a MARKET order of any time in force, it is
//    cancelled ("IOC remainder", "market remainder: no displayed liquidity"): a market order
//    never rests. FOK fills whole or is cancelled with no fill ("FOK not fillable").
//    kExpired is not produced by these rules (reserved for time-bound orders).
//  - A repeated client_order_id with a different request emits kOrderRejected with order id
//    0 and code kDuplicateOrder, records nothing, and returns 0. An unknown wallet returns 0
//    and emits nothing.
#include <algorithm>
#include <limits>
#include <string>

#include "sim/engine/engine_internal.h"

namespace claw::engine {
namespace {

using internal::FeeFor;
using internal::MarginFor;
using internal::NotionalOf;

constexpr std::size_t kMaxRationale = 1000;
// One order may not exceed 10 billion USDT of notional, which keeps every later product far
// inside int64 Cash (9.2e10 USDT) and 128-bit intermediates.
constexpr std::int64_t kMaxOrderNotional = 10'000'000'000 * kCashScale;

struct Verdict {
  RejectCode code = RejectCode::kNone;
  std::string reason;
  bool ok() const { return code == RejectCode::kNone; }
};

Verdict Bad(RejectCode c, std::string reason) { return Verdict{c, std::move(reason)}; }
Verdict Param(std::string reason) { return Bad(RejectCode::kInvalidParameter, std::move(reason)); }

bool IsBuy(const OrderRequest& r) { return r.side == Side::kBuy; }

// The price a taker on `side` gets now: best ask/bid, else last trade, else mark.
Price TakerPrice(const Engine::Impl::Sym& s, Side side) {
  if (s.has_book) return side == Side::kBuy ? s.quote.ask : s.quote.bid;
  return s.quote.last.ticks > 0 ? s.quote.last : Price{s.mark};
}

Verdict CheckShape(const OrderRequest& r, const Instrument& inst) {
  if (r.quantity.units != 0 && r.notional.units != 0) {
    return Param("give either quantity or notional, not both");
  }
  if (r.quantity.units == 0 && r.notional.units == 0) return Param("quantity or notional is required");
  if (r.quantity.units < 0) return Param("quantity must be positive");
  if (r.notional.units < 0) return Param("notional must be positive");
  if (r.type == OrderType::kMarket && r.price.ticks != 0) {
    return Param("price is not allowed on a market order");
  }
  if (r.type == OrderType::kLimit && r.price.ticks <= 0) return Param("limit order needs a positive price");
  if (r.price.ticks % inst.tick_size.ticks != 0) {
    return Param("price " + ToString(r.price) + " is not a multiple of tick size " +
                 ToString(inst.tick_size));
  }
  if (r.quantity.units % inst.step_size.units != 0) {
    return Param("quantity " + ToString(r.quantity) + " is not a multiple of step size " +
                 ToString(inst.step_size));
  }
  if (r.stop_loss.ticks < 0 || r.take_profit.ticks < 0) {
    return Param("stop_loss and take_profit must not be negative");
  }
  return {};
}

Verdict CheckLeverage(const OrderRequest& r, const Instrument& inst, int arena_max) {
  if (r.leverage < 1) return Param("leverage must be at least 1");
  const int cap = std::min(inst.max_leverage, arena_max);
  if (r.leverage > cap) {
    return Bad(RejectCode::kRiskLimitExceeded, "leverage " + std::to_string(r.leverage) +
                                                   " exceeds the maximum " + std::to_string(cap) +
                                                   " for " + inst.symbol);
  }
  return {};
}

Verdict CheckOpen(const Engine::Impl::Sym& s, std::int64_t now, std::int64_t stale_ms) {
  if (s.mark == 0) return Bad(RejectCode::kMarketClosed, "no price yet for " + s.inst.symbol);
  const std::int64_t age = now - s.quote.time_ms;
  if (age > stale_ms) {
    return Bad(RejectCode::kMarketClosed, "last update for " + s.inst.symbol + " is " +
                                              std::to_string(age) + " ms old (stale after " +
                                              std::to_string(stale_ms) + " ms)");
  }
  return {};
}

}  // namespace

std::int64_t Engine::Impl::Opposite(WalletId w, std::uint32_t sym, Side side) const {
  const int slot = PosSlot(w, sym);
  if (slot < 0) return 0;
  const std::int64_t q = syms[sym].pos[static_cast<std::size_t>(slot)].qty;
  if (side == Side::kBuy) return q < 0 ? -q : 0;
  return q > 0 ? q : 0;
}

namespace {

// Sizes the order (notional conversion, reduce-only clip) and checks size limits and balance.
Verdict SizeAndFund(Engine::Impl& m, Engine::Impl::OrderRec& rec, const EngineConfig& cfg) {
  const OrderRequest& r = rec.order.request;
  const Engine::Impl::Sym& s = m.syms[rec.sym];
  const Instrument& inst = s.inst;
  const Price p = r.type == OrderType::kLimit ? r.price : TakerPrice(s, r.side);
  if (p.ticks <= 0) return Bad(RejectCode::kMarketClosed, "no price on the " +
                                   std::string(IsBuy(r) ? "ask" : "bid") + " side of " + inst.symbol);
  std::int64_t qty = r.quantity.units;
  if (r.notional.units != 0) {
    Int128 raw = internal::DivFloor(static_cast<Int128>(r.notional.units) * internal::kNotionalToCash, p.ticks);
    qty = internal::Saturate(raw - raw % inst.step_size.units);
  }
  if (qty <= 0 || qty < inst.min_qty.units) {
    return Param("quantity " + ToString(Qty{qty}) + " is below the minimum " +
                 ToString(Qty{std::max(inst.min_qty.units, inst.step_size.units)}));
  }
  const std::int64_t opposite = m.Opposite(rec.order.wallet, rec.sym, r.side);
  if (r.reduce_only) {
    if (opposite == 0) return Param("reduce_only order would not reduce a position in " + inst.symbol);
    qty = std::min(qty, opposite);
  }
  rec.order.quantity = Qty{qty};
  const Cash notional = NotionalOf(p, Qty{qty}, Rounding::kDown);
  if (notional.units > kMaxOrderNotional) return Param("notional " + ToString(notional) + " is too large");
  if (!r.reduce_only && notional < inst.min_notional) {
    return Param("notional " + ToString(notional) + " is below the minimum " + ToString(inst.min_notional));
  }
  const std::int64_t opening = std::max<std::int64_t>(0, qty - opposite);
  const Cash margin = opening > 0 ? MarginFor(p, Qty{opening}, r.leverage) : Cash{0};
  const Cash fee = FeeFor(p, Qty{qty}, cfg.taker_bps);
  const std::int64_t available = m.Available(rec.order.wallet);
  if (margin.units + fee.units > available) {
    return Bad(RejectCode::kInsufficientBalance,
               "order needs " + ToString(margin + fee) + " (margin " + ToString(margin) + " + fee " +
                   ToString(fee) + "), available " + ToString(Cash{available}));
  }
  return {};
}

}  // namespace

OrderId Engine::Impl::Place(WalletId w, const OrderRequest& req, std::int64_t now,
                            std::vector<Event>* out) {
  if (!ValidWallet(w)) return 0;
  WalletInfo& info = Info(w);
  Event e;
  e.time_ms = now;
  e.wallet = w;
  e.symbol = req.symbol;
  if (!req.client_order_id.empty()) {
    auto it = info.client_ids.find(req.client_order_id);
    if (it != info.client_ids.end()) {
      if (orders[it->second - 1].order.request == req) return it->second;
      e.kind = EventKind::kOrderRejected;
      e.order.wallet = w;
      e.order.request = req;
      e.order.status = OrderStatus::kRejected;
      e.order.reject = RejectCode::kDuplicateOrder;
      e.order.created_ms = e.order.updated_ms = now;
      e.reason = e.order.reason = "client_order_id '" + req.client_order_id +
                                  "' was used for a different order";
      out->push_back(std::move(e));
      return 0;
    }
  }
  OrderRec rec;
  Order& o = rec.order;
  o.id = orders.size() + 1;
  o.wallet = w;
  o.request = req;
  o.created_ms = o.updated_ms = now;
  Verdict v;
  Sym* s = FindSym(req.symbol);
  if (req.rationale.size() > kMaxRationale) {
    v = Param("rationale is longer than 1000 characters");
  } else if (s == nullptr) {
    v = Bad(RejectCode::kInvalidSymbol, "unknown symbol '" + req.symbol + "'");
  } else {
    rec.sym = SymIndex(*s);
    v = CheckShape(req, s->inst);
    if (v.ok()) v = CheckLeverage(req, s->inst, config.max_leverage);
    if (v.ok()) v = CheckOpen(*s, now, config.stale_feed_ms);
    if (v.ok()) v = SizeAndFund(*this, rec, config);
  }
  if (!req.client_order_id.empty()) info.client_ids.emplace(req.client_order_id, o.id);
  const OrderId id = o.id;
  if (!v.ok()) {
    o.status = OrderStatus::kRejected;
    o.reject = v.code;
    o.reason = v.reason;
    e.kind = EventKind::kOrderRejected;
    e.order = o;
    e.reason = v.reason;
    orders.push_back(std::move(rec));
    out->push_back(std::move(e));
    return id;
  }
  o.status = req.type == OrderType::kLimit ? OrderStatus::kOpen : OrderStatus::kPending;
  info.updated_ms = now;
  e.kind = EventKind::kOrderAccepted;
  e.order = o;
  orders.push_back(std::move(rec));
  out->push_back(std::move(e));
  Execute(orders.back(), now, out);
  return id;
}

void Engine::Impl::Execute(OrderRec& rec, std::int64_t now, std::vector<Event>* out) {
  Sym& s = syms[rec.sym];
  Order& o = rec.order;
  const OrderRequest& r = o.request;
  const bool buy = IsBuy(r);
  const Price p = TakerPrice(s, r.side);
  std::int64_t cap = std::numeric_limits<std::int64_t>::max();
  if (s.has_book) {
    cap = buy ? s.quote.ask_qty.units - s.consumed_ask : s.quote.bid_qty.units - s.consumed_bid;
  }
  const bool crosses = p.ticks > 0 && (r.type == OrderType::kMarket ||
                                       (buy ? p <= r.price : p >= r.price));
  const std::int64_t remaining = o.quantity.units - o.filled.units;
  std::int64_t qty = 0;
  if (crosses && cap > 0) qty = std::min(remaining, cap - cap % s.inst.step_size.units);
  if (r.reduce_only) qty = std::min(qty, Opposite(o.wallet, rec.sym, r.side));
  if (r.time_in_force == TimeInForce::kFok && qty < remaining) {
    Cancel(rec, "FOK not fillable", now, out);
    return;
  }
  if (qty > 0) {
    if (s.has_book) (buy ? s.consumed_ask : s.consumed_bid) += qty;
    Fill(rec, Qty{qty}, p, false, config.taker_bps, now, out);
  }
  if (o.filled == o.quantity) return;
  if (r.type == OrderType::kLimit && r.time_in_force == TimeInForce::kGtc) {
    s.resting.push_back(o.id);
    Info(o.wallet).open_orders.push_back(o.id);
    SetReserve(rec, RestingReserve(rec));
    return;
  }
  Cancel(rec, r.time_in_force == TimeInForce::kIoc ? "IOC remainder"
                                                    : "market remainder: no displayed liquidity",
         now, out);
}

void Engine::Impl::SetReserve(OrderRec& rec, std::int64_t reserve) {
  Money(rec.order.wallet).reserved += reserve - rec.order.reserved.units;
  rec.order.reserved = Cash{reserve};
}

// Margin for the part of the remainder that would open exposure against the current
// position, at the limit price and the order's leverage, plus the maker fee on the remainder.
std::int64_t Engine::Impl::RestingReserve(const OrderRec& rec) const {
  const Order& o = rec.order;
  const Qty remaining{o.quantity.units - o.filled.units};
  if (remaining.units <= 0) return 0;
  std::int64_t opening = 0;
  if (!o.request.reduce_only) {
    opening = std::max<std::int64_t>(0, remaining.units - Opposite(o.wallet, rec.sym, o.request.side));
  }
  const Cash margin = opening > 0 ? MarginFor(o.request.price, Qty{opening}, o.request.leverage) : Cash{0};
  return margin.units + FeeFor(o.request.price, remaining, config.maker_bps).units;
}

void Engine::Impl::Cancel(OrderRec& rec, const std::string& reason, std::int64_t now,
                          std::vector<Event>* out) {
  Order& o = rec.order;
  auto erase = [](std::vector<OrderId>& v, OrderId id) {
    auto it = std::find(v.begin(), v.end(), id);
    if (it != v.end()) v.erase(it);
  };
  erase(syms[rec.sym].resting, o.id);
  erase(Info(o.wallet).open_orders, o.id);
  SetReserve(rec, 0);
  o.status = OrderStatus::kCancelled;
  o.reason = reason;
  o.updated_ms = now;
  Info(o.wallet).updated_ms = now;
  Event e;
  e.kind = EventKind::kOrderCancelled;
  e.time_ms = now;
  e.wallet = o.wallet;
  e.symbol = o.request.symbol;
  e.order = o;
  e.reason = reason;
  out->push_back(std::move(e));
}

}  // namespace claw::engine
