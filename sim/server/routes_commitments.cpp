// Commit-reveal routes (PROTOCOL.md §6; wire contract in routes_commitments.h's callers).
//
// Where each check runs: body shape on the IO thread; everything that reads stored public
// fields, the book or the arena clock on the engine thread (Arena::Sealed*), which also writes
// the audit rows. A refused reveal is audited (`reveal_failed`) and answered only once that
// audit row is durable, like a rejected order.
#include "sim/server/routes_commitments.h"

#include <cctype>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/commitment.h"
#include "client/commitment_body.h"
#include "client/ed25519.h"
#include "client/eip191.h"
#include "client/encoding.h"
#include "client/js_json.h"
#include "client/signed_request.h"
#include "client/view_key.h"
#include "sim/server/route_util.h"

namespace claw::server {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json StrOrNull(const std::string& s) { return s.empty() ? ordered_json(nullptr) : ordered_json(s); }
ordered_json IdOrNull(std::uint64_t id) { return id ? ordered_json(std::to_string(id)) : ordered_json(nullptr); }
std::string Fixed4(std::int64_t v) { return engine::FormatFixed(v, 4); }

ordered_json TradeJson(const store::CommitmentRow& r, const std::string& agent_name) {
  return {{"trade_id", std::to_string(r.id)},
          {"agent_id", r.agent_id},
          {"agent_name", agent_name},
          {"action", r.action},
          {"side", r.side},
          {"lobs", r.lobs},
          {"timestamp", r.timestamp},
          {"commitment_hash", r.commitment_hash},
          {"scheme", r.scheme},
          {"status", r.status},
          {"symbol", r.revealed ? StrOrNull(r.symbol) : ordered_json(nullptr)},
          {"price", r.revealed ? StrOrNull(r.price) : ordered_json(nullptr)},
          {"revealed", r.revealed},
          {"revealed_at", IsoOrNull(r.revealed_ms)},
          {"period", r.period},
          {"opening_trade_id", IdOrNull(r.opening_id)},
          {"close_trade_id", IdOrNull(r.close_id)},
          {"pnl_lobs", r.has_pnl ? ordered_json(Fixed4(r.pnl_e4)) : ordered_json(nullptr)},
          {"pnl_percent", r.has_pnl ? ordered_json(Fixed4(r.pnl_percent_e4)) : ordered_json(nullptr)},
          {"sealed", !r.sealed_ciphertext.empty()},
          {"created_at", Iso(r.created_ms)}};
}

// ---- body parsing (IO thread): client/commitment_body.h, shared with `arena-sim run` ----

// The fixed-point price the tape is checked with (0 when not representable).
engine::Price Ticks(const client::JsPrice& p) {
  std::int64_t ticks = 0;
  return engine::ParseFixed(p.text, engine::kPriceDecimals, &ticks) ? engine::Price{ticks}
                                                                    : engine::Price{0};
}

bool IsJsonObject(const std::string& body) {
  json b;
  std::string error;
  return ParseBody(body, &b, &error) && b.is_object();
}

bool ParseId(const Request& req, engine::SealedId* id) {
  const std::string& s = req.params.at("id");
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  *id = std::stoull(s);
  return *id > 0;
}

// ---- verification (engine thread) ----

client::CommitmentSigner SignerOf(const AgentAuth& agent) { return {agent.public_key, agent.eth_address}; }

// A reveal's fields against the stored commitment: "" when they verify, else the reason name.
std::string VerifyMessage(const AgentAuth& agent, const client::CommitmentFields& f,
                          const SealedMeta& meta, std::string* detail) {
  client::CommitmentVerdict v = client::VerifyRevealedCommitment(f, meta.commitment_hash, meta.scheme,
                                                                 meta.signature, SignerOf(agent));
  if (v.ok()) return "";
  *detail = v.detail;
  return client::CommitmentCheckName(v.check);
}

std::string RejectReason(engine::SealedReject r) {
  switch (r) {
    case engine::SealedReject::kUnknownSymbol:
    case engine::SealedReject::kNoTapePrice:
    case engine::SealedReject::kPriceOffTape:
      return engine::ToString(r);
    default:
      return "";
  }
}

struct HttpErr {
  int status;
  std::string code;
};
HttpErr ForSealedReject(engine::SealedReject r) {
  using R = engine::SealedReject;
  const std::string code = engine::ErrorCode(r);
  switch (r) {
    case R::kNotFound: return {404, code};
    case R::kInvalidParameter: return {400, code};
    case R::kAlreadyRevealed:
    case R::kAlreadyClosed: return {409, code};
    case R::kNone: return {500, "INTERNAL_ERROR"};
    default: return {422, code};
  }
}

// Answers an error after the batch (holding its audit row) is durable.
void ErrWhenDurable(Txn& txn, const Request& req, const Reply& reply, int status,
                    const std::string& code, const std::string& message, const std::string& hint,
                    const json& details) {
  Request copy = req;
  txn.AfterCommit([=](const Status&) { Err(reply, copy, status, code, message, hint, details); });
}

// Opens the trade's sealed blob with a trade, period or master view key (client/view_key.h);
// nullopt when the key opens nothing (whatever the reason: the answer must not tell them apart).
std::optional<ordered_json> OpenView(const std::string& key_text, const store::CommitmentRow& r) {
  if (r.period < 0) return std::nullopt;
  Result<client::ViewKey> key = client::ParseViewKey(key_text);
  if (!key.ok()) return std::nullopt;
  Result<client::Sealed> sealed = client::ParseSealed(r.sealed_nonce, r.sealed_ciphertext);
  if (!sealed.ok()) return std::nullopt;
  Result<client::Opened> opened = client::OpenHiddenFields(*key, r.commitment_hash, r.period, *sealed);
  if (!opened.ok()) return std::nullopt;
  Result<client::HiddenFields> f = client::ParseHiddenFields(opened->plaintext);
  if (!f.ok()) return std::nullopt;
  return ordered_json{{"tier", client::ViewTierName(opened->tier)}, {"symbol", f->symbol}, {"price", f->price}};
}

std::string NameOf(RouteContext* ctx, const std::string& agent_id) {
  auto a = ctx->directory->FindByIdOrName(agent_id);
  return a ? a->name : std::string();
}

}  // namespace

ordered_json RevealHealthJson(const Arena& arena) {
  const ServeConfig& c = arena.config();
  const engine::RevealClock& clock = arena.reveal_clock();
  const std::int64_t now = arena.arena_time_ms();
  const std::int64_t n = clock.Period(now);
  const run::RevealConfig& r = c.arena.reveal;
  return {{"period_days", r.period_days}, {"anchor", r.anchor},
          {"grace_h", r.grace_h},         {"tolerance_bps", r.tolerance_bps},
          {"period", n},                         {"period_start", Iso(clock.Start(n))},
          {"period_end", Iso(clock.End(n))},     {"grace_end", Iso(clock.GraceEnd(n))}};
}

ordered_json SealedLeaderboardJson(Txn& txn, std::optional<std::int64_t> period) {
  Arena& arena = txn.arena();
  const engine::RevealClock& clock = arena.reveal_clock();
  const std::int64_t n = period ? *period : clock.Period(txn.arena_time_ms());
  ordered_json rankings = ordered_json::array();
  const std::vector<engine::SealedRanking> ranked = arena.sealed_book().Rankings(n);
  std::unordered_map<engine::WalletId, std::string> names;
  if (!ranked.empty()) {
    for (const auto* a : arena.Agents()) names.emplace(a->wallet, a->name);
  }
  for (const engine::SealedRanking& r : ranked) {
    const std::string& name = names[r.wallet];
    rankings.push_back({{"rank", r.rank},
                        {"agent", name},
                        {"pnl_lobs", Fixed4(r.pnl_e4)},
                        {"pnl_percent", Fixed4(r.pnl_percent_e4)},
                        {"revealed", r.revealed},
                        {"closed", r.closed},
                        {"failed", r.failed}});
  }
  return {{"period", n},
          {"period_start", Iso(clock.Start(n))},
          {"period_end", Iso(clock.End(n))},
          {"grace_end", Iso(clock.GraceEnd(n))},
          {"rankings", rankings}};
}

void AddCommitmentRoutes(Router* router, RouteContext* ctx) {
  Arena* arena = ctx->arena;
  auto durable = [](Txn& txn, const Request& req, Reply reply, int status, ordered_json body) {
    AnswerWhenDurable(txn, req, std::move(reply), status, std::move(body));
  };

  // ---- commit ----
  router->Add({"POST", "/v1/commitments", AuthKind::kSigned, "commitments",
               "Commit to a sealed trade (symbol and price hidden until revealed)",
               "PROTOCOL §6. `commitment.hash` is keccak256 of JSON.stringify({agent_id, action, side, lobs, "
               "symbol, price, timestamp, nonce}) (or the same with sorted keys); `signature` is over the 32 "
               "hash bytes (`ed25519` with the agent's key, or `eip191` recovering its registered "
               "eth_address) and is checked now. `timestamp` must be within the auth window of the arena "
               "clock (else 422 STALE_COMMITMENT). `lobs` (integer quote units) are held from the balance "
               "until the trade closes or fails to reveal (422 INSUFFICIENT_BALANCE). Optional `sealed` "
               "holds the hidden fields encrypted under a view key. Repeating a commitment (same hash) "
               "returns the existing trade with 200.",
               R"({"action":"OPEN","side":"LONG","lobs":500,"timestamp":"2026-02-22T01:50:00Z","commitment":{"hash":"0x…","signature":"…","scheme":"ed25519"}})",
               R"({"trade_id":"1","status":"committed","commitment_hash":"0x…","period":1456,"public":{"action":"OPEN","side":"LONG","lobs":500,"timestamp":"2026-02-22T01:50:00Z"}})",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = Authenticate(ctx, req, reply);
                 if (!agent) return;
                 if (!IsJsonObject(req.body)) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "body is not a JSON object");
                 }
                 Result<client::CommitBody> body = client::ParseCommitBody(req.body);
                 if (!body.ok()) {
                   return Err(reply, req, 400, "INVALID_PARAMETER", body.status().message(), body.status().hint());
                 }
                 const client::CommitmentProof& c = body->commitment;
                 const std::string side = body->side, ts_text = body->timestamp;
                 const std::int64_t ts_ms = body->timestamp_ms, lobs = body->lobs;
                 const engine::SealedSide s = *engine::ParseSealedSide(side);
                 SealedMeta meta;
                 meta.timestamp = ts_text;
                 meta.commitment_hash = c.hash;
                 meta.signature = c.signature;
                 meta.scheme = c.scheme;
                 meta.sealed_nonce = body->sealed_nonce;
                 meta.sealed_ciphertext = body->sealed_ciphertext;
                 if (agent->status == "paused") {
                   return Err(reply, req, 403, "AGENT_PAUSED", "the agent's owner has paused trading");
                 }
                 const client::CommitmentVerdict verdict =
                     client::VerifyCommitmentSignature(c.hash, c.scheme, c.signature, SignerOf(*agent));
                 if (!verdict.ok()) {
                   const std::string why = client::CommitmentCheckName(verdict.check);
                   return Err(reply, req, 422, "INVALID_COMMITMENT",
                              "the commitment signature does not verify (" + why + ")",
                              c.scheme == "eip191" ? "sign the 32 hash bytes with personal_sign using the key of "
                                                     "the agent's registered eth_address"
                                                   : "sign the 32 hash bytes with the agent's Ed25519 key",
                              json{{"reason", why}});
                 }
                 const std::int64_t window = arena->config().auth_window_ms;
                 PostWork(ctx, req, reply, [=](Txn& txn) {
                   auto answer = [&](int status, engine::SealedId id) {
                     const store::CommitmentRow row = arena->SealedRow(id);
                     ordered_json body = {{"trade_id", std::to_string(id)},
                                          {"status", row.status},
                                          {"commitment_hash", row.commitment_hash},
                                          {"period", row.period},
                                          {"public", {{"action", row.action}, {"side", row.side},
                                                      {"lobs", row.lobs}, {"timestamp", row.timestamp}}}};
                     durable(txn, req, reply, status, body);
                   };
                   if (engine::SealedId prev = arena->FindSealedByHash(meta.commitment_hash)) {
                     const SealedMeta* m = arena->FindSealedMeta(prev);
                     if (m && m->agent_id == agent->id) return answer(200, prev);
                     return Err(reply, req, 409, "DUPLICATE_COMMITMENT", "this commitment hash is taken",
                                "use a fresh nonce");
                   }
                   const std::int64_t now = txn.arena_time_ms();
                   if (now <= 0 || ts_ms < now - window || ts_ms > now + window) {
                     return Err(reply, req, 422, "STALE_COMMITMENT",
                                "timestamp " + ts_text + " is not within " + std::to_string(window / 1000) +
                                    " s of the arena clock (" + Iso(now) + ")",
                                "commit with the current arena time; GET /v1/health shows it");
                   }
                   engine::SealedResult r = arena->SealedCommit(txn, agent->id, s, lobs, ts_ms, meta);
                   if (!r.ok()) {
                     HttpErr h = ForSealedReject(r.reject);
                     return Err(reply, req, h.status, h.code, r.message,
                                r.reject == engine::SealedReject::kInsufficientBalance
                                    ? "GET /v1/portfolio shows what is available"
                                    : "");
                   }
                   arena->Audit(txn, agent->id, "commitment_created", req.client_ip, req.request_id,
                                json{{"trade_id", std::to_string(r.id)}, {"side", side}, {"lobs", lobs},
                                     {"commitment_hash", meta.commitment_hash}}
                                    .dump());
                   answer(201, r.id);
                 });
               }});

  // ---- reveal ----
  router->Add({"POST", "/v1/commitments/{id}/reveal", AuthKind::kSigned, "commitments",
               "Reveal a sealed trade's symbol, price and nonce",
               "The server rebuilds the message from the stored public fields and these, checks keccak "
               "against the commitment and the stored signature, then checks `price` against its own price "
               "tape for `symbol` at the commit timestamp (within reveal.tolerance_bps). Failures: 422 "
               "REVEAL_MISMATCH with details.reason hash_mismatch|bad_signature|wrong_signer|price_off_tape|"
               "unknown_symbol|no_tape_price (audited); after the period's grace 422 REVEAL_WINDOW_CLOSED.",
               R"({"symbol":"BTCUSDT","price":875.5,"nonce":"0d5f…"})",
               R"({"trade_id":"1","status":"revealed","symbol":"BTCUSDT","price":"875.5","revealed":true})",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = Authenticate(ctx, req, reply);
                 if (!agent) return;
                 engine::SealedId id = 0;
                 if (!ParseId(req, &id)) return Err(reply, req, 404, "NOT_FOUND", "no such trade");
                 Result<client::RevealBody> parsed = client::ParseRevealBody(req.body);
                 if (!parsed.ok()) return Err(reply, req, 400, "INVALID_PARAMETER", parsed.status().message());
                 const client::RevealBody rv = *parsed;
                 PostWork(ctx, req, reply, [=](Txn& txn) {
                   const engine::SealedTrade* t = arena->sealed_book().Find(id);
                   const SealedMeta* meta = arena->FindSealedMeta(id);
                   if (!t || !meta || meta->agent_id != agent->id || t->action != engine::SealedAction::kOpen) {
                     return Err(reply, req, 404, "NOT_FOUND", "no sealed open " + std::to_string(id) + " of yours");
                   }
                   if (t->revealed) return Err(reply, req, 409, "ALREADY_REVEALED", "trade " + std::to_string(id) + " is revealed");
                   const engine::RevealClock& clock = arena->reveal_clock();
                   if (t->status == engine::SealedStatus::kRevealFailed ||
                       txn.arena_time_ms() >= clock.GraceEnd(t->period)) {
                     return Err(reply, req, 422, "REVEAL_WINDOW_CLOSED",
                                "the reveal window of period " + std::to_string(t->period) + " closed at " +
                                    Iso(clock.GraceEnd(t->period)));
                   }
                   auto fail = [&](const std::string& reason, const std::string& detail) {
                     arena->Audit(txn, agent->id, "reveal_failed", req.client_ip, req.request_id,
                                  json{{"trade_id", std::to_string(id)}, {"reason", reason}}.dump());
                     ErrWhenDurable(txn, req, reply, 422, "REVEAL_MISMATCH", "reveal rejected: " + detail,
                                    "send the symbol, price and nonce exactly as committed",
                                    json{{"reason", reason}, {"trade_id", std::to_string(id)}});
                   };
                   client::CommitmentFields f{agent->id, "OPEN", engine::ToString(t->side), t->lobs,
                                              rv.symbol, rv.price.js, meta->timestamp, rv.nonce};
                   std::string detail;
                   const std::string why = VerifyMessage(*agent, f, *meta, &detail);
                   if (!why.empty()) return fail(why, detail);
                   engine::SealedResult r =
                       arena->SealedReveal(txn, agent->id, id, rv.symbol, rv.price.text, Ticks(rv.price));
                   if (!r.ok()) {
                     const std::string reason = RejectReason(r.reject);
                     if (!reason.empty()) return fail(reason, r.message);
                     HttpErr h = ForSealedReject(r.reject);
                     return Err(reply, req, h.status, h.code, r.message);
                   }
                   arena->Audit(txn, agent->id, "trade_revealed", req.client_ip, req.request_id,
                                json{{"trade_id", std::to_string(id)}, {"symbol", rv.symbol}, {"price", rv.price.text}}
                                    .dump());
                   durable(txn, req, reply, 200, TradeJson(arena->SealedRow(id), agent->name));
                 });
               }});

  // ---- close ----
  router->Add({"POST", "/v1/commitments/{id}/close", AuthKind::kSigned, "commitments",
               "Close a sealed trade: reveal its open (if not yet) and record a verified CLOSE",
               "`close_commitment` commits to {agent_id, action:\"CLOSE\", side and lobs of the open, symbol of "
               "the open, price: close.price, timestamp: close.timestamp, nonce: close.nonce}; it is verified like "
               "a reveal (hash, signature, tape at close.timestamp, which must be within the auth window). "
               "pnl_lobs = lobs * (close - open) / open, negated for SHORT (4 decimals, half to even; a loss never "
               "exceeds the lobs); held lobs + pnl return to the balance.",
               R"({"reveal":{"symbol":"BTCUSDT","price":875.5,"nonce":"…"},"close":{"price":892.25,"timestamp":"2026-02-22T15:30:00Z","nonce":"…"},"close_commitment":{"hash":"0x…","signature":"…","scheme":"ed25519"}})",
               R"({"trade_id":"2","status":"closed","opening_trade":{"trade_id":"1","symbol":"BTCUSDT","price":"875.5","revealed":true},"pnl_lobs":"9.5660","pnl_percent":"1.9132"})",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = Authenticate(ctx, req, reply);
                 if (!agent) return;
                 engine::SealedId id = 0;
                 if (!ParseId(req, &id)) return Err(reply, req, 404, "NOT_FOUND", "no such trade");
                 if (!IsJsonObject(req.body)) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "body is not a JSON object");
                 }
                 Result<client::CloseBody> parsed = client::ParseCloseBody(req.body);
                 if (!parsed.ok()) return Err(reply, req, 400, "INVALID_PARAMETER", parsed.status().message());
                 const std::optional<client::RevealBody> reveal = parsed->reveal;
                 const client::JsPrice close_price = parsed->price;
                 const std::string close_ts_text = parsed->timestamp, close_nonce = parsed->nonce;
                 const std::int64_t close_ts = parsed->timestamp_ms;
                 const client::CommitmentProof cc = parsed->close_commitment;
                 const std::int64_t window = arena->config().auth_window_ms;
                 PostWork(ctx, req, reply, [=](Txn& txn) {
                   const engine::SealedTrade* t = arena->sealed_book().Find(id);
                   const SealedMeta* meta = arena->FindSealedMeta(id);
                   if (!t || !meta || meta->agent_id != agent->id || t->action != engine::SealedAction::kOpen) {
                     return Err(reply, req, 404, "NOT_FOUND", "no sealed open " + std::to_string(id) + " of yours");
                   }
                   if (t->status == engine::SealedStatus::kClosed) {
                     return Err(reply, req, 409, "ALREADY_CLOSED", "trade " + std::to_string(id) + " is closed",
                                "", json{{"close_trade_id", std::to_string(t->close_id)}});
                   }
                   const std::int64_t now = txn.arena_time_ms();
                   if (close_ts < now - window || close_ts > now + window) {
                     return Err(reply, req, 422, "STALE_COMMITMENT",
                                "close.timestamp " + close_ts_text + " is not within " +
                                    std::to_string(window / 1000) + " s of the arena clock (" + Iso(now) + ")",
                                "close with the current arena time; GET /v1/health shows it");
                   }
                   if (arena->FindSealedByHash(cc.hash)) {
                     return Err(reply, req, 409, "DUPLICATE_COMMITMENT", "this close commitment hash is taken",
                                "use a fresh nonce");
                   }
                   const engine::RevealClock& clock = arena->reveal_clock();
                   if (!t->revealed && (t->status == engine::SealedStatus::kRevealFailed ||
                                        now >= clock.GraceEnd(t->period))) {
                     return Err(reply, req, 422, "REVEAL_WINDOW_CLOSED",
                                "the reveal window of period " + std::to_string(t->period) + " closed at " +
                                    Iso(clock.GraceEnd(t->period)));
                   }
                   if (!t->revealed && !reveal) {
                     return Err(reply, req, 422, "REVEAL_REQUIRED", "trade " + std::to_string(id) + " is not revealed",
                                "send 'reveal' {symbol, price, nonce} with the close");
                   }
                   auto fail = [&](const std::string& reason, const std::string& detail) {
                     arena->Audit(txn, agent->id, "reveal_failed", req.client_ip, req.request_id,
                                  json{{"trade_id", std::to_string(id)}, {"reason", reason}, {"during", "close"}}.dump());
                     ErrWhenDurable(txn, req, reply, 422, "REVEAL_MISMATCH", "close rejected: " + detail,
                                    "send the open's and the close's fields exactly as committed",
                                    json{{"reason", reason}, {"trade_id", std::to_string(id)}});
                   };
                   std::string detail;
                   std::optional<engine::SealedBook::RevealData> reveal_data;
                   std::string symbol = t->symbol;
                   if (!t->revealed) {
                     client::CommitmentFields f{agent->id, "OPEN", engine::ToString(t->side), t->lobs,
                                                reveal->symbol, reveal->price.js, meta->timestamp, reveal->nonce};
                     const std::string why = VerifyMessage(*agent, f, *meta, &detail);
                     if (!why.empty()) return fail(why, "open: " + detail);
                     reveal_data = engine::SealedBook::RevealData{reveal->symbol, reveal->price.text, Ticks(reveal->price)};
                     symbol = reveal->symbol;
                   }
                   SealedMeta close_meta;
                   close_meta.timestamp = close_ts_text;
                   close_meta.commitment_hash = cc.hash;
                   close_meta.signature = cc.signature;
                   close_meta.scheme = cc.scheme;
                   client::CommitmentFields cf{agent->id, "CLOSE", engine::ToString(t->side), t->lobs,
                                               symbol, close_price.js, close_ts_text, close_nonce};
                   const std::string why = VerifyMessage(*agent, cf, close_meta, &detail);
                   if (!why.empty()) return fail(why, "close: " + detail);
                   engine::SealedResult r =
                       arena->SealedClose(txn, agent->id, id, reveal_data, close_price.text, Ticks(close_price),
                                          close_ts, close_meta);
                   if (!r.ok()) {
                     const std::string reason = RejectReason(r.reject);
                     if (!reason.empty()) return fail(reason, r.message);
                     HttpErr h = ForSealedReject(r.reject);
                     return Err(reply, req, h.status, h.code, r.message);
                   }
                   const store::CommitmentRow open = arena->SealedRow(id);
                   const store::CommitmentRow close = arena->SealedRow(r.id);
                   if (reveal_data) {
                     arena->Audit(txn, agent->id, "trade_revealed", req.client_ip, req.request_id,
                                  json{{"trade_id", std::to_string(id)}, {"symbol", open.symbol}, {"price", open.price}}
                                      .dump());
                   }
                   arena->Audit(txn, agent->id, "trade_closed", req.client_ip, req.request_id,
                                json{{"trade_id", std::to_string(r.id)}, {"opening_trade_id", std::to_string(id)},
                                     {"pnl_lobs", Fixed4(close.pnl_e4)}}
                                    .dump());
                   durable(txn, req, reply, 200,
                           {{"trade_id", std::to_string(r.id)},
                            {"status", "closed"},
                            {"opening_trade", {{"trade_id", std::to_string(id)}, {"symbol", open.symbol},
                                               {"price", open.price}, {"revealed", true}}},
                            {"pnl_lobs", Fixed4(close.pnl_e4)},
                            {"pnl_percent", Fixed4(close.pnl_percent_e4)}});
                 });
               }});

  // ---- reads ----
  router->Add({"GET", "/v1/commitments/{id}", AuthKind::kNone, "public",
               "One sealed trade; symbol and price are null until revealed",
               "With a view key in the `X-View-Key` header (preferred: it stays out of access logs and "
               "proxies' URL logs) or `?view_key=`, the server decrypts the trade's sealed blob and adds "
               "`view` {tier, symbol, price}. A key that opens nothing: 403 INVALID_VIEW_KEY; a trade "
               "without a sealed blob: 404 NOT_SEALED. View keys are never stored or logged.",
               "", R"({"trade_id":"1","action":"OPEN","side":"LONG","lobs":500,"symbol":null,"price":null,"revealed":false,"status":"committed"})",
               "application/json", [=](const Request& req, Reply reply) {
                 engine::SealedId id = 0;
                 if (!ParseId(req, &id)) return Err(reply, req, 404, "NOT_FOUND", "no such trade");
                 auto row = arena->store()->GetCommitment(id);
                 if (!row.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", "reading the trade failed");
                 if (!row->has_value()) return Err(reply, req, 404, "NOT_FOUND", "no trade " + std::to_string(id));
                 const store::CommitmentRow& r = **row;
                 ordered_json body = TradeJson(r, NameOf(ctx, r.agent_id));
                 std::optional<std::string> key = req.Header("x-view-key");
                 if (!key) key = req.QueryParam("view_key");
                 if (key) {
                   if (r.sealed_ciphertext.empty()) {
                     return Err(reply, req, 404, "NOT_SEALED", "trade " + std::to_string(id) + " has no sealed fields");
                   }
                   std::optional<ordered_json> view = OpenView(*key, r);
                   if (!view) {
                     return Err(reply, req, 403, "INVALID_VIEW_KEY", "the view key does not open this trade",
                                "derive the key with `claw viewkey derive`");
                   }
                   body["view"] = *view;
                 }
                 Ok(reply, 200, body);
               }});

  router->Add({"GET", "/v1/agents/{name}/commitments", AuthKind::kNone, "public",
               "An agent's sealed trades, newest first (revealed=true|false|all, limit, offset)", "", "",
               R"({"agent":"my-agent","commitments":[],"limit":50,"offset":0})", "application/json",
               [=](const Request& req, Reply reply) {
                 auto a = ctx->directory->FindByIdOrName(req.params.at("name"));
                 if (!a) return Err(reply, req, 404, "AGENT_NOT_FOUND", "no such agent");
                 bool ok = true;
                 store::CommitmentQuery q;
                 q.agent_id = a->id;
                 q.limit = IntParam(req, "limit", 50, 1, 500, &ok);
                 q.offset = IntParam(req, "offset", 0, 0, 1'000'000'000, &ok);
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-500 and offset >= 0");
                 const std::string revealed = req.QueryParam("revealed").value_or("all");
                 if (revealed == "true") q.revealed = true;
                 else if (revealed == "false") q.revealed = false;
                 else if (revealed != "all") {
                   return Err(reply, req, 400, "INVALID_PARAMETER", "revealed must be true, false or all");
                 }
                 auto rows = arena->store()->ListCommitments(q);
                 if (!rows.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", "listing trades failed");
                 ordered_json list = ordered_json::array();
                 for (const auto& r : *rows) list.push_back(TradeJson(r, a->name));
                 Ok(reply, 200, {{"agent", a->name}, {"commitments", list}, {"limit", q.limit}, {"offset", q.offset}});
               }});
}

}  // namespace claw::server
