// Engine::Impl: the engine's state and the helpers shared by engine.cpp, orders.cpp, fills.cpp
// and tick.cpp. Internal to sim/engine.
//
// Layout, chosen for the tick path (ApplyMarket):
//  - symbols live in a vector; each owns a dense array of the positions on it (PosHot, the
//    fields a mark-to-market pass reads, 48 bytes) and, in parallel, PosCold. A tick walks
//    only its symbol's arrays, so its cost grows with that symbol's holders.
//  - a wallet knows its positions as (symbol index, slot) pairs; removing a position swaps
//    the last slot of the symbol's array into its place and fixes that wallet's pair.
//  - wallet money (WalletMoney) sits in its own dense vector so the tick touches 32 bytes per
//    holder; names, order lists and client ids are in WalletInfo.
//  - orders are a vector indexed by id - 1 (ids are sequential from 1), rejected ones too.
// Output order never depends on hash order: unordered maps serve lookups only.
// Thread safety: none; one thread owns an Engine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/netting.h"

namespace claw::engine {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

struct Engine::Impl {
  struct PosHot {
    std::int64_t qty = 0;    // signed Qty units
    std::int64_t entry = 0;  // Price ticks
    std::int64_t upnl = 0;   // Cash units at the symbol's current mark
    std::int64_t sl = 0;     // Price ticks, 0 = none
    std::int64_t tp = 0;
    WalletId wallet = 0;
    std::int32_t leverage = 1;
  };
  struct PosCold {
    std::int64_t margin = 0;  // Cash units
    std::int64_t opened_ms = 0;
  };
  struct Sym {
    Instrument inst;
    Quote quote;
    bool has_book = false;         // a bookTicker with both sides has been seen
    bool has_mark_stream = false;  // a markPrice event has been seen
    std::int64_t mark = 0;         // ticks; the price positions are marked at
    // Displayed size already taken since the last bookTicker (reset by the next one).
    std::int64_t consumed_bid = 0, consumed_ask = 0;
    std::vector<PosHot> pos;
    std::vector<PosCold> cold;
    std::vector<OrderId> resting;  // open GTC limits, in placement order (time priority)
  };
  struct WalletMoney {
    std::int64_t balance = 0, upnl = 0, margin_used = 0, reserved = 0;
  };
  struct WalletInfo {
    std::string name;
    Cash deposits, realized, fees;
    int liquidations = 0;
    std::int64_t sealed_held = 0;  // Cash units held by the wallet's open sealed trades
    std::int64_t updated_ms = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> slots;  // (symbol, index in sym.pos)
    std::vector<OrderId> open_orders;                             // in placement order
    StringMap<OrderId> client_ids;
  };
  struct OrderRec {
    Order order;
    Int128 filled_notional = 0;  // sum of price * qty over fills, 1e-12 quote units
    std::uint32_t sym = 0;
  };

  explicit Impl(EngineConfig c);

  // ---- lookups ----
  Sym* FindSym(std::string_view symbol);
  std::uint32_t AddSym(const Instrument& inst);  // REQUIRES: symbol not present
  std::uint32_t SymIndex(const Sym& s) const { return static_cast<std::uint32_t>(&s - syms.data()); }
  bool ValidWallet(WalletId w) const { return w >= 1 && w <= wallets.size(); }
  WalletMoney& Money(WalletId w) { return money[w - 1]; }
  WalletInfo& Info(WalletId w) { return wallets[w - 1]; }
  OrderRec* FindRec(OrderId id) { return id >= 1 && id <= orders.size() ? &orders[id - 1] : nullptr; }
  // Index of `w`'s position in syms[sym].pos, or -1.
  int PosSlot(WalletId w, std::uint32_t sym) const;
  std::int64_t Equity(WalletId w) const { return money[w - 1].balance + money[w - 1].upnl; }
  std::int64_t Available(WalletId w) const;
  Position MakePosition(const Sym& s, std::size_t slot) const;

  // ---- orders (orders.cpp) ----
  OrderId Place(WalletId w, const OrderRequest& req, std::int64_t now, std::vector<Event>* out);
  // Fills what the current quote allows (as taker), then rests / cancels the remainder.
  void Execute(OrderRec& rec, std::int64_t now, std::vector<Event>* out);
  void Cancel(OrderRec& rec, const std::string& reason, std::int64_t now, std::vector<Event>* out);
  void SetReserve(OrderRec& rec, std::int64_t reserve);
  std::int64_t RestingReserve(const OrderRec& rec) const;
  // Size of the wallet's position on `sym` that an order on `side` would reduce (>= 0).
  std::int64_t Opposite(WalletId w, std::uint32_t sym, Side side) const;

  // ---- fills and positions (fills.cpp) ----
  // Fills `qty` of the order at `price` (taker or maker fee), nets it into the position and
  // emits kFill then kPositionChanged. REQUIRES: 0 < qty <= remaining.
  void Fill(OrderRec& rec, Qty qty, Price price, bool maker, int bps, std::int64_t now,
            std::vector<Event>* out);
  // Applies a signed fill to the wallet's position on `sym`; returns the realised PnL.
  Cash NetIntoPosition(WalletId w, std::uint32_t sym, Qty fill, Price price, int leverage,
                       std::int64_t now);
  void SetUpnl(Sym& s, std::size_t slot);
  void RemovePosition(std::uint32_t sym, std::size_t slot);
  void EmitPosition(const Sym& s, WalletId w, std::int64_t now, std::vector<Event>* out);
  // Closes the wallet's position on `sym` with a synthetic reduce-only market order at
  // `price` (recorded; rationale = reason), fee at `bps`. Returns the order id.
  OrderId ClosePosition(WalletId w, std::uint32_t sym, Price price, int bps,
                        const std::string& reason, std::int64_t now, std::vector<Event>* out);

  // ---- ticks (tick.cpp) ----
  void Apply(const MarketEvent& ev, std::vector<Event>* out);
  void FillResting(Sym& s, const MarketEvent& ev, std::vector<Event>* out);
  std::int64_t MarkAll(Sym& s, std::vector<WalletId>* stops, std::vector<WalletId>* liq);
  void TriggerStops(std::uint32_t sym, const std::vector<WalletId>& wallets_hit,
                    std::int64_t now, std::vector<Event>* out);
  bool BelowMaintenance(WalletId w) const;
  void Liquidate(WalletId w, std::int64_t now, std::vector<Event>* out);

  EngineConfig config;
  std::vector<Sym> syms;
  StringMap<std::uint32_t> sym_index;
  std::vector<WalletMoney> money;
  std::vector<WalletInfo> wallets;
  StringMap<WalletId> wallet_names;
  std::vector<OrderRec> orders;
  FillId next_fill = 1;
  std::int64_t arena_time = 0;
  // Arena accounts (see the ledger invariant in engine.cpp).
  std::int64_t deposits = 0;
  std::int64_t fees_collected = 0;
  std::int64_t insurance = 0;  // <= 0: minus the shortfalls covered
  std::int64_t pnl_paid = 0;   // sum of realised PnL credited to wallets
  std::int64_t sealed_held = 0;      // sum of the wallets' sealed holds
  std::int64_t sealed_pnl_paid = 0;  // sum of sealed-trade PnL credited to wallets
};

}  // namespace claw::engine
