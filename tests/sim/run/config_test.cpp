#include "sim/run/config.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

namespace claw::run {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name, std::string* value) {
    auto it = vars.find(name);
    if (it == vars.end()) return false;
    *value = it->second;
    return true;
  };
}

std::string WriteTemp(const std::string& text) {
  static int n = 0;
  auto path = std::filesystem::temp_directory_path() /
              ("claw_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST_CASE("no config file gives the documented defaults", "[sim][run]") {
  auto c = LoadRunConfig("", FakeEnv({}));
  REQUIRE(c.ok());
  CHECK(c.value().name == "local");
  CHECK(c.value().engine.starting_balance.units == 10'000 * engine::kCashScale);
  CHECK(c.value().engine.taker_bps == 4);
  CHECK(c.value().engine.maker_bps == 2);
  CHECK(c.value().engine.liquidation_bps == 50);
  CHECK(c.value().engine.max_leverage == 20);
  CHECK(c.value().engine.liquidation_margin_level_e4 == 8000);
  CHECK(c.value().engine.stale_feed_ms == 10'000);
  CHECK(c.value().step_timeout_ms == 5000);
  CHECK(c.value().speed == SpeedMode::kMax);
}

TEST_CASE("arena.toml sections set the engine and instruments", "[sim][run][io]") {
  const std::string path = WriteTemp(R"(
[arena]
name = "ci"
starting_balance = "2500.5"
[fees]
taker_bps = 5
maker_bps = 1
[risk]
max_leverage = 10
liquidation_margin_level = 0.75
[[instruments]]
symbol = "BTCUSDT"
tick_size = "0.1"
step_size = "0.001"
min_notional = "10"
[server]
listen = "127.0.0.1:9999"
[feed]
source = "replay"
files = ["a.jsonl", "b.csv"]
speed = "10x"
)");
  auto c = LoadRunConfig(path, FakeEnv({}));
  REQUIRE(c.ok());
  const RunConfig& r = c.value();
  CHECK(r.name == "ci");
  CHECK(r.engine.starting_balance.units == 250'050'000'000);
  CHECK(r.engine.taker_bps == 5);
  CHECK(r.engine.maker_bps == 1);
  CHECK(r.engine.max_leverage == 10);
  CHECK(r.engine.liquidation_margin_level_e4 == 7500);
  REQUIRE(r.engine.instruments.size() == 1);
  CHECK(r.engine.instruments[0].symbol == "BTCUSDT");
  CHECK(r.engine.instruments[0].tick_size.ticks == 1000);
  CHECK(r.engine.instruments[0].step_size.units == 100'000);
  CHECK(r.engine.instruments[0].min_notional.units == 10 * engine::kCashScale);
  CHECK(r.engine.instruments[0].max_leverage == 10);
  CHECK(r.feed_files == std::vector<std::string>{"a.jsonl", "b.csv"});
  CHECK(r.speed == SpeedMode::kRealtime);
  CHECK(r.speed_factor_e3 == 10'000);
  std::filesystem::remove(path);
}

TEST_CASE("ARENA_ variables override the file", "[sim][run][io]") {
  const std::string path = WriteTemp("[fees]\ntaker_bps = 5\n");
  auto c = LoadRunConfig(path, FakeEnv({{"ARENA_FEES_TAKER_BPS", "7"},
                                        {"ARENA_ARENA_STARTING_BALANCE", "100"},
                                        {"ARENA_FEED_FILES", "x.gz,y.gz"}}));
  REQUIRE(c.ok());
  CHECK(c.value().engine.taker_bps == 7);
  CHECK(c.value().engine.starting_balance.units == 100 * engine::kCashScale);
  CHECK(c.value().feed_files == std::vector<std::string>{"x.gz", "y.gz"});
  std::filesystem::remove(path);
}

TEST_CASE("config errors name the key and the file", "[sim][run][io]") {
  SECTION("unknown key") {
    const std::string path = WriteTemp("[fees]\ntaker_bsp = 5\n");
    auto c = LoadRunConfig(path, FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() == "unknown key 'fees.taker_bsp' in config '" + path + "'");
    CHECK(c.status().hint() ==
          "known keys here: fees.taker_bps, fees.maker_bps, fees.liquidation_bps");
    std::filesystem::remove(path);
  }
  SECTION("bad value") {
    const std::string path = WriteTemp("[risk]\nmax_leverage = 0\n");
    auto c = LoadRunConfig(path, FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() ==
          "config '" + path + "': 'risk.max_leverage' must be between 1 and 125");
    std::filesystem::remove(path);
  }
  SECTION("not TOML") {
    const std::string path = WriteTemp("[fees\n");
    auto c = LoadRunConfig(path, FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == StatusCode::kInvalidArgument);
    CHECK(c.status().message().rfind("config '" + path + "' is not valid TOML", 0) == 0);
    std::filesystem::remove(path);
  }
  SECTION("missing file") {
    auto c = LoadRunConfig("/nonexistent/arena.toml", FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == StatusCode::kIOError);
  }
  SECTION("bad environment value names the variable") {
    auto c = LoadRunConfig("", FakeEnv({{"ARENA_FEES_MAKER_BPS", "two"}}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() ==
          "ARENA_FEES_MAKER_BPS: 'fees.maker_bps' must be an integer, got 'two'");
  }
}

TEST_CASE("durations and speeds parse with units", "[sim][run]") {
  CHECK(ParseDurationMs("250ms", "x").value() == 250);
  CHECK(ParseDurationMs("5s", "x").value() == 5000);
  CHECK(ParseDurationMs("2m", "x").value() == 120'000);
  CHECK(ParseDurationMs("1h", "x").value() == 3'600'000);
  CHECK(ParseDurationMs("1d", "x").value() == 86'400'000);
  CHECK(ParseDurationMs("3", "x").value() == 3000);
  auto bad = ParseDurationMs("5 parsecs", "--step");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "'--step' is not a duration: '5 parsecs'");
  RunConfig c;
  REQUIRE(ParseSpeed("0.5x", &c).ok());
  CHECK(c.speed_factor_e3 == 500);
  CHECK_FALSE(ParseSpeed("fast", &c).ok());
}

}  // namespace
}  // namespace claw::run
