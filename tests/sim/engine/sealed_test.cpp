// Sealed trades: reveal periods, price tape, the sealed-trade book and its ledger effects.
#include "sim/engine/sealed.h"

#include <catch2/catch.hpp>

#include "tests/sim/engine/engine_test_util.h"

namespace claw::engine {
namespace {

using testing::Px;
using testing::Usd;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kHour = 3'600'000;
// 2026-01-02T00:00:00Z is a Friday: 20455 days after the epoch.
constexpr std::int64_t kFri = 20'455 * kDay;

Price operator+(Price a, Price b) { return Price{a.ticks + b.ticks}; }

RevealClock DefaultClock() { return RevealClock::Make(14, "friday 00:00 UTC", 24).value(); }

struct Fixture {
  Engine engine{EngineConfig{}};
  SealedBook book{DefaultClock(), 50};
  PriceTape tape;
  std::vector<SealedChange> changes;
  WalletId alice = 0, bob = 0;
  Fixture() {
    std::vector<Event> ev;
    alice = engine.OpenWallet("alice", &ev).value();
    bob = engine.OpenWallet("bob", &ev).value();
    tape.Record("NVDA", kFri, Px(875) + Price{5'000});  // 875.5
  }
};

TEST_CASE("reveal anchors name the first matching instant after the epoch", "[sealed]") {
  CHECK(ParseRevealAnchor("friday 00:00 UTC").value() == kDay);
  CHECK(ParseRevealAnchor("Friday").value() == kDay);
  CHECK(ParseRevealAnchor("thu 00:00").value() == 0);
  CHECK(ParseRevealAnchor("wednesday 12:30 utc").value() == 6 * kDay + 12 * kHour + 30 * 60'000);
  CHECK_FALSE(ParseRevealAnchor("someday 00:00").ok());
  CHECK_FALSE(ParseRevealAnchor("friday 24:00").ok());
  CHECK_FALSE(ParseRevealAnchor("friday 0000").ok());
  CHECK_FALSE(ParseRevealAnchor("").ok());
}

TEST_CASE("period index, start, end and grace end", "[sealed]") {
  RevealClock c = DefaultClock();
  CHECK(c.Period(kDay) == 0);
  CHECK(c.Period(kDay - 1) == -1);
  CHECK(c.Period(kDay + 14 * kDay) == 1);
  const std::int64_t n = c.Period(kFri + 5 * kDay);
  CHECK(c.Start(n) <= kFri + 5 * kDay);
  CHECK(kFri + 5 * kDay < c.End(n));
  CHECK(c.End(n) - c.Start(n) == 14 * kDay);
  CHECK(c.GraceEnd(n) == c.End(n) + 24 * kHour);
  CHECK((c.Start(n) - kDay) % (7 * kDay) == 0);  // always a Friday
  CHECK_FALSE(RevealClock::Make(0, "friday", 24).ok());
  CHECK_FALSE(RevealClock::Make(1, "friday", 24).ok());  // grace as long as the period
  CHECK(RevealClock::Make(1, "friday", 23).ok());
}

TEST_CASE("the price tape keeps changes only and answers the last point at or before t",
          "[sealed]") {
  PriceTape tape;
  CHECK(tape.Record("BTC", 1'000, Px(100)));
  CHECK_FALSE(tape.Record("BTC", 2'000, Px(100)));  // unchanged: no point
  CHECK(tape.Record("BTC", 3'000, Px(101)));
  CHECK_FALSE(tape.Record("BTC", 2'500, Px(99)));  // back in time: ignored
  CHECK(tape.size() == 2);
  CHECK_FALSE(tape.At("BTC", 999).has_value());
  CHECK(tape.At("BTC", 1'000) == Px(100));
  CHECK(tape.At("BTC", 2'999) == Px(100));
  CHECK(tape.At("BTC", 3'000) == Px(101));
  CHECK(tape.At("BTC", 99'999) == Px(101));
  CHECK_FALSE(tape.At("ETH", 3'000).has_value());
  CHECK(tape.Record("BTC", 5'000, Px(102)));
  CHECK(tape.Prune(4'000) == 1);  // keeps 3'000 (the price at the cutoff) and 5'000
  CHECK(tape.size() == 2);
  CHECK_FALSE(tape.At("BTC", 3'500).has_value());  // before the cutoff: pruned away
  CHECK(tape.At("BTC", 4'000) == Px(101));
  CHECK(tape.At("BTC", 5'000) == Px(102));
}

TEST_CASE("tape checks: tolerance in basis points, unknown symbol, no price", "[sealed]") {
  PriceTape tape;
  tape.Record("BTC", 1'000, Px(10'000));
  std::string d;
  CHECK(CheckTapePrice(tape, "BTC", Px(10'050), 1'000, 50, &d) == SealedReject::kNone);
  CHECK(CheckTapePrice(tape, "BTC", Px(9'950), 1'000, 50, &d) == SealedReject::kNone);
  CHECK(CheckTapePrice(tape, "BTC", Price{Px(10'050).ticks + 1}, 1'000, 50, &d) ==
        SealedReject::kPriceOffTape);
  CHECK(d.find("off the tape") != std::string::npos);
  CHECK(CheckTapePrice(tape, "ETH", Px(1), 1'000, 50, &d) == SealedReject::kUnknownSymbol);
  CHECK(CheckTapePrice(tape, "BTC", Px(10'000), 999, 50, &d) == SealedReject::kNoTapePrice);
}

TEST_CASE("sealed pnl: 4 decimals, half to even, negated for SHORT, loss capped", "[sealed]") {
  std::int64_t pnl = 0, pct = 0;
  // 500 * (892.25 - 875.5) / 875.5 = 9.56596...; percent 1.91319...
  SealedPnl(SealedSide::kLong, 500, Price{8'755'000}, Price{8'922'500}, &pnl, &pct);
  CHECK(pnl == 95'660);
  CHECK(pct == 19'132);
  SealedPnl(SealedSide::kShort, 500, Price{8'755'000}, Price{8'922'500}, &pnl, &pct);
  CHECK(pnl == -95'660);
  CHECK(pct == -19'132);
  // Exact halves go to even: 10 * 0.0005 / 100 = 0.00005 -> 0.0000; 30 * ... = 0.00015 -> 0.0002.
  SealedPnl(SealedSide::kLong, 10, Price{1'000'000}, Price{1'000'005}, &pnl, &pct);
  CHECK(pnl == 0);
  SealedPnl(SealedSide::kLong, 30, Price{1'000'000}, Price{1'000'005}, &pnl, &pct);
  CHECK(pnl == 2);
  SealedPnl(SealedSide::kShort, 30, Price{1'000'000}, Price{1'000'005}, &pnl, &pct);
  CHECK(pnl == -2);
  SealedPnl(SealedSide::kShort, 100, Px(100), Px(300), &pnl, &pct);
  CHECK(pnl == -100 * 10'000);  // a loss never exceeds the stake
  CHECK(pct == -1'000'000);
}

TEST_CASE("commit holds lobs through the engine; insufficient balance changes nothing",
          "[sealed]") {
  Fixture f;
  SealedResult r = f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 500, kFri + kHour,
                                 kFri + kHour, &f.changes);
  REQUIRE(r.ok());
  CHECK(r.id == 1);
  Portfolio p = f.engine.GetPortfolio(f.alice).value();
  CHECK(p.balance == Usd(9'500));
  CHECK(p.sealed_held == Usd(500));
  CHECK(f.engine.CheckInvariants().ok());
  const SealedTrade* t = f.book.Find(1);
  REQUIRE(t != nullptr);
  CHECK(t->status == SealedStatus::kCommitted);
  CHECK(t->period == f.book.clock().Period(kFri + kHour));
  CHECK_FALSE(t->revealed);

  SealedResult big = f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 9'501, kFri + kHour,
                                   kFri + kHour, &f.changes);
  CHECK(big.reject == SealedReject::kInsufficientBalance);
  CHECK(f.book.trades().size() == 1);
  CHECK(f.engine.GetPortfolio(f.alice).value().balance == Usd(9'500));
  CHECK(f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 0, kFri, kFri, &f.changes).reject ==
        SealedReject::kInvalidParameter);
  CHECK(f.engine.CheckInvariants().ok());
}

TEST_CASE("reveal checks the tape at the commit time; refusals change nothing", "[sealed]") {
  Fixture f;
  const std::int64_t t0 = kFri + kHour;
  REQUIRE(f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 500, t0, t0, &f.changes).ok());
  f.tape.Record("NVDA", t0 + 1'000, Px(900));  // the price moved after the commit
  f.changes.clear();
  CHECK(f.book.Reveal(f.alice, 1, "NVDA", "900", Px(900), f.tape, t0 + 2'000, &f.changes).reject ==
        SealedReject::kPriceOffTape);
  CHECK(f.book.Reveal(f.alice, 1, "AAPL", "875.5", Price{8'755'000}, f.tape, t0 + 2'000,
                      &f.changes)
            .reject == SealedReject::kUnknownSymbol);
  CHECK(f.book.Reveal(f.bob, 1, "NVDA", "875.5", Price{8'755'000}, f.tape, t0 + 2'000, &f.changes)
            .reject == SealedReject::kNotFound);
  CHECK(f.changes.empty());
  CHECK_FALSE(f.book.Find(1)->revealed);
  // Within 50 bps of 875.5.
  SealedResult ok =
      f.book.Reveal(f.alice, 1, "NVDA", "878", Px(878), f.tape, t0 + 3'000, &f.changes);
  REQUIRE(ok.ok());
  const SealedTrade* t = f.book.Find(1);
  CHECK(t->revealed);
  CHECK(t->status == SealedStatus::kRevealed);
  CHECK(t->symbol == "NVDA");
  CHECK(t->price_text == "878");
  CHECK(t->revealed_ms == t0 + 3'000);
  REQUIRE(f.changes.size() == 1);
  CHECK(f.book.Reveal(f.alice, 1, "NVDA", "878", Px(878), f.tape, t0 + 4'000, &f.changes).reject ==
        SealedReject::kAlreadyRevealed);
}

TEST_CASE("close pays held lobs plus pnl back, LONG and SHORT, and records a CLOSE trade",
          "[sealed]") {
  Fixture f;
  const std::int64_t t0 = kFri + kHour;
  REQUIRE(f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 500, t0, t0, &f.changes).ok());
  REQUIRE(f.book.Commit(&f.engine, f.bob, SealedSide::kShort, 500, t0, t0, &f.changes).ok());
  f.tape.Record("NVDA", t0 + kHour, Price{8'922'500});  // 892.25
  const SealedBook::RevealData open{"NVDA", "875.5", Price{8'755'000}};
  // Not revealed and no reveal data: refused.
  CHECK(f.book.Close(&f.engine, f.alice, 1, std::nullopt, "892.25", Price{8'922'500}, t0 + kHour,
                     f.tape, t0 + kHour, &f.changes)
            .reject == SealedReject::kNotRevealed);
  // Close price off the tape: refused, the open stays unrevealed.
  CHECK(f.book.Close(&f.engine, f.alice, 1, open, "950", Px(950), t0 + kHour, f.tape,
                     t0 + kHour, &f.changes)
            .reject == SealedReject::kPriceOffTape);
  CHECK_FALSE(f.book.Find(1)->revealed);

  SealedResult a = f.book.Close(&f.engine, f.alice, 1, open, "892.25", Price{8'922'500},
                                t0 + kHour, f.tape, t0 + kHour, &f.changes);
  REQUIRE(a.ok());
  const SealedTrade* close = f.book.Find(a.id);
  REQUIRE(close != nullptr);
  CHECK(close->action == SealedAction::kClose);
  CHECK(close->opening_id == 1);
  CHECK(close->symbol == "NVDA");
  CHECK(close->pnl_e4 == 95'660);
  CHECK(close->pnl_percent_e4 == 19'132);
  const SealedTrade* o = f.book.Find(1);
  CHECK(o->status == SealedStatus::kClosed);
  CHECK(o->revealed);
  CHECK(o->close_id == a.id);
  CHECK(o->held == 0);
  Portfolio pa = f.engine.GetPortfolio(f.alice).value();
  CHECK(pa.balance.units == Usd(10'000).units + 95'660 * 10'000);
  CHECK(pa.sealed_held == Cash{0});

  SealedResult b = f.book.Close(&f.engine, f.bob, 2, open, "892.25", Price{8'922'500},
                                t0 + kHour, f.tape, t0 + kHour, &f.changes);
  REQUIRE(b.ok());
  CHECK(f.book.Find(b.id)->pnl_e4 == -95'660);
  CHECK(f.engine.GetPortfolio(f.bob).value().balance.units == Usd(10'000).units - 95'660 * 10'000);
  CHECK(f.engine.sealed_pnl_paid() == Cash{0});
  CHECK(f.engine.CheckInvariants().ok());
  CHECK(f.book.Close(&f.engine, f.alice, 1, open, "892.25", Price{8'922'500}, t0 + kHour, f.tape,
                     t0 + kHour, &f.changes)
            .reject == SealedReject::kAlreadyClosed);
}

TEST_CASE("period end makes trades pending_reveal; after the grace they fail with zero pnl",
          "[sealed]") {
  Fixture f;
  const RevealClock& c = f.book.clock();
  const std::int64_t t0 = kFri + kHour;
  const std::int64_t n = c.Period(t0);
  REQUIRE(f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 500, t0, t0, &f.changes).ok());
  REQUIRE(f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 300, t0, t0, &f.changes).ok());
  REQUIRE(f.book.Commit(&f.engine, f.bob, SealedSide::kLong, 100, t0, t0, &f.changes).ok());
  REQUIRE(f.book.Reveal(f.bob, 3, "NVDA", "875.5", Price{8'755'000}, f.tape, t0, &f.changes).ok());
  f.changes.clear();
  f.book.AdvanceTo(&f.engine, c.End(n) - 1, &f.changes);
  CHECK(f.changes.empty());
  f.book.AdvanceTo(&f.engine, c.End(n), &f.changes);
  REQUIRE(f.changes.size() == 2);
  CHECK(f.book.Find(1)->status == SealedStatus::kPendingReveal);
  CHECK(f.book.Find(3)->status == SealedStatus::kRevealed);
  // Reveal during the grace works.
  f.changes.clear();
  REQUIRE(f.book.Reveal(f.alice, 2, "NVDA", "875.5", Price{8'755'000}, f.tape, c.End(n) + kHour,
                        &f.changes)
              .ok());
  f.book.AdvanceTo(&f.engine, c.GraceEnd(n) - 1, &f.changes);
  CHECK(f.changes.size() == 1);
  f.book.AdvanceTo(&f.engine, c.GraceEnd(n), &f.changes);
  REQUIRE(f.changes.size() == 2);
  CHECK(f.changes[1].id == 1);
  const SealedTrade* failed = f.book.Find(1);
  CHECK(failed->status == SealedStatus::kRevealFailed);
  CHECK(failed->has_pnl);
  CHECK(failed->pnl_e4 == 0);
  Portfolio p = f.engine.GetPortfolio(f.alice).value();
  CHECK(p.sealed_held == Usd(300));  // trade 2 (revealed, open) still holds its lobs
  CHECK(p.balance == Usd(9'700));
  CHECK(f.engine.CheckInvariants().ok());
  // After the grace: too late to reveal, too late to close the failed one.
  CHECK(f.book.Reveal(f.alice, 1, "NVDA", "875.5", Price{8'755'000}, f.tape, c.GraceEnd(n),
                      &f.changes)
            .reject == SealedReject::kWindowClosed);
  CHECK(f.book.Close(&f.engine, f.alice, 1, SealedBook::RevealData{"NVDA", "875.5", Price{8'755'000}},
                     "875.5", Price{8'755'000}, c.GraceEnd(n), f.tape, c.GraceEnd(n), &f.changes)
            .reject == SealedReject::kWindowClosed);
}

TEST_CASE("a reveal after the grace is refused even before AdvanceTo ran", "[sealed]") {
  Fixture f;
  const RevealClock& c = f.book.clock();
  const std::int64_t t0 = kFri + kHour;
  REQUIRE(f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 500, t0, t0, &f.changes).ok());
  CHECK(f.book.Reveal(f.alice, 1, "NVDA", "875.5", Price{8'755'000}, f.tape,
                      c.GraceEnd(c.Period(t0)), &f.changes)
            .reject == SealedReject::kWindowClosed);
}

TEST_CASE("rankings count revealed closed trades of the period only", "[sealed]") {
  Fixture f;
  const RevealClock& c = f.book.clock();
  const std::int64_t t0 = kFri + kHour;
  const std::int64_t n = c.Period(t0);
  const SealedBook::RevealData open{"NVDA", "875.5", Price{8'755'000}};
  f.tape.Record("NVDA", t0 + kHour, Price{8'922'500});
  REQUIRE(f.book.Commit(&f.engine, f.alice, SealedSide::kShort, 500, t0, t0, &f.changes).ok());
  REQUIRE(f.book.Commit(&f.engine, f.bob, SealedSide::kLong, 1'000, t0, t0, &f.changes).ok());
  REQUIRE(f.book.Commit(&f.engine, f.bob, SealedSide::kLong, 1'000, t0, t0, &f.changes).ok());
  REQUIRE(f.book.Close(&f.engine, f.alice, 1, open, "892.25", Price{8'922'500}, t0 + kHour, f.tape,
                       t0 + kHour, &f.changes)
              .ok());
  REQUIRE(f.book.Close(&f.engine, f.bob, 2, open, "892.25", Price{8'922'500}, t0 + kHour, f.tape,
                       t0 + kHour, &f.changes)
              .ok());
  // Bob's third trade never reveals; neither does carol's only one, so she is not ranked.
  std::vector<Event> ev;
  const WalletId carol = f.engine.OpenWallet("carol", &ev).value();
  const SealedResult hidden = f.book.Commit(&f.engine, carol, SealedSide::kLong, 100, t0, t0, &f.changes);
  REQUIRE(hidden.ok());
  f.book.AdvanceTo(&f.engine, c.GraceEnd(n), &f.changes);
  REQUIRE(f.book.Find(hidden.id)->status == SealedStatus::kRevealFailed);
  std::vector<SealedRanking> r = f.book.Rankings(n);
  REQUIRE(r.size() == 2);
  CHECK(r[0].wallet == f.bob);
  CHECK(r[0].rank == 1);
  CHECK(r[0].pnl_e4 == 191'319);  // 1000 * 16.75 / 875.5 = 19.13192...
  CHECK(r[0].pnl_percent_e4 == 19'132);
  CHECK(r[0].revealed == 1);
  CHECK(r[0].failed == 1);
  CHECK(r[1].wallet == f.alice);
  CHECK(r[1].pnl_e4 == -95'660);
  CHECK(f.book.Rankings(n + 1).empty());
  CHECK(f.engine.CheckInvariants().ok());
}

TEST_CASE("the same inputs give the same book (deterministic replay)", "[sealed]") {
  auto run = [] {
    Fixture f;
    const std::int64_t t0 = kFri + kHour;
    (void)f.book.Commit(&f.engine, f.alice, SealedSide::kLong, 500, t0, t0, &f.changes);
    (void)f.book.Commit(&f.engine, f.bob, SealedSide::kShort, 700, t0, t0, &f.changes);
    (void)f.book.Reveal(f.alice, 1, "NVDA", "875.5", Price{8'755'000}, f.tape, t0, &f.changes);
    f.book.AdvanceTo(&f.engine, t0 + 20 * kDay, &f.changes);
    std::vector<std::pair<SealedId, SealedStatus>> out;
    for (const SealedChange& c : f.changes) out.emplace_back(c.id, c.status);
    return std::make_pair(out, f.engine.GetPortfolio(f.bob).value().balance);
  };
  CHECK(run() == run());
}

}  // namespace
}  // namespace claw::engine
