// Engine::CheckInvariants: the ledger equation and the bookkeeping identities stated at the
// top of engine.cpp. O(wallets + positions + orders); for tests and debug checks, not ticks.
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/engine_internal.h"

namespace claw::engine {
namespace {

Status Broken(const std::string& what) { return Status::Internal("invariant broken: " + what); }

bool IsOpen(OrderStatus s) { return s == OrderStatus::kOpen || s == OrderStatus::kPartiallyFilled; }

}  // namespace

Status Engine::CheckInvariants() const {
  const Impl& m = *impl_;
  Int128 balances = 0;
  for (const Impl::WalletMoney& w : m.money) balances += w.balance;
  const Int128 lhs = static_cast<Int128>(m.deposits) + m.pnl_paid + m.sealed_pnl_paid;
  const Int128 rhs = balances + m.fees_collected + m.insurance + m.sealed_held;
  if (lhs != rhs) {
    return Broken("deposits + market pnl paid + sealed pnl paid != balances + fees + insurance + "
                  "sealed holds");
  }
  if (m.insurance > 0) return Broken("insurance fund is positive");
  Int128 held = 0;
  for (const Impl::WalletInfo& w : m.wallets) {
    if (w.sealed_held < 0) return Broken("negative sealed hold of " + w.name);
    held += w.sealed_held;
  }
  if (held != m.sealed_held) return Broken("sealed holds of the wallets != total sealed hold");

  std::vector<Impl::WalletMoney> sums(m.wallets.size());
  std::vector<std::size_t> position_count(m.wallets.size(), 0);
  for (std::uint32_t si = 0; si < m.syms.size(); ++si) {
    const Impl::Sym& s = m.syms[si];
    if (s.pos.size() != s.cold.size()) return Broken("position arrays differ in size");
    for (std::size_t i = 0; i < s.pos.size(); ++i) {
      const Impl::PosHot& h = s.pos[i];
      if (!m.ValidWallet(h.wallet)) return Broken("position of an unknown wallet");
      if (h.qty == 0) return Broken("open position with quantity 0 in " + s.inst.symbol);
      const Cash margin = internal::MarginFor(Price{h.entry}, Qty{h.qty}, h.leverage);
      if (s.cold[i].margin <= 0 || s.cold[i].margin != margin.units) {
        return Broken("margin of " + m.wallets[h.wallet - 1].name + "'s " + s.inst.symbol);
      }
      if (m.PosSlot(h.wallet, si) != static_cast<int>(i)) return Broken("position index");
      sums[h.wallet - 1].margin_used += s.cold[i].margin;
      sums[h.wallet - 1].upnl += h.upnl;
      ++position_count[h.wallet - 1];
    }
    for (OrderId id : s.resting) {
      const Order& o = m.orders[id - 1].order;
      if (!IsOpen(o.status) || o.request.symbol != s.inst.symbol) return Broken("resting list");
    }
  }
  for (const Impl::OrderRec& r : m.orders) {
    if (IsOpen(r.order.status)) sums[r.order.wallet - 1].reserved += r.order.reserved.units;
    else if (r.order.reserved.units != 0) return Broken("closed order holds a reserve");
  }
  for (std::size_t w = 0; w < m.wallets.size(); ++w) {
    const std::string& name = m.wallets[w].name;
    if (sums[w].margin_used != m.money[w].margin_used) return Broken("margin_used of " + name);
    if (sums[w].upnl != m.money[w].upnl) return Broken("unrealized pnl of " + name);
    if (sums[w].reserved != m.money[w].reserved) return Broken("reserved of " + name);
    if (position_count[w] != m.wallets[w].slots.size()) return Broken("position slots of " + name);
    for (OrderId id : m.wallets[w].open_orders) {
      if (!IsOpen(m.orders[id - 1].order.status)) return Broken("open order list of " + name);
    }
  }
  return Status::Ok();
}

}  // namespace claw::engine
