// Replay throughput (BENCHMARKS.md "Replay"): the whole pipeline feed reader ->
// engine::Engine::ApplyMarket in one process, next to the reader alone on the same input.
//
// A plain main() with std::chrono timing and a printed table (not Google Benchmark): one pass
// over 10 million events is already seconds long, and the position set-up happens mid-stream.
//
// For N = 0, 10, 1000 wallets: each wallet is opened before the replay; once a symbol's event
// has been applied (a price is known), every wallet places a 100 USDT market order on it (buy
// for even wallet ids, sell for odd), as strategies under `arena-sim run` would, and holds the
// position to the end. A wallet whose order found no displayed size left retries on the
// symbol's next update. So soon after the start every event marks N positions on its symbol.
//
// Inputs:
//   synthetic: `arena-sim synth --symbols BTCUSDT,ETHUSDT --duration 14h --interval-ms 10
//              --seed 7` (the same bytes, via feed::WriteSyntheticFile): ~10.08 M events, ~2 GB
//              plain JSON lines, read from the page cache (a warm-up pass reads it first);
//   recordings: the three ../shared/data/binance/hftbacktest_*.gz merged by time with
//              OpenFeeds (zlib included), passes repeated for a stable figure.
// Each figure is the best of --reps passes (the machine may be shared); every engine pass
// starts from a fresh Engine.
//
// Usage: replay_bench [--synth PATH] [--keep] [--reps N] [--real-reps N] [--agents 0,10,1000]
//                     [--no-synth] [--no-real]
//   --synth PATH  use (or create, then keep) this synthetic file; default: a temp file, removed
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/feed/feed.h"

#ifndef CLAW_SHARED_DATA
#define CLAW_SHARED_DATA "../shared/data"
#endif

namespace {

using namespace claw;
using Clock = std::chrono::steady_clock;

struct Pass {
  double seconds = 0;
  std::uint64_t events = 0;
  std::uint64_t lines = 0;
  std::uint64_t positions_marked = 0;  // summed over kTickApplied
  std::uint64_t positions_open = 0;    // at the end
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "replay_bench: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<feed::FeedSource> Open(const std::vector<std::string>& paths) {
  auto src = feed::OpenFeeds(paths, feed::FeedOptions{});
  if (!src.ok()) Die(src.status().message());
  return std::move(src).value();
}

Pass ParseOnly(const std::vector<std::string>& paths) {
  Pass p;
  const auto t0 = Clock::now();
  auto src = Open(paths);
  engine::MarketEvent ev;
  std::int64_t sink = 0;
  for (;;) {
    auto got = src->Next(&ev);
    if (!got.ok()) Die(got.status().message());
    if (!*got) break;
    sink += ev.time_ms;
    ++p.events;
  }
  p.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  p.lines = src->stats().lines;
  if (sink == 42) std::puts("");  // keeps the loop's reads alive
  return p;
}

Pass Replay(const std::vector<std::string>& paths, int wallets) {
  Pass p;
  engine::Engine eng(engine::EngineConfig{});
  std::vector<engine::Event> out;
  std::vector<engine::WalletId> ids;
  for (int w = 0; w < wallets; ++w) {
    auto id = eng.OpenWallet("agent-" + std::to_string(w), &out);
    if (!id.ok()) Die(id.status().message());
    ids.push_back(*id);
  }
  out.clear();
  // Per symbol seen: the wallets still without a position on it, in wallet order.
  std::vector<std::pair<std::string, std::vector<engine::WalletId>>> pending;
  const auto t0 = Clock::now();
  auto src = Open(paths);
  engine::MarketEvent ev;
  for (;;) {
    auto got = src->Next(&ev);
    if (!got.ok()) Die(got.status().message());
    if (!*got) break;
    ++p.events;
    eng.ApplyMarket(ev, &out);
    p.positions_marked += static_cast<std::uint64_t>(out.back().positions_marked);
    out.clear();
    if (wallets == 0) continue;
    std::vector<engine::WalletId>* waiting = nullptr;
    for (auto& [sym, ws] : pending) {
      if (sym == ev.symbol) waiting = &ws;
    }
    if (waiting == nullptr) {
      pending.emplace_back(ev.symbol, ids);
      waiting = &pending.back().second;
    }
    // Market orders fill against the quote's displayed size, which 1000 wallets can use up
    // (and a trade before any bookTicker gives no side to fill on): wallets left without a
    // position try again on the symbol's next update.
    std::size_t done = 0;
    for (engine::WalletId id : *waiting) {
      engine::OrderRequest r;
      r.symbol = ev.symbol;
      r.side = id % 2 == 0 ? engine::Side::kBuy : engine::Side::kSell;
      r.notional = engine::Cash{100 * engine::kCashScale};
      eng.PlaceOrder(id, r, ev.time_ms, &out);
      bool opened = false;
      for (const engine::Event& e : out) {
        opened = opened || (e.kind == engine::EventKind::kPositionChanged && e.wallet == id &&
                            e.position.quantity.units != 0);
      }
      out.clear();
      if (!opened) break;  // the quote is used up: the rest wait for the next update
      ++done;
    }
    waiting->erase(waiting->begin(), waiting->begin() + static_cast<std::ptrdiff_t>(done));
  }
  p.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  p.lines = src->stats().lines;
  for (engine::WalletId id : ids) {
    auto pf = eng.GetPortfolio(id);
    if (pf.ok()) p.positions_open += pf->positions.size();
  }
  return p;
}

template <typename F>
Pass Best(int reps, F run) {
  Pass best;
  for (int i = 0; i < reps; ++i) {
    Pass p = run();
    if (i == 0 || p.seconds < best.seconds) best = p;
  }
  return best;
}

void Row(const char* input, const char* what, const Pass& p, double parse_rate) {
  const double rate = static_cast<double>(p.events) / p.seconds;
  const double marked =
      p.events ? static_cast<double>(p.positions_marked) / static_cast<double>(p.events) : 0;
  std::printf("%-11s %-22s %11llu %9.3f %10.3f %8.0f %9.1f %8llu %6.0f%%\n", input, what,
              static_cast<unsigned long long>(p.events), p.seconds, rate / 1e6,
              1e9 / rate, marked, static_cast<unsigned long long>(p.positions_open),
              100 * rate / parse_rate);
  std::fflush(stdout);
}

void Run(const char* input, const std::vector<std::string>& paths, const std::vector<int>& agents,
         int reps) {
  (void)ParseOnly(paths);  // warm-up: page cache, allocator
  const Pass parse = Best(reps, [&] { return ParseOnly(paths); });
  const double parse_rate = static_cast<double>(parse.events) / parse.seconds;
  Row(input, "parse only", parse, parse_rate);
  std::printf("%-11s %-22s %11llu lines, %.3f M lines/s\n", input, "  (frames read)",
              static_cast<unsigned long long>(parse.lines),
              static_cast<double>(parse.lines) / parse.seconds / 1e6);
  for (int n : agents) {
    const Pass p = Best(reps, [&] { return Replay(paths, n); });
    char label[64];
    std::snprintf(label, sizeof label, "engine, %d wallets", n);
    Row(input, label, p, parse_rate);
  }
}

std::vector<int> ParseList(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    char* end = nullptr;
    out.push_back(static_cast<int>(std::strtol(p, &end, 10)));
    p = *end == ',' ? end + 1 : end;
    if (end == p && *p) Die("bad --agents list");
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string synth_path;
  bool keep = false, do_synth = true, do_real = true;
  int reps = 1, real_reps = 10;
  std::vector<int> agents = {0, 10, 1000};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--synth") {
      synth_path = value();
      keep = true;
    } else if (a == "--keep") {
      keep = true;
    } else if (a == "--reps") {
      reps = std::atoi(value());
    } else if (a == "--real-reps") {
      real_reps = std::atoi(value());
    } else if (a == "--agents") {
      agents = ParseList(value());
    } else if (a == "--no-synth") {
      do_synth = false;
    } else if (a == "--no-real") {
      do_real = false;
    } else {
      Die("unknown argument " + a + " (see the comment at the top of replay_bench.cpp)");
    }
  }
  if (reps < 1 || real_reps < 1) Die("--reps and --real-reps must be >= 1");

  std::printf("%-11s %-22s %11s %9s %10s %8s %9s %8s %7s\n", "input", "pipeline", "events",
              "seconds", "M events/s", "ns/event", "marked/ev", "open pos", "vs parse");
  if (do_real) {
    const std::string dir = std::string(CLAW_SHARED_DATA) + "/binance/";
    std::vector<std::string> real = {dir + "hftbacktest_spot_btcusdt_20240808.gz",
                                     dir + "hftbacktest_spot_ethusdt_20240808.gz",
                                     dir + "hftbacktest_usdm_btcusdt_20240808.gz"};
    bool present = true;
    for (const auto& f : real) present = present && ::access(f.c_str(), R_OK) == 0;
    if (present) {
      Run("recordings", real, agents, real_reps);
    } else {
      std::printf("recordings: skipped, %s not found\n", real[0].c_str());
    }
  }
  if (do_synth) {
    if (synth_path.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      synth_path = std::string(tmp ? tmp : "/tmp") + "/claw_replay_bench_" +
                   std::to_string(::getpid()) + ".jsonl";
    }
    if (::access(synth_path.c_str(), R_OK) != 0) {
      feed::SynthOptions o;
      o.symbols = {"BTCUSDT", "ETHUSDT"};
      o.duration_ms = 14 * 3'600'000;
      o.interval_ms = 10;
      o.seed = 7;
      std::uint64_t n = 0;
      const auto t0 = Clock::now();
      Status s = feed::WriteSyntheticFile(o, synth_path, &n);
      if (!s.ok()) Die(s.message());
      std::fprintf(stderr, "replay_bench: wrote %llu synthetic events to %s in %.1f s\n",
                   static_cast<unsigned long long>(n), synth_path.c_str(),
                   std::chrono::duration<double>(Clock::now() - t0).count());
    }
    Run("synthetic", {synth_path}, agents, reps);
    if (!keep) ::unlink(synth_path.c_str());
  }
  return 0;
}
