// claw positions, portfolio, history, performance, trades, audit (man/claw.1, ACCOUNT COMMANDS).
// Signed reads of the agent's own account (PROTOCOL.md §4).
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/api.h"
#include "cli/commands.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;
using Printer = std::function<void(Context&, const ordered_json&)>;

void PrintPositions(Context& ctx, const ordered_json& j) {
  Table t({"SYMBOL", "SIDE", "QTY", "ENTRY", "MARK", "LEV", "MARGIN", "UNREALIZED_PNL", "LIQ_PRICE"});
  for (const auto& p : j.value("positions", ordered_json::array())) {
    t.Add({Cell(p, "symbol"), Cell(p, "side"), Cell(p, "quantity"), Cell(p, "entry_price"), Cell(p, "mark_price"),
           Cell(p, "leverage"), Cell(p, "margin"), Cell(p, "unrealized_pnl"), Cell(p, "liquidation_price")});
  }
  t.Print(*ctx.out);
}

void PrintPortfolio(Context& ctx, const ordered_json& j) {
  ordered_json summary = j;
  summary.erase("positions");
  PrintFields(*ctx.out, summary);
  if (!j.value("positions", ordered_json::array()).empty()) {
    *ctx.out << "\n";
    PrintPositions(ctx, j);
  }
}

void PrintHistory(Context& ctx, const ordered_json& j) {
  Table t({"TIMESTAMP", "EQUITY", "CASH", "UNREALIZED_PNL"});
  for (const auto& s : j.value("snapshots", ordered_json::array())) {
    t.Add({Cell(s, "timestamp"), Cell(s, "equity"), Cell(s, "cash_value"), Cell(s, "unrealized_pnl")});
  }
  t.Print(*ctx.out);
}

void PrintPerformance(Context& ctx, const ordered_json& j) { PrintFields(*ctx.out, j); }

void PrintTrades(Context& ctx, const ordered_json& j) {
  Table t({"FILL", "ORDER", "SYMBOL", "SIDE", "QTY", "PRICE", "FEE", "REALIZED_PNL", "LIQUIDITY", "EXECUTED_AT"});
  for (const auto& f : j.value("trades", ordered_json::array())) {
    t.Add({Cell(f, "fill_id"), Cell(f, "order_id"), Cell(f, "symbol"), Cell(f, "side"), Cell(f, "quantity"),
           Cell(f, "price"), Cell(f, "fee"), Cell(f, "realized_pnl"), Cell(f, "liquidity"), Cell(f, "executed_at")});
  }
  t.Print(*ctx.out);
}

void PrintAudit(Context& ctx, const ordered_json& j) {
  Table t({"ID", "TIMESTAMP", "EVENT", "IP", "DETAILS"});
  for (const auto& a : j.value("audit_entries", ordered_json::array())) {
    t.Add({Cell(a, "audit_id"), Cell(a, "timestamp"), Cell(a, "event_type"), Cell(a, "ip_address"),
           a.contains("details") ? a["details"].dump() : "-"});
  }
  t.Print(*ctx.out);
}

struct ReadOptions {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // name, value bound to a flag
};

// Adds a signed GET command whose flags are query parameters.
void AddRead(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
             const std::string& path, const std::vector<std::pair<std::string, std::string>>& params,
             Printer print) {
  auto o = std::make_shared<ReadOptions>();
  o->path = path;
  for (const auto& [param, _] : params) o->query.push_back({param, ""});
  auto* cmd = app.add_subcommand(name, help);
  for (std::size_t i = 0; i < params.size(); ++i) {
    cmd->add_option("--" + params[i].first, o->query[i].second, params[i].second);
  }
  cmd->callback([&ctx, o, print] {
    ApiSession api(ctx);
    if (!api.Init()) return;
    std::string target = o->path;
    for (const auto& [param, value] : o->query) AddQuery(target, param, value);
    auto r = api.Send({"GET", target, "", Auth::kSigned, true, "", {}});
    if (!r) return;
    api.Print(*r, [&](const ordered_json& j) { print(ctx, j); });
  });
}

}  // namespace

void AddAccountCommands(CLI::App& app, Context& ctx) {
  AddRead(app, ctx, "positions", "Open positions, marked to market", "/v1/positions", {}, PrintPositions);
  AddRead(app, ctx, "portfolio", "Balance, equity, margin, available cash and positions", "/v1/portfolio", {},
          PrintPortfolio);
  AddRead(app, ctx, "history", "Equity snapshots over time", "/v1/portfolio/history",
          {{"interval", "1m, 5m, 1h (default), 4h or 1d"}, {"limit", "At most this many snapshots"}}, PrintHistory);
  AddRead(app, ctx, "performance", "Return, drawdown, Sharpe and trade statistics", "/v1/portfolio/performance",
          {{"period", "Only 'all' (the default)"}}, PrintPerformance);
  AddRead(app, ctx, "trades", "This agent's fills, newest first", "/v1/trades",
          {{"symbol", "Filter by symbol"}, {"limit", "At most this many (1-500)"}, {"offset", "Skip this many"}},
          PrintTrades);
  AddRead(app, ctx, "audit", "This agent's audit log, newest first", "/v1/audit",
          {{"limit", "At most this many (1-1000)"}, {"offset", "Skip this many"}}, PrintAudit);
}

}  // namespace claw::cli
