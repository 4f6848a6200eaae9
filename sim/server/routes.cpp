#include "sim/server/routes.h"

#include <sodium.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "client/ed25519.h"
#include "sim/run/messages.h"
#include "sim/server/discovery.h"
#include "sim/server/route_util.h"
#include "sim/server/routes_commitments.h"

namespace claw::server {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using engine::FormatFixed;

ordered_json OrderJson(const store::OrderRow& o) {
  ordered_json j = {{"order_id", std::to_string(o.id)},
                    {"agent_id", o.agent_id},
                    {"symbol", o.symbol},
                    {"side", o.side},
                    {"type", o.type},
                    {"quantity", Qt(o.quantity)},
                    {"notional", o.notional ? ordered_json(Cs(o.notional)) : ordered_json(nullptr)},
                    {"price", PxOrNull(o.price)},
                    {"time_in_force", o.time_in_force},
                    {"leverage", o.leverage},
                    {"reduce_only", o.reduce_only},
                    {"filled_quantity", Qt(o.filled)},
                    {"remaining_quantity", Qt(std::max<std::int64_t>(0, o.quantity - o.filled))},
                    {"average_fill_price", PxOrNull(o.average_price)},
                    {"fees", Cs(o.fees)},
                    {"status", o.status},
                    {"client_order_id", o.client_order_id.empty() ? ordered_json(nullptr)
                                                                  : ordered_json(o.client_order_id)},
                    {"rationale", o.rationale.empty() ? ordered_json(nullptr) : ordered_json(o.rationale)},
                    {"created_at", Iso(o.created_ms)},
                    {"updated_at", Iso(o.updated_ms)}};
  if (!o.reject_code.empty()) j["reject_code"] = o.reject_code;
  if (!o.reason.empty()) j["reason"] = o.reason;
  return j;
}

ordered_json FillJson(const store::FillRow& f) {
  return {{"fill_id", std::to_string(f.id)}, {"order_id", std::to_string(f.order_id)},
          {"symbol", f.symbol},           {"side", f.side},
          {"quantity", Qt(f.quantity)},   {"price", Px(f.price)},
          {"fee", Cs(f.fee)},             {"fee_currency", "USDT"},
          {"realized_pnl", Cs(f.realized_pnl)}, {"liquidity", f.maker ? "maker" : "taker"},
          {"executed_at", Iso(f.time_ms)}};
}

ordered_json PortfolioJson(const std::string& agent_id, const engine::Portfolio& p) {
  ordered_json positions = ordered_json::array();
  for (const auto& pos : p.positions) {
    const std::int64_t q = pos.quantity.units;
    positions.push_back({{"symbol", pos.symbol},
                         {"side", q > 0 ? "long" : "short"},
                         {"quantity", Qt(q < 0 ? -q : q)},
                         {"entry_price", Px(pos.entry_price.ticks)},
                         {"mark_price", Px(pos.mark_price.ticks)},
                         {"leverage", pos.leverage},
                         {"margin", Cs(pos.margin.units)},
                         {"unrealized_pnl", Cs(pos.unrealized_pnl.units)},
                         {"liquidation_price", PxOrNull(pos.liquidation_price.ticks)},
                         {"stop_loss", PxOrNull(pos.stop_loss.ticks)},
                         {"take_profit", PxOrNull(pos.take_profit.ticks)},
                         {"opened_at", Iso(pos.opened_ms)}});
  }
  return {{"agent_id", agent_id},
          {"balance", Cs(p.balance.units)},
          {"equity", Cs(p.equity.units)},
          {"margin_used", Cs(p.margin_used.units)},
          {"reserved", Cs(p.reserved.units)},
          {"available", Cs(p.available.units)},
          {"unrealized_pnl", Cs(p.unrealized_pnl.units)},
          {"realized_pnl", Cs(p.realized_pnl.units)},
          {"fees_paid", Cs(p.fees_paid.units)},
          {"liquidations", p.liquidations},
          {"positions", positions},
          {"updated_at", IsoOrNull(p.updated_ms)}};
}

ordered_json AgentJson(const store::AgentRow& a, bool self) {
  ordered_json j = {{"agent_id", a.id},
                    {"name", a.name},
                    {"description", a.description},
                    {"status", a.status},
                    {"public_key", a.public_key},
                    {"eth_address", a.eth_address.empty() ? ordered_json(nullptr) : ordered_json(a.eth_address)},
                    {"created_at", Iso(a.created_ms)},
                    {"claimed_at", IsoOrNull(a.claimed_ms)}};
  if (self && a.status == "pending_claim") j["verification_code"] = a.verification_code;
  return j;
}

// Return as a percentage string with 4 decimals, from equity vs deposits (exact integers).
std::string ReturnPercent(const engine::Portfolio& p) {
  if (p.deposits.units <= 0) return "0.0000";
  const engine::Int128 num = static_cast<engine::Int128>(p.equity.units - p.deposits.units) * 1'000'000;
  return FormatFixed(static_cast<std::int64_t>(num / p.deposits.units), 4);
}

struct RejectHttp {
  int status;
  const char* hint;
};
RejectHttp ForReject(engine::RejectCode c) {
  using engine::RejectCode;
  switch (c) {
    case RejectCode::kInvalidSymbol: return {400, "GET /v1/symbols lists the tradable symbols"};
    case RejectCode::kInvalidParameter: return {400, "check quantity, price, leverage and time_in_force"};
    case RejectCode::kInsufficientBalance: return {403, "GET /v1/portfolio shows what is available"};
    case RejectCode::kRiskLimitExceeded: return {403, "lower the leverage or the size"};
    case RejectCode::kMarketClosed: return {422, "no fresh price for this symbol yet; retry shortly"};
    case RejectCode::kDuplicateOrder: return {409, "use a new client_order_id for a different order"};
    case RejectCode::kOrderNotFound: return {404, ""};
    case RejectCode::kNone: break;
  }
  return {400, ""};
}

// Decimal from a JSON number (exact text) or string; false with a message when it is not one.
bool Decimal(const json& body, const char* field, int decimals, std::int64_t* out, bool* present,
             std::string* error) {
  *present = false;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return true;
  *present = true;
  std::string text;
  if (it->is_string()) {
    text = it->get<std::string>();
  } else if (it->is_number_integer()) {
    text = it->dump();
  } else {
    *error = std::string("'") + field + "' must be a number or a decimal string";
    return false;
  }
  if (!engine::ParseFixed(text, decimals, out)) {
    *error = std::string("'") + field + "' is not a decimal with at most " +
             std::to_string(decimals) + " places in range: '" + text.substr(0, 40) + "'";
    return false;
  }
  if (*out <= 0) {
    *error = std::string("'") + field + "' must be greater than zero";
    return false;
  }
  return true;
}

// Parses and validates an order body into a request; false with a message.
bool ParseOrder(const json& b, engine::OrderRequest* r, std::string* error) {
  if (!b.is_object()) {
    *error = "the body must be a JSON object";
    return false;
  }
  auto str = [&](const char* f, std::string* out, bool required, std::size_t max) {
    auto it = b.find(f);
    if (it == b.end() || it->is_null()) {
      if (required) *error = std::string("'") + f + "' is required";
      return !required;
    }
    if (!it->is_string()) {
      *error = std::string("'") + f + "' must be a string";
      return false;
    }
    *out = it->get<std::string>();
    if (out->size() > max) {
      *error = std::string("'") + f + "' is longer than " + std::to_string(max) + " characters";
      return false;
    }
    return true;
  };
  std::string side, type = "market", tif = "GTC";
  if (!str("symbol", &r->symbol, true, 32) || !str("side", &side, true, 8) ||
      !str("type", &type, false, 8) || !str("time_in_force", &tif, false, 8) ||
      !str("client_order_id", &r->client_order_id, false, 64) ||
      !str("rationale", &r->rationale, false, 1000)) {
    return false;
  }
  for (char& c : r->symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (side == "buy") r->side = engine::Side::kBuy;
  else if (side == "sell") r->side = engine::Side::kSell;
  else return *error = "'side' must be \"buy\" or \"sell\"", false;
  if (type == "market") r->type = engine::OrderType::kMarket;
  else if (type == "limit") r->type = engine::OrderType::kLimit;
  else return *error = "'type' must be \"market\" or \"limit\"", false;
  if (tif == "GTC") r->time_in_force = engine::TimeInForce::kGtc;
  else if (tif == "IOC") r->time_in_force = engine::TimeInForce::kIoc;
  else if (tif == "FOK") r->time_in_force = engine::TimeInForce::kFok;
  else return *error = "'time_in_force' must be GTC, IOC or FOK", false;
  bool has_qty = false, has_notional = false, has_price = false, present = false;
  if (!Decimal(b, "quantity", engine::kQtyDecimals, &r->quantity.units, &has_qty, error) ||
      !Decimal(b, "notional", engine::kCashDecimals, &r->notional.units, &has_notional, error) ||
      !Decimal(b, "price", engine::kPriceDecimals, &r->price.ticks, &has_price, error) ||
      !Decimal(b, "stop_loss", engine::kPriceDecimals, &r->stop_loss.ticks, &present, error) ||
      !Decimal(b, "take_profit", engine::kPriceDecimals, &r->take_profit.ticks, &present, error)) {
    return false;
  }
  if (has_qty == has_notional) return *error = "give exactly one of 'quantity' and 'notional'", false;
  if (r->type == engine::OrderType::kLimit && !has_price) return *error = "a limit order needs 'price'", false;
  if (r->type == engine::OrderType::kMarket && has_price) return *error = "a market order takes no 'price'", false;
  if (auto it = b.find("leverage"); it != b.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 125) {
      return *error = "'leverage' must be a whole number from 1 to 125", false;
    }
    r->leverage = it->get<int>();
  }
  if (auto it = b.find("reduce_only"); it != b.end() && !it->is_null()) {
    if (!it->is_boolean()) return *error = "'reduce_only' must be true or false", false;
    r->reduce_only = it->get<bool>();
  }
  return true;
}

std::string NewVerificationCode() {
  static const char* kWords[] = {"reef", "kelp", "tide", "claw", "wave", "sand", "crab", "pearl",
                                 "coral", "shell", "drift", "surf", "foam", "brine", "shoal", "cove"};
  unsigned char b[3];
  randombytes_buf(b, sizeof b);
  static const char* hex = "0123456789ABCDEF";
  std::string code = kWords[b[0] & 15];
  code += '-';
  code += hex[b[1] >> 4];
  code += hex[b[1] & 15];
  code += hex[b[2] >> 4];
  code += hex[b[2] & 15];
  return code;
}

// Percent-decoding of an application/x-www-form-urlencoded value.
std::string FormValue(const std::string& body, const std::string& name) {
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    std::string pair = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (pair.rfind(name + "=", 0) == 0) {
      std::string v = pair.substr(name.size() + 1), out;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '+') out += ' ';
        else if (v[i] == '%' && i + 2 < v.size() + 0 && i + 2 <= v.size() - 1) {
          out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else out += v[i];
      }
      return out;
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

constexpr int kMaxClaimAttempts = 5;

}  // namespace

std::vector<RateRule> DefaultRateRules() {
  return {{"orders", 10, 1}, {"read", 30, 1},     {"portfolio", 10, 1}, {"audit", 5, 1},
          {"public", 60, 60}, {"register", 10, 60}, {"claim", 20, 60},
          {"commitments", 10, 1}};
}

void AddArenaRoutes(Router* router, RouteContext* ctx) {
  Arena* arena = ctx->arena;

  auto authenticate = [ctx](const Request& req, const Reply& reply) {
    return Authenticate(ctx, req, reply);
  };
  auto post = [ctx](const Request& req, const Reply& reply, Arena::Work fn) {
    PostWork(ctx, req, reply, std::move(fn));
  };
  auto durable = [](Txn& txn, const Request& req, Reply reply, int status, ordered_json body) {
    AnswerWhenDurable(txn, req, std::move(reply), status, std::move(body));
  };

  // ---- registration and claim (§3) ----
  router->Add({"POST", "/v1/agents/register", AuthKind::kRegistration, "register",
               "Register an agent (proof of possession: signed with the key in the body)",
               "Sign as in PROTOCOL §2 but without X-Agent-Id; the signature must verify under "
               "`public_key`. Returns a claim URL and verification code for your human.",
               R"({"name":"my-agent","description":"momentum bot","public_key":"<base64url Ed25519>"})",
               R"({"agent_id":"…","name":"my-agent","status":"pending_claim","claim_url":"http://host/claim/claw_claim_…","verification_code":"reef-4F2A"})",
               "application/json",
               [=](const Request& req, Reply reply) {
                 json b;
                 std::string error;
                 if (!ParseBody(req.body, &b, &error) || !b.is_object()) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "body is not a JSON object: " + error.substr(0, 200));
                 }
                 auto s = [&](const char* f) {
                   auto it = b.find(f);
                   return it != b.end() && it->is_string() ? it->get<std::string>() : std::string();
                 };
                 const std::string name = s("name"), description = s("description"),
                                   key_text = s("public_key"), eth = s("eth_address");
                 static const std::regex kName("^[a-z][a-z0-9_-]{2,31}$");
                 if (!std::regex_match(name, kName)) {
                   return Err(reply, req, 400, "INVALID_PARAMETER", "'name' must match ^[a-z][a-z0-9_-]{2,31}$",
                              "lower-case letters, digits, '_' and '-', 3 to 32 characters, starting with a letter");
                 }
                 if (description.size() > 500) {
                   return Err(reply, req, 400, "INVALID_PARAMETER", "'description' is longer than 500 bytes");
                 }
                 static const std::regex kEth("^0x[0-9a-fA-F]{40}$");
                 if (!eth.empty() && !std::regex_match(eth, kEth)) {
                   return Err(reply, req, 400, "INVALID_PARAMETER", "'eth_address' must be 0x and 40 hex digits");
                 }
                 auto key = client::ParseEd25519PublicKey(key_text);
                 if (!key.ok()) {
                   return Err(reply, req, 400, "INVALID_PUBLIC_KEY", key.status().message(),
                              "send the 32-byte Ed25519 public key, base64url");
                 }
                 AuthResult auth = ctx->auth->VerifyRegistration(req, *key, WallMs());
                 if (!auth.ok) return Err(reply, req, auth.http_status, auth.code, auth.message, auth.hint);
                 store::AgentRow row;
                 row.id = NewUuid();
                 row.name = name;
                 row.description = description;
                 row.public_key = client::Base64UrlEncode(*key);
                 row.eth_address = eth;
                 for (char& c : row.eth_address) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                 row.status = "pending_claim";
                 const std::string token = RandomToken("claw_claim_", 32);
                 row.claim_token_hash = TokenHash(token);
                 row.verification_code = NewVerificationCode();
                 row.device_id = ctx->auth->DeviceIdFor(req.client_ip);
                 row.created_ms = WallMs();
                 const std::string claim_url = ctx->base_url + "/claim/" + token;
                 post(req, reply, [=](Txn& txn) {
                   if (arena->FindAgentByName(row.name)) {
                     return Err(reply, req, 409, "NAME_TAKEN", "an agent named '" + row.name + "' exists",
                                "choose another name");
                   }
                   auto wallet = arena->Register(txn, row);
                   if (!wallet.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", wallet.status().message());
                   arena->Audit(txn, row.id, "agent_registered", req.client_ip, req.request_id,
                                json{{"name", row.name}}.dump());
                   durable(txn, req, reply, 201,
                           {{"agent_id", row.id},
                            {"name", row.name},
                            {"status", "pending_claim"},
                            {"claim_url", claim_url},
                            {"verification_code", row.verification_code},
                            {"important", "Give claim_url to your human; they confirm verification_code there."}});
                 });
               }});

  auto claim_state = [](const store::AgentRow* a) -> std::string {
    if (!a) return "unknown";
    if (a->status != "pending_claim") return "used";
    if (a->claim_attempts >= kMaxClaimAttempts) return "burnt";
    return "open";
  };

  router->Add({"GET", "/claim/{token}", AuthKind::kNone, "claim",
               "The claim page for a human (HTML form asking for the verification code)", "", "", "",
               "text/html; charset=utf-8",
               [=](const Request& req, Reply reply) {
                 const std::string token = req.params.at("token");
                 const std::string hash = TokenHash(token);
                 post(req, reply, [=](Txn&) {
                   const store::AgentRow* a = arena->FindAgentByClaimHash(hash);
                   const std::string state = claim_state(a);
                   auto page = [](const std::string& title, const std::string& inner) {
                     return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                            "<title>" + title + "</title><style>body{font-family:system-ui,sans-serif;"
                            "max-width:32rem;margin:3rem auto;padding:0 1rem}input,button{font-size:1.1rem;"
                            "padding:.4rem}</style></head><body>" + inner + "</body></html>";
                   };
                   if (state == "unknown") {
                     return reply(Html(404, page("Claim not found", "<h1>Claim link not found</h1><p>Check the URL your agent gave you.</p>")));
                   }
                   if (state != "open") {
                     return reply(Html(410, page("Claim link used", "<h1>This claim link can no longer be used</h1><p>It was used or burnt by too many wrong codes.</p>")));
                   }
                   const std::string n = HtmlEscape(a->name);
                   reply(Html(200, page("Claim " + n,
                       "<h1>Claim agent <code>" + n + "</code></h1><p>" + HtmlEscape(a->description) +
                       "</p><p>Enter the verification code your agent showed you (like <code>reef-4F2A</code>).</p>"
                       "<form method=\"post\" action=\"/v1/claim/" + HtmlEscape(token) + "\">"
                       "<label>Verification code <input name=\"verification_code\" required autocomplete=\"off\"></label> "
                       "<button type=\"submit\">Claim</button></form>")));
                 });
               }});

  router->Add({"POST", "/v1/claim/{token}", AuthKind::kNone, "claim",
               "Confirm a claim with the verification code; returns the owner token once",
               "Body {\"verification_code\"} (JSON) or the claim page's form. Five wrong codes burn the token.",
               R"({"verification_code":"reef-4F2A"})",
               R"({"agent_id":"…","name":"my-agent","status":"claimed","owner_token":"claw_owner_…"})",
               "application/json",
               [=](const Request& req, Reply reply) {
                 const std::string hash = TokenHash(req.params.at("token"));
                 const bool form = req.Header("content-type").value_or("").find("application/x-www-form-urlencoded") == 0;
                 std::string code;
                 if (form) {
                   code = FormValue(req.body, "verification_code");
                 } else {
                   json b;
                   std::string error;
                   if (!ParseBody(req.body, &b, &error) || !b.is_object()) {
                     return Err(reply, req, 400, "INVALID_REQUEST", "body is not a JSON object");
                   }
                   auto it = b.find("verification_code");
                   if (it == b.end() || !it->is_string()) {
                     return Err(reply, req, 400, "INVALID_PARAMETER", "'verification_code' is required");
                   }
                   code = it->get<std::string>();
                 }
                 post(req, reply, [=](Txn& txn) {
                   const store::AgentRow* a = arena->FindAgentByClaimHash(hash);
                   const std::string state = claim_state(a);
                   if (state == "unknown") return Err(reply, req, 404, "NOT_FOUND", "no such claim token");
                   if (state != "open") {
                     return Err(reply, req, 410, "CLAIM_TOKEN_USED", "this claim token was used or burnt",
                                "ask your agent to register again if it was never claimed");
                   }
                   store::AgentRow row = *a;
                   const bool match = code.size() == row.verification_code.size() &&
                                      sodium_memcmp(code.data(), row.verification_code.data(), code.size()) == 0;
                   if (!match) {
                     ++row.claim_attempts;
                     arena->UpdateAgent(txn, row);
                     arena->Audit(txn, row.id, "claim_failure", req.client_ip, req.request_id,
                                  json{{"attempts", row.claim_attempts}}.dump());
                     const int left = kMaxClaimAttempts - row.claim_attempts;
                     Request copy = req;
                     txn.AfterCommit([=](const Status&) {
                       Err(reply, copy, 403, "WRONG_CODE", "the verification code does not match",
                           left > 0 ? "check the code your agent showed you" : "the claim token is now burnt",
                           json{{"attempts_left", left}});
                     });
                     return;
                   }
                   const std::string owner = RandomToken("claw_owner_", 32);
                   row.status = "claimed";
                   row.owner_token_hash = TokenHash(owner);
                   row.claimed_ms = txn.wall_ms();
                   arena->UpdateAgent(txn, row);
                   arena->Audit(txn, row.id, "agent_claimed", req.client_ip, req.request_id, "{}");
                   ordered_json body = {{"agent_id", row.id}, {"name", row.name}, {"status", "claimed"},
                                        {"owner_token", owner}};
                   if (!form) return durable(txn, req, reply, 200, body);
                   const std::string n = HtmlEscape(row.name);
                   txn.AfterCommit([=](const Status& s) {
                     if (!s.ok()) return reply(Html(500, "<p>could not store the claim; retry</p>"));
                     reply(Html(200, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Claimed</title></head>"
                                     "<body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto\">"
                                     "<h1>You own <code>" + n + "</code></h1><p>Your owner token (shown once; keep it safe):</p>"
                                     "<pre>" + HtmlEscape(owner) + "</pre></body></html>"));
                   });
                 });
               }});

  router->Add({"GET", "/v1/agents/me", AuthKind::kSigned, "read", "The calling agent's own record", "", "", "",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 post(req, reply, [=](Txn& txn) {
                   const store::AgentRow* a = arena->FindAgent(agent->id);
                   if (!a) return Err(reply, req, 404, "NOT_FOUND", "agent not found");
                   ordered_json j = AgentJson(*a, true);
                   auto p = txn.engine().GetPortfolio(a->wallet);
                   if (p.ok()) j["equity"] = Cs(p->equity.units);
                   Ok(reply, 200, j);
                 });
               }});

  router->Add({"GET", "/v1/agents/{name}", AuthKind::kNone, "public", "An agent's public record and standing",
               "", "", "", "application/json", [=](const Request& req, Reply reply) {
                 const std::string name = req.params.at("name");
                 post(req, reply, [=](Txn& txn) {
                   const store::AgentRow* a = arena->FindAgentByName(name);
                   if (!a) a = arena->FindAgent(name);
                   if (!a) return Err(reply, req, 404, "NOT_FOUND", "no agent named '" + name + "'");
                   ordered_json j = AgentJson(*a, false);
                   j.erase("public_key");
                   auto p = txn.engine().GetPortfolio(a->wallet);
                   if (p.ok()) {
                     auto perf = arena->Performance(a->id);
                     j["equity"] = Cs(p->equity.units);
                     j["return_percent"] = ReturnPercent(*p);
                     j["open_positions"] = p->positions.size();
                     j["trades"] = perf.trades;
                     j["win_rate"] = perf.win_rate;
                     j["liquidations"] = p->liquidations;
                   }
                   Ok(reply, 200, j);
                 });
               }});

  // ---- orders (§4) ----
  router->Add({"POST", "/v1/orders", AuthKind::kSigned, "orders", "Place a market or limit order",
               "Fields of PROTOCOL §4. Amounts as JSON numbers or decimal strings. A refused order "
               "is recorded as rejected; its id is in error.details.order_id.",
               R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":"0.01","client_order_id":"my-1"})",
               R"({"order_id":"1","symbol":"BTCUSDT","side":"buy","status":"filled","filled_quantity":"0.01000000"})",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 json b;
                 std::string error;
                 if (!ParseBody(req.body, &b, &error)) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "body is not valid JSON: " + error.substr(0, 200),
                              "send a JSON object; NaN and Infinity are not JSON");
                 }
                 engine::OrderRequest order;
                 if (!ParseOrder(b, &order, &error)) return Err(reply, req, 400, "INVALID_PARAMETER", error);
                 if (agent->status == "paused") {
                   return Err(reply, req, 403, "AGENT_PAUSED", "the agent's owner has paused trading");
                 }
                 post(req, reply, [=](Txn& txn) {
                   engine::OrderId id = arena->PlaceOrder(txn, agent->id, order);
                   const auto& events = arena->last_events();
                   const engine::Order* o = id ? txn.engine().FindOrder(id) : nullptr;
                   if (!o) {
                     return Err(reply, req, 409, "DUPLICATE_ORDER",
                                "client_order_id '" + order.client_order_id + "' was used for a different order",
                                "use a new client_order_id for a different order");
                   }
                   ordered_json body = OrderJson(ToOrderRow(*o, agent->id, txn.arena_time_ms()));
                   const bool replayed = events.empty();  // idempotent repeat: nothing happened
                   if (replayed) return Ok(reply, 200, body);
                   if (o->status == engine::OrderStatus::kRejected) {
                     const std::string code = engine::ToString(o->reject);
                     arena->Audit(txn, agent->id, "order_rejected", req.client_ip, req.request_id,
                                  json{{"order_id", std::to_string(id)}, {"code", code}, {"reason", o->reason}}.dump());
                     RejectHttp h = ForReject(o->reject);
                     Request copy = req;
                     const std::string reason = o->reason.empty() ? code : o->reason;
                     txn.AfterCommit([=](const Status&) {
                       Err(reply, copy, h.status, code, reason, h.hint, json{{"order_id", std::to_string(id)}});
                     });
                     return;
                   }
                   arena->Audit(txn, agent->id, "order_placed", req.client_ip, req.request_id,
                                json{{"order_id", std::to_string(id)}, {"symbol", order.symbol},
                                     {"side", engine::ToString(order.side)}, {"type", engine::ToString(order.type)}}
                                    .dump());
                   durable(txn, req, reply, 201, body);
                 });
               }});

  router->Add({"GET", "/v1/orders", AuthKind::kSigned, "read",
               "List the agent's orders (filters: status=open,filled..., symbol; limit, offset)", "", "", "",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 bool ok = true;
                 store::OrderQuery q;
                 q.agent_id = agent->id;
                 q.limit = IntParam(req, "limit", 50, 1, 500, &ok);
                 q.offset = IntParam(req, "offset", 0, 0, 1'000'000'000, &ok);
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-500 and offset >= 0");
                 if (auto s = req.QueryParam("status")) {
                   std::size_t pos = 0;
                   while (pos <= s->size()) {
                     std::size_t comma = s->find(',', pos);
                     std::string one = s->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
                     static const std::set<std::string> kStatuses = {"pending", "open", "partially_filled", "filled",
                                                                     "cancelled", "rejected", "expired"};
                     if (!kStatuses.count(one)) {
                       return Err(reply, req, 400, "INVALID_PARAMETER", "unknown status '" + one.substr(0, 40) + "'",
                                  "statuses: pending, open, partially_filled, filled, cancelled, rejected, expired");
                     }
                     q.statuses.push_back(one);
                     if (comma == std::string::npos) break;
                     pos = comma + 1;
                   }
                 }
                 if (auto s = req.QueryParam("symbol")) q.symbol = *s;
                 auto rows = arena->store()->ListOrders(q);
                 if (!rows.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", rows.status().message());
                 ordered_json list = ordered_json::array();
                 for (const auto& r : *rows) list.push_back(OrderJson(r));
                 Ok(reply, 200, {{"orders", list}, {"count", rows->size()}, {"limit", q.limit}, {"offset", q.offset}});
               }});

  auto parse_id = [](const std::string& text, engine::OrderId* id) {
    if (text.empty() || text.size() > 19) return false;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
    }
    *id = std::stoull(text);
    return *id > 0;
  };

  router->Add({"GET", "/v1/orders/{id}", AuthKind::kSigned, "read", "One order with its fills", "", "", "",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 engine::OrderId id = 0;
                 if (!parse_id(req.params.at("id"), &id)) return Err(reply, req, 404, "NOT_FOUND", "no such order");
                 auto row = arena->store()->GetOrder(id);
                 if (!row.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", row.status().message());
                 if (!*row || (*row)->agent_id != agent->id) return Err(reply, req, 404, "NOT_FOUND", "no such order");
                 ordered_json j = OrderJson(**row);
                 auto fills = arena->store()->ListFills(agent->id, (*row)->symbol, {500, 0});
                 ordered_json fl = ordered_json::array();
                 if (fills.ok()) {
                   for (auto it = fills->rbegin(); it != fills->rend(); ++it) {
                     if (it->order_id == id) fl.push_back(FillJson(*it));
                   }
                 }
                 j["fills"] = fl;
                 Ok(reply, 200, j);
               }});

  router->Add({"DELETE", "/v1/orders/{id}", AuthKind::kSigned, "orders", "Cancel an open order", "", "", "",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 engine::OrderId id = 0;
                 if (!parse_id(req.params.at("id"), &id)) return Err(reply, req, 404, "NOT_FOUND", "no such order");
                 post(req, reply, [=](Txn& txn) {
                   const engine::Order* o = txn.engine().FindOrder(id);
                   if (!o || o->wallet != agent->wallet) return Err(reply, req, 404, "NOT_FOUND", "no such order");
                   if (o->status != engine::OrderStatus::kOpen && o->status != engine::OrderStatus::kPartiallyFilled &&
                       o->status != engine::OrderStatus::kPending) {
                     return Err(reply, req, 409, "ORDER_NOT_CANCELLABLE",
                                std::string("the order is ") + engine::ToString(o->status));
                   }
                   Status s = arena->CancelOrder(txn, agent->id, id);
                   if (!s.ok()) return Err(reply, req, 409, "ORDER_NOT_CANCELLABLE", s.message());
                   o = txn.engine().FindOrder(id);
                   arena->Audit(txn, agent->id, "order_cancelled", req.client_ip, req.request_id,
                                json{{"order_id", std::to_string(id)}}.dump());
                   durable(txn, req, reply, 200,
                           {{"order_id", std::to_string(id)}, {"status", engine::ToString(o->status)},
                            {"cancelled_at", Iso(txn.arena_time_ms())}, {"filled_quantity", Qt(o->filled.units)},
                            {"remaining_quantity", Qt(std::max<std::int64_t>(0, o->quantity.units - o->filled.units))}});
                 });
               }});

  router->Add({"DELETE", "/v1/orders", AuthKind::kSigned, "orders", "Cancel every open order of the agent", "", "",
               "", "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 post(req, reply, [=](Txn& txn) {
                   int n = arena->CancelAll(txn, agent->id);
                   if (n > 0) {
                     arena->Audit(txn, agent->id, "order_cancelled", req.client_ip, req.request_id,
                                  json{{"all", true}, {"count", n}}.dump());
                   }
                   durable(txn, req, reply, 200, {{"cancelled", n}});
                 });
               }});

  // ---- portfolio ----
  auto portfolio_route = [=](bool positions_only) {
    return [=](const Request& req, Reply reply) {
      auto agent = authenticate(req, reply);
      if (!agent) return;
      post(req, reply, [=](Txn& txn) {
        auto p = txn.engine().GetPortfolio(agent->wallet);
        if (!p.ok()) return Err(reply, req, 404, "NOT_FOUND", "no wallet for this agent");
        ordered_json j = PortfolioJson(agent->id, *p);
        if (positions_only) return Ok(reply, 200, {{"positions", j["positions"]}, {"updated_at", j["updated_at"]}});
        Ok(reply, 200, j);
      });
    };
  };
  router->Add({"GET", "/v1/positions", AuthKind::kSigned, "portfolio", "Open positions, marked to market", "", "",
               "", "application/json", portfolio_route(true)});
  router->Add({"GET", "/v1/portfolio", AuthKind::kSigned, "portfolio",
               "Balance, equity, margin, available cash and positions", "", "", "", "application/json",
               portfolio_route(false)});

  router->Add({"GET", "/v1/portfolio/history", AuthKind::kSigned, "portfolio",
               "Equity snapshots (interval=1m|5m|1h|4h|1d, default 1h; limit)", "", "", "", "application/json",
               [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 const std::string interval = req.QueryParam("interval").value_or("1h");
                 static const std::map<std::string, std::int64_t> kIntervals = {
                     {"1m", 60'000}, {"5m", 300'000}, {"1h", 3'600'000}, {"4h", 14'400'000}, {"1d", 86'400'000}};
                 auto it = kIntervals.find(interval);
                 if (it == kIntervals.end()) {
                   return Err(reply, req, 400, "INVALID_PARAMETER", "interval must be 1m, 5m, 1h, 4h or 1d");
                 }
                 bool ok = true;
                 const int limit = IntParam(req, "limit", 500, 1, 5000, &ok);
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-5000");
                 auto rows = arena->store()->ListSnapshots(agent->id, 0, it->second);
                 if (!rows.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", rows.status().message());
                 ordered_json list = ordered_json::array();
                 const std::size_t from = rows->size() > static_cast<std::size_t>(limit) ? rows->size() - limit : 0;
                 for (std::size_t i = from; i < rows->size(); ++i) {
                   const auto& s = (*rows)[i];
                   list.push_back({{"timestamp", Iso(s.time_ms)}, {"equity", Cs(s.equity)}, {"cash_value", Cs(s.balance)},
                                   {"unrealized_pnl", Cs(s.equity - s.balance)}});
                 }
                 Ok(reply, 200, {{"agent_id", agent->id}, {"interval", interval}, {"snapshots", list}});
               }});

  router->Add({"GET", "/v1/portfolio/performance", AuthKind::kSigned, "portfolio",
               "Return, drawdown, Sharpe, Sortino, Calmar, win rate, profit factor, trade counts", "", "", "",
               "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 const std::string period = req.QueryParam("period").value_or("all");
                 if (period != "all") {
                   return Err(reply, req, 400, "INVALID_PARAMETER", "period '" + period.substr(0, 20) + "' is not supported",
                              "this arena computes performance over the whole history: period=all");
                 }
                 post(req, reply, [=](Txn& txn) {
                   const engine::Performance p = arena->Performance(agent->id);
                   Ok(reply, 200,
                      {{"agent_id", agent->id},
                       {"period", period},
                       {"calculated_at", Iso(txn.arena_time_ms())},
                       {"metrics",
                        {{"starting_equity", engine::ToString(p.starting_equity)},
                         {"final_equity", engine::ToString(p.final_equity)},
                         {"total_return_percent", FormatFixed(p.return_e8 / 10'000, 4)},
                         {"max_drawdown_percent", FormatFixed(p.max_drawdown_e8 / 10'000, 4)},
                         {"sharpe_ratio", p.sharpe},
                         {"sortino_ratio", p.sortino},
                         {"calmar_ratio", p.calmar},
                         {"win_rate", p.win_rate},
                         {"profit_factor", p.profit_factor},
                         {"average_trade_duration_hours", static_cast<double>(p.avg_trade_duration_ms) / 3'600'000.0},
                         {"total_trades", p.trades},
                         {"winning_trades", p.winning_trades},
                         {"losing_trades", p.losing_trades},
                         {"fees", engine::ToString(p.fees)},
                         {"liquidations", p.liquidations}}}});
                 });
               }});

  router->Add({"GET", "/v1/trades", AuthKind::kSigned, "read", "The agent's fills, newest first (symbol, limit, offset)",
               "", "", "", "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 bool ok = true;
                 store::Page page{IntParam(req, "limit", 50, 1, 500, &ok), IntParam(req, "offset", 0, 0, 1'000'000'000, &ok)};
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-500 and offset >= 0");
                 auto rows = arena->store()->ListFills(agent->id, req.QueryParam("symbol").value_or(""), page);
                 if (!rows.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", rows.status().message());
                 ordered_json list = ordered_json::array();
                 for (const auto& f : *rows) list.push_back(FillJson(f));
                 Ok(reply, 200, {{"trades", list}, {"count", rows->size()}, {"limit", page.limit}, {"offset", page.offset}});
               }});

  router->Add({"GET", "/v1/audit", AuthKind::kSigned, "audit", "The agent's audit log, newest first (limit, offset)",
               "", "", "", "application/json", [=](const Request& req, Reply reply) {
                 auto agent = authenticate(req, reply);
                 if (!agent) return;
                 bool ok = true;
                 store::Page page{IntParam(req, "limit", 100, 1, 1000, &ok), IntParam(req, "offset", 0, 0, 1'000'000'000, &ok)};
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-1000 and offset >= 0");
                 auto rows = arena->store()->ListAudit(agent->id, page);
                 if (!rows.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", rows.status().message());
                 ordered_json list = ordered_json::array();
                 for (const auto& a : *rows) {
                   json details = json::parse(a.details, nullptr, false);
                   list.push_back({{"audit_id", std::to_string(a.id)}, {"timestamp", Iso(a.time_ms)},
                                   {"agent_id", a.agent_id}, {"event_type", a.event_type},
                                   {"ip_address", a.ip.empty() ? ordered_json(nullptr) : ordered_json(a.ip)},
                                   {"request_id", a.request_id.empty() ? ordered_json(nullptr) : ordered_json(a.request_id)},
                                   {"details", details.is_discarded() ? ordered_json::object() : ordered_json(details)}});
                 }
                 Ok(reply, 200, {{"audit_entries", list}, {"count", rows->size()}, {"limit", page.limit}, {"offset", page.offset}});
               }});

  // ---- public ----
  router->Add({"GET", "/v1/health", AuthKind::kNone, "public", "Liveness, arena time and the feed's state", "", "",
               "", "application/json", [=](const Request&, Reply reply) {
                 const FeedHealth f = arena->feed_health();
                 const bool healthy = !arena->failed() && f.state != "error";
                 Ok(reply, healthy ? 200 : 503,
                    {{"status", healthy ? "healthy" : "unhealthy"},
                     {"version", ctx->version},
                     {"timestamp", Iso(WallMs())},
                     {"arena_time", IsoOrNull(arena->arena_time_ms())},
                     {"feed", {{"source", f.source}, {"state", f.state}, {"detail", f.detail}, {"events", f.events}}},
                     {"services", {{"database", arena->failed() ? "failed" : "healthy"},
                                   {"order_engine", arena->failed() ? "stopped" : "healthy"},
                                   {"market_data", f.state}}},
                     {"queue_depth", arena->queue_depth()},
                     {"reveal", RevealHealthJson(*arena)}});
               }});

  router->Add({"GET", "/v1/symbols", AuthKind::kNone, "public", "Tradable instruments and their sizes", "", "", "",
               "application/json", [=](const Request& req, Reply reply) {
                 post(req, reply, [=](Txn& txn) {
                   ordered_json list = ordered_json::array();
                   const std::int64_t now = txn.arena_time_ms();
                   const std::string quote = arena->config().arena.quote;
                   for (const auto& i : txn.engine().Instruments()) {
                     const engine::Quote* q = txn.engine().FindQuote(i.symbol);
                     const bool fresh = q && q->time_ms > 0 &&
                                        now - q->time_ms <= arena->config().arena.engine.stale_feed_ms;
                     std::string base = i.symbol;
                     if (base.size() > quote.size() && base.ends_with(quote)) base.resize(base.size() - quote.size());
                     list.push_back({{"symbol", i.symbol}, {"base_currency", base}, {"quote_currency", quote},
                                     {"status", fresh ? "trading" : "halted"},
                                     {"tick_size", engine::ToString(i.tick_size)},
                                     {"step_size", engine::ToString(i.step_size)},
                                     {"min_quantity", engine::ToString(i.min_qty)},
                                     {"min_notional", engine::ToString(i.min_notional)},
                                     {"max_leverage", i.max_leverage}});
                   }
                   Ok(reply, 200, {{"symbols", list}});
                 });
               }});

  router->Add({"GET", "/v1/prices", AuthKind::kNone, "public", "Latest bid, ask, last and mark per symbol", "", "",
               "", "application/json", [=](const Request& req, Reply reply) {
                 post(req, reply, [=](Txn& txn) {
                   ordered_json list = ordered_json::array();
                   for (const auto& q : txn.engine().Quotes()) {
                     list.push_back({{"symbol", q.symbol}, {"bid", PxOrNull(q.bid.ticks)}, {"ask", PxOrNull(q.ask.ticks)},
                                     {"last", PxOrNull(q.last.ticks)}, {"mark", PxOrNull(q.mark.ticks)},
                                     {"time", IsoOrNull(q.time_ms)}});
                   }
                   Ok(reply, 200, {{"prices", list}, {"arena_time", IsoOrNull(txn.arena_time_ms())}});
                 });
               }});

  router->Add({"GET", "/v1/leaderboard", AuthKind::kNone, "public",
               "Agents ranked by equity (limit); `sealed` ranks a reveal period (period=N, default the "
               "current one) by revealed sealed trades only", "", "", "",
               "application/json", [=](const Request& req, Reply reply) {
                 bool ok = true;
                 const int limit = IntParam(req, "limit", 100, 1, 1000, &ok);
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-1000");
                 std::optional<std::int64_t> period;
                 if (auto p = req.QueryParam("period")) {
                   const int n = IntParam(req, "period", 0, 0, 1'000'000, &ok);
                   if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "period must be a period number >= 0");
                   period = n;
                 }
                 post(req, reply, [=](Txn& txn) {
                   struct Row {
                     const store::AgentRow* agent;
                     engine::Portfolio p;
                   };
                   std::vector<Row> rows;
                   for (const auto* a : arena->Agents()) {
                     if (a->status == "revoked") continue;
                     auto p = txn.engine().GetPortfolio(a->wallet);
                     if (p.ok()) rows.push_back({a, *p});
                   }
                   std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
                     if (x.p.equity.units != y.p.equity.units) return x.p.equity.units > y.p.equity.units;
                     return x.agent->name < y.agent->name;
                   });
                   ordered_json list = ordered_json::array();
                   for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i) {
                     const auto& r = rows[i];
                     list.push_back({{"rank", i + 1}, {"name", r.agent->name}, {"agent_id", r.agent->id},
                                     {"status", r.agent->status}, {"equity", Cs(r.p.equity.units)},
                                     {"return_percent", ReturnPercent(r.p)},
                                     {"realized_pnl", Cs(r.p.realized_pnl.units)},
                                     {"open_positions", r.p.positions.size()}, {"liquidations", r.p.liquidations}});
                   }
                   Ok(reply, 200, {{"leaderboard", list}, {"arena_time", IsoOrNull(txn.arena_time_ms())},
                                   {"sealed", SealedLeaderboardJson(txn, period)}});
                 });
               }});

  AddCommitmentRoutes(router, ctx);

  // ---- discovery and operations ----
  router->Add({"GET", "/skill.md", AuthKind::kNone, "public", "How an agent uses this arena (Markdown)", "", "", "",
               "text/markdown; charset=utf-8", [router, ctx](const Request&, Reply reply) {
                 const DiscoveryInfo info{"claw-arena", ctx->version, ctx->base_url};
                 Response r;
                 r.content_type = "text/markdown; charset=utf-8";
                 r.body = SkillMarkdown(*router, info);
                 reply(std::move(r));
               }});
  router->Add({"GET", "/skill.json", AuthKind::kNone, "public", "The same, machine-readable", "", "", "",
               "application/json", [router, ctx](const Request&, Reply reply) {
                 const DiscoveryInfo info{"claw-arena", ctx->version, ctx->base_url};
                 reply(JsonResponse(200, SkillJson(*router, info)));
               }});
  router->Add({"GET", "/openapi.json", AuthKind::kNone, "public", "OpenAPI 3.1 description of every route", "", "",
               "", "application/json", [router, ctx](const Request&, Reply reply) {
                 const DiscoveryInfo info{"claw-arena", ctx->version, ctx->base_url};
                 reply(JsonResponse(200, OpenApiJson(*router, info)));
               }});
  router->Add({"GET", "/metrics", AuthKind::kNone, "", "Prometheus metrics", "", "", "", "text/plain; version=0.0.4",
               [ctx, arena](const Request&, Reply reply) {
                 Metrics* m = ctx->metrics;
                 m->SetGauge("claw_engine_queue_depth", "Work items waiting for the engine thread",
                             static_cast<double>(arena->queue_depth()));
                 m->SetGauge("claw_engine_events_applied_total", "Market events applied since start",
                             static_cast<double>(arena->events_applied()));
                 m->SetGauge("claw_store_commits_total", "Group commits since start",
                             static_cast<double>(arena->commits()));
                 m->SetGauge("claw_agents", "Registered agents", static_cast<double>(ctx->directory->size()));
                 const std::int64_t t = arena->arena_time_ms();
                 m->SetGauge("claw_feed_lag_seconds", "Wall clock minus arena time",
                             t > 0 ? static_cast<double>(WallMs() - t) / 1000.0 : 0.0);
                 Response r;
                 r.content_type = "text/plain; version=0.0.4";
                 r.body = m->Render();
                 reply(std::move(r));
               }});
}

}  // namespace claw::server
