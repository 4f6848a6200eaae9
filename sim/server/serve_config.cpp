#include "sim/server/serve_config.h"

#include <charconv>
#include <map>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "sim/engine/sealed.h"

namespace claw::server {
namespace {

Result<std::int64_t> Int(const std::string& v, const std::string& key, std::int64_t lo,
                         std::int64_t hi) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return Status::InvalidArgument("'" + key + "' must be a whole number from " +
                                   std::to_string(lo) + " to " + std::to_string(hi) + ", not '" +
                                   v + "'");
  }
  return n;
}

Result<bool> Bool(const std::string& v, const std::string& key) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return Status::InvalidArgument("'" + key + "' must be true or false, not '" + v + "'");
}

// The keys this file owns; each applies a text value (from TOML or the environment).
using Apply = Status (*)(const std::string& v, ServeConfig* c);
const std::map<std::string, Apply>& Keys() {
  static const std::map<std::string, Apply> kKeys = {
      {"server.listen", [](const std::string& v, ServeConfig* c) { return ParseListen(v, c); }},
      {"server.io_threads",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "server.io_threads", 1, 256);
         if (!n.ok()) return n.status();
         c->io_threads = static_cast<int>(*n);
         return Status::Ok();
       }},
      {"server.max_body",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "server.max_body", 1024, 64 << 20);
         if (!n.ok()) return n.status();
         c->max_body = *n;
         return Status::Ok();
       }},
      {"server.trusted_proxies",
       [](const std::string& v, ServeConfig* c) {
         c->trusted_proxies = run::SplitList(v);
         return Status::Ok();
       }},
      {"server.public_url",
       [](const std::string& v, ServeConfig* c) {
         if (!v.starts_with("http://") && !v.starts_with("https://")) {
           return Status::InvalidArgument("'server.public_url' must start with http:// or https://");
         }
         c->public_url = v;
         while (!c->public_url.empty() && c->public_url.back() == '/') c->public_url.pop_back();
         return Status::Ok();
       }},
      {"server.rate_limits",
       [](const std::string& v, ServeConfig* c) {
         auto b = Bool(v, "server.rate_limits");
         if (!b.ok()) return b.status();
         c->rate_limits = *b;
         return Status::Ok();
       }},
      {"store.backend",
       [](const std::string& v, ServeConfig* c) {
         if (v != "sqlite") {
           return Status::InvalidArgument(
               "'store.backend' \"" + v + "\" is not available in this build",
               v == "postgres" ? "the PostgreSQL store is not implemented yet; use \"sqlite\""
                               : "use \"sqlite\"");
         }
         c->store_backend = v;
         return Status::Ok();
       }},
      {"store.path", [](const std::string& v, ServeConfig* c) { c->store_path = v; return Status::Ok(); }},
      {"store.data_dir",
       [](const std::string& v, ServeConfig* c) { c->data_dir = v; return Status::Ok(); }},
      {"store.url", [](const std::string&, ServeConfig*) { return Status::Ok(); }},
      {"auth.window_s",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "auth.window_s", 1, 3600);
         if (!n.ok()) return n.status();
         c->auth_window_ms = *n * 1000;
         return Status::Ok();
       }},
      {"auth.ip_lock",
       [](const std::string& v, ServeConfig* c) {
         auto b = Bool(v, "auth.ip_lock");
         if (!b.ok()) return b.status();
         c->ip_lock = *b;
         return Status::Ok();
       }},
      {"owner.approval_ttl_s",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "owner.approval_ttl_s", 1, 30 * 86'400);
         if (!n.ok()) return n.status();
         c->approval_ttl_ms = *n * 1000;
         return Status::Ok();
       }},
      {"sessions.access_ttl_s",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "sessions.access_ttl_s", 1, 86'400);
         if (!n.ok()) return n.status();
         c->session_access_ttl_s = *n;
         return Status::Ok();
       }},
      {"sessions.refresh_ttl_s",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "sessions.refresh_ttl_s", 60, 366LL * 86'400);
         if (!n.ok()) return n.status();
         c->session_refresh_ttl_s = *n;
         return Status::Ok();
       }},
      {"sessions.connect_code_ttl_s",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "sessions.connect_code_ttl_s", 10, 86'400);
         if (!n.ok()) return n.status();
         c->connect_code_ttl_s = *n;
         return Status::Ok();
       }},
      {"sessions.proof_window_s",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "sessions.proof_window_s", 1, 600);
         if (!n.ok()) return n.status();
         c->dpop_window_s = *n;
         return Status::Ok();
       }},
      {"sessions.connect_code_tries_per_minute",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "sessions.connect_code_tries_per_minute", 1, 10'000);
         if (!n.ok()) return n.status();
         c->connect_code_tries_per_minute = static_cast<int>(*n);
         return Status::Ok();
       }},
      {"sessions.prune_interval_s",
       [](const std::string& v, ServeConfig* c) {
         auto n = Int(v, "sessions.prune_interval_s", 1, 86'400);
         if (!n.ok()) return n.status();
         c->session_prune_interval_s = *n;
         return Status::Ok();
       }},
      {"feed.source",
       [](const std::string& v, ServeConfig* c) {
         if (v != "synthetic" && v != "replay") {
           return Status::InvalidArgument(
               "'feed.source' \"" + v + "\" is not available",
               v == "binance" ? "the live Binance feed is not implemented yet; use synthetic or replay"
                              : "use \"synthetic\" or \"replay\"");
         }
         c->feed_source = v;
         return Status::Ok();
       }},
  };
  return kKeys;
}

std::string EnvName(const std::string& key) {
  std::string name = "ARENA_";
  for (char ch : key) name += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return name;
}

Result<std::string> Text(const toml::value& v, const std::string& key) {
  if (v.is_string()) return std::string(v.as_string().str);
  if (v.is_integer()) return std::to_string(v.as_integer());
  if (v.is_boolean()) return std::string(v.as_boolean() ? "true" : "false");
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v.as_array()) {
      if (!item.is_string()) return Status::InvalidArgument("'" + key + "' must hold strings");
      out += (out.empty() ? "" : ",") + item.as_string().str;
    }
    return out;
  }
  return Status::InvalidArgument("'" + key + "' has an unsupported type");
}

}  // namespace

Status ParseListen(const std::string& text, ServeConfig* config) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("listen address '" + text + "' has no port",
                                   "use HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto port = Int(text.substr(colon + 1), "listen port", 0, 65535);
  if (!port.ok()) {
    return Status::InvalidArgument("listen address '" + text + "' has a bad port",
                                   "use HOST:PORT with a port from 0 (any free port) to 65535");
  }
  config->listen_host = host.empty() ? "127.0.0.1" : host;
  config->listen_port = static_cast<std::uint16_t>(*port);
  return Status::Ok();
}

Result<ServeConfig> LoadServeConfig(const std::string& path, const run::EnvLookup& env) {
  ServeConfig config;
  auto arena = run::LoadRunConfig(path, env);
  if (!arena.ok()) return arena.status();
  config.arena = std::move(arena).value();
  std::map<std::string, std::string> flat;
  // The runner replays as fast as it can by default; a server replays in real time unless
  // [feed] speed (or ARENA_FEED_SPEED) says otherwise.
  bool speed_given = false;
  std::string ignored;
  if (env && env("ARENA_FEED_SPEED", &ignored)) speed_given = true;
  if (!path.empty()) {
    toml::value root;
    try {
      root = toml::parse(path);
    } catch (const std::exception& e) {  // LoadRunConfig already reported syntax errors
      return Status::InvalidArgument("config '" + path + "': " + e.what());
    }
    static const std::set<std::string> kSections = {"server", "store", "auth",
                                                    "sessions", "owner"};
    for (const auto& [section, body] : root.as_table()) {
      const bool ours = kSections.count(section) > 0;
      if (!ours && section != "feed") continue;
      if (!body.is_table()) return Status::InvalidArgument("'" + section + "' must be a table");
      for (const auto& [k, v] : body.as_table()) {
        const std::string key = section + "." + k;
        if (key == "feed.speed") speed_given = true;
        if (section == "feed" && key != "feed.source") continue;  // the runner's keys
        if (!Keys().count(key)) {
          std::string known;
          for (const auto& [name, apply] : Keys()) {
            if (name.starts_with(section + ".")) known += (known.empty() ? "" : ", ") + name;
          }
          return Status::InvalidArgument("unknown key '" + key + "' in config '" + path + "'",
                                         "known keys here: " + known);
        }
        auto text = Text(v, key);
        if (!text.ok()) return text.status();
        flat[key] = *text;
      }
    }
  }
  for (const auto& [key, apply] : Keys()) {
    std::string value;
    if (env && env(EnvName(key), &value)) flat[key] = value;
  }
  for (const auto& [key, value] : flat) {
    Status s = Keys().at(key)(value, &config);
    if (!s.ok()) return s.WithContext(path.empty() ? EnvName(key) : "config '" + path + "'");
  }
  if (!config.arena.feed_files.empty() && !flat.count("feed.source")) config.feed_source = "replay";
  if (!speed_given) {
    config.arena.speed = run::SpeedMode::kRealtime;
    config.arena.speed_factor_e3 = 1000;
  }
  return config;
}

std::string EffectiveConfigToml(const ServeConfig& c) {
  std::ostringstream o;
  auto q = [](const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    return out + "\"";
  };
  const auto& e = c.arena.engine;
  o << "[arena]\nname = " << q(c.arena.name) << "\nquote = " << q(c.arena.quote)
    << "\nstarting_balance = " << q(engine::ToString(e.starting_balance)) << "\n\n[fees]\ntaker_bps = "
    << e.taker_bps << "\nmaker_bps = " << e.maker_bps << "\nliquidation_bps = " << e.liquidation_bps
    << "\n\n[risk]\nmax_leverage = " << e.max_leverage << "\nliquidation_margin_level = "
    << q(engine::FormatFixed(e.liquidation_margin_level_e4, 4)) << "\nstale_feed_ms = "
    << e.stale_feed_ms << "\n\n[feed]\nsource = " << q(c.feed_source) << "\nfiles = [";
  for (std::size_t i = 0; i < c.arena.feed_files.size(); ++i) {
    o << (i ? ", " : "") << q(c.arena.feed_files[i]);
  }
  o << "]\nspeed = "
    << q(c.arena.speed == run::SpeedMode::kMax
             ? std::string("max")
             : engine::FormatFixed(c.arena.speed_factor_e3, 3) + "x")
    << "\n\n[server]\nlisten = " << q(c.listen_host + ":" + std::to_string(c.listen_port))
    << "\nio_threads = " << c.io_threads << "\nmax_body = " << c.max_body
    << "\ntrusted_proxies = [";
  for (std::size_t i = 0; i < c.trusted_proxies.size(); ++i) {
    o << (i ? ", " : "") << q(c.trusted_proxies[i]);
  }
  o << "]\npublic_url = " << q(c.public_url) << "\nrate_limits = " << (c.rate_limits ? "true" : "false") << "\n\n[store]\nbackend = " << q(c.store_backend)
    << "\ndata_dir = " << q(c.data_dir) << "\npath = "
    << q(c.store_path.empty() ? c.data_dir + "/arena.db" : c.store_path)
    << "\n\n[auth]\nwindow_s = " << c.auth_window_ms / 1000
    << "\nip_lock = " << (c.ip_lock ? "true" : "false") << "\n"
    << "\n[reveal]\nperiod_days = " << c.arena.reveal.period_days << "\nanchor = "
    << q(c.arena.reveal.anchor) << "\ngrace_h = " << c.arena.reveal.grace_h << "\ntolerance_bps = "
    << c.arena.reveal.tolerance_bps << "\ntape_retention_h = " << c.arena.reveal.tape_retention_h
    << "\n"
    << "\n[sessions]\naccess_ttl_s = " << c.session_access_ttl_s
    << "\nrefresh_ttl_s = " << c.session_refresh_ttl_s
    << "\nconnect_code_ttl_s = " << c.connect_code_ttl_s
    << "\nproof_window_s = " << c.dpop_window_s
    << "\nconnect_code_tries_per_minute = " << c.connect_code_tries_per_minute
    << "\nprune_interval_s = " << c.session_prune_interval_s << "\n"
    << "\n[owner]\napproval_ttl_s = " << c.approval_ttl_ms / 1000 << "\n";
  for (const auto& i : e.instruments) {
    o << "\n[[instruments]]\nsymbol = " << q(i.symbol) << "\ntick_size = " << q(engine::ToString(i.tick_size))
      << "\nstep_size = " << q(engine::ToString(i.step_size)) << "\nmin_notional = "
      << q(engine::ToString(i.min_notional)) << "\nmax_leverage = " << i.max_leverage << "\n";
  }
  return o.str();
}

}  // namespace claw::server
