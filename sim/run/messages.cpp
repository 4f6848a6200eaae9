#include "sim/run/messages.h"

#include <array>
#include <charconv>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace claw::run {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order §10 lists them
using engine::Cash;
using engine::Event;
using engine::EventKind;
using engine::Price;
using engine::Qty;

Json PriceOrNull(Price p) { return p.ticks == 0 ? Json(nullptr) : Json(engine::ToString(p)); }

std::string OrderIdText(engine::OrderId id) { return std::to_string(id); }

std::string Line(const Json& j) { return j.dump() + "\n"; }

// A JSON number or decimal string -> fixed point. Numbers go through their shortest
// round-trip text (what JavaScript would print), so 0.1 reads as "0.1", not 0.1000000000000000055.
bool ReadDecimal(const Json& v, int decimals, std::int64_t* out) {
  if (v.is_string()) return engine::ParseFixed(v.get<std::string>(), decimals, out);
  if (v.is_number_integer()) {
    return engine::ParseFixed(std::to_string(v.get<std::int64_t>()), decimals, out);
  }
  if (v.is_number_float()) {
    std::array<char, 64> buf{};
    auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v.get<double>(),
                                   std::chars_format::fixed);
    return ec == std::errc() && engine::ParseFixed(std::string_view(buf.data(), ptr - buf.data()),
                                                   decimals, out);
  }
  return false;
}

// Reads an optional field into *out; false (with *why set) when present but malformed.
bool Field(const Json& j, const char* key, int decimals, std::int64_t* out, std::string* why) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (ReadDecimal(*it, decimals, out)) return true;
  *why = std::string("'") + key + "' must be a decimal number or string";
  return false;
}

Result<Command> ParseOrder(const Json& j) {
  InvalidOrder bad;
  if (auto it = j.find("client_order_id"); it != j.end() && it->is_string()) {
    bad.client_order_id = it->get<std::string>();
  }
  engine::OrderRequest r;
  r.client_order_id = bad.client_order_id;
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  r.symbol = str("symbol");
  const std::string side = str("side"), type = str("type"), tif = str("time_in_force");
  if (side == "buy") r.side = engine::Side::kBuy;
  else if (side == "sell") r.side = engine::Side::kSell;
  else bad.reason = "'side' must be \"buy\" or \"sell\"";
  if (type == "market" || type.empty()) r.type = engine::OrderType::kMarket;
  else if (type == "limit") r.type = engine::OrderType::kLimit;
  else bad.reason = "'type' must be \"market\" or \"limit\"";
  if (tif == "GTC" || tif.empty()) r.time_in_force = engine::TimeInForce::kGtc;
  else if (tif == "IOC") r.time_in_force = engine::TimeInForce::kIoc;
  else if (tif == "FOK") r.time_in_force = engine::TimeInForce::kFok;
  else bad.reason = "'time_in_force' must be GTC, IOC or FOK";
  std::string why;
  if (!Field(j, "quantity", engine::kQtyDecimals, &r.quantity.units, &why) ||
      !Field(j, "notional", engine::kCashDecimals, &r.notional.units, &why) ||
      !Field(j, "price", engine::kPriceDecimals, &r.price.ticks, &why) ||
      !Field(j, "stop_loss", engine::kPriceDecimals, &r.stop_loss.ticks, &why) ||
      !Field(j, "take_profit", engine::kPriceDecimals, &r.take_profit.ticks, &why)) {
    bad.reason = why;
  }
  if (auto it = j.find("leverage"); it != j.end() && !it->is_null()) {
    if (it->is_number_integer()) r.leverage = static_cast<int>(it->get<std::int64_t>());
    else bad.reason = "'leverage' must be an integer";
  }
  if (auto it = j.find("reduce_only"); it != j.end() && !it->is_null()) {
    if (it->is_boolean()) r.reduce_only = it->get<bool>();
    else bad.reason = "'reduce_only' must be true or false";
  }
  r.rationale = str("rationale");
  if (!bad.reason.empty()) return Command(bad);
  return Command(OrderCommand{std::move(r)});
}

}  // namespace

std::string IsoMillis(std::int64_t unix_ms) {
  std::int64_t days = unix_ms >= 0 ? unix_ms / 86'400'000 : (unix_ms - 86'399'999) / 86'400'000;
  std::int64_t ms_of_day = unix_ms - days * 86'400'000;
  // civil_from_days (H. Hinnant), exact for the proleptic Gregorian calendar.
  std::int64_t z = days + 719'468;
  std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  std::int64_t doe = z - era * 146'097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[96];  // room for any int64 fields, so no truncation is possible
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(ms_of_day / 3'600'000),
                static_cast<long long>(ms_of_day / 60'000 % 60),
                static_cast<long long>(ms_of_day / 1000 % 60), static_cast<long long>(ms_of_day % 1000));
  return buf;
}

std::string HelloLine(const std::string& agent_id, const std::string& name, Cash balance,
                      const std::vector<engine::Instrument>& instruments, std::int64_t now_ms,
                      const SealedHello& sealed) {
  Json list = Json::array();
  for (const auto& i : instruments) {
    list.push_back(Json{{"symbol", i.symbol},
                        {"tick_size", engine::ToString(i.tick_size)},
                        {"step_size", engine::ToString(i.step_size)},
                        {"min_qty", engine::ToString(i.min_qty)},
                        {"min_notional", engine::ToString(i.min_notional)},
                        {"max_leverage", i.max_leverage}});
  }
  return Line(Json{{"kind", "hello"},
                   {"agent_id", agent_id},
                   {"name", name},
                   {"balance", engine::ToString(balance)},
                   {"instruments", list},
                   {"arena_time", IsoMillis(now_ms)},
                   {"signing_key", Json{{"scheme", "ed25519"},
                                        {"public_key", sealed.public_key},
                                        {"private_key", sealed.private_key}}},
                   {"reveal", Json{{"period_days", sealed.reveal.period_days},
                                   {"anchor", sealed.reveal.anchor},
                                   {"grace_h", sealed.reveal.grace_h},
                                   {"tolerance_bps", sealed.reveal.tolerance_bps},
                                   {"window_s", sealed.window_s},
                                   {"period", sealed.period},
                                   {"period_start", IsoMillis(sealed.period_start_ms)},
                                   {"period_end", IsoMillis(sealed.period_end_ms)},
                                   {"grace_end", IsoMillis(sealed.grace_end_ms)}}}});
}

std::string CommitmentUpdateLine(const CommitmentUpdate& u) {
  const engine::SealedTrade* t = u.trade;
  auto id_or_null = [](engine::SealedId id) { return id ? Json(std::to_string(id)) : Json(nullptr); };
  auto text_or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  Json error = nullptr;
  if (!u.error_code.empty()) {
    error = Json{{"code", u.error_code}};
    if (!u.error_reason.empty()) error["reason"] = u.error_reason;
    error["message"] = u.error_message;
  }
  const bool pnl = t != nullptr && t->has_pnl;
  return Line(Json{
      {"kind", "commitment_update"},
      {"trade_id", id_or_null(t ? t->id : 0)},
      {"commitment_hash", text_or_null(u.commitment_hash)},
      {"action", t ? engine::ToString(t->action) : "OPEN"},
      {"status", t ? engine::ToString(t->status) : "rejected"},
      {"period", t ? Json(t->period) : Json(nullptr)},
      {"symbol", t && t->revealed ? Json(t->symbol) : Json(nullptr)},
      {"price", t && t->revealed ? Json(t->price_text) : Json(nullptr)},
      {"close_trade_id", id_or_null(t ? t->close_id : 0)},
      {"pnl_lobs", pnl ? Json(engine::FormatFixed(t->pnl_e4, 4)) : Json(nullptr)},
      {"pnl_percent", pnl ? Json(engine::FormatFixed(t->pnl_percent_e4, 4)) : Json(nullptr)},
      {"error", error},
      {"time", IsoMillis(u.time_ms)}});
}

std::string TickLine(const engine::Quote& q) {
  return Line(Json{{"kind", "tick"},
                   {"symbol", q.symbol},
                   {"bid", PriceOrNull(q.bid)},
                   {"ask", PriceOrNull(q.ask)},
                   {"last", PriceOrNull(q.last)},
                   {"mark", PriceOrNull(q.mark)},
                   {"time", IsoMillis(q.time_ms)}});
}

std::string StepLine(std::int64_t now_ms, std::uint64_t step) {
  return Line(Json{{"kind", "step"}, {"arena_time", IsoMillis(now_ms)}, {"step", step}});
}

std::string EventLines(const Event& e) {
  const engine::Order& o = e.order;
  auto order_update = [&] {
    Json j{{"kind", "order_update"},
           {"order_id", OrderIdText(o.id)},
           {"client_order_id", o.request.client_order_id},
           {"status", engine::ToString(o.status)}};
    if (e.kind == EventKind::kOrderRejected) {
      j["reason"] = std::string(engine::ToString(o.reject)) + ": " + o.reason;
    } else if (!o.reason.empty() || !e.reason.empty()) {
      j["reason"] = o.reason.empty() ? e.reason : o.reason;
    }
    return Line(j);
  };
  switch (e.kind) {
    case EventKind::kOrderAccepted:
    case EventKind::kOrderRejected:
    case EventKind::kOrderCancelled:
    case EventKind::kOrderExpired:
      return order_update();
    case EventKind::kFill: {
      const engine::Fill& f = e.fill;
      std::string fill = Line(Json{{"kind", "fill"},
                                   {"order_id", OrderIdText(f.order_id)},
                                   {"client_order_id", o.request.client_order_id},
                                   {"symbol", f.symbol},
                                   {"side", engine::ToString(f.side)},
                                   {"quantity", engine::ToString(f.quantity)},
                                   {"price", engine::ToString(f.price)},
                                   {"fee", engine::ToString(f.fee)},
                                   {"time", IsoMillis(f.time_ms)}});
      return fill + order_update();
    }
    case EventKind::kLiquidated:
      return Line(Json{{"kind", "liquidation"},
                       {"fee", engine::ToString(e.cash)},
                       {"shortfall", engine::ToString(e.shortfall)},
                       {"reason", e.reason},
                       {"time", IsoMillis(e.time_ms)}});
    case EventKind::kStopTriggered:
      return Line(Json{{"kind", "order_update"},
                       {"order_id", nullptr},
                       {"client_order_id", ""},
                       {"status", "triggered"},
                       {"reason", e.reason + " " + e.symbol}});
    default:
      return {};
  }
}

std::string CommandErrorLine(const std::string& client_order_id, const std::string& reason) {
  return Line(Json{{"kind", "order_update"},
                   {"order_id", nullptr},
                   {"client_order_id", client_order_id},
                   {"status", "rejected"},
                   {"reason", "INVALID_PARAMETER: " + reason}});
}

Result<Command> ParseCommand(std::string_view line) {
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("not a JSON object: '" + std::string(line.substr(0, 80)) + "'");
  }
  auto kind_it = j.find("kind");
  if (kind_it == j.end() || !kind_it->is_string()) {
    return Status::InvalidArgument("message has no \"kind\"");
  }
  const std::string kind = kind_it->get<std::string>();
  if (kind == "done") return Command(DoneCommand{});
  if (kind == "cancel_all") return Command(CancelAllCommand{});
  if (kind == "order") return ParseOrder(j);
  if (kind == "cancel") {
    CancelCommand c;
    if (auto it = j.find("order_id"); it != j.end() && !it->is_null()) {
      std::string text = it->is_string() ? it->get<std::string>()
                         : it->is_number_unsigned() ? std::to_string(it->get<std::uint64_t>())
                                                    : std::string();
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), c.order_id);
      if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
        return Command(InvalidOrder{"", "'order_id' is not an order id"});
      }
    } else if (auto cid = j.find("client_order_id"); cid != j.end() && cid->is_string()) {
      c.client_order_id = cid->get<std::string>();
    } else {
      return Command(InvalidOrder{"", "cancel needs 'order_id' or 'client_order_id'"});
    }
    return Command(c);
  }
  if (kind == "commit") return Command(SealedCommand{SealedCommand::Kind::kCommit, std::string(line)});
  if (kind == "reveal") return Command(SealedCommand{SealedCommand::Kind::kReveal, std::string(line)});
  if (kind == "close") return Command(SealedCommand{SealedCommand::Kind::kClose, std::string(line)});
  return Status::InvalidArgument("unknown message kind '" + kind + "'",
                                 "strategies send order, cancel, cancel_all, commit, reveal, close, then done");
}

}  // namespace claw::run
