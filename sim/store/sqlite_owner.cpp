// Owner rows (owner_rows.h) <-> SQLite statements, like sqlite_rows.cpp for the others.
#include "sim/store/sqlite_owner.h"

namespace claw::store::sqlite {

// clang-format off
const std::string& BudgetCols() {
  static const std::string s =
      "agent_id, max_order, max_daily, max_weekly, max_monthly, day_start_ms, week_start_ms, "
      "month_start_ms, day_spent, week_spent, month_spent, updated_ms";
  return s;
}
const std::string& ApprovalCols() {
  static const std::string s =
      "id, agent_id, request, notional, limit_name, limit_value, status, placed_order_id, "
      "created_ms, expires_ms, decided_ms";
  return s;
}
const std::string& ActivityCols() {
  static const std::string s = "id, agent_id, time_ms, actor, action, details";
  return s;
}
const std::string& BudgetUpsertSql() {
  static const std::string s =
      "INSERT INTO owner_budgets (" + BudgetCols() + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, ?10, ?11, ?12) ON CONFLICT (agent_id) DO UPDATE SET max_order = excluded.max_order, "
      "max_daily = excluded.max_daily, max_weekly = excluded.max_weekly, "
      "max_monthly = excluded.max_monthly, day_start_ms = excluded.day_start_ms, "
      "week_start_ms = excluded.week_start_ms, month_start_ms = excluded.month_start_ms, "
      "day_spent = excluded.day_spent, week_spent = excluded.week_spent, "
      "month_spent = excluded.month_spent, updated_ms = excluded.updated_ms";
  return s;
}
const std::string& ApprovalUpsertSql() {
  static const std::string s =
      "INSERT INTO owner_approvals (" + ApprovalCols() + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
      "?8, ?9, ?10, ?11) ON CONFLICT (id) DO UPDATE SET status = excluded.status, "
      "placed_order_id = excluded.placed_order_id, decided_ms = excluded.decided_ms";
  return s;
}
const std::string& ActivityInsertSql() {
  static const std::string s =
      "INSERT INTO activity_log (agent_id, time_ms, actor, action, details) "
      "VALUES (?1, ?2, ?3, ?4, ?5)";
  return s;
}
// clang-format on

void Bind(Stmt* s, const OwnerBudgetRow& r) {
  s->Bind(1, r.agent_id);
  s->Bind(2, r.max_order);
  s->Bind(3, r.max_daily);
  s->Bind(4, r.max_weekly);
  s->Bind(5, r.max_monthly);
  s->Bind(6, r.day_start_ms);
  s->Bind(7, r.week_start_ms);
  s->Bind(8, r.month_start_ms);
  s->Bind(9, r.day_spent);
  s->Bind(10, r.week_spent);
  s->Bind(11, r.month_spent);
  s->Bind(12, r.updated_ms);
}

void Bind(Stmt* s, const ApprovalRow& r) {
  s->Bind(1, r.id);
  s->Bind(2, r.agent_id);
  s->Bind(3, r.request);
  s->Bind(4, r.notional);
  s->Bind(5, r.limit);
  s->Bind(6, r.limit_value);
  s->Bind(7, r.status);
  s->Bind(8, r.placed_order_id);
  s->Bind(9, r.created_ms);
  s->Bind(10, r.expires_ms);
  s->Bind(11, r.decided_ms);
}

void Bind(Stmt* s, const ActivityRow& r) {
  s->Bind(1, r.agent_id);
  s->Bind(2, r.time_ms);
  s->Bind(3, r.actor);
  s->Bind(4, r.action);
  s->Bind(5, r.details);
}

OwnerBudgetRow ReadBudget(const Stmt& s) {
  OwnerBudgetRow r;
  r.agent_id = s.Text(0);
  r.max_order = s.Int64(1);
  r.max_daily = s.Int64(2);
  r.max_weekly = s.Int64(3);
  r.max_monthly = s.Int64(4);
  r.day_start_ms = s.Int64(5);
  r.week_start_ms = s.Int64(6);
  r.month_start_ms = s.Int64(7);
  r.day_spent = s.Int64(8);
  r.week_spent = s.Int64(9);
  r.month_spent = s.Int64(10);
  r.updated_ms = s.Int64(11);
  return r;
}

ApprovalRow ReadApproval(const Stmt& s) {
  ApprovalRow r;
  r.id = s.UInt64(0);
  r.agent_id = s.Text(1);
  r.request = s.Text(2);
  r.notional = s.Int64(3);
  r.limit = s.Text(4);
  r.limit_value = s.Int64(5);
  r.status = s.Text(6);
  r.placed_order_id = s.UInt64(7);
  r.created_ms = s.Int64(8);
  r.expires_ms = s.Int64(9);
  r.decided_ms = s.Int64(10);
  return r;
}

ActivityRow ReadActivity(const Stmt& s) {
  ActivityRow r;
  r.id = s.Int64(0);
  r.agent_id = s.Text(1);
  r.time_ms = s.Int64(2);
  r.actor = s.Text(3);
  r.action = s.Text(4);
  r.details = s.Text(5);
  return r;
}

}  // namespace claw::store::sqlite
