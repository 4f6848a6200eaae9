// claw order buy|sell|get, claw orders, claw cancel (man/claw.1, TRADING COMMANDS; PROTOCOL.md §4).
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/api.h"
#include "cli/commands.h"
#include "client/signed_request.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

struct OrderOptions {
  std::string side;
  std::string symbol;
  std::string quantity;
  std::string limit;
  std::string notional;
  std::string tif;
  int leverage = 0;
  bool reduce_only = false;
  std::string client_id;
  std::string rationale;
};

void PrintOrder(Context& ctx, const ordered_json& o) {
  Table t({"ORDER", "SYMBOL", "SIDE", "TYPE", "QTY", "PRICE", "FILLED", "AVG_PRICE", "STATUS", "CLIENT_ID"});
  t.Add({Cell(o, "order_id"), Cell(o, "symbol"), Cell(o, "side"), Cell(o, "type"), Cell(o, "quantity"),
         Cell(o, "price"), Cell(o, "filled_quantity"), Cell(o, "average_fill_price"), Cell(o, "status"),
         Cell(o, "client_order_id")});
  t.Print(*ctx.out);
}

void RunOrder(Context& ctx, const OrderOptions& o) {
  if (o.quantity.empty() == o.notional.empty()) {
    return ctx.Fail(Status::InvalidArgument("give exactly one of QTY and --notional"));
  }
  ApiSession api(ctx);
  if (!api.Init()) return;
  ordered_json body = {{"symbol", o.symbol}, {"side", o.side}, {"type", o.limit.empty() ? "market" : "limit"}};
  if (!o.quantity.empty()) body["quantity"] = o.quantity;
  if (!o.notional.empty()) body["notional"] = o.notional;
  if (!o.limit.empty()) body["price"] = o.limit;
  if (!o.tif.empty()) body["time_in_force"] = o.tif;
  if (o.leverage > 0) body["leverage"] = o.leverage;
  if (o.reduce_only) body["reduce_only"] = true;
  // The idempotency key makes a retry safe: the arena answers a repeat with the original order.
  body["client_order_id"] = o.client_id.empty() ? "claw-" + client::NewNonce() : o.client_id;
  if (!o.rationale.empty()) body["rationale"] = o.rationale;
  auto r = api.Send({"POST", "/v1/orders", body.dump(), Auth::kSigned, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& j) { PrintOrder(ctx, j); });
}

void RunOrderGet(Context& ctx, const std::string& id) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  const std::string target = "/v1/orders/" + PercentEncode(id);
  auto r = api.Send({"GET", target, "", Auth::kSigned, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& j) {
    PrintOrder(ctx, j);
    if (j.contains("fills") && !j["fills"].empty()) {
      *ctx.out << "\n";
      Table t({"FILL", "QTY", "PRICE", "FEE", "LIQUIDITY", "EXECUTED_AT"});
      for (const auto& f : j["fills"]) {
        t.Add({Cell(f, "fill_id"), Cell(f, "quantity"), Cell(f, "price"), Cell(f, "fee"), Cell(f, "liquidity"),
               Cell(f, "executed_at")});
      }
      t.Print(*ctx.out);
    }
  });
}

struct ListOptions {
  std::string status;
  std::string symbol;
  std::string limit;
  std::string offset;
};

void RunOrders(Context& ctx, const ListOptions& o) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  std::string target = "/v1/orders";
  AddQuery(target, "status", o.status);
  AddQuery(target, "symbol", o.symbol);
  AddQuery(target, "limit", o.limit);
  AddQuery(target, "offset", o.offset);
  auto r = api.Send({"GET", target, "", Auth::kSigned, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& j) {
    Table t({"ORDER", "SYMBOL", "SIDE", "TYPE", "QTY", "PRICE", "FILLED", "AVG_PRICE", "STATUS", "CREATED_AT"});
    for (const auto& x : j.value("orders", ordered_json::array())) {
      t.Add({Cell(x, "order_id"), Cell(x, "symbol"), Cell(x, "side"), Cell(x, "type"), Cell(x, "quantity"),
             Cell(x, "price"), Cell(x, "filled_quantity"), Cell(x, "average_fill_price"), Cell(x, "status"),
             Cell(x, "created_at")});
    }
    t.Print(*ctx.out);
  });
}

struct CancelOptions {
  std::string id;
  bool all = false;
};

void PrintCancelled(Context& ctx, const ordered_json& j) {
  *ctx.out << "order " << Cell(j, "order_id") << " " << Cell(j, "status") << " (filled "
           << Cell(j, "filled_quantity") << ", remaining " << Cell(j, "remaining_quantity") << ")\n";
}

// A cancel is retried on network errors and 5xx; when an earlier attempt did cancel but its
// answer was lost, the retry hears 409 "the order is cancelled". That is the success the user
// asked for: confirm it with the order itself (printed unchanged with --json).
void ConfirmCancelled(ApiSession& api, const client::HttpResponse& conflict, const std::string& target) {
  if (conflict.attempts > 1) {
    auto r = api.Send({"GET", target, "", Auth::kSigned, true, "", {}});
    if (!r) return;
    const ordered_json j = ordered_json::parse(r->body, nullptr, false);
    if (!j.is_discarded() && Cell(j, "status") == "cancelled") {
      if (!api.ctx().quiet) *api.ctx().err << "an earlier attempt cancelled the order; its answer was lost\n";
      return api.Print(*r, [&](const ordered_json& o) { PrintCancelled(api.ctx(), o); });
    }
  }
  api.ReportError(conflict);
}

void RunCancel(Context& ctx, const CancelOptions& o) {
  if (o.id.empty() == !o.all) return ctx.Fail(Status::InvalidArgument("give an order ID or --all, not both"));
  ApiSession api(ctx);
  if (!api.Init()) return;
  std::string target = "/v1/orders";
  if (!o.all) target += "/" + PercentEncode(o.id);
  auto r = api.Send({"DELETE", target, "", Auth::kSigned, true, "", o.all ? std::vector<int>{} : std::vector<int>{409}});
  if (!r) return;
  if (r->status == 409) return ConfirmCancelled(api, *r, target);
  api.Print(*r, [&](const ordered_json& j) {
    if (o.all) {
      *ctx.out << "cancelled " << Cell(j, "cancelled") << " open order(s)\n";
    } else {
      PrintCancelled(ctx, j);
    }
  });
}

void AddOrderSide(CLI::App& order, Context& ctx, const std::string& side) {
  auto o = std::make_shared<OrderOptions>();
  o->side = side;
  auto* cmd = order.add_subcommand(side, side == "buy" ? "Place a buy order" : "Place a sell order");
  cmd->add_option("symbol", o->symbol, "Instrument, e.g. BTCUSDT")->required();
  cmd->add_option("qty", o->quantity, "Quantity in base units (omit with --notional)");
  cmd->add_option("--limit", o->limit, "Limit price: a limit order (default: market)");
  cmd->add_option("--notional", o->notional, "Size in quote units instead of QTY");
  cmd->add_option("--tif", o->tif, "Time in force: GTC (default), IOC or FOK")
      ->check(CLI::IsMember({"GTC", "IOC", "FOK"}));
  cmd->add_option("--leverage", o->leverage, "Leverage, 1 to the arena's maximum (default 1)")
      ->check(CLI::Range(1, 125));
  cmd->add_flag("--reduce-only", o->reduce_only, "Only reduce an open position");
  cmd->add_option("--client-id", o->client_id, "Idempotency key (default: a fresh claw-... id)");
  cmd->add_option("--rationale", o->rationale, "Why (<= 1000 chars, kept in the order record)");
  cmd->callback([&ctx, o] { RunOrder(ctx, *o); });
}

}  // namespace

void AddOrderCommands(CLI::App& app, Context& ctx) {
  auto* order = app.add_subcommand("order", "Place an order or show one: order buy|sell|get");
  order->require_subcommand(1);
  AddOrderSide(*order, ctx, "buy");
  AddOrderSide(*order, ctx, "sell");
  auto id = std::make_shared<std::string>();
  auto* get = order->add_subcommand("get", "Show one order with its fills");
  get->add_option("id", *id, "Order id")->required();
  get->callback([&ctx, id] { RunOrderGet(ctx, *id); });

  auto lo = std::make_shared<ListOptions>();
  auto* orders = app.add_subcommand("orders", "List this agent's orders, newest first");
  orders->add_option("--status", lo->status, "Filter: open, partially_filled, filled, cancelled... (comma list)");
  orders->add_option("--symbol", lo->symbol, "Filter by symbol");
  orders->add_option("--limit", lo->limit, "At most this many (1-500, default 50)");
  orders->add_option("--offset", lo->offset, "Skip this many");
  orders->callback([&ctx, lo] { RunOrders(ctx, *lo); });

  auto co = std::make_shared<CancelOptions>();
  auto* cancel = app.add_subcommand("cancel", "Cancel an open order, or every open order with --all");
  cancel->add_option("id", co->id, "Order id");
  cancel->add_flag("--all", co->all, "Cancel every open order of this agent");
  cancel->callback([&ctx, co] { RunCancel(ctx, *co); });
}

}  // namespace claw::cli
