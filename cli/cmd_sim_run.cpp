// arena-sim run (man/arena-sim.1): replay feeds through the engine with strategy processes,
// print a leaderboard, write the report, apply the --fail-if gate.
// Parses flags and prints; sim/run does the work.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "claw_version.h"
#include "cli/commands.h"
#include "keystore/file_io.h"
#include "sim/run/config.h"
#include "sim/run/report.h"
#include "sim/run/runner.h"

namespace claw::cli {
namespace {

struct RunFlags {
  std::string config;
  std::vector<std::string> feeds;
  std::vector<std::string> agents;
  std::string speed;
  std::string step;
  std::string step_timeout;
  std::string snapshot_interval;
  std::string report;
  std::vector<std::string> fail_if;
  bool strict = false;
  bool no_progress = false;
};

Result<run::AgentSpec> ParseAgent(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument("--agent '" + text + "' is not NAME=COMMAND",
                                   "e.g. --agent hold='python3 scripts/strategies/buy_and_hold.py'");
  }
  return run::AgentSpec{text.substr(0, eq), text.substr(eq + 1)};
}

// "\r  1.2M events  45.0%  3.1M ev/s" on one rewritten line; only when stderr is a terminal.
void PrintProgress(Context& ctx, const run::Progress& p) {
  char line[160];
  const double rate = p.elapsed_s > 0 ? static_cast<double>(p.events) / p.elapsed_s : 0;
  int n = std::snprintf(line, sizeof line, "\r%s: %llu events, %llu steps, %.0f events/s, %.1fs",
                        ctx.prog.c_str(), static_cast<unsigned long long>(p.events),
                        static_cast<unsigned long long>(p.steps), rate, p.elapsed_s);
  if (p.fraction >= 0 && n > 0 && static_cast<std::size_t>(n) < sizeof line) {
    const double eta = p.fraction > 0 ? p.elapsed_s * (1 - p.fraction) / p.fraction : 0;
    std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), ", %.1f%%, ETA %.0fs",
                  p.fraction * 100, eta);
  }
  *ctx.err << line << "\x1b[K" << std::flush;
}

Status BuildOptions(const RunFlags& f, run::RunOptions* o) {
  auto config = run::LoadRunConfig(f.config, run::ProcessEnv());
  if (!config.ok()) return config.status();
  o->config = config.value();
  if (!f.feeds.empty()) o->config.feed_files = f.feeds;
  if (!f.speed.empty()) CLAW_RETURN_IF_ERROR(run::ParseSpeed(f.speed, &o->config));
  auto duration = [](const std::string& text, const char* what, std::int64_t* out) -> Status {
    if (text.empty()) return Status::Ok();
    auto ms = run::ParseDurationMs(text, what);
    if (!ms.ok()) return ms.status();
    *out = ms.value();
    return Status::Ok();
  };
  CLAW_RETURN_IF_ERROR(duration(f.step, "--step", &o->config.step_ms));
  CLAW_RETURN_IF_ERROR(duration(f.step_timeout, "--step-timeout", &o->config.step_timeout_ms));
  CLAW_RETURN_IF_ERROR(
      duration(f.snapshot_interval, "--snapshot-interval", &o->config.snapshot_interval_ms));
  if (o->config.step_timeout_ms <= 0 || o->config.snapshot_interval_ms <= 0) {
    return Status::InvalidArgument("--step-timeout and --snapshot-interval must be positive");
  }
  for (const std::string& a : f.agents) {
    auto spec = ParseAgent(a);
    if (!spec.ok()) return spec.status();
    o->agents.push_back(spec.value());
  }
  o->strict = f.strict;
  return Status::Ok();
}

void RunCommand(Context& ctx, const RunFlags& f) {
  run::RunOptions options;
  Status st = BuildOptions(f, &options);
  if (!st.ok()) {
    ctx.Fail(st, st.code() == StatusCode::kIOError ? kExitData : ExitCodeFor(st));
    return;
  }
  std::vector<run::GateCondition> gate;
  for (const std::string& expr : f.fail_if) {
    auto parsed = run::ParseGate(expr);
    if (!parsed.ok()) return ctx.Fail(parsed.status());
    gate.insert(gate.end(), parsed.value().begin(), parsed.value().end());
  }
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  if (tty && !ctx.quiet && !f.no_progress) {
    options.on_progress = [&ctx](const run::Progress& p) { PrintProgress(ctx, p); };
  }
  auto result = run::RunSimulation(options);
  if (options.on_progress) *ctx.err << "\n";
  if (!result.ok()) {
    const Status& s = result.status();
    // Feed problems (malformed under --strict, unreadable data) are data errors.
    int code = s.code() == StatusCode::kInvalidArgument && f.strict ? kExitData : ExitCodeFor(s);
    return ctx.Fail(s, code);
  }
  const std::string report = run::ReportJson(result.value(), options.config, CLAW_VERSION);
  if (!f.report.empty() && f.report != "-") {
    Status w = keystore::AtomicWriteFile(f.report, report, /*overwrite=*/true);
    if (!w.ok()) return ctx.Fail(w.WithContext("writing the report"));
  }
  if (ctx.json || f.report == "-") {
    *ctx.out << report;
  } else {
    *ctx.out << run::LeaderboardText(result.value());
    const run::RunResult& r = result.value();
    if (!ctx.quiet) {
      *ctx.err << ctx.prog << ": " << r.events << " events in " << r.steps << " steps, "
               << r.malformed << " malformed and " << r.skipped << " skipped lines";
      if (!f.report.empty()) *ctx.err << "; report in " << f.report;
      *ctx.err << "\n";
      for (const std::string& s : r.malformed_samples) *ctx.err << "  malformed: " << s << "\n";
      for (const run::AgentResult& a : r.agents) {
        if (a.status != "ok") {
          *ctx.err << ctx.prog << ": warning: agent '" << a.name << "' " << a.status << ": "
                   << a.detail << "\n";
        }
      }
    }
  }
  const std::vector<std::string> hits = run::EvaluateGate(gate, result.value());
  if (!hits.empty()) {
    for (const std::string& h : hits) *ctx.err << ctx.prog << ": fail-if: " << h << "\n";
    ctx.exit_code = kExitGate;
  }
}

}  // namespace

void AddRunCommand(CLI::App& sim, Context& ctx) {
  auto f = std::make_shared<RunFlags>();
  auto* cmd = sim.add_subcommand(
      "run", "Replay recorded market data through the engine with strategy processes");
  cmd->add_option("--config", f->config, "arena.toml (every key has a default; see arena-sim(1))");
  cmd->add_option("--feed", f->feeds,
                  "Feed file: Binance JSON lines or data.binance.vision CSV, plain, .gz or .zip; "
                  "'-' for stdin. Repeat to merge several by event time");
  cmd->add_option("--agent", f->agents,
                  "NAME=COMMAND: a strategy run with /bin/sh -c, speaking JSON lines (repeatable)");
  cmd->add_option("--speed", f->speed, "max (default), realtime, or a factor such as 10x");
  cmd->add_option("--step", f->step,
                  "Batch feed events into steps of this length (e.g. 1s); default: one step per "
                  "distinct event time");
  cmd->add_option("--step-timeout", f->step_timeout,
                  "Stop a strategy that has not answered 'done' within this (default 5s)");
  cmd->add_option("--snapshot-interval", f->snapshot_interval,
                  "Equity snapshot interval for the metrics (default 1m)");
  cmd->add_option("--report", f->report, "Write the JSON report here ('-': stdout)");
  cmd->add_option("--fail-if", f->fail_if,
                  "Exit 10 when a condition holds for an agent, e.g. 'return<0', "
                  "'drawdown>0.2 || liquidations>0', 'hold.sharpe<1' (repeatable)");
  cmd->add_flag("--strict", f->strict, "Fail on the first malformed feed line instead of skipping it");
  cmd->add_flag("--no-progress", f->no_progress, "No progress line on stderr");
  cmd->footer(
      "Examples:\n"
      "  arena-sim synth --symbols BTCUSDT,ETHUSDT --duration 1h --seed 7 --out feed.jsonl\n"
      "  arena-sim run --feed feed.jsonl --step 1s \\\n"
      "      --agent hold='python3 scripts/strategies/buy_and_hold.py' \\\n"
      "      --agent ma='python3 scripts/strategies/ma_crossover.py' \\\n"
      "      --report report.json --fail-if 'return<-0.05'\n"
      "Exit status: 0 ok, 2 usage, 5 feed not found, 8 malformed data (--strict), 10 a --fail-if\n"
      "condition held. The strategy protocol and report schema are in arena-sim(1).");
  cmd->callback([&ctx, f] { RunCommand(ctx, *f); });
}

}  // namespace claw::cli
