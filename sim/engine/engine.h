// Engine: the arena's pure, deterministic core (ARCHITECTURE.md, "How data flows").
//
// Market data and commands in, events out. No I/O, no clocks, no threads: time is whatever the
// caller says it is (the feed's event time), so the same inputs give the same events, byte for
// byte. One thread owns an Engine; adapters (runner, server) serialise calls to it.
//
// Money is fixed-point (money.h) with 128-bit intermediates; there is no binary float here.
//
// Example:
//   Engine engine(EngineConfig{});
//   std::vector<Event> events;
//   WalletId alice = engine.OpenWallet("alice", &events);
//   engine.ApplyMarket(book_ticker, &events);           // a price makes the market open
//   OrderRequest req{.symbol = "BTCUSDT", .side = Side::kBuy, .type = OrderType::kMarket,
//                    .quantity = Qty{100'000}};
//   OrderId id = engine.PlaceOrder(alice, req, book_ticker.time_ms, &events);
//   // events now holds kOrderAccepted, kFill, kPositionChanged ... in order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/market_event.h"
#include "sim/engine/money.h"
#include "sim/engine/status.h"

namespace claw::engine {

using WalletId = std::uint32_t;
using OrderId = std::uint64_t;
using FillId = std::uint64_t;

// ---- configuration (PROTOCOL.md §11; every field has the documented default) ----

struct Instrument {
  std::string symbol;                    // "BTCUSDT"
  Price tick_size{100};                  // 0.01
  Qty step_size{1'000};                  // 0.00001
  Qty min_qty{0};                        // 0 = any positive multiple of step_size
  Cash min_notional{5 * kCashScale};     // 5 USDT
  int max_leverage = 20;
};

struct EngineConfig {
  Cash starting_balance{10'000 * kCashScale};
  int taker_bps = 4;
  int maker_bps = 2;
  int liquidation_bps = 50;      // fee on the notional closed by a liquidation
  int max_leverage = 20;         // arena-wide cap; an instrument may be lower
  // Margin level below which a wallet is liquidated, in 1e-4 units: 8000 = 0.8.
  std::int64_t liquidation_margin_level_e4 = 8'000;
  std::int64_t stale_feed_ms = 10'000;  // no update on a symbol for this long: MARKET_CLOSED
  // Instruments; when empty, every symbol seen in the feed becomes tradable with
  // `default_instrument`'s sizes (its symbol field ignored).
  std::vector<Instrument> instruments;
  Instrument default_instrument;
};

// ---- orders ----

enum class Side : std::uint8_t { kBuy, kSell };
enum class OrderType : std::uint8_t { kMarket, kLimit };
enum class TimeInForce : std::uint8_t { kGtc, kIoc, kFok };
// PROTOCOL.md §4 statuses.
enum class OrderStatus : std::uint8_t {
  kPending, kOpen, kPartiallyFilled, kFilled, kCancelled, kRejected, kExpired
};
// PROTOCOL.md §5 codes an engine decision can produce.
enum class RejectCode : std::uint8_t {
  kNone,
  kInvalidSymbol,
  kInvalidParameter,
  kInsufficientBalance,
  kRiskLimitExceeded,
  kMarketClosed,
  kDuplicateOrder,   // same client_order_id, different body
  kOrderNotFound,
};

const char* ToString(Side s);             // "buy" | "sell"
const char* ToString(OrderType t);        // "market" | "limit"
const char* ToString(TimeInForce t);      // "GTC" | "IOC" | "FOK"
const char* ToString(OrderStatus s);      // "pending" ... "expired"
const char* ToString(RejectCode c);       // "INVALID_SYMBOL" ...; "" for kNone

struct OrderRequest {
  std::string symbol;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Qty quantity{0};          // base units; exactly one of quantity / notional is non-zero
  Cash notional{0};         // quote units; converted to a quantity at the fill price
  Price price{0};           // limit only
  TimeInForce time_in_force = TimeInForce::kGtc;
  int leverage = 1;
  bool reduce_only = false;
  std::string client_order_id;  // idempotency key, per wallet; empty = none
  std::string rationale;        // <= 1000 chars
  // Optional protective levels attached to the resulting position (0 = none).
  Price stop_loss{0};
  Price take_profit{0};

  friend bool operator==(const OrderRequest&, const OrderRequest&) = default;
};

struct Order {
  OrderId id = 0;
  WalletId wallet = 0;
  OrderRequest request;
  OrderStatus status = OrderStatus::kPending;
  RejectCode reject = RejectCode::kNone;
  std::string reason;        // human-readable detail for rejections / cancellations
  Qty filled{0};
  Price average_price{0};
  Cash fees{0};
  Cash reserved{0};          // margin + fee held for the resting part of a limit order
  std::int64_t created_ms = 0;
  // Effective quantity: request.quantity, or the notional converted at placement, clipped to
  // the position for reduce-only orders. 0 for an order rejected before conversion.
  Qty quantity{0};
  std::int64_t updated_ms = 0;
};

struct Fill {
  FillId id = 0;
  OrderId order_id = 0;
  WalletId wallet = 0;
  std::string symbol;
  Side side = Side::kBuy;
  Qty quantity{0};
  Price price{0};
  Cash fee{0};
  bool maker = false;          // a resting limit filled when the market crossed it
  Cash realized_pnl{0};        // PnL realised by the reducing part of this fill (before fee)
  std::int64_t time_ms = 0;
};

// ---- positions and portfolio ----

struct Position {
  std::string symbol;
  Qty quantity{0};            // signed: > 0 long, < 0 short; never 0 for an open position
  Price entry_price{0};       // weighted average entry
  Price mark_price{0};
  int leverage = 1;
  Cash margin{0};             // |quantity| * entry / leverage
  Cash unrealized_pnl{0};
  Price liquidation_price{0}; // estimate for this position alone; 0 when none
  Price stop_loss{0};         // 0 = none
  Price take_profit{0};       // 0 = none
  std::int64_t opened_ms = 0;
};

struct Portfolio {
  WalletId wallet = 0;
  std::string name;
  Cash deposits{0};
  Cash balance{0};            // cash: deposits + realised PnL - fees - liquidation losses
  Cash equity{0};             // balance + sum(unrealized PnL), never below 0 after liquidation
  Cash margin_used{0};
  Cash reserved{0};           // held for open orders
  Cash available{0};          // equity - margin_used - reserved
  Cash unrealized_pnl{0};
  Cash realized_pnl{0};
  Cash fees_paid{0};
  int liquidations = 0;
  Cash sealed_held{0};        // lobs held by open sealed trades (sealed.h); not in balance
  std::vector<Position> positions;  // sorted by symbol
  std::int64_t updated_ms = 0;
};

struct Quote {
  std::string symbol;
  Price bid{0}, ask{0}, last{0}, mark{0};  // 0 = not known yet
  Qty bid_qty{0}, ask_qty{0};
  std::int64_t time_ms = 0;                // last update on this symbol
};

// ---- events: the engine's only output ----

enum class EventKind : std::uint8_t {
  kWalletOpened,     // wallet, cash = deposit
  kOrderAccepted,    // order (status open/pending at acceptance)
  kOrderRejected,    // order, code, reason
  kFill,             // fill, order (updated status)
  kOrderCancelled,   // order, reason ("IOC remainder", "FOK not fillable", "user", "liquidation")
  kOrderExpired,     // order
  kPositionChanged,  // position (after the change; quantity 0 = closed)
  kStopTriggered,    // position, reason "stop_loss" | "take_profit"; followed by its fills
  kLiquidated,       // wallet, cash = fee charged, shortfall = booked to the insurance fund
  kTickApplied,      // symbol, time: one market update applied (one per ApplyMarket call)
};
const char* ToString(EventKind k);  // "wallet_opened", "order_accepted", ...

struct Event {
  EventKind kind = EventKind::kTickApplied;
  std::int64_t time_ms = 0;
  WalletId wallet = 0;
  std::string symbol;
  Order order;          // kOrderAccepted, kOrderRejected, kFill, kOrderCancelled, kOrderExpired
  Fill fill;            // kFill
  Position position;    // kPositionChanged, kStopTriggered
  Cash cash{0};         // kWalletOpened: deposit; kLiquidated: fee
  Cash shortfall{0};    // kLiquidated
  std::string reason;
  // kTickApplied: how many open positions this update marked to market (only the holders of
  // `symbol`), and the symbol's mark after the update in position.mark_price.
  std::int64_t positions_marked = 0;
};

// ---- the engine ----

class Engine {
 public:
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineConfig& config() const;

  // Opens a wallet with the configured starting balance (or `deposit` when given).
  // Names are unique; a second wallet with the same name is an error.
  Result<WalletId> OpenWallet(std::string name, std::vector<Event>* out);
  Result<WalletId> OpenWallet(std::string name, Cash deposit, std::vector<Event>* out);

  // Applies one market update at ev.time_ms: updates the quote, marks positions on that symbol
  // to market, fills resting limit orders the market now crosses, triggers stop-loss and
  // take-profit, then liquidates wallets (holding that symbol) whose margin level fell below
  // the threshold. Emits kTickApplied last. Unknown symbols become instruments when the
  // config has none. Cost grows with the holders of ev.symbol, not with all positions.
  void ApplyMarket(const MarketEvent& ev, std::vector<Event>* out);

  // Places an order at `now_ms`. Always returns an order id: a refused order is recorded with
  // status kRejected (kOrderRejected event). A repeated client_order_id with the same request
  // returns the original order's id and emits nothing; with a different request it is
  // rejected with kDuplicateOrder (kOrderRejected with order id 0; not recorded; returns 0).
  // An unknown wallet returns 0 and emits nothing. Rules and rounding: orders.cpp, fills.cpp.
  OrderId PlaceOrder(WalletId wallet, const OrderRequest& request, std::int64_t now_ms,
                     std::vector<Event>* out);

  // Cancels one open order of `wallet`. kNotFound when it is not the wallet's or not open.
  Status CancelOrder(WalletId wallet, OrderId id, std::int64_t now_ms, std::vector<Event>* out);
  Status CancelByClientId(WalletId wallet, std::string_view client_order_id,
                          std::int64_t now_ms, std::vector<Event>* out);
  // Cancels every open order of `wallet`; returns how many.
  int CancelAll(WalletId wallet, std::int64_t now_ms, std::vector<Event>* out);

  // Sets (or clears, with 0) stop-loss / take-profit on the wallet's open position in `symbol`.
  Status SetStops(WalletId wallet, std::string_view symbol, Price stop_loss, Price take_profit,
                  std::int64_t now_ms, std::vector<Event>* out);

  // ---- sealed trades (the wallet side of sim/engine/sealed.h) ----
  // Moves `amount` (> 0) from the wallet's balance into its sealed hold. kRejected with
  // "INSUFFICIENT_BALANCE" in the message when it exceeds the wallet's available cash.
  Status HoldSealed(WalletId wallet, Cash amount, std::int64_t now_ms);
  // Releases `held` from the wallet's sealed hold and credits held + pnl to its balance; the
  // sealed-trade PnL is paid by (or to) the market's sealed account. REQUIRES: pnl >= -held.
  Status ReleaseSealed(WalletId wallet, Cash held, Cash pnl, std::int64_t now_ms);

  // ---- queries (no events) ----
  Result<Portfolio> GetPortfolio(WalletId wallet) const;
  const Order* FindOrder(OrderId id) const;
  std::vector<Order> OpenOrders(WalletId wallet) const;
  std::vector<Quote> Quotes() const;          // sorted by symbol
  const Quote* FindQuote(std::string_view symbol) const;
  std::vector<Instrument> Instruments() const;  // sorted by symbol
  std::vector<WalletId> Wallets() const;      // in opening order
  std::int64_t arena_time_ms() const;         // latest market time applied

  // Arena-level accounts for the ledger invariant.
  Cash total_deposits() const;
  Cash total_balances() const;
  Cash fees_collected() const;
  Cash insurance_fund() const;   // shortfalls covered (booked as a negative balance here)
  Cash market_pnl() const;       // the market as counterparty: -(sum of realised PnL)
  Cash sealed_held() const;      // lobs held by open sealed trades, all wallets
  Cash sealed_pnl_paid() const;  // sum of sealed-trade PnL credited to wallets

  // The ledger invariant (stated in engine.cpp): deposits + realised PnL paid by the market +
  // sealed PnL paid = balances + fees collected + insurance-fund bookings + sealed holds, exactly; and every open position has
  // margin > 0; and reserved amounts equal the sum over open orders. kInternal on violation.
  Status CheckInvariants() const;

  // Opaque state, defined in sim/engine/engine_internal.h (internal to sim/engine). Named
  // publicly only so the engine's own translation units can use it in helpers.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace claw::engine
