// Rows of the owner's controls (issue 7; seed 004 spending_limits, transfer_requests,
// activity_log), stored by schema version 4 (sqlite_schema_v4.cpp). Included by store.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace claw::store {

// One per agent whose owner has set a budget (upserted by agent_id). Limits are Cash units
// (1e-8), 0 = no limit. Spend is counted from when the budget row first existed, per period
// (engine/budget.h), with each period's start (unix ms, UTC, arena clock).
struct OwnerBudgetRow {
  std::string agent_id;
  std::int64_t max_order = 0;
  std::int64_t max_daily = 0;
  std::int64_t max_weekly = 0;
  std::int64_t max_monthly = 0;
  std::int64_t day_start_ms = 0;
  std::int64_t week_start_ms = 0;
  std::int64_t month_start_ms = 0;
  std::int64_t day_spent = 0;
  std::int64_t week_spent = 0;
  std::int64_t month_spent = 0;
  std::int64_t updated_ms = 0;
};

// An order held for the owner's approval (upserted by id). Its id is also the id of the
// placeholder order row the agent sees (status pending_approval).
struct ApprovalRow {
  std::uint64_t id = 0;
  std::string agent_id;
  std::string request;       // the order request, JSON (the journal's format)
  std::int64_t notional = 0; // Cash units, as the budget saw it
  std::string limit;         // "order" | "daily" | "weekly" | "monthly"
  std::int64_t limit_value = 0;
  std::string status;        // "pending_approval" | "approved" | "denied" | "expired" | "failed"
  std::uint64_t placed_order_id = 0;  // the engine order, once approved
  std::int64_t created_ms = 0;  // arena clock
  std::int64_t expires_ms = 0;  // arena clock
  std::int64_t decided_ms = 0;  // arena clock; 0 while pending
};

// Who did what (seed 004 activity_log). Insert only; ids assigned by the store.
struct ActivityRow {
  std::int64_t id = 0;
  std::string agent_id;
  std::int64_t time_ms = 0;  // wall clock
  std::string actor;         // "agent" | "owner" | "system"
  std::string action;        // "order_placed", "order_held", "approval_approved", "paused", ...
  std::string details;       // JSON object text
};

struct OwnerBatch {
  std::vector<OwnerBudgetRow> budgets;
  std::vector<ApprovalRow> approvals;
  std::vector<ActivityRow> activity;
  bool empty() const { return budgets.empty() && approvals.empty() && activity.empty(); }
  void clear() {
    budgets.clear();
    approvals.clear();
    activity.clear();
  }
};

// Everything the owner's controls need in memory after a restart.
struct OwnerState {
  std::vector<OwnerBudgetRow> budgets;
  std::vector<ApprovalRow> pending;  // status pending_approval, oldest first
  std::uint64_t max_approval_id = 0;
};

}  // namespace claw::store
