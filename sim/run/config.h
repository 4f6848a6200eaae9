// RunConfig: everything `arena-sim run` needs, from `arena.toml` (PROTOCOL.md §11), then
// `ARENA_<SECTION>_<KEY>` environment variables, then command-line flags (applied by the caller).
//
// Every key has a default, so no file is needed. Sections the runner does not use ([server],
// [store], [auth], ...) are accepted and ignored; an unknown key in a section the runner
// does use is an error, so a typo does not silently fall back to a default.
// Plain values; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/status.h"

namespace claw::run {

enum class SpeedMode : std::uint8_t { kMax, kRealtime };

// [reveal]: commit-reveal periods (PROTOCOL.md §6, sim/engine/sealed.h), the same for `run`
// (on the feed's clock) and `serve`.
struct RevealConfig {
  int period_days = 14;
  std::string anchor = "friday 00:00 UTC";
  int grace_h = 24;
  int tolerance_bps = 50;
  // Price-tape points older than this are pruned; keep it >= the period plus the grace, or
  // late reveals find no tape price.
  int tape_retention_h = 15 * 24 + 24;
};

struct RunConfig {
  std::string name = "local";  // [arena] name
  std::string quote = "USDT";  // [arena] quote
  engine::EngineConfig engine;  // [arena] starting_balance, [fees], [risk], [[instruments]]
  std::vector<std::string> feed_files;  // [feed] files (used when source = "replay")
  SpeedMode speed = SpeedMode::kMax;    // [feed] speed: "max", "realtime" (= "1x"), "Nx"
  std::int64_t speed_factor_e3 = 1000;  // "10x" = 10000, "0.5x" = 500 (1e-3 units)
  // [run] (runner-only extension of §11)
  std::int64_t step_ms = 0;             // 0: one step per distinct feed event time
  std::int64_t step_timeout_ms = 5'000; // a strategy silent this long in a step is stopped
  std::int64_t snapshot_interval_ms = 60'000;  // equity snapshots for metrics
  std::int64_t curve_points = 200;      // equity curve points per agent in the report
  RevealConfig reveal;                  // [reveal]
};

// Looks up an environment variable; returns false when unset. Injected so tests need not
// touch the process environment.
using EnvLookup = std::function<bool(const std::string& name, std::string* value)>;
EnvLookup ProcessEnv();

// "a,b,,c" -> {"a", "b", "c"}: comma-separated lists in config values, env and flags.
std::vector<std::string> SplitList(const std::string& s);

// Loads `path` (empty: defaults only), then applies ARENA_* overrides from `env`.
// Errors name the file, the key and what was expected.
Result<RunConfig> LoadRunConfig(const std::string& path, const EnvLookup& env);

// Parses "250ms", "5s", "2m", "1h", "1d" (a bare number is seconds) into milliseconds.
Result<std::int64_t> ParseDurationMs(std::string_view text, std::string_view what);

// Parses "max", "realtime", "1x", "10x", "0.5x" into config->speed / speed_factor_e3.
Status ParseSpeed(std::string_view text, RunConfig* config);

// A canonical text of the effective configuration (one `key = value` per line, fixed order),
// hashed into the report so two runs can be checked to have used the same settings.
std::string CanonicalConfigText(const RunConfig& config);

}  // namespace claw::run
