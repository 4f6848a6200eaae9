// Sealed (commit-reveal) trades, PROTOCOL.md §6 and seed 001: reveal periods, the price tape
// reveals are checked against, and the sealed-trade book.
//
// Pure and deterministic like the rest of sim/engine: no I/O, no clocks; time is whatever the
// caller passes (the arena clock). The book never checks hashes or signatures; the caller
// (server, runner) has verified them before calling Reveal/Close. What the book decides:
//  - Commit holds `lobs` (integer quote units) from the wallet through Engine::HoldSealed, so
//    the engine's ledger invariant covers sealed money exactly.
//  - Reveal checks the revealed price against the tape at the commit timestamp within
//    tolerance_bps (reasons no_tape_price, price_off_tape, unknown_symbol).
//  - Close (of a revealed open) checks the close price on the tape at its timestamp, computes
//    pnl_lobs = lobs * (close - open) / open (negated for SHORT) and pnl_percent, each with 4
//    decimals rounded half to even from 128-bit intermediates, and returns held + pnl to the
//    wallet (Engine::ReleaseSealed). A loss never exceeds the held lobs (pnl >= -lobs).
//  - AdvanceTo: at its period's end an unrevealed open becomes pending_reveal; at the end of
//    the grace it becomes reveal_failed and its lobs go back with zero PnL.
//  - Rankings per period from revealed trades only.
// Every refusal changes nothing. Thread safety: none; one thread owns a SealedBook.
//
// Example:
//   auto clock = RevealClock::Make(14, "friday 00:00 UTC", 24).value();
//   SealedBook book(clock, 50);
//   PriceTape tape;
//   tape.Record("BTCUSDT", t0, Price{8'755'000});
//   SealedResult r = book.Commit(&engine, alice, SealedSide::kLong, 500, t0, t0, &changes);
//   book.Reveal(alice, r.id, "BTCUSDT", "875.5", Price{8'755'000}, tape, t1, &changes);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/money.h"
#include "sim/engine/status.h"

namespace claw::engine {

// ---- reveal periods ----

// Parses a weekly anchor such as "friday 00:00 UTC" (weekday in English, full or three
// letters, any case; optional HH:MM, default 00:00; optional "UTC") into the first matching
// instant at or after the Unix epoch, in ms: "friday 00:00 UTC" -> 86'400'000 (1970-01-02).
Result<std::int64_t> ParseRevealAnchor(std::string_view text);

// Period N = floor((t - anchor) / period). Plain value.
class RevealClock {
 public:
  // period_days >= 1, grace_h >= 0 and below the period length.
  static Result<RevealClock> Make(int period_days, std::string_view anchor, int grace_h);

  std::int64_t anchor_ms() const { return anchor_ms_; }
  std::int64_t period_ms() const { return period_ms_; }
  std::int64_t grace_ms() const { return grace_ms_; }
  std::int64_t Period(std::int64_t t_ms) const;  // floor division; negative before the anchor
  std::int64_t Start(std::int64_t period) const { return anchor_ms_ + period * period_ms_; }
  std::int64_t End(std::int64_t period) const { return Start(period + 1); }
  std::int64_t GraceEnd(std::int64_t period) const { return End(period) + grace_ms_; }

 private:
  std::int64_t anchor_ms_ = 86'400'000;
  std::int64_t period_ms_ = 14 * 86'400'000LL;
  std::int64_t grace_ms_ = 24 * 3'600'000LL;
};

// ---- the price tape ----

// Per symbol, the points where its price changed. Compact: a point only when the price differs
// from the symbol's previous one. Lookup at t = the last point at or before t.
class PriceTape {
 public:
  struct Point {
    std::int64_t time_ms = 0;
    Price price;
    friend bool operator==(const Point&, const Point&) = default;
  };

  // Appends a point when `price` differs from the symbol's last one. A time before the last
  // point's is ignored (the arena clock never goes back). True when a point was added.
  bool Record(std::string_view symbol, std::int64_t time_ms, Price price);
  // The price at `time_ms`, or nullopt when the tape has no point at or before it (or that
  // time was pruned away).
  std::optional<Price> At(std::string_view symbol, std::int64_t time_ms) const;
  bool Knows(std::string_view symbol) const;
  // Drops points older than `cutoff_ms`, keeping per symbol the last point at or before it
  // (so lookups from the cutoff on still answer); earlier times then answer nullopt.
  // Returns how many points were dropped.
  std::size_t Prune(std::int64_t cutoff_ms);
  std::size_t size() const { return points_count_; }

  struct Series {
    std::vector<Point> points;       // ascending time, adjacent prices differ
    std::int64_t covered_from_ms = 0;  // lookups before this time answer nullopt
  };
  const std::map<std::string, Series, std::less<>>& series() const { return series_; }

 private:
  std::map<std::string, Series, std::less<>> series_;
  std::size_t points_count_ = 0;
};

// ---- the sealed-trade book ----

using SealedId = std::uint64_t;
enum class SealedSide : std::uint8_t { kLong, kShort };
enum class SealedAction : std::uint8_t { kOpen, kClose };
enum class SealedStatus : std::uint8_t {
  kCommitted, kRevealed, kClosed, kPendingReveal, kRevealFailed
};
const char* ToString(SealedSide s);     // "LONG" | "SHORT"
const char* ToString(SealedAction a);   // "OPEN" | "CLOSE"
const char* ToString(SealedStatus s);   // "committed" | ... | "reveal_failed"
std::optional<SealedSide> ParseSealedSide(std::string_view s);  // exact "LONG" | "SHORT"

// Why the book refused (kNone: it did not).
enum class SealedReject : std::uint8_t {
  kNone,
  kNotFound,             // no such trade, or not the caller's
  kInvalidParameter,     // lobs <= 0 or too large, close before open, not an OPEN trade
  kInsufficientBalance,  // lobs exceed the wallet's available cash
  kAlreadyRevealed,
  kNotRevealed,          // close without reveal data for an unrevealed open
  kAlreadyClosed,
  kWindowClosed,         // after the grace of the trade's period (or reveal_failed)
  kUnknownSymbol,        // the tape has never seen the symbol
  kNoTapePrice,          // the tape has no price for the symbol at that time
  kPriceOffTape,         // further than tolerance_bps from the tape
};
// "not_found", "invalid_parameter", "insufficient_balance", "already_revealed",
// "not_revealed", "already_closed", "window_closed", "unknown_symbol", "no_tape_price",
// "price_off_tape"; "" for kNone.
const char* ToString(SealedReject r);
// The §5 error code a refusal is answered with (server and `arena-sim run` alike): NOT_FOUND,
// INVALID_PARAMETER, INSUFFICIENT_BALANCE, ALREADY_REVEALED, REVEAL_REQUIRED, ALREADY_CLOSED,
// REVEAL_WINDOW_CLOSED, or REVEAL_MISMATCH for the three tape refusals; "" for kNone.
// Wire vocabulary: never rename.
const char* ErrorCode(SealedReject r);

struct SealedResult {
  SealedReject reject = SealedReject::kNone;
  std::string message;  // for a refusal: human-readable, names the numbers involved
  SealedId id = 0;      // Commit: the new trade; Close: the CLOSE trade
  bool ok() const { return reject == SealedReject::kNone; }
};

struct SealedTrade {
  SealedId id = 0;
  WalletId wallet = 0;
  SealedAction action = SealedAction::kOpen;
  SealedSide side = SealedSide::kLong;
  std::int64_t lobs = 0;            // integer quote units
  std::int64_t timestamp_ms = 0;    // the committed timestamp
  std::int64_t period = 0;          // of the (open's) commit timestamp
  std::int64_t created_ms = 0;      // arena time of the commit (or close)
  SealedStatus status = SealedStatus::kCommitted;
  bool revealed = false;
  std::string symbol;               // "" until revealed
  std::string price_text;           // as revealed ("875.5"); "" until revealed
  Price price;                      // the same, fixed-point
  std::int64_t revealed_ms = 0;
  SealedId opening_id = 0;          // CLOSE: its open
  SealedId close_id = 0;            // OPEN: its close, once closed
  bool has_pnl = false;             // closed (both trades) or reveal_failed (zero)
  std::int64_t pnl_e4 = 0;          // pnl_lobs in 1e-4 quote units
  std::int64_t pnl_percent_e4 = 0;  // pnl_percent in 1e-4 percent
  std::int64_t held = 0;            // Cash units still held (OPEN until closed / failed)
};

// A trade whose status changed (for the caller's rows and audit).
struct SealedChange {
  SealedId id = 0;
  SealedStatus status = SealedStatus::kCommitted;
};

struct SealedRanking {
  int rank = 0;
  WalletId wallet = 0;
  std::int64_t pnl_e4 = 0;          // sum over the period's revealed closed trades
  std::int64_t pnl_percent_e4 = 0;  // pnl over the lobs of those trades, in 1e-4 percent
  int revealed = 0;                 // revealed opens of the period (closed or not)
  int closed = 0;
  int failed = 0;                   // reveal_failed opens of the period
};

// pnl_lobs and pnl_percent of a close, 4 decimals, half to even; the loss is capped at the
// lobs (-100 %). REQUIRES: open.ticks > 0, close.ticks >= 0, lobs >= 0.
void SealedPnl(SealedSide side, std::int64_t lobs, Price open, Price close,
               std::int64_t* pnl_e4, std::int64_t* pnl_percent_e4);

// Checks `price` against the tape at `time_ms`: kNone, kUnknownSymbol, kNoTapePrice or
// kPriceOffTape (|price - tape| * 10000 > tolerance_bps * tape), with `detail` on refusal.
SealedReject CheckTapePrice(const PriceTape& tape, std::string_view symbol, Price price,
                            std::int64_t time_ms, int tolerance_bps, std::string* detail);

class SealedBook {
 public:
  SealedBook(RevealClock clock, int tolerance_bps);

  const RevealClock& clock() const { return clock_; }
  int tolerance_bps() const { return tolerance_bps_; }

  // Records an OPEN commitment of `lobs` at `timestamp_ms` (its period is that timestamp's),
  // holding the lobs from the wallet. The caller has checked the timestamp against its clock
  // and the signature. A commit into a period that already ended starts pending_reveal.
  SealedResult Commit(Engine* engine, WalletId wallet, SealedSide side, std::int64_t lobs,
                      std::int64_t timestamp_ms, std::int64_t now_ms,
                      std::vector<SealedChange>* changes);

  // Reveals an open (committed or pending_reveal) of `wallet`; the caller has verified the
  // hash and signature. Checks the tape at the commit timestamp.
  SealedResult Reveal(WalletId wallet, SealedId id, std::string_view symbol,
                      std::string_view price_text, Price price, const PriceTape& tape,
                      std::int64_t now_ms, std::vector<SealedChange>* changes);

  struct RevealData {
    std::string symbol;
    std::string price_text;
    Price price;
  };
  // Closes a revealed open (revealing it first when `reveal` is given and it is not yet),
  // records the CLOSE trade (its symbol is the open's) and pays held + pnl back.
  SealedResult Close(Engine* engine, WalletId wallet, SealedId open_id,
                     const std::optional<RevealData>& reveal, std::string_view close_price_text,
                     Price close_price, std::int64_t close_timestamp_ms, const PriceTape& tape,
                     std::int64_t now_ms, std::vector<SealedChange>* changes);

  // Period transitions up to `now_ms` (call after every change of the arena clock; cheap when
  // no boundary was crossed).
  void AdvanceTo(Engine* engine, std::int64_t now_ms, std::vector<SealedChange>* changes);

  const SealedTrade* Find(SealedId id) const;
  const std::vector<SealedTrade>& trades() const { return trades_; }  // ids 1..n in order
  // The period's ranking from revealed trades only (seed 001: "unrevealed/failed trades
  // excluded from rankings"): wallets with a revealed open in that period, by pnl (desc), then
  // pnl_percent (desc), then wallet id; `failed` counts their reveal_failed opens beside. A
  // wallet whose opens all failed is not ranked, so hiding every trade never beats a loss.
  std::vector<SealedRanking> Rankings(std::int64_t period) const;

 private:
  SealedTrade* Mutable(SealedId id);
  void Unpend(const SealedTrade& t);  // off the unrevealed index
  SealedResult RevealChecks(const SealedTrade& t, WalletId wallet, std::string_view symbol,
                            Price price, const PriceTape& tape, std::int64_t now_ms) const;

  RevealClock clock_;
  int tolerance_bps_;
  std::vector<SealedTrade> trades_;
  // Unrevealed opens by period (the only trades a transition can touch).
  std::map<std::int64_t, std::set<SealedId>> unrevealed_;
  std::int64_t next_check_ms_ = INT64_MAX;
};

}  // namespace claw::engine
