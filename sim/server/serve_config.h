// ServeConfig: everything `arena-sim serve` needs. The arena/fees/risk/instruments/feed part is
// the runner's (run::LoadRunConfig, so `run` and `serve` read one file the same way); this adds
// the server's own sections of PROTOCOL.md §11: [server], [store], [auth], and [feed] source.
// Precedence: file < ARENA_<SECTION>_<KEY> environment < command-line flags (applied by the
// caller). Unknown keys in these sections are errors, so a typo never silently falls back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/status.h"
#include "sim/run/config.h"

namespace claw::server {

struct ServeConfig {
  run::RunConfig arena;                 // engine settings, feed files and speed
  std::string feed_source = "synthetic";  // "synthetic" | "replay" | "binance"
  std::vector<std::string> synthetic_symbols = {"BTCUSDT", "ETHUSDT"};
  std::uint64_t synthetic_seed = 0;     // 0: a fresh seed per start (live-like)
  // [server]
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  int io_threads = 2;
  std::int64_t max_body = 65'536;
  std::vector<std::string> trusted_proxies;
  std::string public_url;               // base of claim URLs; default http://<listen>
  bool rate_limits = true;              // false: no 429s (load tests, trusted networks)
  // [store]
  std::string store_backend = "sqlite";
  std::string data_dir = "var/arena";
  std::string store_path;               // default <data_dir>/arena.db
  // [auth]
  std::int64_t auth_window_ms = 30'000;
  bool ip_lock = false;
  // [reveal] is the runner's: arena.reveal (run::RevealConfig)
  // [owner]
  std::int64_t approval_ttl_ms = 3'600'000;  // orders held for approval expire (arena clock)
  // [sessions] (PROTOCOL.md §7)
  std::int64_t session_access_ttl_s = 300;
  std::int64_t session_refresh_ttl_s = 30 * 86'400;
  std::int64_t connect_code_ttl_s = 900;
  std::int64_t dpop_window_s = 60;              // proof iat within +-this of server time
  int connect_code_tries_per_minute = 10;       // per client IP
  std::int64_t session_prune_interval_s = 60;   // expired jtis, codes, sessions removed
};

Result<ServeConfig> LoadServeConfig(const std::string& path, const run::EnvLookup& env);

// "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces is explicit: "0.0.0.0:8080").
Status ParseListen(const std::string& text, ServeConfig* config);

// The effective configuration as TOML (arena-sim serve --print-config).
std::string EffectiveConfigToml(const ServeConfig& config);

}  // namespace claw::server
