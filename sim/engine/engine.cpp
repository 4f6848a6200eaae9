// Engine: public API, wallets, queries and the ledger invariant.
//
// THE LEDGER INVARIANT (checked by CheckInvariants, exactly, in integer 1e-8 units):
//
//   deposits + market_pnl_paid + sealed_pnl_paid
//     = sum(balances) + fees_collected + insurance_fund + sealed_held
//
// where market_pnl_paid is the sum of every realised PnL credited to a wallet (the market is
// every trader's counterparty: it pays profits and receives losses; market_pnl() is its
// account, -market_pnl_paid), fees_collected is every trading and liquidation fee, and
// insurance_fund() is the insurance account's balance: minus the total shortfall it covered
// (a liquidation that leaves a wallet's balance negative sets it to 0 and books the
// difference here). Equivalently, all accounts sum to the deposits:
//   sum(balances) + fees_collected + insurance_fund + market_pnl = deposits.
// Sealed trades (sealed.h) hold lobs outside the balance (sealed_held, per wallet and in
// total) and settle their PnL against the market's sealed account (sealed_pnl_paid), kept
// apart from the order book's realised PnL.
// Also checked: every open position has quantity != 0 and margin > 0 equal to
// ceil(|qty| * entry / leverage); a wallet's margin_used is the sum of its positions' margin,
// its unrealized PnL the sum of theirs, and its reserved the sum of its open orders' reserved.
#include "sim/engine/engine.h"

#include <algorithm>

#include "sim/engine/engine_internal.h"

namespace claw::engine {

const char* ToString(Side s) { return s == Side::kBuy ? "buy" : "sell"; }
const char* ToString(OrderType t) { return t == OrderType::kMarket ? "market" : "limit"; }

const char* ToString(TimeInForce t) {
  switch (t) {
    case TimeInForce::kGtc: return "GTC";
    case TimeInForce::kIoc: return "IOC";
    case TimeInForce::kFok: return "FOK";
  }
  return "";
}

const char* ToString(OrderStatus s) {
  switch (s) {
    case OrderStatus::kPending: return "pending";
    case OrderStatus::kOpen: return "open";
    case OrderStatus::kPartiallyFilled: return "partially_filled";
    case OrderStatus::kFilled: return "filled";
    case OrderStatus::kCancelled: return "cancelled";
    case OrderStatus::kRejected: return "rejected";
    case OrderStatus::kExpired: return "expired";
  }
  return "";
}

const char* ToString(RejectCode c) {
  switch (c) {
    case RejectCode::kNone: return "";
    case RejectCode::kInvalidSymbol: return "INVALID_SYMBOL";
    case RejectCode::kInvalidParameter: return "INVALID_PARAMETER";
    case RejectCode::kInsufficientBalance: return "INSUFFICIENT_BALANCE";
    case RejectCode::kRiskLimitExceeded: return "RISK_LIMIT_EXCEEDED";
    case RejectCode::kMarketClosed: return "MARKET_CLOSED";
    case RejectCode::kDuplicateOrder: return "DUPLICATE_ORDER";
    case RejectCode::kOrderNotFound: return "NOT_FOUND";
  }
  return "";
}

const char* ToString(EventKind k) {
  switch (k) {
    case EventKind::kWalletOpened: return "wallet_opened";
    case EventKind::kOrderAccepted: return "order_accepted";
    case EventKind::kOrderRejected: return "order_rejected";
    case EventKind::kFill: return "fill";
    case EventKind::kOrderCancelled: return "order_cancelled";
    case EventKind::kOrderExpired: return "order_expired";
    case EventKind::kPositionChanged: return "position_changed";
    case EventKind::kStopTriggered: return "stop_triggered";
    case EventKind::kLiquidated: return "liquidated";
    case EventKind::kTickApplied: return "tick_applied";
  }
  return "";
}

// ---- Impl basics ----

Engine::Impl::Impl(EngineConfig c) : config(std::move(c)) {
  for (const Instrument& inst : config.instruments) {
    if (sym_index.count(inst.symbol) != 0) continue;  // first definition wins
    AddSym(inst);
  }
}

// Sizes that would divide by zero are sanitised to the smallest unit.
std::uint32_t Engine::Impl::AddSym(const Instrument& inst) {
  const auto index = static_cast<std::uint32_t>(syms.size());
  sym_index.emplace(inst.symbol, index);
  Sym s;
  s.inst = inst;
  if (s.inst.tick_size.ticks <= 0) s.inst.tick_size = Price{1};
  if (s.inst.step_size.units <= 0) s.inst.step_size = Qty{1};
  if (s.inst.max_leverage < 1) s.inst.max_leverage = 1;
  s.quote.symbol = inst.symbol;
  syms.push_back(std::move(s));
  return index;
}

Engine::Impl::Sym* Engine::Impl::FindSym(std::string_view symbol) {
  auto it = sym_index.find(symbol);
  return it == sym_index.end() ? nullptr : &syms[it->second];
}

int Engine::Impl::PosSlot(WalletId w, std::uint32_t sym) const {
  for (const auto& [s, slot] : wallets[w - 1].slots) {
    if (s == sym) return static_cast<int>(slot);
  }
  return -1;
}

std::int64_t Engine::Impl::Available(WalletId w) const {
  const WalletMoney& m = money[w - 1];
  return m.balance + m.upnl - m.margin_used - m.reserved;
}

Position Engine::Impl::MakePosition(const Sym& s, std::size_t slot) const {
  const PosHot& h = s.pos[slot];
  const PosCold& c = s.cold[slot];
  Position p;
  p.symbol = s.inst.symbol;
  p.quantity = Qty{h.qty};
  p.entry_price = Price{h.entry};
  p.mark_price = Price{s.mark};
  p.leverage = h.leverage;
  p.margin = Cash{c.margin};
  p.unrealized_pnl = Cash{h.upnl};
  p.stop_loss = Price{h.sl};
  p.take_profit = Price{h.tp};
  p.opened_ms = c.opened_ms;
  // This position alone, with its margin as collateral: margin + (P - entry) * qty reaches
  // margin * level at P = entry -/+ (1 - level) * margin / |qty|.
  const std::int64_t abs_q = h.qty < 0 ? -h.qty : h.qty;
  Int128 cushion = static_cast<Int128>(c.margin) * (10'000 - config.liquidation_margin_level_e4);
  Int128 delta = internal::DivFloor(cushion * internal::kNotionalToCash,
                                    static_cast<Int128>(abs_q) * 10'000);
  Int128 liq = h.qty > 0 ? h.entry - delta : h.entry + delta;
  p.liquidation_price = Price{liq > 0 ? internal::Saturate(liq) : 0};
  return p;
}

// ---- public API ----

Engine::Engine(EngineConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Engine::~Engine() = default;

const EngineConfig& Engine::config() const { return impl_->config; }

Result<WalletId> Engine::OpenWallet(std::string name, std::vector<Event>* out) {
  return OpenWallet(std::move(name), impl_->config.starting_balance, out);
}

Result<WalletId> Engine::OpenWallet(std::string name, Cash deposit, std::vector<Event>* out) {
  Impl& m = *impl_;
  if (name.empty()) return Status::InvalidArgument("wallet name is empty");
  if (deposit.units < 0) {
    return Status::InvalidArgument("deposit for wallet '" + name + "' is negative");
  }
  if (m.wallet_names.count(name) != 0) {
    return Status::AlreadyExists("wallet '" + name + "' exists");
  }
  const auto id = static_cast<WalletId>(m.wallets.size() + 1);
  m.wallet_names.emplace(name, id);
  Impl::WalletInfo info;
  info.name = name;
  info.deposits = deposit;
  info.updated_ms = m.arena_time;
  m.wallets.push_back(std::move(info));
  m.money.push_back(Impl::WalletMoney{deposit.units, 0, 0, 0});
  m.deposits += deposit.units;
  Event e;
  e.kind = EventKind::kWalletOpened;
  e.time_ms = m.arena_time;
  e.wallet = id;
  e.cash = deposit;
  e.reason = std::move(name);
  out->push_back(std::move(e));
  return id;
}

void Engine::ApplyMarket(const MarketEvent& ev, std::vector<Event>* out) { impl_->Apply(ev, out); }

OrderId Engine::PlaceOrder(WalletId wallet, const OrderRequest& request, std::int64_t now_ms,
                           std::vector<Event>* out) {
  return impl_->Place(wallet, request, now_ms, out);
}

Status Engine::CancelOrder(WalletId wallet, OrderId id, std::int64_t now_ms,
                           std::vector<Event>* out) {
  Impl::OrderRec* rec = impl_->FindRec(id);
  if (rec == nullptr || rec->order.wallet != wallet ||
      (rec->order.status != OrderStatus::kOpen &&
       rec->order.status != OrderStatus::kPartiallyFilled)) {
    return Status::NotFound("open order " + std::to_string(id) + " not found");
  }
  impl_->Cancel(*rec, "user", now_ms, out);
  return Status::Ok();
}

Status Engine::CancelByClientId(WalletId wallet, std::string_view client_order_id,
                                std::int64_t now_ms, std::vector<Event>* out) {
  if (!impl_->ValidWallet(wallet)) return Status::NotFound("wallet not found");
  const auto& ids = impl_->Info(wallet).client_ids;
  auto it = ids.find(client_order_id);
  if (it == ids.end()) {
    return Status::NotFound("order with client_order_id '" + std::string(client_order_id) +
                            "' not found");
  }
  return CancelOrder(wallet, it->second, now_ms, out);
}

int Engine::CancelAll(WalletId wallet, std::int64_t now_ms, std::vector<Event>* out) {
  if (!impl_->ValidWallet(wallet)) return 0;
  std::vector<OrderId> ids = impl_->Info(wallet).open_orders;  // Cancel edits the list
  for (OrderId id : ids) impl_->Cancel(*impl_->FindRec(id), "user", now_ms, out);
  return static_cast<int>(ids.size());
}

Status Engine::SetStops(WalletId wallet, std::string_view symbol, Price stop_loss,
                        Price take_profit, std::int64_t now_ms, std::vector<Event>* out) {
  Impl& m = *impl_;
  Impl::Sym* s = m.FindSym(symbol);
  int slot = (s != nullptr && m.ValidWallet(wallet)) ? m.PosSlot(wallet, m.SymIndex(*s)) : -1;
  if (slot < 0) {
    return Status::NotFound("no open position in '" + std::string(symbol) + "'");
  }
  if (stop_loss.ticks < 0 || take_profit.ticks < 0) {
    return Status::InvalidArgument("stop_loss and take_profit must not be negative");
  }
  s->pos[static_cast<std::size_t>(slot)].sl = stop_loss.ticks;
  s->pos[static_cast<std::size_t>(slot)].tp = take_profit.ticks;
  m.Info(wallet).updated_ms = now_ms;
  m.EmitPosition(*s, wallet, now_ms, out);
  return Status::Ok();
}

// ---- queries ----

Result<Portfolio> Engine::GetPortfolio(WalletId wallet) const {
  const Impl& m = *impl_;
  if (!m.ValidWallet(wallet)) {
    return Status::NotFound("wallet " + std::to_string(wallet) + " not found");
  }
  const Impl::WalletInfo& info = m.wallets[wallet - 1];
  const Impl::WalletMoney& mo = m.money[wallet - 1];
  Portfolio p;
  p.wallet = wallet;
  p.name = info.name;
  p.deposits = info.deposits;
  p.balance = Cash{mo.balance};
  p.unrealized_pnl = Cash{mo.upnl};
  p.equity = Cash{mo.balance + mo.upnl};
  p.margin_used = Cash{mo.margin_used};
  p.reserved = Cash{mo.reserved};
  p.available = Cash{m.Available(wallet)};
  p.realized_pnl = info.realized;
  p.fees_paid = info.fees;
  p.liquidations = info.liquidations;
  p.sealed_held = Cash{info.sealed_held};
  p.updated_ms = info.updated_ms;
  for (const auto& [sym, slot] : info.slots) p.positions.push_back(m.MakePosition(m.syms[sym], slot));
  std::sort(p.positions.begin(), p.positions.end(),
            [](const Position& a, const Position& b) { return a.symbol < b.symbol; });
  return p;
}

const Order* Engine::FindOrder(OrderId id) const {
  return id >= 1 && id <= impl_->orders.size() ? &impl_->orders[id - 1].order : nullptr;
}

std::vector<Order> Engine::OpenOrders(WalletId wallet) const {
  std::vector<Order> r;
  if (!impl_->ValidWallet(wallet)) return r;
  for (OrderId id : impl_->wallets[wallet - 1].open_orders) r.push_back(*FindOrder(id));
  return r;
}

std::vector<Quote> Engine::Quotes() const {
  std::vector<Quote> r;
  for (const Impl::Sym& s : impl_->syms) {
    if (s.quote.time_ms != 0 || s.mark != 0) r.push_back(s.quote);
  }
  std::sort(r.begin(), r.end(), [](const Quote& a, const Quote& b) { return a.symbol < b.symbol; });
  return r;
}

const Quote* Engine::FindQuote(std::string_view symbol) const {
  auto it = impl_->sym_index.find(symbol);
  return it == impl_->sym_index.end() ? nullptr : &impl_->syms[it->second].quote;
}

std::vector<Instrument> Engine::Instruments() const {
  std::vector<Instrument> r;
  for (const Impl::Sym& s : impl_->syms) r.push_back(s.inst);
  std::sort(r.begin(), r.end(),
            [](const Instrument& a, const Instrument& b) { return a.symbol < b.symbol; });
  return r;
}

std::vector<WalletId> Engine::Wallets() const {
  std::vector<WalletId> r;
  for (std::size_t i = 0; i < impl_->wallets.size(); ++i) r.push_back(static_cast<WalletId>(i + 1));
  return r;
}

std::int64_t Engine::arena_time_ms() const { return impl_->arena_time; }
Cash Engine::total_deposits() const { return Cash{impl_->deposits}; }

Cash Engine::total_balances() const {
  std::int64_t sum = 0;
  for (const Impl::WalletMoney& m : impl_->money) sum += m.balance;
  return Cash{sum};
}

Cash Engine::fees_collected() const { return Cash{impl_->fees_collected}; }
Cash Engine::insurance_fund() const { return Cash{impl_->insurance}; }
Cash Engine::market_pnl() const { return Cash{-impl_->pnl_paid}; }
Cash Engine::sealed_held() const { return Cash{impl_->sealed_held}; }
Cash Engine::sealed_pnl_paid() const { return Cash{impl_->sealed_pnl_paid}; }

// ---- sealed trades ----

Status Engine::HoldSealed(WalletId wallet, Cash amount, std::int64_t now_ms) {
  Impl& m = *impl_;
  if (!m.ValidWallet(wallet)) return Status::NotFound("wallet " + std::to_string(wallet) + " not found");
  if (amount.units <= 0) return Status::InvalidArgument("sealed hold must be positive");
  const std::int64_t available = m.Available(wallet);
  if (amount.units > available) {
    return Status::Rejected("INSUFFICIENT_BALANCE: the trade needs " + ToString(amount) +
                            " but " + ToString(Cash{available < 0 ? 0 : available}) +
                            " is available");
  }
  m.Money(wallet).balance -= amount.units;
  m.Info(wallet).sealed_held += amount.units;
  m.Info(wallet).updated_ms = now_ms;
  m.sealed_held += amount.units;
  return Status::Ok();
}

Status Engine::ReleaseSealed(WalletId wallet, Cash held, Cash pnl, std::int64_t now_ms) {
  Impl& m = *impl_;
  if (!m.ValidWallet(wallet)) return Status::NotFound("wallet " + std::to_string(wallet) + " not found");
  Impl::WalletInfo& info = m.Info(wallet);
  if (held.units <= 0 || held.units > info.sealed_held) {
    return Status::InvalidArgument("sealed release exceeds the wallet's hold");
  }
  if (pnl.units < -held.units) return Status::InvalidArgument("sealed loss exceeds the hold");
  info.sealed_held -= held.units;
  info.updated_ms = now_ms;
  m.sealed_held -= held.units;
  m.Money(wallet).balance += held.units + pnl.units;
  m.sealed_pnl_paid += pnl.units;
  return Status::Ok();
}

}  // namespace claw::engine
