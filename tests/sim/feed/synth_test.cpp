// The synthetic feed (WriteSynthetic, WriteSyntheticFile): determinism, shape, round trip.
#include <cstdio>

#include "tests/sim/feed/feed_test_util.h"

namespace claw::feed::testing {
namespace {

std::string Synth(const SynthOptions& o, std::uint64_t* n = nullptr) {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  REQUIRE(f != nullptr);
  Status s = WriteSynthetic(o, f, n);
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  REQUIRE(s.ok());
  return out;
}

SynthOptions Small() {
  SynthOptions o;
  o.symbols = {"BTCUSDT", "ETHUSDT"};
  o.duration_ms = 60'000;
  o.seed = 7;
  return o;
}

TEST_CASE("same seed gives identical bytes; another seed differs", "[sim][feed]") {
  SynthOptions o = Small();
  std::string a = Synth(o), b = Synth(o);
  CHECK(a == b);
  o.seed = 8;
  CHECK(Synth(o) != a);
}

TEST_CASE("synthetic output reads back as time-ordered trades and bookTickers",
          "[sim][feed]") {
  std::uint64_t n = 0;
  std::string doc = Synth(Small(), &n);
  auto r = ReadBuffer(doc);
  CHECK(r.stats.malformed == 0);
  CHECK(r.stats.skipped == 0);
  CHECK(r.events.size() == n);
  // 2 symbols x 60 s / 100 ms mean gap: about 1200 events.
  CHECK(n > 1000);
  CHECK(n < 1400);
  CHECK(r.stats.events_by_kind[0] > n / 8);  // about a quarter are trades
  CHECK(r.stats.events_by_kind[1] > n / 2);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < r.events.size(); ++i) {
    const auto& e = r.events[i];
    bad += e.time_ms < 1'700'000'000'000 || e.time_ms >= 1'700'000'060'000;
    bad += i > 0 && e.time_ms < r.events[i - 1].time_ms;
    bad += e.kind == engine::MarketEventKind::kBookTicker && !(e.bid < e.ask);
  }
  CHECK(bad == 0);
  CHECK(doc.rfind(R"({"stream":")", 0) == 0);
  CHECK(doc.find(R"({"stream":"btcusdt@trade","data":{"e":"trade","E":)") != std::string::npos);
}

TEST_CASE("bare synthetic frames carry E", "[sim][feed]") {
  SynthOptions o = Small();
  o.combined = false;
  o.symbols = {"ETHUSDT"};
  std::string doc = Synth(o);
  CHECK(doc.rfind(R"({"e":")", 0) == 0);
  CHECK(ReadBuffer(doc).stats.malformed == 0);
}

TEST_CASE("bad synthetic options are refused naming the option", "[sim][feed]") {
  SynthOptions o;
  o.symbols = {"btc-usdt"};
  CHECK(ValidateSynthOptions(o).message() == "bad symbol 'btc-usdt'");
  o.symbols = {"BTCUSDT", "BTCUSDT"};
  CHECK(ValidateSynthOptions(o).message() == "symbol 'BTCUSDT' given twice");
  o.symbols = {"BTCUSDT"};
  o.interval_ms = 0;
  CHECK(ValidateSynthOptions(o).message() == "interval must be between 1 ms and a year");
}

TEST_CASE("synthetic file is written atomically, gzip by suffix", "[sim][feed][io]") {
  TempDir dir;
  SynthOptions o = Small();
  std::uint64_t n_plain = 0, n_gz = 0;
  REQUIRE(WriteSyntheticFile(o, dir.File("f.jsonl"), &n_plain).ok());
  REQUIRE(WriteSyntheticFile(o, dir.File("f.jsonl.gz"), &n_gz).ok());
  CHECK(n_plain == n_gz);
  auto plain = ReadFileDecompressed(dir.File("f.jsonl"));
  auto gz = ReadFileDecompressed(dir.File("f.jsonl.gz"));
  REQUIRE(plain.ok());
  REQUIRE(gz.ok());
  CHECK(*plain == *gz);
  CHECK(*plain == Synth(o));
  // Only the two outputs: no temporary files left behind.
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 2);
  // A directory that does not exist: an error and nothing written.
  Status s = WriteSyntheticFile(o, dir.File("missing/f.jsonl"), nullptr);
  CHECK(s.code() == StatusCode::kIOError);
}

}  // namespace
}  // namespace claw::feed::testing
