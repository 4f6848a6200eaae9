// The runner end to end on a small fixture feed with real strategy processes.
#include "sim/run/runner.h"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/run/report.h"

namespace claw::run {
namespace {

namespace fs = std::filesystem;

// A futures bookTicker frame per 100 ms, price walking up then down.
std::string FixtureFeed(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const int cents = 10'000 + (i < n / 2 ? i : n - i) * 10;
    const std::string bid = std::to_string(cents / 100) + "." + std::to_string(cents % 100 / 10) +
                            std::to_string(cents % 10);
    const std::string ask = std::to_string((cents + 1) / 100) + "." +
                            std::to_string((cents + 1) % 100 / 10) + std::to_string((cents + 1) % 10);
    const std::string t = std::to_string(1'700'000'000'000LL + i * 100);
    out += R"({"e":"bookTicker","u":)" + std::to_string(i + 1) + R"(,"s":"BTCUSDT","b":")" + bid +
           R"(","B":"3.5","a":")" + ask + R"(","A":"2.0","T":)" + t + R"(,"E":)" + t + "}\n";
  }
  return out;
}

struct Fixture {
  fs::path dir;
  std::string feed;
  Fixture() {
    dir = fs::temp_directory_path() / ("claw_runner_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    feed = (dir / "feed.jsonl").string();
    std::ofstream(feed) << FixtureFeed(200);
  }
  ~Fixture() { fs::remove_all(dir); }
};

std::string Strategy(const char* file) {
  // Appended piecewise: GCC 12 warns (-Warray-bounds, a false positive) about operator+ chains
  // on short source-dir paths.
  std::string cmd = "python3 ";
  cmd.append(CLAW_SOURCE_DIR).append("/scripts/strategies/").append(file);
  return cmd;
}

RunOptions Options(const Fixture& f) {
  RunOptions o;
  o.config.feed_files = {f.feed};
  o.config.step_timeout_ms = 30000;  // generous: python start-up on a loaded CI machine
  o.config.snapshot_interval_ms = 1000;
  o.agents = {{"hold", Strategy("buy_and_hold.py")},
              {"ma", Strategy("ma_crossover.py --fast 3 --slow 8")},
              {"rnd", Strategy("random_trader.py --rate 0.2")}};
  return o;
}

TEST_CASE("example strategies trade and the report is identical across runs", "[sim][run][io]") {
  Fixture f;
  auto first = RunSimulation(Options(f));
  REQUIRE(first.ok());
  const RunResult& r = first.value();
  CHECK(r.events == 200);
  CHECK(r.steps == 200);
  CHECK(r.malformed == 0);
  REQUIRE(r.agents.size() == 3);
  for (const AgentResult& a : r.agents) {
    INFO(a.name << ": " << a.detail);
    CHECK(a.status == "ok");
    CHECK(a.fills > 0);
    CHECK(a.portfolio.fees_paid.units > 0);
  }
  // buy and hold: one buy of half the balance, still open at the end.
  CHECK(r.agents[0].orders_accepted == 1);
  REQUIRE(r.agents[0].portfolio.positions.size() == 1);
  CHECK(r.agents[0].portfolio.positions[0].quantity.units > 0);
  auto second = RunSimulation(Options(f));
  REQUIRE(second.ok());
  CHECK(ReportJson(r, Options(f).config, "test", false) ==
        ReportJson(second.value(), Options(f).config, "test", false));
}

TEST_CASE("a strategy that crashes, babbles or stalls is stopped; the others go on",
          "[sim][run][io]") {
  Fixture f;
  RunOptions o = Options(f);
  // Long enough for an interpreter to start on a loaded machine (the first step includes it).
  o.config.step_timeout_ms = 2000;
  o.agents = {{"crash", "exit 3"},
              {"babble", "echo hello; sleep 5"},
              {"stall", "sleep 30"},
              {"hold", Strategy("buy_and_hold.py")}};
  auto result = RunSimulation(o);
  REQUIRE(result.ok());
  const auto& a = result.value().agents;
  REQUIRE(a.size() == 4);
  CHECK(a[0].status == "crashed");
  CHECK(a[0].detail.find("exited with status 3") != std::string::npos);
  CHECK(a[1].status == "protocol_error");
  CHECK(a[1].detail == "not a JSON object: 'hello'");
  CHECK(a[2].status == "timeout");
  CHECK(a[3].status == "ok");
  CHECK(a[3].fills > 0);
}

TEST_CASE("bad agent specs and missing feeds are errors before anything runs", "[sim][run]") {
  Fixture f;
  RunOptions o = Options(f);
  o.agents = {{"x", "true"}, {"x", "true"}};
  CHECK(RunSimulation(o).status().message() == "agent name 'x' is used twice");
  o.agents = {{"bad name", "true"}};
  CHECK(RunSimulation(o).status().message() == "agent name 'bad name' is not valid");
  o.agents = {};
  o.config.feed_files = {(f.dir / "missing.jsonl").string()};
  CHECK(RunSimulation(o).status().code() == StatusCode::kNotFound);
}

TEST_CASE("the fail-if gate names the agent and the condition", "[sim][run]") {
  RunResult r;
  AgentResult a;
  a.name = "hold";
  a.performance.return_e8 = -5'000'000;  // -5%
  a.performance.max_drawdown_e8 = 10'000'000;
  r.agents.push_back(a);
  auto gate = ParseGate("return<0 || drawdown>0.2");
  REQUIRE(gate.ok());
  auto hits = EvaluateGate(gate.value(), r);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0] == "hold: return<0 (return is -0.05)");
  CHECK(EvaluateGate(ParseGate("hold.liquidations>0").value(), r).empty());
  CHECK(EvaluateGate(ParseGate("other.return<0").value(), r) ==
        std::vector<std::string>{"other.return<0: no agent named 'other'"});
  CHECK(ParseGate("return").status().message() == "--fail-if condition 'return' has no comparison");
  CHECK(ParseGate("profit>1").status().message() == "--fail-if: unknown metric 'profit'");
}

}  // namespace
}  // namespace claw::run
