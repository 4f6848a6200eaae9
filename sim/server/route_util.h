// Shared pieces of the arena's route handlers (routes*.cpp): body parsing that keeps numbers
// exact, the §5 error envelope, authentication that audits its failures, handing work to the
// engine thread, and answering only once a change is durable.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "sim/server/arena.h"
#include "sim/server/auth.h"
#include "sim/server/http.h"
#include "sim/server/routes.h"

namespace claw::server {

std::int64_t WallMs();
std::string Iso(std::int64_t ms);                    // "" for 0
nlohmann::ordered_json IsoOrNull(std::int64_t ms);   // null for 0
std::string Px(std::int64_t ticks);                  // price ticks -> "123.4500"
std::string Qt(std::int64_t units);                  // quantity units -> decimal
std::string Cs(std::int64_t units);                  // cash units -> decimal
nlohmann::ordered_json PxOrNull(std::int64_t ticks);

// Parses a JSON body; floats keep their exact source text (stored as strings), so money is never
// rounded through a double (PROTOCOL.md §1).
bool ParseBody(const std::string& body, nlohmann::json* out, std::string* error);

// The §5 envelope.
void Err(const Reply& reply, const Request& req, int status, std::string_view code,
         std::string_view message, std::string_view hint = {},
         const nlohmann::json& details = {});
void Ok(const Reply& reply, int status, const nlohmann::ordered_json& body);
Response Html(int status, std::string body);
std::string HtmlEscape(std::string_view s);

// An integer query parameter in [lo, hi]; absent -> def; malformed or out of range -> def and
// *ok = false.
int IntParam(const Request& req, const char* name, int def, int lo, int hi, bool* ok);
std::string NewUuid();  // random (v4)

// Authenticates a signed request (§2). On failure answers with the §5 envelope once the failure
// is in the audit log, and returns nullopt.
// Accepts either a §2 signed request or `Authorization: DPoP <access_token>` with a DPoP proof
// (PROTOCOL.md §7).
std::optional<AgentAuth> Authenticate(RouteContext* ctx, const Request& req, const Reply& reply);
// As Authenticate, with the whole result (AuthResult::session_id for a DPoP session).
std::optional<AuthResult> AuthenticateAny(RouteContext* ctx, const Request& req, const Reply& reply);
// True when the request carries `Authorization: DPoP ...` (the scheme is case-insensitive).
bool HasDpopAuthorization(const Request& req);
// Runs `fn` on the engine thread, or answers 503 when the arena is not taking work.
void PostWork(RouteContext* ctx, const Request& req, const Reply& reply, Arena::Work fn);
// Answers `status` + `body` after the batch holding `txn` has committed (500 if it failed).
void AnswerWhenDurable(Txn& txn, const Request& req, Reply reply, int status,
                       nlohmann::ordered_json body);

}  // namespace claw::server
