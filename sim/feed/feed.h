// Market data in: recorded Binance frames and data.binance.vision CSV dumps as MarketEvents.
//
// A FeedSource is one stream of normalised events (sim/engine/market_event.h) read from a
// file, several files merged by event time, or an in-memory buffer. Formats (all in
// ../shared/binance-formats.md):
//   * JSON lines: spot/USD-M `trade`, `aggTrade`, `bookTicker`, closed `kline`, USD-M
//     `markPriceUpdate`; bare payloads or combined-stream {"stream":..,"data":..} wrappers;
//     an optional receive-time prefix (`<ns> ` as hftbacktest writes, or `<sec.frac>: ` as
//     cryptofeed writes). Depth updates, REST snapshots, acks and other valid frames are
//     skipped and counted by type.
//   * CSV (no '{' on the first line): spot/futures trades and aggTrades, klines,
//     markPriceKlines, futures bookTicker; header row optional; ms/us/ns timestamps told apart
//     by magnitude. CSV rows carry no symbol: it comes from the file name (FeedOptions).
//   * Plain, .gz, .zip (every member in order) or "-" for stdin.
// Prices are normalised to 4 decimals and quantities to 8, rounding half to even
// (engine::ParseFixed): no float touches a price.
//
// Thread safety: a FeedSource is not thread-safe; use one per thread. The free functions are.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/market_event.h"
#include "sim/engine/status.h"

namespace claw::feed {

struct FeedOptions {
  bool strict = false;  // the first malformed line is an error (Status kDataLoss)
  // CSV rows have no symbol. Empty: taken from the file (or zip member) name, the part before
  // the first '-' after any "prefix_" ("BTCUSDT-trades-2024-01-01.csv" -> "BTCUSDT",
  // "nautilus_ADABTC-1m-2021-11-27.csv" -> "ADABTC"). JSON frames always name their symbol.
  std::string csv_symbol;
  // Testing and benchmarks: parse every JSON line with simdjson instead of the hand scanner.
  bool json_simdjson_only = false;
};

struct FeedStats {
  std::uint64_t lines = 0;      // non-blank lines read (CSV header rows included)
  std::uint64_t events = 0;     // MarketEvents produced
  std::uint64_t malformed = 0;  // lines that could not be parsed
  std::uint64_t skipped = 0;    // valid but unused: depth, REST snapshots, acks, open klines
  std::uint64_t events_by_kind[4] = {};  // indexed by engine::MarketEventKind
  std::map<std::string, std::uint64_t> skipped_by_type;  // e.g. "depthUpdate" -> n
  std::vector<std::string> malformed_samples;            // first 20: "file:line: reason"
};

// One stream of MarketEvents. Not thread-safe.
class FeedSource {
 public:
  virtual ~FeedSource() = default;
  // Next event into *ev (every field is overwritten; ev->symbol's buffer is reused). Returns
  // false at end of input. An error only for an I/O failure or, under strict, a malformed
  // line ("path:line: reason"); after an error the source is finished.
  virtual Result<bool> Next(engine::MarketEvent* ev) = 0;
  virtual const FeedStats& stats() const = 0;
  virtual std::string name() const = 0;  // file path, "-" for stdin
};

// Opens one file: ".gz" and ".zip" by name (a zip is read member by member, in archive
// order), "-" = stdin, anything else plain. JSON lines vs CSV is decided per file or member
// from its first non-blank line. Errors: kNotFound / kIOError if it cannot be opened,
// kInvalidArgument for a format it cannot read (a JSON array document). Nothing is read
// beyond the first buffer until Next().
Result<std::unique_ptr<FeedSource>> OpenFeed(const std::string& path, const FeedOptions& opts);

// Reads `data` (a whole JSON-lines or CSV document) as if it were a file called `name`.
// `data` is borrowed and must outlive the source. Errors as OpenFeed's format errors.
Result<std::unique_ptr<FeedSource>> OpenFeedBuffer(std::string_view data, std::string name,
                                                   const FeedOptions& opts);

// Merges several sources by event time. Each file keeps its own order (a within-file jump
// back in time is passed through, never reordered: exchange time regresses across streams of
// one connection); across files the smallest head time goes first, ties in `paths` order.
// One path returns that file's source itself. stats() sums the inputs. REQUIRES: !paths.empty().
Result<std::unique_ptr<FeedSource>> OpenFeeds(const std::vector<std::string>& paths,
                                              const FeedOptions& opts);

// The same over already opened sources (owned from now on).
std::unique_ptr<FeedSource> MergeFeeds(std::vector<std::unique_ptr<FeedSource>> sources);

// Whole file contents, decompressing ".gz" (not zip). For tests and benchmarks.
Result<std::string> ReadFileDecompressed(const std::string& path);

// Synthetic feed: a seeded integer random walk per symbol, written as Binance JSON lines.
// Per symbol, events arrive with uniformly random gaps in [1, 2*interval_ms - 1] ms; each is
// a bookTicker (3 in 4) or a trade at the bid or ask (1 in 4). Frames are USD-M shaped, so
// every frame carries "E" (and "T"): {"e":"bookTicker",...} and {"e":"trade",...}. Output is
// a pure function of the options (splitmix64, no float, no std:: distributions): the same
// seed gives the same bytes on every platform.
struct SynthOptions {
  std::vector<std::string> symbols = {"BTCUSDT"};  // upper-case letters and digits
  std::int64_t start_ms = 1'700'000'000'000;
  std::int64_t duration_ms = 3'600'000;  // events at start_ms <= t < start_ms + duration_ms
  std::int64_t interval_ms = 100;        // mean gap between events of one symbol; >= 1
  std::uint64_t seed = 1;
  bool combined = true;  // wrap each frame as {"stream":"btcusdt@trade","data":{...}}
};

// Checks the options: kInvalidArgument naming the bad one.
Status ValidateSynthOptions(const SynthOptions& opts);

// Streams the frames to `sink`, one line (with its '\n') per call, in time order. A sink that
// returns false stops the walk (the result is then kIOError). For live synthetic feeds, where
// the caller paces the lines on the wall clock (arena-sim serve).
Status GenerateSynthetic(const SynthOptions& opts,
                         std::function<bool(std::string_view line)> sink,
                         std::uint64_t* events_written);

// Writes the frames to `out` (not closed). *events_written (may be null) gets the count.
// Errors: kInvalidArgument for bad options, kIOError if a write fails.
Status WriteSynthetic(const SynthOptions& opts, std::FILE* out, std::uint64_t* events_written);

// Writes to `path` atomically: a temporary file in the same directory, renamed over `path`
// only once complete, so a failure leaves nothing behind. ".gz" suffix: gzip-compressed.
// "-": stdout, unbuffered by temp file.
Status WriteSyntheticFile(const SynthOptions& opts, const std::string& path,
                          std::uint64_t* events_written);

}  // namespace claw::feed
