// DPoP session routes (PROTOCOL.md §7): POST /v1/sessions (log in with a signed request or a
// connect code), POST /v1/sessions/refresh (rotation with reuse detection), DELETE /v1/sessions
// (log out). The proof is checked on the IO thread; the session change runs on the engine
// thread and is answered once durable.
#include <nlohmann/json.hpp>

#include "sim/server/route_util.h"
#include "sim/server/routes.h"
#include "sim/server/sessions.h"

namespace claw::server {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json TokensJson(const IssuedTokens& t) {
  return {{"access_token", t.access_token},
          {"refresh_token", t.refresh_token},
          {"token_type", "DPoP"},
          {"expires_in", t.expires_in_s},
          {"refresh_expires_in", t.refresh_expires_in_s},
          {"agent_id", t.agent_id},
          {"session_id", t.session_id}};
}

void ProofError(const Reply& reply, const Request& req, const ProofResult& p) {
  Err(reply, req, 401, "INVALID_DPOP_PROOF", p.message,
      "send a fresh DPoP proof (header DPoP) for this method and URL, signed within 60 s",
      json{{"check", p.check}});
}

// Failures of the session routes are audited like other authentication failures, and
// answered once the audit row is durable.
void AuditedErr(RouteContext* ctx, const Request& req, const Reply& reply, int status,
                const std::string& code, const std::string& message, const std::string& hint,
                const std::string& agent_id, const std::string& check = {}) {
  json details = {{"code", code}, {"method", req.method}, {"path", req.path}};
  json answer;
  if (!check.empty()) {
    details["check"] = check;
    answer = {{"check", check}};
  }
  Request copy = req;
  const bool posted = ctx->arena->Post([=](Txn& txn) {
    txn.arena().Audit(txn, agent_id, "auth_failure", copy.client_ip, copy.request_id, details.dump());
    txn.AfterCommit([=](const Status&) { Err(reply, copy, status, code, message, hint, answer); });
  });
  if (!posted) Err(reply, req, status, code, message, hint, answer);
}

}  // namespace

void AddSessionRoutes(Router* router, RouteContext* ctx) {
  Sessions* sessions = ctx->sessions;
  if (sessions == nullptr) return;

  router->Add({"POST", "/v1/sessions", AuthKind::kNone, "sessions",
               "Log in: a DPoP-bound session from a signed request or a connect code",
               "Send a DPoP proof (header `DPoP`, RFC 9449; `X-DPoP` also accepted) for POST and "
               "this URL, plus either a §2 signed request with the body `{}`, or the body "
               "`{\"connect_code\":\"ABC123\"}` with a code the agent's owner issued (6 chars A-Z0-9, "
               "15 minutes, single use; 10 tries per minute per IP). The tokens are bound to the "
               "proof key's RFC 7638 thumbprint: use them as `Authorization: DPoP <access_token>` "
               "with a fresh proof carrying `ath` on every call.",
               R"({"connect_code":"7K2Q9D"})",
               R"({"access_token":"claw_at_…","refresh_token":"claw_rt_…","token_type":"DPoP","expires_in":300,"refresh_expires_in":2592000,"agent_id":"…","session_id":"…"})",
               "application/json",
               [=](const Request& req, Reply reply) {
                 json b;
                 std::string error;
                 if (!ParseBody(req.body.empty() ? "{}" : req.body, &b, &error) || !b.is_object()) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "body is not a JSON object: " + error.substr(0, 200));
                 }
                 const std::int64_t now = WallMs();
                 const std::string url = ctx->base_url + req.path;
                 const bool signed_request = req.Header("x-signature").has_value();
                 if (signed_request) {
                   if (!b.empty()) {
                     return Err(reply, req, 400, "INVALID_REQUEST",
                                "a signed login has the body {}", "send {} or a connect code without a signature");
                   }
                   // The signature first: an unsigned proof alone must not burn jtis.
                   ProofResult proof = sessions->CheckProof(req, url, std::nullopt, now);
                   if (!proof.ok) {
                     return AuditedErr(ctx, req, reply, 401, "INVALID_DPOP_PROOF", proof.message,
                                       "send a fresh DPoP proof for POST and this URL", "", proof.check);
                   }
                   std::optional<AuthResult> auth = AuthenticateAny(ctx, req, reply);
                   if (!auth) return;
                   if (!sessions->RecordJti(&proof)) {
                     return AuditedErr(ctx, req, reply, 401, "INVALID_DPOP_PROOF", proof.message,
                                       "make a new proof (fresh jti) for every request", auth->agent.id, "jti");
                   }
                   const std::string agent_id = auth->agent.id;
                   return PostWork(ctx, req, reply, [=](Txn& txn) {
                     IssuedTokens t = sessions->Create(txn, agent_id, proof.thumbprint, "signature",
                                                       req.client_ip, req.request_id);
                     AnswerWhenDurable(txn, req, reply, 201, TokensJson(t));
                   });
                 }
                 auto code_it = b.find("connect_code");
                 if (code_it == b.end() || !code_it->is_string() || b.size() != 1) {
                   return Err(reply, req, 400, "INVALID_REQUEST",
                              "send {\"connect_code\":\"...\"}, or sign the request (PROTOCOL §2) with the body {}",
                              "the code is 6 characters A-Z0-9 from the agent's owner");
                 }
                 const std::string code = code_it->get<std::string>();
                 if (!sessions->AllowConnectTry(req.client_ip, now)) {
                   return Err(reply, req, 429, "RATE_LIMITED", "too many connect-code tries from this address",
                              "wait a minute; codes allow 10 tries per minute per IP");
                 }
                 ProofResult proof = sessions->VerifyProof(req, url, std::nullopt, now);
                 if (!proof.ok) {
                   return AuditedErr(ctx, req, reply, 401, "INVALID_DPOP_PROOF", proof.message,
                                     "send a fresh DPoP proof for POST and this URL", "", proof.check);
                 }
                 PostWork(ctx, req, reply, [=](Txn& txn) {
                   std::optional<std::string> agent_id = sessions->UseConnectCode(txn, code);
                   const store::AgentRow* agent = agent_id ? txn.arena().FindAgent(*agent_id) : nullptr;
                   if (!agent || agent->status == "revoked") {
                     txn.arena().Audit(txn, "", "auth_failure", req.client_ip, req.request_id,
                                       json{{"code", "INVALID_CONNECT_CODE"}, {"method", req.method},
                                            {"path", req.path}}.dump());
                     txn.AfterCommit([=](const Status&) {
                       Err(reply, req, 401, "INVALID_CONNECT_CODE", "unknown, used or expired connect code",
                           "ask the agent's owner for a new code (they last 15 minutes and work once)");
                     });
                     return;
                   }
                   IssuedTokens t = sessions->Create(txn, agent->id, proof.thumbprint, "connect_code",
                                                     req.client_ip, req.request_id);
                   AnswerWhenDurable(txn, req, reply, 201, TokensJson(t));
                 });
               }});

  router->Add({"POST", "/v1/sessions/refresh", AuthKind::kNone, "sessions",
               "Rotate a session's tokens (refresh token plus a DPoP proof by the same key)",
               "Every refresh returns a new access token and a new refresh token and invalidates "
               "the old refresh token. Presenting a refresh token that was already rotated is "
               "reuse (token theft): every session of the agent is revoked and the answer is "
               "`403 REFRESH_REUSE`. A proof by another key than the session's is "
               "`401 INVALID_DPOP_PROOF` and revokes nothing.",
               R"({"refresh_token":"claw_rt_…"})",
               R"({"access_token":"claw_at_…","refresh_token":"claw_rt_…","token_type":"DPoP","expires_in":300,"refresh_expires_in":2592000,"agent_id":"…","session_id":"…"})",
               "application/json",
               [=](const Request& req, Reply reply) {
                 json b;
                 std::string error;
                 if (!ParseBody(req.body, &b, &error) || !b.is_object()) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "body is not a JSON object: " + error.substr(0, 200));
                 }
                 auto it = b.find("refresh_token");
                 if (it == b.end() || !it->is_string() || it->get<std::string>().empty()) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "'refresh_token' is required",
                              "send {\"refresh_token\":\"...\"} from the last login or refresh");
                 }
                 const std::string token = it->get<std::string>();
                 ProofResult proof = sessions->VerifyProof(req, ctx->base_url + req.path, std::nullopt, WallMs());
                 if (!proof.ok) {
                   return AuditedErr(ctx, req, reply, 401, "INVALID_DPOP_PROOF", proof.message,
                                     "send a fresh DPoP proof for POST and this URL", "", proof.check);
                 }
                 PostWork(ctx, req, reply, [=](Txn& txn) {
                   Sessions::RefreshOutcome r =
                       sessions->Refresh(txn, token, proof.thumbprint, req.client_ip, req.request_id);
                   using K = Sessions::RefreshOutcome;
                   if (r.kind == K::kOk) return AnswerWhenDurable(txn, req, reply, 200, TokensJson(r.tokens));
                   int status = 401;
                   std::string code = "INVALID_TOKEN", message = "unknown or expired refresh token",
                               hint = "log in again: POST /v1/sessions ('claw session login')", check;
                   if (r.kind == K::kWrongKey) {
                     code = "INVALID_DPOP_PROOF";
                     message = "the proof's key is not the key the session is bound to";
                     hint = "sign the proof with the session's key";
                     check = "jkt";
                   } else if (r.kind == K::kReuse) {
                     status = 403;
                     code = "REFRESH_REUSE";
                     message = "this refresh token was already used: every session of the agent is revoked (" +
                               std::to_string(r.revoked) + ")";
                     hint = "a copy of the token may have been stolen; log in again";
                   }
                   if (r.kind != K::kReuse) {  // reuse is audited by Refresh itself
                     json details = {{"code", code}, {"method", req.method}, {"path", req.path}};
                     if (!check.empty()) details["check"] = check;
                     txn.arena().Audit(txn, r.agent_id, "auth_failure", req.client_ip, req.request_id,
                                       details.dump());
                   }
                   json answer = check.empty() ? json() : json{{"check", check}};
                   txn.AfterCommit([=](const Status&) { Err(reply, req, status, code, message, hint, answer); });
                 });
               }});

  router->Add({"DELETE", "/v1/sessions", AuthKind::kSigned, "sessions",
               "Log out: revoke this DPoP session, or with a signed request every session",
               "With `Authorization: DPoP` the calling session is revoked; with a §2 signed request "
               "every session of the agent is.",
               "", R"({"revoked":1})", "application/json",
               [=](const Request& req, Reply reply) {
                 std::optional<AuthResult> auth = AuthenticateAny(ctx, req, reply);
                 if (!auth) return;
                 const AuthResult a = *auth;
                 PostWork(ctx, req, reply, [=](Txn& txn) {
                   int n = 0;
                   if (!a.session_id.empty()) {
                     n = sessions->Revoke(txn, a.session_id, "logout") ? 1 : 0;
                     txn.arena().Audit(txn, a.agent.id, "session_logout", req.client_ip, req.request_id,
                                       json{{"session_id", a.session_id}}.dump());
                   } else {
                     n = sessions->RevokeAll(txn, a.agent.id, "logout");
                   }
                   AnswerWhenDurable(txn, req, reply, 200, ordered_json{{"revoked", n}});
                 });
               }});
}

}  // namespace claw::server
