// Agent discovery documents generated from the route table (sim/server/http.h), so they
// cannot drift from what the server dispatches: /openapi.json (OpenAPI 3.1), /skill.md (a
// Markdown guide for agents and people: signing per PROTOCOL.md §2, then every route) and
// /skill.json (the same, machine-readable; seed 003 "Skill Files").
//
// Pure functions of their arguments; thread-safe. Request and response examples that are
// valid JSON are embedded as JSON, others as strings.
#pragma once

#include <string>

#include "sim/server/http.h"

namespace claw::server {

struct DiscoveryInfo {
  std::string name;      // "claw-arena"
  std::string version;   // API/server version, "1.0.0"
  std::string base_url;  // "http://127.0.0.1:8080" (no trailing slash needed)
};

// OpenAPI 3.1.0 document: one operation per route, {name} path parameters declared, the §2
// signature headers as apiKey security schemes, the §5 error envelope as a shared response.
std::string OpenApiJson(const Router& router, const DiscoveryInfo& info);
// Markdown: quick start, how to sign, errors and rate limits, then each route with method,
// path, auth, rate class, summary, description and examples.
std::string SkillMarkdown(const Router& router, const DiscoveryInfo& info);
// {"name","version","base_url","docs","auth","errors","rate_limits","endpoints":[...]}.
std::string SkillJson(const Router& router, const DiscoveryInfo& info);

// "get_v1_orders_id": the operationId / endpoint name of a route, unique within the router
// only when (method, pattern) pairs are unique.
std::string OperationId(const Route& route);

}  // namespace claw::server
