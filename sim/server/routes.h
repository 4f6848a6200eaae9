// The arena's HTTP API (PROTOCOL.md §3-§5): one route table whose handlers authenticate on the
// IO thread, hand changes to the engine thread (Arena::Post) and answer after the change is
// durable, and read lists straight from the store.
#pragma once

#include <string>

#include "sim/server/arena.h"
#include "sim/server/auth.h"
#include "sim/server/http.h"

namespace claw::server {

class OwnerControls;
class Sessions;

struct RouteContext {
  Arena* arena = nullptr;
  Authenticator* auth = nullptr;
  AgentDirectory* directory = nullptr;
  Metrics* metrics = nullptr;
  Sessions* sessions = nullptr;  // DPoP sessions (sessions.h); null: signed requests only
  std::string base_url;   // "http://127.0.0.1:8080": claim URLs and discovery documents
  std::string version;
  OwnerControls* owner = nullptr;  // the owner's controls (owner.h); null: none
};

// Adds every route of the arena, including /skill.md, /skill.json, /openapi.json and /metrics.
void AddArenaRoutes(Router* router, RouteContext* ctx);

// The owner's API and pages (routes_owner.cpp); nothing when ctx->owner is null.
void AddOwnerRoutes(Router* router, RouteContext* ctx);
// POST/DELETE /v1/sessions, POST /v1/sessions/refresh (routes_sessions.cpp).
void AddSessionRoutes(Router* router, RouteContext* ctx);

// Rate-limit rules for the route classes used above (seed 002 §4 as defaults).
std::vector<RateRule> DefaultRateRules();

}  // namespace claw::server
