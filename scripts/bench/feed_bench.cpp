// Feed parsing (BENCHMARKS.md "Feed parsing"): frames/s and MB/s of the feed reader alone,
// without the engine (the parse-only ceiling of a replay).
//  (a) a synthetic bookTicker + trade feed (sim/feed synth: 2 symbols, combined-stream frames,
//      3 bookTickers in 4) held in memory, read with the hand scanner and with
//      FeedOptions::json_simdjson_only; and the same bytes from a page-cached plain file;
//  (b) one 149-byte aggTrade frame: nlohmann::json (the baseline), simdjson DOM with the same
//      fields pulled out, and our reader over a buffer of copies of that frame (hand scanner
//      and simdjson-only), so the ratios compare like with like;
//  (c) a real recording (hftbacktest BTCUSDT spot, 2024-08-08: bookTicker, trade and
//      depthUpdate frames with a receive-time prefix) read from the .gz (zlib included) and
//      pre-decompressed into memory. Skipped with an error when ../shared/data is absent.
// Items are frames (input lines); "events/s" counts the MarketEvents produced (depth frames
// are read and skipped, so on the recording events < frames).
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sim/engine/market_event.h"
#include "sim/feed/feed.h"

#ifndef CLAW_SHARED_DATA
#define CLAW_SHARED_DATA "../shared/data"
#endif

namespace {

using claw::engine::MarketEvent;
using claw::feed::FeedOptions;
using claw::feed::FeedSource;

// The baseline frame: a USD-M aggTrade, 149 bytes.
constexpr std::string_view kAggTrade =
    R"({"e":"aggTrade","E":1723161255343,"a":2347295311,"s":"BTCUSDT","p":"61837.60",)"
    R"("q":"0.00200","f":5184330441,"l":5184330441,"T":1723161255342,"m":true})";
static_assert(kAggTrade.size() == 149);

const std::string& RealFile() {
  static const std::string path =
      std::string(CLAW_SHARED_DATA) + "/binance/hftbacktest_spot_btcusdt_20240808.gz";
  return path;
}

// ~400k synthetic events (~75 MB: well past the caches), generated once.
const std::string& SynthBuffer() {
  static const std::string data = [] {
    claw::feed::SynthOptions o;
    o.symbols = {"BTCUSDT", "ETHUSDT"};
    o.duration_ms = 2 * 3'600'000;
    o.interval_ms = 36;
    o.seed = 7;
    char* buf = nullptr;
    std::size_t size = 0;
    std::FILE* f = ::open_memstream(&buf, &size);
    if (f == nullptr || !claw::feed::WriteSynthetic(o, f, nullptr).ok()) std::abort();
    std::fclose(f);
    std::string out(buf, size);
    std::free(buf);
    return out;
  }();
  return data;
}

// The synthetic buffer as a plain file in $TMPDIR, removed at exit.
const std::string& SynthFile() {
  struct Temp {
    std::string path;
    Temp() {
      const char* dir = std::getenv("TMPDIR");
      path = std::string(dir != nullptr ? dir : "/tmp") + "/claw_feed_bench.XXXXXX";
      int fd = ::mkstemp(path.data());
      if (fd < 0) std::abort();
      const std::string& d = SynthBuffer();
      for (std::size_t off = 0; off < d.size();) {
        ssize_t n = ::write(fd, d.data() + off, d.size() - off);
        if (n <= 0) std::abort();
        off += static_cast<std::size_t>(n);
      }
      ::close(fd);
    }
    ~Temp() { ::unlink(path.c_str()); }
  };
  static const Temp temp;
  return temp.path;
}

std::string Repeat(std::string_view frame, int n) {
  std::string out;
  out.reserve((frame.size() + 1) * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.append(frame);
    out.push_back('\n');
  }
  return out;
}

// Reads `src` to the end; returns the number of events.
std::uint64_t Drain(FeedSource* src, benchmark::State& state) {
  MarketEvent ev;
  std::uint64_t n = 0;
  for (;;) {
    auto got = src->Next(&ev);
    if (!got.ok()) {
      state.SkipWithError(got.status().message().c_str());
      return n;
    }
    if (!*got) return n;
    benchmark::DoNotOptimize(ev.time_ms);
    ++n;
  }
}

void SetRates(benchmark::State& state, std::uint64_t frames, std::uint64_t events,
              std::uint64_t bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

// One pass over `data` per iteration.
void ReadBuffer(benchmark::State& state, std::string_view data, bool simdjson_only) {
  FeedOptions opts;
  opts.json_simdjson_only = simdjson_only;
  std::uint64_t frames = 0, events = 0, bytes = 0;
  for (auto _ : state) {
    auto src = claw::feed::OpenFeedBuffer(data, "bench", opts);
    if (!src.ok()) {
      state.SkipWithError(src.status().message().c_str());
      return;
    }
    events += Drain(src->get(), state);
    frames += (*src)->stats().lines;
    bytes += data.size();
  }
  SetRates(state, frames, events, bytes);
}

// One pass over the file per iteration: read(2) from the page cache, or zlib for .gz. MB/s
// counts the decompressed bytes.
void ReadFile(benchmark::State& state, const std::string& path) {
  auto whole = claw::feed::ReadFileDecompressed(path);  // also warms the page cache
  if (!whole.ok()) {
    state.SkipWithError(whole.status().message().c_str());
    return;
  }
  const std::uint64_t size = whole->size();
  whole = std::string();
  std::uint64_t frames = 0, events = 0, bytes = 0;
  for (auto _ : state) {
    auto src = claw::feed::OpenFeed(path, FeedOptions{});
    if (!src.ok()) {
      state.SkipWithError(src.status().message().c_str());
      return;
    }
    events += Drain(src->get(), state);
    frames += (*src)->stats().lines;
    bytes += size;
  }
  SetRates(state, frames, events, bytes);
}

// ---- (a) synthetic bookTicker + trade ----

void BM_SynthBuffer_HandScanner(benchmark::State& state) {
  ReadBuffer(state, SynthBuffer(), false);
}
BENCHMARK(BM_SynthBuffer_HandScanner)->Unit(benchmark::kMillisecond);

void BM_SynthBuffer_SimdjsonOnly(benchmark::State& state) {
  ReadBuffer(state, SynthBuffer(), true);
}
BENCHMARK(BM_SynthBuffer_SimdjsonOnly)->Unit(benchmark::kMillisecond);

void BM_SynthFile_PageCached(benchmark::State& state) { ReadFile(state, SynthFile()); }
BENCHMARK(BM_SynthFile_PageCached)->Unit(benchmark::kMillisecond);

// ---- (b) one 149-byte aggTrade frame ----

// nlohmann::json: parse the frame into a DOM and pull the fields the feed uses.
void BM_AggTrade_Nlohmann(benchmark::State& state) {
  for (auto _ : state) {
    auto j = nlohmann::json::parse(kAggTrade);
    std::int64_t t = j["E"].get<std::int64_t>();
    const auto& s = j["s"].get_ref<const std::string&>();
    const auto& p = j["p"].get_ref<const std::string&>();
    const auto& q = j["q"].get_ref<const std::string&>();
    bool m = j["m"].get<bool>();
    benchmark::DoNotOptimize(t);
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(p.data());
    benchmark::DoNotOptimize(q.data());
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kAggTrade.size()));
}
BENCHMARK(BM_AggTrade_Nlohmann);

// simdjson DOM (Debian libsimdjson-dev), same fields; the parser is reused, as in the reader.
void BM_AggTrade_SimdjsonDom(benchmark::State& state) {
  simdjson::dom::parser parser;
  const simdjson::padded_string frame(kAggTrade);
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(frame).get(doc)) {
      state.SkipWithError("simdjson parse failed");
      return;
    }
    std::int64_t t = 0;
    std::string_view s, p, q;
    bool m = false;
    auto e1 = doc["E"].get(t);
    auto e2 = doc["s"].get(s);
    auto e3 = doc["p"].get(p);
    auto e4 = doc["q"].get(q);
    auto e5 = doc["m"].get(m);
    if (e1 || e2 || e3 || e4 || e5) {
      state.SkipWithError("simdjson field missing");
      return;
    }
    benchmark::DoNotOptimize(t);
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(p.data());
    benchmark::DoNotOptimize(q.data());
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kAggTrade.size()));
}
BENCHMARK(BM_AggTrade_SimdjsonDom);

// Our reader over 100,000 copies of the frame: full MarketEvent (fixed-point price and qty)
// per frame, line splitting included.
const std::string& AggTradeBuffer() {
  static const std::string data = Repeat(kAggTrade, 100'000);
  return data;
}

void BM_AggTrade_Reader_HandScanner(benchmark::State& state) {
  ReadBuffer(state, AggTradeBuffer(), false);
}
BENCHMARK(BM_AggTrade_Reader_HandScanner)->Unit(benchmark::kMillisecond);

void BM_AggTrade_Reader_SimdjsonOnly(benchmark::State& state) {
  ReadBuffer(state, AggTradeBuffer(), true);
}
BENCHMARK(BM_AggTrade_Reader_SimdjsonOnly)->Unit(benchmark::kMillisecond);

// ---- (c) the real recording ----

void BM_RealFile_Gzip(benchmark::State& state) {
  if (::access(RealFile().c_str(), R_OK) != 0) {
    state.SkipWithError(("missing " + RealFile()).c_str());
    return;
  }
  ReadFile(state, RealFile());
}
BENCHMARK(BM_RealFile_Gzip)->Unit(benchmark::kMillisecond);

void BM_RealFile_Decompressed(benchmark::State& state) {
  if (::access(RealFile().c_str(), R_OK) != 0) {
    state.SkipWithError(("missing " + RealFile()).c_str());
    return;
  }
  static const std::string data = [] {
    auto d = claw::feed::ReadFileDecompressed(RealFile());
    return d.ok() ? std::move(d).value() : std::string();
  }();
  if (data.empty()) {
    state.SkipWithError("could not decompress the recording");
    return;
  }
  ReadBuffer(state, data, false);
}
BENCHMARK(BM_RealFile_Decompressed)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
