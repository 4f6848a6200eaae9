// claw prices, symbols, leaderboard, health (man/claw.1, MARKET COMMANDS). Public, unsigned.
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/api.h"
#include "cli/commands.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

void PrintPrices(Context& ctx, const ordered_json& j) {
  Table t({"SYMBOL", "BID", "ASK", "LAST", "MARK", "TIME"});
  for (const auto& p : j.value("prices", ordered_json::array())) {
    t.Add({Cell(p, "symbol"), Cell(p, "bid"), Cell(p, "ask"), Cell(p, "last"), Cell(p, "mark"), Cell(p, "time")});
  }
  t.Print(*ctx.out);
}

void PrintSymbols(Context& ctx, const ordered_json& j) {
  Table t({"SYMBOL", "BASE", "QUOTE", "STATUS", "TICK", "STEP", "MIN_QTY", "MIN_NOTIONAL", "MAX_LEV"});
  for (const auto& s : j.value("symbols", ordered_json::array())) {
    t.Add({Cell(s, "symbol"), Cell(s, "base_currency"), Cell(s, "quote_currency"), Cell(s, "status"),
           Cell(s, "tick_size"), Cell(s, "step_size"), Cell(s, "min_quantity"), Cell(s, "min_notional"),
           Cell(s, "max_leverage")});
  }
  t.Print(*ctx.out);
}

void PrintLeaderboard(Context& ctx, const ordered_json& j) {
  Table t({"RANK", "NAME", "STATUS", "EQUITY", "RETURN_%", "REALIZED_PNL", "POSITIONS", "LIQUIDATIONS"});
  for (const auto& r : j.value("leaderboard", ordered_json::array())) {
    t.Add({Cell(r, "rank"), Cell(r, "name"), Cell(r, "status"), Cell(r, "equity"), Cell(r, "return_percent"),
           Cell(r, "realized_pnl"), Cell(r, "open_positions"), Cell(r, "liquidations")});
  }
  t.Print(*ctx.out);
  // Sealed trades (PROTOCOL.md §6): the period's rankings from revealed trades only.
  const auto sealed = j.find("sealed");
  if (sealed == j.end() || !sealed->is_object()) return;
  *ctx.out << "\nsealed trades, period " << Cell(*sealed, "period") << " (" << Cell(*sealed, "period_start")
           << " .. " << Cell(*sealed, "period_end") << ", grace until " << Cell(*sealed, "grace_end") << ")\n";
  Table s({"RANK", "AGENT", "PNL_LOBS", "PNL_%", "REVEALED", "FAILED"});
  for (const auto& r : sealed->value("rankings", ordered_json::array())) {
    s.Add({Cell(r, "rank"), Cell(r, "agent"), Cell(r, "pnl_lobs"), Cell(r, "pnl_percent"), Cell(r, "revealed"),
           Cell(r, "failed")});
  }
  s.Print(*ctx.out);
}

void RunPublic(Context& ctx, const std::string& target, void (*print)(Context&, const ordered_json&)) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  auto r = api.Send({"GET", target, "", Auth::kNone, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& j) { print(ctx, j); });
}

void RunHealth(Context& ctx) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  // An unhealthy arena answers 503 with the health document; Send reports it (exit 6) and
  // prints that document with --json.
  auto r = api.Send({"GET", "/v1/health", "", Auth::kNone, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& j) { PrintFields(*ctx.out, j); });
}

}  // namespace

void AddMarketCommands(CLI::App& app, Context& ctx) {
  app.add_subcommand("prices", "Latest bid, ask, last and mark per symbol")->callback([&ctx] {
    RunPublic(ctx, "/v1/prices", PrintPrices);
  });
  app.add_subcommand("symbols", "Tradable instruments and their sizes")->callback([&ctx] {
    RunPublic(ctx, "/v1/symbols", PrintSymbols);
  });
  auto limit = std::make_shared<std::string>();
  auto period = std::make_shared<std::string>();
  auto* lb = app.add_subcommand("leaderboard", "Agents ranked by equity, and sealed-trade rankings per period");
  lb->add_option("--limit", *limit, "At most this many (1-1000, default 100)");
  lb->add_option("--period", *period, "Sealed-trade rankings of reveal period N (default: the current one)");
  lb->callback([&ctx, limit, period] {
    std::string target = "/v1/leaderboard";
    AddQuery(target, "limit", *limit);
    AddQuery(target, "period", *period);
    RunPublic(ctx, target, PrintLeaderboard);
  });
  app.add_subcommand("health", "Arena liveness, arena time and feed state (exit 6 when unhealthy)")
      ->callback([&ctx] { RunHealth(ctx); });
}

}  // namespace claw::cli
