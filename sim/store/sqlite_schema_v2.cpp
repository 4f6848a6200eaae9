// Schema version 2: commit-reveal trading (PROTOCOL.md §6): commitments and the price tape.
// Runs once, in the transaction that takes a store from version 1 to 2 (or creates it).
// Part of stored data: once released, change it only by adding a later migration.
#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {

const char* const kSchemaV2 = R"sql(
)sql";

}  // namespace claw::store::sqlite
