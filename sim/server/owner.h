// The human owner's controls (issue 7; seed 004 §7, §10, §15-§16): owner-token lookup, pause /
// resume / revoke, the budget with orders held for approval, and the activity log.
//
// State lives on the engine thread (like the agents in Arena) and is written to the store in
// the engine thread's batches (schema v4: owner_budgets, owner_approvals, activity_log), so it
// is durable exactly when the answer is sent. None of it is engine state: a held order is not
// in the engine until the owner approves it, and then Arena::PlaceOrder journals it like any
// other order. On start Load() reads budgets and pending approvals back; expiry runs on the
// arena clock (a timer thread posts ExpireDue), so after a restart an approval expires at the
// same arena time it would have without one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "sim/engine/budget.h"
#include "sim/engine/engine.h"
#include "sim/server/arena.h"
#include "sim/server/http.h"
#include "sim/store/store.h"

namespace claw::server {

// Held orders get ids far above the engine's (which count from 1), so a held order and an
// engine order never share an id in the orders table or in /v1/orders/{id}.
inline constexpr std::uint64_t kApprovalIdBase = 1'000'000'000'000'000ULL;

// What an owner action answers: status plus either a JSON body or a §5 error.
struct OwnerOutcome {
  int status = 200;
  std::string code;     // set for an error
  std::string message;
  std::string hint;
  nlohmann::ordered_json body;
  bool ok() const { return code.empty(); }
};

// An order the budget holds (or an idempotent repeat of one): the placeholder order to answer.
struct HeldOrder {
  int status = 202;           // 202 held now; 200 repeat; 409 conflicting repeat (error)
  std::string code, message;  // for 409
  store::OrderRow row;
};

class OwnerControls {
 public:
  OwnerControls(Arena* arena, std::int64_t approval_ttl_ms);
  ~OwnerControls();
  OwnerControls(const OwnerControls&) = delete;
  OwnerControls& operator=(const OwnerControls&) = delete;

  // Reads budgets and pending approvals from the store. Before the first request.
  Status Load();
  // Posts ExpireDue to the engine thread every `interval_ms` until StopTimer.
  void StartTimer(int interval_ms = 1000);
  void StopTimer();

  // Hooks into the sessions feature (set by the server when it has sessions).
  std::function<std::string(Txn&, const std::string& agent_id)> issue_connect_code;
  std::function<int(Txn&, const std::string& agent_id, const std::string& reason)> revoke_sessions;
  std::int64_t connect_code_ttl_ms = 900'000;  // what the sessions feature keeps codes for

  // ---- engine thread ----
  // POST /v1/orders, before Arena::PlaceOrder: nullopt when the order may go to the market now.
  std::optional<HeldOrder> HoldIfOverBudget(Txn& txn, const std::string& agent_id,
                                            const engine::OrderRequest& request,
                                            const std::string& ip, const std::string& request_id);
  // After the engine took an order (not an idempotent repeat): counts its notional against the
  // budget (unless rejected) and logs it in the activity log.
  void OnOrderPlaced(Txn& txn, const std::string& agent_id, const engine::OrderRequest& request,
                     const engine::Order& order, const std::string& actor);
  // Expires held orders whose time (arena clock) has come.
  void ExpireDue(Txn& txn);

  // The agent whose owner token hashes to `token_hash` (hex SHA-256), or null.
  const store::AgentRow* FindByOwnerHash(const std::string& token_hash);

  OwnerOutcome View(Txn& txn, const store::AgentRow& agent);
  OwnerOutcome Pause(Txn& txn, const store::AgentRow& agent, const Request& req);
  OwnerOutcome Resume(Txn& txn, const store::AgentRow& agent, const Request& req);
  OwnerOutcome Revoke(Txn& txn, const store::AgentRow& agent, const Request& req);
  OwnerOutcome ConnectCode(Txn& txn, const store::AgentRow& agent, const Request& req);
  OwnerOutcome SetBudget(Txn& txn, const store::AgentRow& agent, const engine::Budget& budget,
                         const Request& req);
  OwnerOutcome Decide(Txn& txn, const store::AgentRow& agent, std::uint64_t id, bool approve,
                      const Request& req);
  // Pending approvals of the agent, oldest first, as JSON.
  nlohmann::ordered_json PendingJson(const std::string& agent_id) const;

  void Activity(Txn& txn, const std::string& agent_id, const std::string& actor,
                const std::string& action, const nlohmann::json& details);

  static nlohmann::ordered_json ApprovalJson(const store::ApprovalRow& a);
  static nlohmann::ordered_json ActivityJson(const store::ActivityRow& a);

 private:
  store::OrderRow Placeholder(const store::ApprovalRow& a, const std::string& status,
                              const std::string& reject_code, const std::string& reason,
                              std::int64_t now) const;
  void SaveBudget(Txn& txn, const store::OwnerBudgetRow& row);
  OwnerOutcome SetStatus(Txn& txn, const store::AgentRow& agent, const std::string& status,
                         const std::string& action, const Request& req);

  Arena* arena_;
  std::int64_t ttl_ms_;
  std::map<std::string, store::OwnerBudgetRow> budgets_;  // by agent id
  std::map<std::uint64_t, store::ApprovalRow> pending_;    // by id (oldest first)
  std::uint64_t last_approval_id_ = 0;
  std::unordered_map<std::string, std::string> by_owner_hash_;  // cache: hash -> agent id

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool timer_stop_ = false;
  std::thread timer_;
};

// Refuses a paused or revoked agent's authenticated call (403 AGENT_PAUSED / AGENT_REVOKED).
// True when it answered. Called by every authentication path (route_util.cpp).
bool RefuseInactiveAgent(const std::string& status, const Request& req, const Reply& reply);

// The owner's order notional as the budget sees it: the order's notional, or its quantity at
// the limit price, or (market) at the side's best price, else last, else mark. 0 when no price
// is known yet (the engine then refuses the order itself).
engine::Cash EstimateNotional(const engine::Engine& engine, const engine::OrderRequest& request);

}  // namespace claw::server
