// Files (sim/feed/file_source.cpp, byte_stream.cpp, merge_source.cpp): gzip and zip round
// trips, malformed-line accounting, strict mode, merging by time.
#include <zip.h>
#include <zlib.h>

#include "tests/sim/feed/feed_test_util.h"

namespace claw::feed::testing {
namespace {

std::string Trade(std::int64_t e, const std::string& sym = "BTCUSDT", const char* p = "1.5") {
  return R"({"e":"trade","E":)" + std::to_string(e) + R"(,"s":")" + sym + R"(","p":")" + p +
         R"(","q":"1","m":false})" + "\n";
}

void WriteGz(const std::string& path, const std::string& data) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, data.data(), static_cast<unsigned>(data.size())) ==
          static_cast<int>(data.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

void WriteZip(const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& members) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  REQUIRE(z != nullptr);
  for (const auto& [name, data] : members) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    REQUIRE(src != nullptr);
    REQUIRE(zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) >= 0);
  }
  REQUIRE(zip_close(z) == 0);  // reads the buffers now, while `members` is alive
}

TEST_CASE("gzip file round trip gives the plain file's events", "[sim][feed][io]") {
  TempDir dir;
  std::string doc = Trade(1700000000000) + Trade(1700000000001, "ETHUSDT");
  WriteFile(dir.File("plain.jsonl"), doc);
  WriteGz(dir.File("frames.jsonl.gz"), doc);
  auto plain = ReadPath(dir.File("plain.jsonl"));
  auto gz = ReadPath(dir.File("frames.jsonl.gz"));
  REQUIRE(gz.events.size() == 2);
  CHECK(gz.events[1].symbol == "ETHUSDT");
  CHECK(gz.stats.lines == plain.stats.lines);
  auto bytes = ReadFileDecompressed(dir.File("frames.jsonl.gz"));
  REQUIRE(bytes.ok());
  CHECK(*bytes == doc);
}

TEST_CASE("zip archive is read member by member, CSV symbol per member", "[sim][feed][io]") {
  TempDir dir;
  WriteZip(dir.File("BTCUSDT-trades-2024-01-01.zip"),
           {{"BTCUSDT-trades-2024-01-01.csv", "1,42000.5,0.1,4200.05,1704067200000,true,true\n"},
            {"ETHUSDT-trades-2024-01-01.csv",
             "1,2300.25,2,4600.5,1704067200001,false,true\n9,1.5\n"}});
  auto r = ReadPath(dir.File("BTCUSDT-trades-2024-01-01.zip"));
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].symbol == "BTCUSDT");
  CHECK(r.events[0].price.ticks == 420005000);
  CHECK(r.events[1].symbol == "ETHUSDT");
  CHECK(r.stats.malformed == 1);
  REQUIRE(r.stats.malformed_samples.size() == 1);
  CHECK(r.stats.malformed_samples[0] ==
        dir.File("BTCUSDT-trades-2024-01-01.zip") +
            "(ETHUSDT-trades-2024-01-01.csv):2: csv trades: expected 6 or 7 columns");
}

TEST_CASE("malformed lines are counted with file:line samples and skipped", "[sim][feed]") {
  std::string doc = Trade(1) + "{\"e\":\"trade\",\n" + Trade(2, "BTCUSDT", "1.x") + "\n  \n" +
                    R"({"e":"trade","s":"BTCUSDT","p":"1","q":"1","m":false})" + "\n" +
                    Trade(3);
  auto r = ReadBuffer(doc, "rec.jsonl");
  CHECK(r.events.size() == 2);
  CHECK(r.stats.lines == 5);  // blank lines are not lines
  CHECK(r.stats.malformed == 3);
  REQUIRE(r.stats.malformed_samples.size() == 3);
  CHECK(r.stats.malformed_samples[0].rfind("rec.jsonl:2: invalid JSON frame (got \"", 0) == 0);
  CHECK(r.stats.malformed_samples[1] == "rec.jsonl:3: trade: bad price \"p\" (got \"1.x\")");
  CHECK(r.stats.malformed_samples[2] ==
        "rec.jsonl:6: missing event time \"E\" (got \"trade\")");
}

TEST_CASE("only the first 20 malformed lines are kept as samples", "[sim][feed]") {
  std::string doc;
  for (int i = 0; i < 25; ++i) doc += "garbage\n";
  auto r = ReadBuffer(doc, "x.csv");
  CHECK(r.stats.malformed == 24);  // line 1 is taken as a header
  CHECK(r.stats.malformed_samples.size() == 20);
}

TEST_CASE("strict mode stops at the first malformed line naming file and line",
          "[sim][feed]") {
  FeedOptions strict;
  strict.strict = true;
  std::string doc = Trade(1) + Trade(2, "BTCUSDT", "-1") + Trade(3);
  auto src = OpenFeedBuffer(doc, "rec.jsonl", strict);
  REQUIRE(src.ok());
  engine::MarketEvent ev;
  REQUIRE((*src)->Next(&ev).value());
  auto second = (*src)->Next(&ev);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kDataLoss);
  CHECK(second.status().message() == "rec.jsonl:2: trade: bad price \"p\" (got \"-1\")");
  auto after = (*src)->Next(&ev);
  REQUIRE(after.ok());
  CHECK_FALSE(*after);  // finished after an error
}

TEST_CASE("missing file and JSON array documents are open errors", "[sim][feed][io]") {
  auto missing = OpenFeed("/nonexistent/feed.jsonl", {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() ==
        "opening '/nonexistent/feed.jsonl': No such file or directory");
  auto array = OpenFeedBuffer("[[1570752011620,\"13519807\",null,\"sell\",0.0014,23.0]]",
                              "trades.json", {});
  REQUIRE_FALSE(array.ok());
  CHECK(array.status().code() == StatusCode::kInvalidArgument);
  CHECK(array.status().message() == "'trades.json' is a JSON array document, not a feed");
}

std::vector<std::string> Order(const ReadResult& r) {
  std::vector<std::string> out;
  for (const auto& ev : r.events) out.push_back(ev.symbol + "@" + std::to_string(ev.time_ms));
  return out;
}

TEST_CASE("merge orders by time, ties by file order, file order within a file",
          "[sim][feed][io]") {
  TempDir dir;
  // A: a backwards jump (1700000000005 after ...010) stays where the file put it.
  WriteFile(dir.File("a.jsonl"), Trade(1700000000000, "A") + Trade(1700000000010, "A") +
                                     Trade(1700000000005, "A") + Trade(1700000000020, "A"));
  WriteFile(dir.File("b.jsonl"), Trade(1700000000000, "B") + Trade(1700000000007, "B") +
                                     Trade(1700000000020, "B"));
  auto src = OpenFeeds({dir.File("a.jsonl"), dir.File("b.jsonl")}, {});
  REQUIRE(src.ok());
  auto r = Drain(**src);
  CHECK(Order(r) == std::vector<std::string>{
                        "A@1700000000000", "B@1700000000000", "B@1700000000007",
                        "A@1700000000010", "A@1700000000005", "A@1700000000020",
                        "B@1700000000020"});
  CHECK(r.stats.events == 7);
  CHECK(r.stats.events_by_kind[0] == 7);
  CHECK((*src)->name() == dir.File("a.jsonl") + "," + dir.File("b.jsonl"));
}

TEST_CASE("merge of one path is that file", "[sim][feed][io]") {
  TempDir dir;
  WriteFile(dir.File("a.jsonl"), Trade(1700000000000));
  auto src = OpenFeeds({dir.File("a.jsonl")}, {});
  REQUIRE(src.ok());
  CHECK((*src)->name() == dir.File("a.jsonl"));
  CHECK_FALSE(OpenFeeds({}, {}).ok());
}

}  // namespace
}  // namespace claw::feed::testing
