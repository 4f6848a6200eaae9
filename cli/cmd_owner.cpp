// claw owner ...: the human owner's controls of a claimed agent (man/claw.1, OWNER COMMANDS;
// issue 7). Authenticates with the owner token from `claw claim`, read from --owner-token-file,
// else CLAW_OWNER_TOKEN, else a no-echo prompt on the terminal; never from argv.
//
// `claw claim` does not store the owner token: it belongs to the human, not to the agent whose
// keystore and profile live on this machine. Keep it in a password manager, or in a 0600 file
// passed with --owner-token-file.
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/api.h"
#include "cli/commands.h"
#include "keystore/keystore.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

struct OwnerOptions {
  std::string token_file;
  std::string order_id;
  bool yes = false;
  bool all = false;
  bool clear = false;
  int limit = 50;
  std::string max_order, daily, weekly, monthly;  // empty: not given
};

std::optional<std::string> OwnerToken(Context& ctx, const OwnerOptions& o) {
  keystore::PassphraseSource src;
  src.file = o.token_file;
  src.env = "CLAW_OWNER_TOKEN";
  src.prompt = "Owner token";
  auto secret = keystore::ReadPassphrase(src);
  if (!secret.ok()) {
    Status s = secret.status();
    ctx.Fail(Status(s.code(), s.message(),
                    "give the owner token from 'claw claim' with --owner-token-file FILE or CLAW_OWNER_TOKEN"));
    return std::nullopt;
  }
  std::string t = secret->bytes();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  return t;
}

// One owner call; prints with `table` (or the JSON with --json).
void Call(Context& ctx, const OwnerOptions& o, const std::string& method, const std::string& target,
          const std::string& body, bool idempotent,
          const std::function<void(const ordered_json&)>& table) {
  ApiSession api(ctx);
  if (!api.Init(/*need_profile=*/false)) return;
  auto token = OwnerToken(ctx, o);
  if (!token) return;
  api.SetBearer(*token);
  auto r = api.Send({method, target, body, Auth::kNone, idempotent, "", {}});
  if (!r) return;
  api.Print(*r, table);
}

void PrintAgent(Context& ctx, const ordered_json& a) {
  *ctx.out << "agent:     " << Cell(a, "name") << " (" << Cell(a, "agent_id") << ")\n"
           << "status:    " << Cell(a, "status") << "\n"
           << "equity:    " << Cell(a, "equity") << "\n"
           << "approvals: " << Cell(a, "pending_approvals") << " waiting\n";
  const ordered_json b = a.value("budget", ordered_json());
  const ordered_json s = a.value("spend", ordered_json());
  if (!b.is_object()) {
    *ctx.out << "budget:    none (every order goes to the market)\n";
    return;
  }
  Table t({"LIMIT", "MAX_NOTIONAL", "SPENT", "REMAINING", "PERIOD_START"});
  t.Add({"order", Cell(b, "max_order_notional"), "-", "-", "-"});
  for (const auto& [name, field] : std::vector<std::pair<const char*, const char*>>{
           {"daily", "max_daily_notional"}, {"weekly", "max_weekly_notional"}, {"monthly", "max_monthly_notional"}}) {
    const ordered_json p = s.is_object() ? s.value(name, ordered_json::object()) : ordered_json::object();
    t.Add({name, Cell(b, field), Cell(p, "spent"), Cell(p, "remaining"), Cell(p, "period_start")});
  }
  t.Print(*ctx.out);
}

void PrintApprovals(Context& ctx, const ordered_json& j) {
  Table t({"ORDER_ID", "STATUS", "SYMBOL", "SIDE", "TYPE", "QUANTITY", "PRICE", "NOTIONAL", "LIMIT", "EXPIRES_AT"});
  for (const auto& a : j.value("approvals", ordered_json::array())) {
    t.Add({Cell(a, "order_id"), Cell(a, "status"), Cell(a, "symbol"), Cell(a, "side"), Cell(a, "type"),
           Cell(a, "quantity"), Cell(a, "price"), Cell(a, "notional"), Cell(a, "limit"), Cell(a, "expires_at")});
  }
  t.Print(*ctx.out);
}

void PrintActivity(Context& ctx, const ordered_json& j) {
  Table t({"TIME", "ACTOR", "ACTION", "DETAILS"});
  for (const auto& a : j.value("activity", ordered_json::array())) {
    t.Add({Cell(a, "time"), Cell(a, "actor"), Cell(a, "action"), a.value("details", ordered_json::object()).dump()});
  }
  t.Print(*ctx.out);
}

// A limit flag: a decimal, or "none" for no limit.
ordered_json LimitValue(const std::string& v) {
  if (v == "none" || v == "-" || v.empty()) return nullptr;
  return v;
}

void RunBudget(Context& ctx, const OwnerOptions& o) {
  const bool any = !o.max_order.empty() || !o.daily.empty() || !o.weekly.empty() || !o.monthly.empty();
  if (o.clear && any) {
    return ctx.Fail(Status::InvalidArgument("--clear cannot be combined with limits", "give either --clear or limits"));
  }
  if (!o.clear && !any) {
    return Call(ctx, o, "GET", "/v1/owner/agent", "", true, [&](const ordered_json& a) { PrintAgent(ctx, a); });
  }
  ApiSession api(ctx);
  if (!api.Init(/*need_profile=*/false)) return;
  auto token = OwnerToken(ctx, o);
  if (!token) return;
  // PUT replaces the whole budget: start from the current one so unnamed limits stay.
  ordered_json body = {{"max_order_notional", nullptr}, {"max_daily_notional", nullptr},
                       {"max_weekly_notional", nullptr}, {"max_monthly_notional", nullptr}};
  api.SetBearer(*token);
  if (!o.clear) {
    auto cur = api.Send({"GET", "/v1/owner/agent", "", Auth::kNone, true, "", {}});
    if (!cur) return;
    const ordered_json a = ordered_json::parse(cur->body, nullptr, false);
    if (a.is_object() && a.contains("budget") && a["budget"].is_object()) {
      for (auto it = body.begin(); it != body.end(); ++it) *it = a["budget"].value(it.key(), ordered_json());
    }
    if (!o.max_order.empty()) body["max_order_notional"] = LimitValue(o.max_order);
    if (!o.daily.empty()) body["max_daily_notional"] = LimitValue(o.daily);
    if (!o.weekly.empty()) body["max_weekly_notional"] = LimitValue(o.weekly);
    if (!o.monthly.empty()) body["max_monthly_notional"] = LimitValue(o.monthly);
  }
  auto r = api.Send({"PUT", "/v1/owner/budget", body.dump(), Auth::kNone, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& a) { PrintAgent(ctx, a); });
}

}  // namespace

void AddOwnerCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<OwnerOptions>();
  auto* owner = app.add_subcommand("owner", "The human owner's controls: status, budget, approvals, pause, revoke");
  owner->require_subcommand(1);
  owner->fallthrough();
  owner->add_option("--owner-token-file", o->token_file,
                    "Read the owner token from this file (else CLAW_OWNER_TOKEN, else a prompt)");
  owner->footer("The owner token is the one 'claw claim' printed once. It is never taken from the command line.\n"
                "Example:\n  claw owner budget --owner-token-file ~/.agent-owner --max-order 100 --daily 500\n"
                "  claw owner approvals && claw owner approve 1000000000000001");

  auto* show = owner->add_subcommand("show", "The agent: status, equity, budget and spend per period");
  show->callback([&ctx, o] {
    Call(ctx, *o, "GET", "/v1/owner/agent", "", true, [&](const ordered_json& a) { PrintAgent(ctx, a); });
  });

  auto* code = owner->add_subcommand("connect-code", "Issue a one-time connect code for 'claw session login'");
  code->callback([&ctx, o] {
    Call(ctx, *o, "POST", "/v1/owner/connect-code", "{}", false, [&](const ordered_json& c) {
      *ctx.out << "connect code: " << Cell(c, "connect_code") << " (single use, expires " << Cell(c, "expires_at")
               << ")\nOn the agent's machine: claw session login --connect-code " << Cell(c, "connect_code") << "\n";
    });
  });

  for (const char* verb : {"pause", "resume"}) {
    auto* cmd = owner->add_subcommand(verb, std::string(verb) == std::string("pause")
                                                ? "Pause the agent: its calls answer 403 AGENT_PAUSED"
                                                : "Resume a paused agent");
    const std::string v = verb;
    cmd->callback([&ctx, o, v] {
      Call(ctx, *o, "POST", "/v1/owner/" + v, "{}", true, [&](const ordered_json& a) {
        *ctx.out << "agent " << Cell(a, "name") << " is " << Cell(a, "status") << "\n";
      });
    });
  }

  auto* revoke = owner->add_subcommand("revoke", "Revoke the agent for good (sessions, open orders, approvals)");
  revoke->add_flag("--yes", o->yes, "Confirm: a revoked agent cannot be resumed");
  revoke->callback([&ctx, o] {
    if (!o->yes) {
      return ctx.Fail(Status::InvalidArgument("revoking cannot be undone", "add --yes to revoke the agent"));
    }
    Call(ctx, *o, "POST", "/v1/owner/revoke", "{}", true, [&](const ordered_json& a) {
      *ctx.out << "agent " << Cell(a, "name") << " is " << Cell(a, "status") << "\n";
    });
  });

  auto* budget = owner->add_subcommand("budget", "Show or set the budget (USDT notional; 'none' removes a limit)");
  budget->add_option("--max-order", o->max_order, "Largest notional of one order");
  budget->add_option("--daily", o->daily, "Notional per UTC day");
  budget->add_option("--weekly", o->weekly, "Notional per ISO week (Monday 00:00 UTC)");
  budget->add_option("--monthly", o->monthly, "Notional per calendar month (UTC)");
  budget->add_flag("--clear", o->clear, "Remove every limit");
  budget->footer("Orders over the budget wait as pending_approval until you approve or deny them.\n"
                 "Limits not named keep their value.");
  budget->callback([&ctx, o] { RunBudget(ctx, *o); });

  auto* approvals = owner->add_subcommand("approvals", "Orders waiting for your approval (--all: every decision)");
  approvals->add_flag("--all", o->all, "Every held order with its outcome, newest first");
  approvals->callback([&ctx, o] {
    Call(ctx, *o, "GET", std::string("/v1/owner/approvals") + (o->all ? "?status=all" : ""), "", true,
         [&](const ordered_json& j) { PrintApprovals(ctx, j); });
  });

  for (const char* verb : {"approve", "deny"}) {
    auto* cmd = owner->add_subcommand(verb, std::string(verb) == std::string("approve")
                                                ? "Approve a held order: it goes to the market now"
                                                : "Deny a held order: it ends rejected (DENIED_BY_OWNER)");
    cmd->add_option("order_id", o->order_id, "The held order's id (claw owner approvals)")->required();
    const std::string v = verb;
    cmd->callback([&ctx, o, v] {
      Call(ctx, *o, "POST", "/v1/owner/approvals/" + PercentEncode(o->order_id) + "/" + v, "{}", false,
           [&](const ordered_json& a) {
             *ctx.out << "order " << Cell(a, "order_id") << " " << (v == "approve" ? "approved" : "denied");
             if (v == "approve") *ctx.out << ": placed as order " << Cell(a, "placed_order_id") << " (" << Cell(a, "placed_status") << ")";
             *ctx.out << "\n";
           });
    });
  }

  auto* activity = owner->add_subcommand("activity", "The agent's activity log: who (agent, owner, system) did what");
  activity->add_option("--limit", o->limit, "Entries, newest first (1-500)")->check(CLI::Range(1, 500));
  activity->callback([&ctx, o] {
    Call(ctx, *o, "GET", "/v1/owner/activity?limit=" + std::to_string(o->limit), "", true,
         [&](const ordered_json& j) { PrintActivity(ctx, j); });
  });
}

}  // namespace claw::cli
