#include "sim/server/owner.h"

#include <sodium.h>

#include <chrono>
#include <limits>

#include "sim/server/route_util.h"

namespace claw::server {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

engine::Spend SpendOf(const store::OwnerBudgetRow& b) {
  return {b.day_start_ms, b.week_start_ms, b.month_start_ms,
          engine::Cash{b.day_spent}, engine::Cash{b.week_spent}, engine::Cash{b.month_spent}};
}

engine::Budget BudgetOf(const store::OwnerBudgetRow& b) {
  return {engine::Cash{b.max_order}, engine::Cash{b.max_daily}, engine::Cash{b.max_weekly},
          engine::Cash{b.max_monthly}};
}

void PutSpend(store::OwnerBudgetRow* b, const engine::Spend& s) {
  b->day_start_ms = s.day_start_ms;
  b->week_start_ms = s.week_start_ms;
  b->month_start_ms = s.month_start_ms;
  b->day_spent = s.day.units;
  b->week_spent = s.week.units;
  b->month_spent = s.month.units;
}

ordered_json LimitOrNull(std::int64_t v) { return v > 0 ? ordered_json(Cs(v)) : ordered_json(nullptr); }

OwnerOutcome Error(int status, std::string code, std::string message, std::string hint = {}) {
  OwnerOutcome o;
  o.status = status;
  o.code = std::move(code);
  o.message = std::move(message);
  o.hint = std::move(hint);
  return o;
}

}  // namespace

engine::Cash EstimateNotional(const engine::Engine& engine, const engine::OrderRequest& r) {
  if (r.notional.units > 0) return r.notional;
  engine::Price p = r.price;
  if (r.type == engine::OrderType::kMarket) {
    p = engine::Price{0};
    if (const engine::Quote* q = engine.FindQuote(r.symbol)) {
      p = r.side == engine::Side::kBuy ? q->ask : q->bid;
      if (p.ticks <= 0) p = q->last;
      if (p.ticks <= 0) p = q->mark;
    }
  }
  if (p.ticks <= 0 || r.quantity.units <= 0) return engine::Cash{0};
  auto n = engine::Notional(p, r.quantity, engine::Rounding::kUp);
  return n.ok() ? *n : engine::Cash{std::numeric_limits<std::int64_t>::max()};
}

bool RefuseInactiveAgent(const std::string& status, const Request& req, const Reply& reply) {
  if (status == "paused") {
    Err(reply, req, 403, "AGENT_PAUSED", "the agent's owner has paused it",
        "ask your owner to resume the agent ('claw owner resume')");
    return true;
  }
  if (status == "revoked") {
    Err(reply, req, 403, "AGENT_REVOKED", "the agent's owner has revoked it",
        "a revoked agent cannot act again; register a new agent");
    return true;
  }
  return false;
}

OwnerControls::OwnerControls(Arena* arena, std::int64_t approval_ttl_ms)
    : arena_(arena), ttl_ms_(approval_ttl_ms) {}

OwnerControls::~OwnerControls() { StopTimer(); }

Status OwnerControls::Load() {
  auto st = arena_->store()->LoadOwnerState();
  if (!st.ok()) return st.status().WithContext("loading the owners' budgets and approvals");
  for (auto& b : st->budgets) budgets_[b.agent_id] = b;
  for (auto& a : st->pending) pending_[a.id] = a;
  last_approval_id_ = std::max(st->max_approval_id, kApprovalIdBase);
  return Status::Ok();
}

void OwnerControls::StartTimer(int interval_ms) {
  timer_ = std::thread([this, interval_ms] {
    std::unique_lock lock(timer_mu_);
    while (!timer_stop_) {
      timer_cv_.wait_for(lock, std::chrono::milliseconds(interval_ms));
      if (timer_stop_) break;
      lock.unlock();
      arena_->Post([this](Txn& txn) { ExpireDue(txn); });
      lock.lock();
    }
  });
}

void OwnerControls::StopTimer() {
  {
    std::lock_guard lock(timer_mu_);
    timer_stop_ = true;
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void OwnerControls::Activity(Txn& txn, const std::string& agent_id, const std::string& actor,
                             const std::string& action, const json& details) {
  store::ActivityRow a;
  a.agent_id = agent_id;
  a.time_ms = txn.wall_ms();
  a.actor = actor;
  a.action = action;
  a.details = details.is_object() ? details.dump() : "{}";
  txn.batch().owner.activity.push_back(std::move(a));
}

void OwnerControls::SaveBudget(Txn& txn, const store::OwnerBudgetRow& row) {
  budgets_[row.agent_id] = row;
  auto& rows = txn.batch().owner.budgets;
  for (auto& r : rows) {
    if (r.agent_id == row.agent_id) {
      r = row;
      return;
    }
  }
  rows.push_back(row);
}

store::OrderRow OwnerControls::Placeholder(const store::ApprovalRow& a, const std::string& status,
                                           const std::string& reject_code,
                                           const std::string& reason, std::int64_t now) const {
  store::OrderRow r;
  r.id = a.id;
  r.agent_id = a.agent_id;
  r.status = status;
  r.reject_code = reject_code;
  r.reason = reason;
  r.created_ms = a.created_ms;
  r.updated_ms = now;
  if (auto req = OrderRequestFromText(a.request)) {
    r.client_order_id = req->client_order_id;
    r.symbol = req->symbol;
    r.side = engine::ToString(req->side);
    r.type = engine::ToString(req->type);
    r.time_in_force = engine::ToString(req->time_in_force);
    r.quantity = req->quantity.units;
    r.notional = req->notional.units;
    r.price = req->price.ticks;
    r.leverage = req->leverage;
    r.reduce_only = req->reduce_only;
    r.rationale = req->rationale;
  }
  return r;
}

std::optional<HeldOrder> OwnerControls::HoldIfOverBudget(Txn& txn, const std::string& agent_id,
                                                         const engine::OrderRequest& request,
                                                         const std::string& ip,
                                                         const std::string& request_id) {
  auto bit = budgets_.find(agent_id);
  // An idempotent repeat of a held order answers that order, whatever the budget says now.
  if (!request.client_order_id.empty()) {
    for (const auto& [id, a] : pending_) {
      if (a.agent_id != agent_id) continue;
      auto held = OrderRequestFromText(a.request);
      if (!held || held->client_order_id != request.client_order_id) continue;
      HeldOrder h;
      if (!(*held == request)) {
        h.status = 409;
        h.code = "DUPLICATE_ORDER";
        h.message = "client_order_id '" + request.client_order_id + "' was used for a different order";
        return h;
      }
      h.status = 200;
      h.row = Placeholder(a, "pending_approval", "", "waiting for the owner's approval", txn.arena_time_ms());
      return h;
    }
  }
  if (bit == budgets_.end()) return std::nullopt;
  const store::OwnerBudgetRow& b = bit->second;
  const engine::Budget budget = BudgetOf(b);
  if (budget.empty()) return std::nullopt;
  // A repeat of an order the market already has is the engine's business (idempotency).
  if (!request.client_order_id.empty()) {
    for (const auto& o : txn.batch().orders) {
      if (o.agent_id == agent_id && o.client_order_id == request.client_order_id) return std::nullopt;
    }
    auto prior = arena_->store()->FindOrderByClientId(agent_id, request.client_order_id);
    if (prior.ok() && *prior) return std::nullopt;
  }
  const std::int64_t now = txn.arena_time_ms();
  const engine::Cash notional = EstimateNotional(txn.engine(), request);
  const engine::BudgetDecision d = engine::DecideBudget(budget, SpendOf(b), notional, now);
  if (d.allowed) return std::nullopt;
  store::ApprovalRow a;
  a.id = ++last_approval_id_;
  a.agent_id = agent_id;
  a.request = OrderRequestToText(request);
  a.notional = notional.units;
  a.limit = engine::ToString(d.limit);
  a.limit_value = d.limit_value.units;
  a.status = "pending_approval";
  a.created_ms = now;
  a.expires_ms = now + ttl_ms_;
  pending_[a.id] = a;
  txn.batch().owner.approvals.push_back(a);
  const std::string reason = "over the owner's " + a.limit + " limit (" + Cs(d.limit_value.units) +
                             "): waiting for the owner's approval";
  HeldOrder h;
  h.row = Placeholder(a, "pending_approval", "", reason, now);
  txn.batch().orders.push_back(h.row);
  json details = {{"order_id", std::to_string(a.id)}, {"symbol", request.symbol},
                  {"side", engine::ToString(request.side)}, {"notional", Cs(a.notional)},
                  {"limit", a.limit}, {"limit_value", Cs(a.limit_value)},
                  {"expires_at", Iso(a.expires_ms)}};
  Activity(txn, agent_id, "agent", "order_pending_approval", details);
  arena_->Audit(txn, agent_id, "order_pending_approval", ip, request_id, details.dump());
  return h;
}

void OwnerControls::OnOrderPlaced(Txn& txn, const std::string& agent_id,
                                  const engine::OrderRequest& request, const engine::Order& order,
                                  const std::string& actor) {
  const store::AgentRow* agent = arena_->FindAgent(agent_id);
  const bool owned = agent && agent->status != "pending_claim";
  const bool rejected = order.status == engine::OrderStatus::kRejected;
  const engine::Cash notional = EstimateNotional(txn.engine(), request);
  auto bit = budgets_.find(agent_id);
  if (!rejected && bit != budgets_.end()) {
    store::OwnerBudgetRow b = bit->second;
    PutSpend(&b, engine::AddSpend(SpendOf(b), notional, txn.arena_time_ms()));
    b.updated_ms = txn.wall_ms();
    SaveBudget(txn, b);
  }
  if (!owned) return;  // nobody to show an activity log to yet
  json details = {{"order_id", std::to_string(order.id)}, {"symbol", request.symbol},
                  {"side", engine::ToString(request.side)}, {"type", engine::ToString(request.type)},
                  {"status", engine::ToString(order.status)}, {"notional", Cs(notional.units)}};
  if (rejected) details["reject_code"] = engine::ToString(order.reject);
  Activity(txn, agent_id, actor, rejected ? "order_rejected" : "order_placed", details);
}

void OwnerControls::ExpireDue(Txn& txn) {
  const std::int64_t now = txn.arena_time_ms();
  for (auto it = pending_.begin(); it != pending_.end();) {
    store::ApprovalRow a = it->second;
    if (a.expires_ms > now) {
      ++it;
      continue;
    }
    a.status = "expired";
    a.decided_ms = now;
    txn.batch().owner.approvals.push_back(a);
    txn.batch().orders.push_back(
        Placeholder(a, "expired", "APPROVAL_EXPIRED", "the owner did not decide in time", now));
    json details = {{"order_id", std::to_string(a.id)}, {"expired_at", Iso(now)}};
    Activity(txn, a.agent_id, "system", "order_approval_expired", details);
    arena_->Audit(txn, a.agent_id, "order_approval_expired", "", "", details.dump());
    it = pending_.erase(it);
  }
}

const store::AgentRow* OwnerControls::FindByOwnerHash(const std::string& hash) {
  auto matches = [&](const store::AgentRow* a) {
    return a && a->owner_token_hash.size() == hash.size() && !hash.empty() &&
           sodium_memcmp(a->owner_token_hash.data(), hash.data(), hash.size()) == 0;
  };
  if (auto it = by_owner_hash_.find(hash); it != by_owner_hash_.end()) {
    const store::AgentRow* a = arena_->FindAgent(it->second);
    if (matches(a)) return a;
  }
  const store::AgentRow* found = nullptr;
  for (const store::AgentRow* a : arena_->Agents()) {  // constant time per row, no early exit
    if (matches(a)) found = a;
  }
  if (found) by_owner_hash_[hash] = found->id;
  return found;
}

ordered_json OwnerControls::PendingJson(const std::string& agent_id) const {
  ordered_json list = ordered_json::array();
  for (const auto& [id, a] : pending_) {
    if (a.agent_id == agent_id) list.push_back(ApprovalJson(a));
  }
  return list;
}

ordered_json OwnerControls::ApprovalJson(const store::ApprovalRow& a) {
  ordered_json j = {{"order_id", std::to_string(a.id)}, {"agent_id", a.agent_id}, {"status", a.status}};
  if (auto r = OrderRequestFromText(a.request)) {
    j["symbol"] = r->symbol;
    j["side"] = engine::ToString(r->side);
    j["type"] = engine::ToString(r->type);
    j["quantity"] = r->quantity.units ? ordered_json(Qt(r->quantity.units)) : ordered_json(nullptr);
    j["price"] = PxOrNull(r->price.ticks);
    j["client_order_id"] = r->client_order_id.empty() ? ordered_json(nullptr) : ordered_json(r->client_order_id);
    j["rationale"] = r->rationale.empty() ? ordered_json(nullptr) : ordered_json(r->rationale);
  }
  j["notional"] = Cs(a.notional);
  j["limit"] = a.limit;
  j["limit_value"] = Cs(a.limit_value);
  j["created_at"] = Iso(a.created_ms);
  j["expires_at"] = Iso(a.expires_ms);
  j["decided_at"] = IsoOrNull(a.decided_ms);
  j["placed_order_id"] = a.placed_order_id ? ordered_json(std::to_string(a.placed_order_id)) : ordered_json(nullptr);
  return j;
}

ordered_json OwnerControls::ActivityJson(const store::ActivityRow& a) {
  json details = json::parse(a.details, nullptr, false);
  return {{"activity_id", std::to_string(a.id)}, {"time", Iso(a.time_ms)}, {"actor", a.actor},
          {"action", a.action},
          {"details", details.is_discarded() ? ordered_json::object() : ordered_json(details)}};
}

OwnerOutcome OwnerControls::View(Txn& txn, const store::AgentRow& agent) {
  OwnerOutcome o;
  ordered_json budget = nullptr, spend = nullptr;
  if (auto it = budgets_.find(agent.id); it != budgets_.end()) {
    const auto& b = it->second;
    budget = {{"max_order_notional", LimitOrNull(b.max_order)},
              {"max_daily_notional", LimitOrNull(b.max_daily)},
              {"max_weekly_notional", LimitOrNull(b.max_weekly)},
              {"max_monthly_notional", LimitOrNull(b.max_monthly)},
              {"updated_at", IsoOrNull(b.updated_ms)}};
    const engine::Spend s = engine::RollOver(SpendOf(b), txn.arena_time_ms());
    auto period = [](std::int64_t start, engine::Cash spent, std::int64_t limit) {
      ordered_json p = {{"period_start", Iso(start)}, {"spent", Cs(spent.units)}, {"limit", LimitOrNull(limit)}};
      p["remaining"] = limit > 0 ? ordered_json(Cs(std::max<std::int64_t>(0, limit - spent.units))) : ordered_json(nullptr);
      return p;
    };
    spend = {{"daily", period(s.day_start_ms, s.day, b.max_daily)},
             {"weekly", period(s.week_start_ms, s.week, b.max_weekly)},
             {"monthly", period(s.month_start_ms, s.month, b.max_monthly)}};
  }
  std::size_t pending = 0;
  for (const auto& [id, a] : pending_) pending += a.agent_id == agent.id;
  o.body = {{"agent_id", agent.id},
            {"name", agent.name},
            {"description", agent.description},
            {"status", agent.status},
            {"created_at", Iso(agent.created_ms)},
            {"claimed_at", IsoOrNull(agent.claimed_ms)},
            {"budget", budget},
            {"spend", spend},
            {"pending_approvals", pending},
            {"arena_time", IsoOrNull(txn.arena_time_ms())}};
  if (auto p = txn.engine().GetPortfolio(agent.wallet); p.ok()) o.body["equity"] = Cs(p->equity.units);
  return o;
}

OwnerOutcome OwnerControls::SetStatus(Txn& txn, const store::AgentRow& agent, const std::string& status,
                                      const std::string& action, const Request& req) {
  if (agent.status == "revoked") {
    return Error(409, "AGENT_REVOKED", "the agent is revoked; that cannot be undone",
                 "register a new agent");
  }
  if (agent.status != status) {
    store::AgentRow row = agent;
    row.status = status;
    arena_->UpdateAgent(txn, row);
    Activity(txn, agent.id, "owner", action, json::object());
    arena_->Audit(txn, agent.id, "owner_" + action, req.client_ip, req.request_id, "{}");
  }
  const store::AgentRow* now = arena_->FindAgent(agent.id);
  return View(txn, now ? *now : agent);
}

OwnerOutcome OwnerControls::Pause(Txn& txn, const store::AgentRow& agent, const Request& req) {
  return SetStatus(txn, agent, "paused", "paused", req);
}

OwnerOutcome OwnerControls::Resume(Txn& txn, const store::AgentRow& agent, const Request& req) {
  return SetStatus(txn, agent, "claimed", "resumed", req);
}

OwnerOutcome OwnerControls::Revoke(Txn& txn, const store::AgentRow& agent, const Request& req) {
  if (agent.status != "revoked") {
    const std::string id = agent.id;
    store::AgentRow row = agent;
    row.status = "revoked";
    arena_->UpdateAgent(txn, row);
    const int cancelled = arena_->CancelAll(txn, id);
    int denied = 0;
    const std::int64_t now = txn.arena_time_ms();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.agent_id != id) {
        ++it;
        continue;
      }
      store::ApprovalRow a = it->second;
      a.status = "denied";
      a.decided_ms = now;
      txn.batch().owner.approvals.push_back(a);
      txn.batch().orders.push_back(Placeholder(a, "rejected", "AGENT_REVOKED", "the owner revoked the agent", now));
      ++denied;
      it = pending_.erase(it);
    }
    const int sessions = revoke_sessions ? revoke_sessions(txn, id, "revoked by the owner") : 0;
    json details = {{"orders_cancelled", cancelled}, {"approvals_denied", denied}, {"sessions_revoked", sessions}};
    Activity(txn, id, "owner", "revoked", details);
    arena_->Audit(txn, id, "owner_revoked", req.client_ip, req.request_id, details.dump());
  }
  const store::AgentRow* now = arena_->FindAgent(agent.id);
  return View(txn, now ? *now : agent);
}

OwnerOutcome OwnerControls::ConnectCode(Txn& txn, const store::AgentRow& agent, const Request& req) {
  if (agent.status == "revoked") {
    return Error(409, "AGENT_REVOKED", "the agent is revoked; it cannot connect again");
  }
  if (!issue_connect_code) {
    return Error(501, "NOT_IMPLEMENTED", "this arena has no sessions, so no connect codes");
  }
  const std::string code = issue_connect_code(txn, agent.id);
  if (code.empty()) return Error(500, "INTERNAL_ERROR", "could not issue a connect code");
  Activity(txn, agent.id, "owner", "connect_code_issued", json::object());
  arena_->Audit(txn, agent.id, "owner_connect_code", req.client_ip, req.request_id, "{}");
  OwnerOutcome o;
  o.status = 201;
  o.body = {{"connect_code", code}, {"expires_at", Iso(txn.wall_ms() + connect_code_ttl_ms)}};
  return o;
}

OwnerOutcome OwnerControls::SetBudget(Txn& txn, const store::AgentRow& agent, const engine::Budget& budget,
                                      const Request& req) {
  if (agent.status == "revoked") return Error(409, "AGENT_REVOKED", "the agent is revoked");
  store::OwnerBudgetRow b;
  if (auto it = budgets_.find(agent.id); it != budgets_.end()) b = it->second;
  b.agent_id = agent.id;
  b.max_order = budget.max_order.units;
  b.max_daily = budget.max_daily.units;
  b.max_weekly = budget.max_weekly.units;
  b.max_monthly = budget.max_monthly.units;
  PutSpend(&b, engine::RollOver(SpendOf(b), txn.arena_time_ms()));
  b.updated_ms = txn.wall_ms();
  SaveBudget(txn, b);
  json details = {{"max_order_notional", b.max_order ? json(Cs(b.max_order)) : json(nullptr)},
                  {"max_daily_notional", b.max_daily ? json(Cs(b.max_daily)) : json(nullptr)},
                  {"max_weekly_notional", b.max_weekly ? json(Cs(b.max_weekly)) : json(nullptr)},
                  {"max_monthly_notional", b.max_monthly ? json(Cs(b.max_monthly)) : json(nullptr)}};
  Activity(txn, agent.id, "owner", budget.empty() ? "budget_cleared" : "budget_set", details);
  arena_->Audit(txn, agent.id, "owner_budget_set", req.client_ip, req.request_id, details.dump());
  return View(txn, agent);
}

OwnerOutcome OwnerControls::Decide(Txn& txn, const store::AgentRow& agent, std::uint64_t id, bool approve,
                                   const Request& req) {
  auto it = pending_.find(id);
  if (it == pending_.end() || it->second.agent_id != agent.id) {
    auto rows = arena_->store()->ListApprovals(agent.id, {500, 0});
    if (rows.ok()) {
      for (const auto& a : *rows) {
        if (a.id == id) {
          return Error(409, "NOT_PENDING", "order " + std::to_string(id) + " is no longer waiting (" + a.status + ")",
                       "GET /v1/owner/approvals lists the orders waiting for you");
        }
      }
    }
    return Error(404, "NOT_FOUND", "no order " + std::to_string(id) + " waits for approval",
                 "GET /v1/owner/approvals lists the orders waiting for you");
  }
  store::ApprovalRow a = it->second;
  const std::int64_t now = txn.arena_time_ms();
  a.decided_ms = now;
  json details = {{"order_id", std::to_string(a.id)}};
  OwnerOutcome o;
  if (!approve) {
    a.status = "denied";
    txn.batch().orders.push_back(Placeholder(a, "rejected", "DENIED_BY_OWNER", "the owner denied the order", now));
    Activity(txn, agent.id, "owner", "order_denied", details);
    arena_->Audit(txn, agent.id, "owner_order_denied", req.client_ip, req.request_id, details.dump());
  } else {
    auto request = OrderRequestFromText(a.request);
    engine::OrderId placed = request ? arena_->PlaceOrder(txn, agent.id, *request) : 0;
    const engine::Order* order = placed ? txn.engine().FindOrder(placed) : nullptr;
    if (!order) {
      a.status = "failed";
      txn.batch().orders.push_back(Placeholder(a, "rejected", "DUPLICATE_ORDER",
                                               "approved, but the market already has an order with this client_order_id", now));
    } else {
      a.status = "approved";
      a.placed_order_id = placed;
      txn.batch().orders.push_back(Placeholder(a, "approved", "", "approved by the owner; placed as order " + std::to_string(placed), now));
      OnOrderPlaced(txn, agent.id, *request, *order, "owner");
      details["placed_order_id"] = std::to_string(placed);
      details["placed_status"] = engine::ToString(order->status);
    }
    Activity(txn, agent.id, "owner", "order_approved", details);
    arena_->Audit(txn, agent.id, "owner_order_approved", req.client_ip, req.request_id, details.dump());
  }
  pending_.erase(it);
  txn.batch().owner.approvals.push_back(a);
  o.body = ApprovalJson(a);
  if (approve && a.placed_order_id) {
    if (const engine::Order* order = txn.engine().FindOrder(a.placed_order_id)) {
      o.body["placed_status"] = engine::ToString(order->status);
      if (order->status == engine::OrderStatus::kRejected) o.body["placed_reject_code"] = engine::ToString(order->reject);
    }
  }
  if (!approve) {
    o.body["order_status"] = "rejected";
    o.body["reject_code"] = "DENIED_BY_OWNER";
  }
  return o;
}

}  // namespace claw::server
