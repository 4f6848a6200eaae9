// Commit-reveal routes (PROTOCOL.md §6): commit, reveal, close, get (with view keys) and the
// per-agent list; plus the reveal parts of /v1/health and /v1/leaderboard.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "sim/server/arena.h"
#include "sim/server/http.h"
#include "sim/server/routes.h"

namespace claw::server {

void AddCommitmentRoutes(Router* router, RouteContext* ctx);

// /v1/health "reveal": the [reveal] settings and the current period on the arena clock.
nlohmann::ordered_json RevealHealthJson(const Arena& arena);
// /v1/leaderboard "sealed": the period's rankings from revealed trades (engine thread).
// `period`: nullopt = the current period.
nlohmann::ordered_json SealedLeaderboardJson(Txn& txn, std::optional<std::int64_t> period);

}  // namespace claw::server
