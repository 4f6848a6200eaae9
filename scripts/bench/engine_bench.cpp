// Engine tick path (BENCHMARKS.md "Engine"):
//  (a) cost of one ApplyMarket per position it marks, with 1e3 / 1e5 / 1e6 open positions
//      spread over 10 symbols (a tick touches the 1/10 on its symbol), next to a bare loop
//      marking int64 positions in a vector (the floor for the same arithmetic);
//  (b) ApplyMarket throughput (market events per second) with 0 / 10 / 1000 wallets holding
//      a position on each of the 10 symbols, on bookTicker and trade events built in memory.
// Prices oscillate by +-1 around 100 so no stop or liquidation fires: this is the steady state.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/engine.h"

namespace {

using namespace claw::engine;

constexpr int kSymbols = 10;

std::string Sym(int i) {
  std::string s = std::to_string(i);  // appended, not `"S" + ...`: GCC 12 -Wrestrict noise
  s.insert(0, 1, 'S');
  s.append("USDT");
  return s;
}

MarketEvent BookEv(int sym, std::int64_t t, std::int64_t bid_ticks) {
  MarketEvent e;
  e.time_ms = t;
  e.symbol = Sym(sym);
  e.kind = MarketEventKind::kBookTicker;
  e.bid = Price{bid_ticks};
  e.ask = Price{bid_ticks + 100};
  e.bid_qty = e.ask_qty = Qty{1'000'000 * kQtyScale};
  return e;
}

MarketEvent TradeEv(int sym, std::int64_t t, std::int64_t price_ticks) {
  MarketEvent e;
  e.time_ms = t;
  e.symbol = Sym(sym);
  e.kind = MarketEventKind::kTrade;
  e.price = Price{price_ticks};
  e.qty = Qty{kQtyScale};
  return e;
}

// An engine with `wallets` wallets, each holding one position (long or short, 0.1 at ~100)
// on each of the 10 symbols.
std::unique_ptr<Engine> MakeEngine(std::int64_t wallets) {
  auto engine = std::make_unique<Engine>(EngineConfig{});
  std::vector<Event> ev;
  for (int s = 0; s < kSymbols; ++s) engine->ApplyMarket(BookEv(s, 1, 1'000'000), &ev);
  for (std::int64_t w = 0; w < wallets; ++w) {
    const WalletId id = engine->OpenWallet(std::to_string(w), &ev).value();
    for (int s = 0; s < kSymbols; ++s) {
      OrderRequest r;
      r.symbol = Sym(s);
      r.side = (w + s) % 2 == 0 ? Side::kBuy : Side::kSell;
      r.quantity = Qty{10'000'000};
      engine->PlaceOrder(id, r, 1, &ev);
      ev.clear();
    }
  }
  return engine;
}

Engine& Shared(std::int64_t wallets) {
  static std::map<std::int64_t, std::unique_ptr<Engine>> cache;
  auto& e = cache[wallets];
  if (!e) e = MakeEngine(wallets);
  return *e;
}

// (a) ns per position marked: range(0) = total open positions.
void BM_TickPerPosition(benchmark::State& state) {
  const std::int64_t positions = state.range(0);
  Engine& engine = Shared(positions / kSymbols);
  std::vector<Event> out;
  std::int64_t t = 2, touched = 0;
  int i = 0;
  for (auto _ : state) {
    const int s = i % kSymbols;
    engine.ApplyMarket(BookEv(s, t, (i / kSymbols) % 2 == 0 ? 990'000 : 1'010'000), &out);
    touched += out.back().positions_marked;
    out.clear();
    ++i;
    ++t;
  }
  state.counters["ns/position"] = benchmark::Counter(
      static_cast<double>(touched), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["positions/tick"] = static_cast<double>(positions / kSymbols);
}
BENCHMARK(BM_TickPerPosition)->Arg(1'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// The bare loop: the same unrealized-PnL arithmetic over int64 positions in a vector, one
// symbol's share (positions / 10) per "tick", 10 vectors like the engine's 10 symbols.
void BM_BareLoopPerPosition(benchmark::State& state) {
  struct Pos {
    std::int64_t qty, entry, upnl;
  };
  const std::int64_t per_symbol = state.range(0) / kSymbols;
  std::vector<std::vector<Pos>> syms(kSymbols, std::vector<Pos>(static_cast<std::size_t>(per_symbol)));
  for (auto& v : syms) {
    for (std::size_t k = 0; k < v.size(); ++k) {
      v[k] = {k % 2 == 0 ? 10'000'000 : -10'000'000, 1'000'100, 0};
    }
  }
  std::int64_t touched = 0;
  int i = 0;
  for (auto _ : state) {
    const std::int64_t mark = (i / kSymbols) % 2 == 0 ? 990'050 : 1'010'050;
    std::vector<Pos>& v = syms[static_cast<std::size_t>(i % kSymbols)];
    for (Pos& p : v) {
      const std::int64_t prod = (mark - p.entry) * p.qty;
      std::int64_t q = prod / 10'000;
      if (prod % 10'000 != 0 && prod < 0) --q;
      p.upnl = q;
    }
    benchmark::ClobberMemory();
    touched += per_symbol;
    ++i;
  }
  state.counters["ns/position"] = benchmark::Counter(
      static_cast<double>(touched), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_BareLoopPerPosition)->Arg(1'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// (b) market events per second: range(0) = wallets holding a position on every symbol.
void BM_ApplyMarketThroughput(benchmark::State& state) {
  Engine& engine = Shared(state.range(0));
  std::vector<MarketEvent> feed;
  for (int k = 0; k < 4'096; ++k) {
    const int s = k % kSymbols;
    const std::int64_t px = (k / kSymbols) % 2 == 0 ? 995'000 : 1'005'000;
    feed.push_back(k % 3 == 2 ? TradeEv(s, 0, px) : BookEv(s, 0, px));
  }
  std::vector<Event> out;
  std::int64_t t = 3'000'000;
  std::size_t k = 0;
  for (auto _ : state) {
    MarketEvent& m = feed[k];
    m.time_ms = ++t;
    engine.ApplyMarket(m, &out);
    out.clear();
    k = (k + 1) % feed.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyMarketThroughput)->Arg(0)->Arg(10)->Arg(1'000);

}  // namespace

BENCHMARK_MAIN();
