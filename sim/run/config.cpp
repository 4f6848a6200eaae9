#include "sim/run/config.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include <toml.hpp>

#include "sim/engine/sealed.h"

namespace claw::run {
namespace {

using engine::Cash;
using engine::Price;
using engine::Qty;

// Sections of §11 the runner reads; keys of other sections are the server's business.
const std::set<std::string>& RunnerSections() {
  static const std::set<std::string> kSections = {"arena", "fees", "risk", "feed", "run", "reveal"};
  return kSections;
}

// One scalar setting: "section.key" and how to apply its text to the config.
struct Setting {
  const char* key;
  Status (*apply)(const std::string& value, RunConfig* c);
};

Result<std::int64_t> ParseInt(const std::string& v, const std::string& key) {
  std::int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) {
    return Status::InvalidArgument("'" + key + "' must be an integer, got '" + v + "'");
  }
  return out;
}

Status SetDecimal(const std::string& v, const std::string& key, int decimals, std::int64_t* out) {
  auto parsed = engine::ParseFixedOrError(v, decimals, key);
  if (!parsed.ok()) return parsed.status();
  *out = parsed.value();
  return Status::Ok();
}

Status SetBps(const std::string& v, const std::string& key, int* out) {
  auto n = ParseInt(v, key);
  if (!n.ok()) return n.status();
  if (n.value() < 0 || n.value() > 10'000) {
    return Status::InvalidArgument("'" + key + "' must be between 0 and 10000 basis points");
  }
  *out = static_cast<int>(n.value());
  return Status::Ok();
}

Status SetPositiveMs(const std::string& v, const std::string& key, std::int64_t* out,
                     bool allow_zero) {
  auto ms = ParseDurationMs(v, key);
  if (!ms.ok()) return ms.status();
  if (ms.value() < 0 || (!allow_zero && ms.value() == 0)) {
    return Status::InvalidArgument("'" + key + "' must be a positive duration");
  }
  *out = ms.value();
  return Status::Ok();
}

Status SetInt(const std::string& v, const std::string& key, std::int64_t lo, std::int64_t hi,
              int* out) {
  auto n = ParseInt(v, key);
  if (!n.ok()) return n.status();
  if (n.value() < lo || n.value() > hi) {
    return Status::InvalidArgument("'" + key + "' must be between " + std::to_string(lo) + " and " +
                                   std::to_string(hi));
  }
  *out = static_cast<int>(n.value());
  return Status::Ok();
}

const std::array<Setting, 20>& Settings() {
  static const std::array<Setting, 20> kSettings = {{
      {"arena.name", [](const std::string& v, RunConfig* c) { c->name = v; return Status::Ok(); }},
      {"arena.quote", [](const std::string& v, RunConfig* c) { c->quote = v; return Status::Ok(); }},
      {"arena.starting_balance",
       [](const std::string& v, RunConfig* c) {
         CLAW_RETURN_IF_ERROR(SetDecimal(v, "arena.starting_balance", engine::kCashDecimals,
                                         &c->engine.starting_balance.units));
         if (c->engine.starting_balance.units <= 0) {
           return Status::InvalidArgument("'arena.starting_balance' must be positive");
         }
         return Status::Ok();
       }},
      {"fees.taker_bps",
       [](const std::string& v, RunConfig* c) { return SetBps(v, "fees.taker_bps", &c->engine.taker_bps); }},
      {"fees.maker_bps",
       [](const std::string& v, RunConfig* c) { return SetBps(v, "fees.maker_bps", &c->engine.maker_bps); }},
      {"fees.liquidation_bps",
       [](const std::string& v, RunConfig* c) {
         return SetBps(v, "fees.liquidation_bps", &c->engine.liquidation_bps);
       }},
      {"risk.max_leverage",
       [](const std::string& v, RunConfig* c) {
         auto n = ParseInt(v, "risk.max_leverage");
         if (!n.ok()) return n.status();
         if (n.value() < 1 || n.value() > 125) {
           return Status::InvalidArgument("'risk.max_leverage' must be between 1 and 125");
         }
         c->engine.max_leverage = static_cast<int>(n.value());
         c->engine.default_instrument.max_leverage = c->engine.max_leverage;
         return Status::Ok();
       }},
      {"risk.liquidation_margin_level",
       [](const std::string& v, RunConfig* c) {
         CLAW_RETURN_IF_ERROR(SetDecimal(v, "risk.liquidation_margin_level", 4,
                                         &c->engine.liquidation_margin_level_e4));
         if (c->engine.liquidation_margin_level_e4 <= 0) {
           return Status::InvalidArgument("'risk.liquidation_margin_level' must be positive");
         }
         return Status::Ok();
       }},
      {"risk.stale_feed_ms",
       [](const std::string& v, RunConfig* c) {
         auto n = ParseInt(v, "risk.stale_feed_ms");
         if (!n.ok()) return n.status();
         if (n.value() <= 0) return Status::InvalidArgument("'risk.stale_feed_ms' must be positive");
         c->engine.stale_feed_ms = n.value();
         return Status::Ok();
       }},
      {"feed.source",
       [](const std::string& v, RunConfig*) {
         if (v != "replay" && v != "synthetic" && v != "binance") {
           return Status::InvalidArgument("'feed.source' must be \"replay\", \"synthetic\" or \"binance\"");
         }
         return Status::Ok();
       }},
      {"feed.speed", [](const std::string& v, RunConfig* c) { return ParseSpeed(v, c); }},
      {"run.step",
       [](const std::string& v, RunConfig* c) { return SetPositiveMs(v, "run.step", &c->step_ms, true); }},
      {"run.step_timeout",
       [](const std::string& v, RunConfig* c) {
         return SetPositiveMs(v, "run.step_timeout", &c->step_timeout_ms, false);
       }},
      {"run.snapshot_interval",
       [](const std::string& v, RunConfig* c) {
         return SetPositiveMs(v, "run.snapshot_interval", &c->snapshot_interval_ms, false);
       }},
      {"run.curve_points",
       [](const std::string& v, RunConfig* c) {
         auto n = ParseInt(v, "run.curve_points");
         if (!n.ok()) return n.status();
         if (n.value() < 2 || n.value() > 100'000) {
           return Status::InvalidArgument("'run.curve_points' must be between 2 and 100000");
         }
         c->curve_points = n.value();
         return Status::Ok();
       }},
      {"reveal.period_days",
       [](const std::string& v, RunConfig* c) {
         return SetInt(v, "reveal.period_days", 1, 3660, &c->reveal.period_days);
       }},
      {"reveal.anchor",
       [](const std::string& v, RunConfig* c) {
         auto a = engine::ParseRevealAnchor(v);
         if (!a.ok()) return a.status();
         c->reveal.anchor = v;
         return Status::Ok();
       }},
      {"reveal.grace_h",
       [](const std::string& v, RunConfig* c) {
         return SetInt(v, "reveal.grace_h", 0, 24 * 3660, &c->reveal.grace_h);
       }},
      {"reveal.tolerance_bps",
       [](const std::string& v, RunConfig* c) {
         return SetInt(v, "reveal.tolerance_bps", 0, 10'000, &c->reveal.tolerance_bps);
       }},
      {"reveal.tape_retention_h",
       [](const std::string& v, RunConfig* c) {
         return SetInt(v, "reveal.tape_retention_h", 1, 24 * 3660, &c->reveal.tape_retention_h);
       }},
  }};
  return kSettings;
}

// TOML scalar -> text, so strings ("0.8") and numbers (0.8) are read the same way.
Result<std::string> ScalarText(const toml::value& v, const std::string& key) {
  if (v.is_string()) return std::string(v.as_string().str);
  if (v.is_integer()) return std::to_string(v.as_integer());
  if (v.is_boolean()) return std::string(v.as_boolean() ? "true" : "false");
  if (v.is_floating()) {
    // Shortest round-trip digits; a config value such as 0.8 becomes "0.8" exactly.
    std::array<char, 64> buf{};
    auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v.as_floating());
    if (ec != std::errc()) return Status::InvalidArgument("'" + key + "' is not a number");
    return std::string(buf.data(), ptr);
  }
  return Status::InvalidArgument("'" + key + "' must be a string or a number");
}

Result<engine::Instrument> ParseInstrument(const toml::value& t, const RunConfig& c, size_t i) {
  const std::string where = "instruments[" + std::to_string(i) + "]";
  if (!t.is_table()) return Status::InvalidArgument("'" + where + "' must be a table");
  engine::Instrument ins = c.engine.default_instrument;
  ins.max_leverage = c.engine.max_leverage;
  bool has_symbol = false;
  for (const auto& [k, v] : t.as_table()) {
    const std::string key = where + "." + k;
    auto text = ScalarText(v, key);
    if (!text.ok()) return text.status();
    const std::string& s = text.value();
    if (k == "symbol") {
      ins.symbol = s;
      has_symbol = !s.empty();
    } else if (k == "tick_size") {
      CLAW_RETURN_IF_ERROR(SetDecimal(s, key, engine::kPriceDecimals, &ins.tick_size.ticks));
    } else if (k == "step_size") {
      CLAW_RETURN_IF_ERROR(SetDecimal(s, key, engine::kQtyDecimals, &ins.step_size.units));
    } else if (k == "min_qty") {
      CLAW_RETURN_IF_ERROR(SetDecimal(s, key, engine::kQtyDecimals, &ins.min_qty.units));
    } else if (k == "min_notional") {
      CLAW_RETURN_IF_ERROR(SetDecimal(s, key, engine::kCashDecimals, &ins.min_notional.units));
    } else if (k == "max_leverage") {
      auto n = ParseInt(s, key);
      if (!n.ok()) return n.status();
      ins.max_leverage = static_cast<int>(n.value());
    } else {
      return Status::InvalidArgument("unknown key '" + key + "'",
                                     "instrument keys: symbol, tick_size, step_size, min_qty, "
                                     "min_notional, max_leverage");
    }
  }
  if (!has_symbol) return Status::InvalidArgument("'" + where + "' has no symbol");
  if (ins.tick_size.ticks <= 0 || ins.step_size.units <= 0) {
    return Status::InvalidArgument("'" + where + "' needs a positive tick_size and step_size",
                                   "prices have 4 decimals, quantities 8: the smallest tick is "
                                   "0.0001 and the smallest step 0.00000001");
  }
  if (ins.max_leverage < 1) return Status::InvalidArgument("'" + where + ".max_leverage' must be >= 1");
  return ins;
}

std::string EnvName(const std::string& key) {
  std::string name = "ARENA_";
  for (char ch : key) name += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return name;
}

// Reads the TOML file into flat "section.key" -> text, plus instruments and feed files.
Status ReadToml(const std::string& path, std::map<std::string, std::string>* flat,
                RunConfig* config, std::vector<toml::value>* instruments) {
  toml::value root;
  try {
    root = toml::parse(path);
  } catch (const toml::syntax_error& e) {
    return Status::InvalidArgument("config '" + path + "' is not valid TOML: " + e.what());
  } catch (const std::exception& e) {
    return Status::IOError("cannot read config '" + path + "': " + e.what(),
                           "check the path given to --config");
  }
  for (const auto& [section, body] : root.as_table()) {
    if (section == "instruments") {
      if (!body.is_array()) return Status::InvalidArgument("'instruments' must be [[instruments]] tables");
      for (const auto& t : body.as_array()) instruments->push_back(t);
      continue;
    }
    if (!RunnerSections().count(section)) continue;  // [server], [store], ...: serve's keys
    if (!body.is_table()) return Status::InvalidArgument("'" + section + "' must be a table");
    for (const auto& [k, v] : body.as_table()) {
      const std::string key = section + "." + k;
      if (key == "feed.files") {
        if (!v.is_array()) return Status::InvalidArgument("'feed.files' must be an array of paths");
        for (const auto& f : v.as_array()) {
          if (!f.is_string()) return Status::InvalidArgument("'feed.files' must hold strings");
          config->feed_files.push_back(f.as_string().str);
        }
        continue;
      }
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.status();
      (*flat)[key] = text.value();
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name, std::string* value) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return false;
    *value = v;
    return true;
  };
}

Result<std::int64_t> ParseDurationMs(std::string_view text, std::string_view what) {
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kUnits = {{
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
  std::string_view number = text;
  std::int64_t scale = 1000;
  for (const auto& [suffix, ms] : kUnits) {
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
      // "ms" is checked before "s", so "250ms" is not read as 250m + "s".
      number = text.substr(0, text.size() - suffix.size());
      scale = ms;
      break;
    }
  }
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() || n < 0 ||
      n > INT64_MAX / scale) {
    return Status::InvalidArgument("'" + std::string(what) + "' is not a duration: '" +
                                   std::string(text) + "'",
                                   "use a whole number with a unit: 250ms, 5s, 2m, 1h, 1d");
  }
  return n * scale;
}

Status ParseSpeed(std::string_view text, RunConfig* config) {
  if (text == "max") {
    config->speed = SpeedMode::kMax;
    return Status::Ok();
  }
  if (text == "realtime") {
    config->speed = SpeedMode::kRealtime;
    config->speed_factor_e3 = 1000;
    return Status::Ok();
  }
  std::int64_t factor = 0;
  if (text.size() > 1 && text.back() == 'x' &&
      engine::ParseFixed(text.substr(0, text.size() - 1), 3, &factor) && factor > 0) {
    config->speed = SpeedMode::kRealtime;
    config->speed_factor_e3 = factor;
    return Status::Ok();
  }
  return Status::InvalidArgument("speed '" + std::string(text) + "' is not understood",
                                 "use max, realtime, or a factor such as 10x or 0.5x");
}

Result<RunConfig> LoadRunConfig(const std::string& path, const EnvLookup& env) {
  RunConfig config;
  std::map<std::string, std::string> flat;
  std::vector<toml::value> instruments;
  if (!path.empty()) CLAW_RETURN_IF_ERROR(ReadToml(path, &flat, &config, &instruments));
  std::set<std::string> known;
  for (const Setting& s : Settings()) known.insert(s.key);
  for (const auto& [key, value] : flat) {
    if (!known.count(key)) {
      std::string valid;
      for (const Setting& s : Settings()) {
        if (std::string(s.key).starts_with(key.substr(0, key.find('.') + 1))) {
          valid += (valid.empty() ? "" : ", ") + std::string(s.key);
        }
      }
      return Status::InvalidArgument("unknown key '" + key + "' in config '" + path + "'",
                                     valid.empty() ? "see arena-sim(1), CONFIGURATION"
                                                   : "known keys here: " + valid +
                                                         (key.starts_with("feed.") ? ", feed.files" : ""));
    }
  }
  for (const Setting& s : Settings()) {  // environment overrides the file
    std::string value;
    if (env && env(EnvName(s.key), &value)) flat[s.key] = value;
  }
  std::string files;
  if (env && env("ARENA_FEED_FILES", &files)) config.feed_files = SplitList(files);
  // Fixed order (the Settings table) so later keys see earlier ones (max_leverage first).
  for (const Setting& s : Settings()) {
    auto it = flat.find(s.key);
    if (it == flat.end()) continue;
    Status st = s.apply(it->second, &config);
    if (!st.ok()) return st.WithContext(path.empty() ? EnvName(s.key) : "config '" + path + "'");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < instruments.size(); ++i) {
    auto ins = ParseInstrument(instruments[i], config, i);
    if (!ins.ok()) return ins.status().WithContext("config '" + path + "'");
    if (!seen.insert(ins.value().symbol).second) {
      return Status::InvalidArgument("instrument '" + ins.value().symbol + "' is listed twice in '" +
                                     path + "'");
    }
    config.engine.instruments.push_back(ins.value());
  }
  const RevealConfig& r = config.reveal;
  if (auto clock = engine::RevealClock::Make(r.period_days, r.anchor, r.grace_h); !clock.ok()) {
    return clock.status().WithContext(path.empty() ? "[reveal]" : "config '" + path + "'");
  }
  return config;
}

std::string CanonicalConfigText(const RunConfig& c) {
  std::ostringstream out;
  const auto& e = c.engine;
  out << "arena.name = " << c.name << "\narena.quote = " << c.quote
      << "\narena.starting_balance = " << engine::ToString(e.starting_balance)
      << "\nfees.taker_bps = " << e.taker_bps << "\nfees.maker_bps = " << e.maker_bps
      << "\nfees.liquidation_bps = " << e.liquidation_bps << "\nrisk.max_leverage = "
      << e.max_leverage << "\nrisk.liquidation_margin_level = "
      << engine::FormatFixed(e.liquidation_margin_level_e4, 4)
      << "\nrisk.stale_feed_ms = " << e.stale_feed_ms << "\nrun.step_ms = " << c.step_ms
      << "\nrun.step_timeout_ms = " << c.step_timeout_ms << "\nrun.snapshot_interval_ms = "
      << c.snapshot_interval_ms << "\nrun.curve_points = " << c.curve_points
      << "\nreveal.period_days = " << c.reveal.period_days << "\nreveal.anchor = " << c.reveal.anchor
      << "\nreveal.grace_h = " << c.reveal.grace_h << "\nreveal.tolerance_bps = "
      << c.reveal.tolerance_bps << "\nreveal.tape_retention_h = " << c.reveal.tape_retention_h << "\n";
  for (const auto& i : e.instruments) {
    out << "instrument = " << i.symbol << " tick=" << engine::ToString(i.tick_size)
        << " step=" << engine::ToString(i.step_size) << " min_qty=" << engine::ToString(i.min_qty)
        << " min_notional=" << engine::ToString(i.min_notional) << " max_leverage=" << i.max_leverage
        << "\n";
  }
  return out.str();
}

}  // namespace claw::run
