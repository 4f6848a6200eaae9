// Statements and row mapping of the owner tables (schema v4), used by sqlite_store.cpp.
#pragma once

#include <string>

#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {

const std::string& BudgetCols();
const std::string& ApprovalCols();
const std::string& ActivityCols();
const std::string& BudgetUpsertSql();
const std::string& ApprovalUpsertSql();    // updates status, placed_order_id, decided_ms
const std::string& ActivityInsertSql();    // id assigned by SQLite

void Bind(Stmt* s, const OwnerBudgetRow& r);
void Bind(Stmt* s, const ApprovalRow& r);
void Bind(Stmt* s, const ActivityRow& r);
OwnerBudgetRow ReadBudget(const Stmt& s);
ApprovalRow ReadApproval(const Stmt& s);
ActivityRow ReadActivity(const Stmt& s);

}  // namespace claw::store::sqlite
