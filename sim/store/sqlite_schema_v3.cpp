// Schema version 3: DPoP sessions (PROTOCOL.md §7): sessions, refresh families, the jti replay cache, connect codes.
// Runs once, in the transaction that takes a store from version 2 to 3 (or creates it).
// Part of stored data: once released, change it only by adding a later migration.
#include "sim/store/sqlite_internal.h"

namespace claw::store::sqlite {

const char* const kSchemaV3 = R"sql(
)sql";

}  // namespace claw::store::sqlite
