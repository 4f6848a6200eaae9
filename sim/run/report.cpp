#include "sim/run/report.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/run/messages.h"

namespace claw::run {
namespace {

using Json = nlohmann::ordered_json;

// Statistics are doubles (ratios, not money); six decimals keep reports readable and stable.
Json Ratio(double x) {
  if (!std::isfinite(x)) return nullptr;
  return std::round(x * 1e6) / 1e6;
}
Json FixedRatio(std::int64_t e8) { return static_cast<double>(e8) / 1e8; }

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Json AgentJson(const AgentResult& a, bool with_curve) {
  const engine::Performance& p = a.performance;
  Json j{{"name", a.name}, {"agent_id", a.agent_id}, {"status", a.status}};
  if (a.status != "ok") {
    j["detail"] = a.detail;
    j["stopped_at"] = IsoMillis(a.stopped_at_ms);
  }
  j["final_equity"] = engine::ToString(RunEquity(a.portfolio));
  j["balance"] = engine::ToString(a.portfolio.balance);
  j["sealed_held"] = engine::ToString(a.portfolio.sealed_held);
  j["realized_pnl"] = engine::ToString(a.portfolio.realized_pnl);
  j["return"] = FixedRatio(p.return_e8);
  j["max_drawdown"] = FixedRatio(p.max_drawdown_e8);
  j["sharpe"] = Ratio(p.sharpe);
  j["sortino"] = Ratio(p.sortino);
  j["calmar"] = Ratio(p.calmar);
  j["trades"] = p.trades;
  j["winning_trades"] = p.winning_trades;
  j["losing_trades"] = p.losing_trades;
  j["win_rate"] = Ratio(p.win_rate);
  j["profit_factor"] = Ratio(p.profit_factor);
  j["avg_trade_duration_ms"] = p.avg_trade_duration_ms;
  j["fees"] = engine::ToString(a.portfolio.fees_paid);
  j["liquidations"] = a.portfolio.liquidations;
  j["orders_accepted"] = a.orders_accepted;
  j["orders_rejected"] = a.orders_rejected;
  j["fills"] = a.fills;
  const SealedCounts& sc = a.sealed;
  j["sealed"] = Json{{"commits", sc.commits},
                     {"revealed", sc.revealed},
                     {"closed", sc.closed},
                     {"pending_reveal", sc.pending_reveal},
                     {"reveal_failed", sc.reveal_failed},
                     {"refused", sc.refused},
                     {"pnl_lobs", engine::FormatFixed(sc.pnl_e4, 4)}};
  Json positions = Json::array();
  for (const engine::Position& pos : a.portfolio.positions) {
    positions.push_back(Json{{"symbol", pos.symbol},
                             {"side", pos.quantity.units > 0 ? "long" : "short"},
                             {"quantity", engine::ToString(engine::Qty{std::llabs(pos.quantity.units)})},
                             {"entry_price", engine::ToString(pos.entry_price)},
                             {"mark_price", engine::ToString(pos.mark_price)},
                             {"unrealized_pnl", engine::ToString(pos.unrealized_pnl)}});
  }
  j["positions"] = positions;
  if (with_curve) {
    Json curve = Json::array();
    for (const engine::EquityPoint& e : a.curve) {
      curve.push_back(Json{{"time", IsoMillis(e.time_ms)}, {"equity", engine::ToString(e.equity)}});
    }
    j["equity_curve"] = curve;
  }
  return j;
}

Json SealedJson(const RunResult& r, const RevealConfig& reveal) {
  Json periods = Json::array();
  for (const SealedPeriodResult& p : r.sealed_periods) {
    Json rankings = Json::array();
    for (const SealedRankingRow& row : p.rankings) {
      rankings.push_back(Json{{"rank", row.rank},
                              {"name", row.name},
                              {"pnl_lobs", engine::FormatFixed(row.pnl_e4, 4)},
                              {"pnl_percent", engine::FormatFixed(row.pnl_percent_e4, 4)},
                              {"revealed", row.revealed},
                              {"closed", row.closed},
                              {"failed", row.failed}});
    }
    periods.push_back(Json{{"period", p.period},
                           {"start", IsoMillis(p.start_ms)},
                           {"end", IsoMillis(p.end_ms)},
                           {"grace_end", IsoMillis(p.grace_end_ms)},
                           {"complete", p.complete},
                           {"rankings", rankings}});
  }
  return Json{{"period_days", reveal.period_days},
              {"anchor", reveal.anchor},
              {"grace_h", reveal.grace_h},
              {"tolerance_bps", reveal.tolerance_bps},
              {"periods", periods}};
}

std::vector<const AgentResult*> Ranked(const RunResult& r) {
  std::vector<const AgentResult*> out;
  for (const AgentResult& a : r.agents) out.push_back(&a);
  std::stable_sort(out.begin(), out.end(), [](const AgentResult* x, const AgentResult* y) {
    const engine::Cash ex = RunEquity(x->portfolio), ey = RunEquity(y->portfolio);
    if (ex != ey) return ex > ey;
    return x->name < y->name;
  });
  return out;
}

double Metric(const AgentResult& a, const std::string& m) {
  const engine::Performance& p = a.performance;
  if (m == "return") return static_cast<double>(p.return_e8) / 1e8;
  if (m == "drawdown") return static_cast<double>(p.max_drawdown_e8) / 1e8;
  if (m == "sharpe") return p.sharpe;
  if (m == "sortino") return p.sortino;
  if (m == "calmar") return p.calmar;
  if (m == "liquidations") return a.portfolio.liquidations;
  if (m == "trades") return static_cast<double>(p.trades);
  if (m == "final_equity") return static_cast<double>(RunEquity(a.portfolio).units) / 1e8;
  if (m == "fees") return static_cast<double>(a.portfolio.fees_paid.units) / 1e8;
  if (m == "win_rate") return p.win_rate;
  return a.status == "ok" ? 0 : 1;  // "failed"
}

bool Holds(double x, const std::string& op, double v) {
  if (op == "<") return x < v;
  if (op == "<=") return x <= v;
  if (op == ">") return x > v;
  if (op == ">=") return x >= v;
  if (op == "==") return x == v;
  return x != v;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

Result<GateCondition> ParseCondition(const std::string& text) {
  static const char* kOps[] = {"<=", ">=", "==", "!=", "<", ">"};
  static const char* kMetrics[] = {"return", "drawdown", "sharpe", "sortino", "calmar",
                                   "liquidations", "trades", "final_equity", "fees", "win_rate",
                                   "failed"};
  const std::string hint =
      "write METRIC OP NUMBER, e.g. 'return<0' or 'hold.drawdown>0.2'; metrics: return, drawdown, "
      "sharpe, sortino, calmar, liquidations, trades, final_equity, fees, win_rate, failed";
  GateCondition c;
  c.text = text;
  std::size_t at = std::string::npos;
  for (const char* op : kOps) {
    at = text.find(op);
    if (at != std::string::npos) {
      c.op = op;
      break;
    }
  }
  if (at == std::string::npos) {
    return Status::InvalidArgument("--fail-if condition '" + text + "' has no comparison", hint);
  }
  std::string lhs = Trim(std::string_view(text).substr(0, at));
  const std::string rhs = Trim(std::string_view(text).substr(at + c.op.size()));
  if (auto dot = lhs.rfind('.'); dot != std::string::npos) {
    c.agent = lhs.substr(0, dot);
    lhs = lhs.substr(dot + 1);
  }
  if (lhs == "max_drawdown") lhs = "drawdown";
  if (std::find(std::begin(kMetrics), std::end(kMetrics), lhs) == std::end(kMetrics)) {
    return Status::InvalidArgument("--fail-if: unknown metric '" + lhs + "'", hint);
  }
  c.metric = lhs;
  auto [ptr, ec] = std::from_chars(rhs.data(), rhs.data() + rhs.size(), c.value);
  if (rhs.empty() || ec != std::errc() || ptr != rhs.data() + rhs.size()) {
    return Status::InvalidArgument("--fail-if: '" + rhs + "' is not a number", hint);
  }
  return c;
}

}  // namespace

std::string AgentSummaryJson(const AgentResult& agent) { return AgentJson(agent, false).dump(); }

std::string ReportJson(const RunResult& r, const RunConfig& config, std::string_view version,
                       bool include_timing) {
  Json feeds = Json::array();
  for (const FeedFileInfo& f : r.feeds) {
    feeds.push_back(Json{{"path", f.path},
                         {"sha256", f.sha256.empty() ? Json(nullptr) : Json(f.sha256)},
                         {"bytes", f.bytes}});
  }
  Json agents = Json::array();
  for (const AgentResult& a : r.agents) agents.push_back(AgentJson(a, true));
  Json board = Json::array();
  int rank = 0;
  for (const AgentResult* a : Ranked(r)) {
    board.push_back(Json{{"rank", ++rank},
                         {"name", a->name},
                         {"final_equity", engine::ToString(RunEquity(a->portfolio))},
                         {"return", FixedRatio(a->performance.return_e8)}});
  }
  Json skipped_by_type = Json::object();
  for (const auto& [type, n] : r.skipped_by_type) skipped_by_type[type] = n;
  Json j{{"report_version", 1},
         {"claw_version", std::string(version)},
         {"arena", Json{{"name", config.name}, {"quote", config.quote}}},
         {"config_sha256", Sha256Hex(CanonicalConfigText(config))},
         {"feeds", feeds},
         {"events", Json{{"total", r.events},
                         {"trade", r.events_by_kind[0]},
                         {"book_ticker", r.events_by_kind[1]},
                         {"mark_price", r.events_by_kind[2]},
                         {"kline", r.events_by_kind[3]}}},
         {"lines", r.lines},
         {"malformed", r.malformed},
         {"malformed_samples", r.malformed_samples},
         {"skipped", r.skipped},
         {"skipped_by_type", skipped_by_type},
         {"steps", r.steps},
         {"arena_time", Json{{"start", IsoMillis(r.start_ms)}, {"end", IsoMillis(r.end_ms)}}},
         {"agents", agents},
         {"leaderboard", board},
         {"sealed", SealedJson(r, config.reveal)},
         {"fees_collected", engine::ToString(r.fees_collected)},
         {"insurance_fund", engine::ToString(r.insurance_fund)}};
  if (include_timing) {
    const double rate = r.wall_seconds > 0 ? static_cast<double>(r.events) / r.wall_seconds : 0;
    j["timing"] = Json{{"wall_seconds", Ratio(r.wall_seconds)}, {"events_per_second", std::round(rate)}};
  }
  return j.dump(2) + "\n";
}

std::string LeaderboardText(const RunResult& r) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-4s %-20s %18s %10s %9s %7s %6s  %s\n", "RANK", "AGENT",
                "EQUITY", "RETURN", "DRAWDOWN", "TRADES", "LIQ", "STATUS");
  out << line;
  int rank = 0;
  for (const AgentResult* a : Ranked(r)) {
    std::snprintf(line, sizeof line, "%-4d %-20s %18s %9.2f%% %8.2f%% %7lld %6d  %s\n", ++rank,
                  a->name.c_str(), engine::ToString(RunEquity(a->portfolio)).c_str(),
                  static_cast<double>(a->performance.return_e8) / 1e6,
                  static_cast<double>(a->performance.max_drawdown_e8) / 1e6,
                  static_cast<long long>(a->performance.trades), a->portfolio.liquidations,
                  a->status.c_str());
    out << line;
  }
  // Sealed trades: one table per reveal period, ranked on revealed trades only.
  for (const SealedPeriodResult& p : r.sealed_periods) {
    out << "\nSEALED PERIOD " << p.period << "  " << IsoMillis(p.start_ms) << " .. "
        << IsoMillis(p.end_ms) << "  " << (p.complete ? "complete" : "open (grace not over)") << "\n";
    std::snprintf(line, sizeof line, "%-4s %-20s %14s %9s %9s %6s %6s\n", "RANK", "AGENT", "PNL_LOBS",
                  "PNL%", "REVEALED", "CLOSED", "FAILED");
    out << line;
    for (const SealedRankingRow& row : p.rankings) {
      std::snprintf(line, sizeof line, "%-4d %-20s %14s %8s%% %9d %6d %6d\n", row.rank,
                    row.name.c_str(), engine::FormatFixed(row.pnl_e4, 4).c_str(),
                    engine::FormatFixed(row.pnl_percent_e4, 4).c_str(), row.revealed,
                    row.closed, row.failed);
      out << line;
    }
  }
  return out.str();
}

Result<std::vector<GateCondition>> ParseGate(std::string_view expression) {
  std::vector<GateCondition> out;
  std::string text(expression);
  for (std::size_t p; (p = text.find("||")) != std::string::npos;) text.replace(p, 2, ",");
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    const std::string c = Trim(part);
    if (c.empty()) continue;
    auto cond = ParseCondition(c);
    if (!cond.ok()) return cond.status();
    out.push_back(cond.value());
  }
  if (out.empty()) return Status::InvalidArgument("--fail-if is empty", "e.g. --fail-if 'return<0'");
  return out;
}

std::vector<std::string> EvaluateGate(const std::vector<GateCondition>& conditions,
                                      const RunResult& result) {
  std::vector<std::string> hits;
  for (const GateCondition& c : conditions) {
    bool matched_agent = false;
    for (const AgentResult& a : result.agents) {
      if (!c.agent.empty() && c.agent != a.name) continue;
      matched_agent = true;
      const double x = Metric(a, c.metric);
      if (Holds(x, c.op, c.value)) {
        char value[64];
        std::snprintf(value, sizeof value, "%.6g", x);
        hits.push_back(a.name + ": " + c.text + " (" + c.metric + " is " + value + ")");
      }
    }
    if (!matched_agent && !c.agent.empty()) {
      hits.push_back(c.text + ": no agent named '" + c.agent + "'");
    }
  }
  return hits;
}

}  // namespace claw::run
