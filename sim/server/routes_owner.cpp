// The owner's API and pages (issue 7; contract with the sessions feature): the human who
// claimed an agent authenticates with the owner token from the claim (PROTOCOL.md §3) —
// `Authorization: Bearer <owner_token>` for /v1/owner/*, or for the browser pages under /owner
// an HttpOnly SameSite=Strict cookie set from a POSTed form (never a URL), with a CSRF token in
// every form. The token is compared as its SHA-256 hash with the stored hash (constant time).
#include <sodium.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "client/encoding.h"
#include "sim/server/owner.h"
#include "sim/server/route_util.h"
#include "sim/server/routes.h"

namespace claw::server {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kCookie = "claw_owner";

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string BearerToken(const Request& req) {
  auto h = req.Header("authorization");
  if (!h) return {};
  const std::string v = Trim(*h);
  if (v.size() > 7 && (v.compare(0, 7, "Bearer ") == 0 || v.compare(0, 7, "bearer ") == 0)) return Trim(v.substr(7));
  return {};
}

std::string CookieToken(const Request& req) {
  auto h = req.Header("cookie");
  if (!h) return {};
  std::size_t pos = 0;
  const std::string& c = *h;
  while (pos < c.size()) {
    std::size_t end = c.find_first_of(";,", pos);
    std::string pair = Trim(c.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (pair.rfind(std::string(kCookie) + "=", 0) == 0) return pair.substr(std::string(kCookie).size() + 1);
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return {};
}

// application/x-www-form-urlencoded value; empty when absent or malformed.
std::string Form(const std::string& body, const std::string& name) {
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    std::string pair = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (pair.rfind(name + "=", 0) == 0) {
      std::string v = pair.substr(name.size() + 1), out;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '+') {
          out += ' ';
        } else if (v[i] == '%') {
          if (i + 2 >= v.size() || !std::isxdigit(static_cast<unsigned char>(v[i + 1])) ||
              !std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
            return {};
          }
          out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += v[i];
        }
      }
      return out;
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

// The CSRF token of a browser session: bound to the owner token (which the cookie holds and
// a cross-site page can neither read nor make the browser send, SameSite=Strict).
std::string CsrfFor(const std::string& owner_token) {
  return TokenHash("claw-owner-csrf\n" + owner_token).substr(0, 32);
}

bool CsrfOk(const std::string& owner_token, const std::string& given) {
  const std::string want = CsrfFor(owner_token);
  return given.size() == want.size() && sodium_memcmp(given.data(), want.data(), want.size()) == 0;
}

// Decimal limit from JSON (string, integer or exact-text number) or form text; null/"" = none.
bool Limit(const json* v, std::int64_t* out, std::string* error, const std::string& field) {
  *out = 0;
  if (!v || v->is_null()) return true;
  std::string text;
  if (v->is_string()) {
    text = v->get<std::string>();
  } else if (v->is_number_integer()) {
    text = v->dump();
  } else {
    *error = "'" + field + "' must be a decimal string or null";
    return false;
  }
  if (text.empty()) return true;
  const std::size_t dot = text.find('.');
  const bool too_precise = dot != std::string::npos && text.size() - dot - 1 > engine::kCashDecimals;
  if (too_precise || !engine::ParseFixed(text, engine::kCashDecimals, out) || *out <= 0) {
    *error = "'" + field + "' must be a positive decimal with at most 8 places, or null for no limit";
    return false;
  }
  return true;
}

bool ParseOrderId(const std::string& text, std::uint64_t* id) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  *id = std::stoull(text);
  return *id > 0;
}

void Answer(const Reply& reply, const Request& req, Txn& txn, const OwnerOutcome& o) {
  if (!o.ok()) return Err(reply, req, o.status, o.code, o.message, o.hint);
  AnswerWhenDurable(txn, req, reply, o.status, o.body);
}

// ---- HTML ----

std::string Page(const std::string& title, const std::string& inner) {
  return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<title>" + HtmlEscape(title) + "</title><style>body{font-family:system-ui,sans-serif;max-width:52rem;"
         "margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{padding:.2rem .6rem;"
         "border-bottom:1px solid #ddd;text-align:left}form.inline{display:inline}input,button{font-size:1rem;"
         "padding:.3rem}.code{font-size:2rem;letter-spacing:.3rem}</style></head><body>" + inner + "</body></html>";
}

Response HtmlPage(int status, const std::string& title, const std::string& inner) {
  Response r = Html(status, Page(title, inner));
  r.headers.push_back({"Cache-Control", "no-store"});
  r.headers.push_back({"X-Frame-Options", "DENY"});
  r.headers.push_back({"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"});
  return r;
}

Response LoginPage(int status, const std::string& message) {
  return HtmlPage(status, "Owner sign-in",
                  "<h1>Owner sign-in</h1>" + (message.empty() ? "" : "<p><strong>" + HtmlEscape(message) + "</strong></p>") +
                      "<p>Paste the owner token you received when you claimed your agent.</p>"
                      "<form method=\"post\" action=\"/owner/login\"><input type=\"password\" name=\"owner_token\" "
                      "required autocomplete=\"off\" size=\"50\"> <button type=\"submit\">Sign in</button></form>");
}

Response Redirect(const std::string& to) {
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "see " + to + "\n";
  r.headers.push_back({"Location", to});
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

std::string Button(const std::string& csrf, const std::string& action, const std::string& label,
                   const std::string& extra = {}) {
  return "<form class=\"inline\" method=\"post\" action=\"/owner/action\"><input type=\"hidden\" name=\"csrf\" value=\"" +
         csrf + "\"><input type=\"hidden\" name=\"action\" value=\"" + action + "\">" + extra +
         "<button type=\"submit\">" + HtmlEscape(label) + "</button></form> ";
}

std::string Val(const ordered_json& j, const char* k) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string Dashboard(const ordered_json& v, const ordered_json& pending, const std::string& csrf,
                      const std::string& notice) {
  std::string h = "<h1>Agent <code>" + HtmlEscape(Val(v, "name")) + "</code></h1>";
  if (!notice.empty()) h += "<p><strong>" + notice + "</strong></p>";
  h += "<p>Status: <strong id=\"status\">" + HtmlEscape(Val(v, "status")) + "</strong> · id <code>" +
       HtmlEscape(Val(v, "agent_id")) + "</code> · equity " + HtmlEscape(Val(v, "equity")) + "</p><p>";
  const std::string status = Val(v, "status");
  if (status == "paused") h += Button(csrf, "resume", "Resume");
  if (status == "claimed") h += Button(csrf, "pause", "Pause");
  if (status != "revoked") {
    h += Button(csrf, "connect-code", "New connect code");
    h += Button(csrf, "revoke", "Revoke (final)",
                "<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> I am sure</label> ");
  }
  h += "</p><h2>Budget</h2><form method=\"post\" action=\"/owner/action\"><input type=\"hidden\" name=\"csrf\" value=\"" +
       csrf + "\"><input type=\"hidden\" name=\"action\" value=\"budget\"><table>";
  const ordered_json budget = v.contains("budget") && v["budget"].is_object() ? v["budget"] : ordered_json::object();
  const ordered_json spend = v.contains("spend") && v["spend"].is_object() ? v["spend"] : ordered_json::object();
  struct Row { const char* label; const char* field; const char* period; };
  for (const Row& r : {Row{"Max order notional", "max_order_notional", ""}, Row{"Per day", "max_daily_notional", "daily"},
                       Row{"Per week (Mon-Sun)", "max_weekly_notional", "weekly"},
                       Row{"Per month", "max_monthly_notional", "monthly"}}) {
    std::string spent = "";
    if (*r.period && spend.contains(r.period)) spent = "spent " + Val(spend[r.period], "spent");
    h += std::string("<tr><td>") + r.label + "</td><td><input name=\"" + r.field + "\" value=\"" +
         HtmlEscape(Val(budget, r.field)) + "\" placeholder=\"no limit\" inputmode=\"decimal\"></td><td>" +
         HtmlEscape(spent) + "</td></tr>";
  }
  h += "</table><button type=\"submit\">Save budget</button> (empty = no limit; USDT)</form>";
  h += "<h2>Orders waiting for approval</h2>";
  if (pending.empty()) {
    h += "<p id=\"approvals\">None.</p>";
  } else {
    h += "<table id=\"approvals\"><tr><th>Order</th><th>Symbol</th><th>Side</th><th>Notional</th><th>Limit</th><th>Expires</th><th></th></tr>";
    for (const auto& a : pending) {
      const std::string id = Val(a, "order_id");
      const std::string hid = "<input type=\"hidden\" name=\"order_id\" value=\"" + HtmlEscape(id) + "\">";
      h += "<tr><td>" + HtmlEscape(id) + "</td><td>" + HtmlEscape(Val(a, "symbol")) + "</td><td>" +
           HtmlEscape(Val(a, "side")) + "</td><td>" + HtmlEscape(Val(a, "notional")) + "</td><td>" +
           HtmlEscape(Val(a, "limit")) + " " + HtmlEscape(Val(a, "limit_value")) + "</td><td>" +
           HtmlEscape(Val(a, "expires_at")) + "</td><td>" + Button(csrf, "approve", "Approve", hid) +
           Button(csrf, "deny", "Deny", hid) + "</td></tr>";
    }
    h += "</table>";
  }
  h += "<p><a href=\"/owner/activity\">Activity log</a></p>";
  h += "<form method=\"post\" action=\"/owner/logout\"><input type=\"hidden\" name=\"csrf\" value=\"" + csrf +
       "\"><button type=\"submit\">Sign out</button></form>";
  return h;
}

}  // namespace

void AddOwnerRoutes(Router* router, RouteContext* ctx) {
  Arena* arena = ctx->arena;
  OwnerControls* owner = ctx->owner;
  if (!owner) return;

  // Runs `fn` on the engine thread with the agent the token owns; an unknown token is audited
  // and answered with `fail` once the audit row is stored.
  using OwnerFn = std::function<void(Txn&, const store::AgentRow&)>;
  auto with_owner = [=](const Request& req, const Reply& reply, const std::string& token,
                        std::function<void(Txn&)> fail, OwnerFn fn) {
    const std::string hash = TokenHash(token);
    PostWork(ctx, req, reply, [=](Txn& txn) {
      const store::AgentRow* a = token.empty() ? nullptr : owner->FindByOwnerHash(hash);
      if (!a) {
        arena->Audit(txn, "", "auth_failure", req.client_ip, req.request_id,
                     json{{"code", "INVALID_OWNER_TOKEN"}, {"method", req.method}, {"path", req.path}}.dump());
        return fail(txn);
      }
      fn(txn, *a);
    });
  };
  auto api = [=](const Request& req, const Reply& reply, OwnerFn fn) {
    const std::string token = BearerToken(req);
    if (token.empty()) {
      return Err(reply, req, 401, "MISSING_AUTH", "this route needs the owner token",
                 "send 'Authorization: Bearer <owner_token>' (the token from the claim)");
    }
    with_owner(req, reply, token, [=](Txn& txn) {
      Request copy = req;
      txn.AfterCommit([=](const Status&) {
        Err(reply, copy, 401, "INVALID_OWNER_TOKEN", "the owner token is not valid",
            "use the owner token shown once when the agent was claimed");
      });
    }, fn);
  };

  router->Add({"GET", "/v1/owner/agent", AuthKind::kOwner, "owner",
               "The owned agent: status, budget, spend per period, approvals waiting", "", "",
               R"({"agent_id":"…","name":"my-agent","status":"claimed","budget":{"max_order_notional":"100.00000000","max_daily_notional":null},"spend":{"daily":{"spent":"40.00000000","limit":null}},"pending_approvals":1})",
               "application/json", [=](const Request& req, Reply reply) {
                 api(req, reply, [=](Txn& txn, const store::AgentRow& a) { Answer(reply, req, txn, owner->View(txn, a)); });
               }});
  auto simple = [=](const char* path, const char* summary, OwnerOutcome (OwnerControls::*fn)(Txn&, const store::AgentRow&, const Request&)) {
    router->Add({"POST", path, AuthKind::kOwner, "owner", summary, "", "{}", "", "application/json",
                 [=](const Request& req, Reply reply) {
                   api(req, reply, [=](Txn& txn, const store::AgentRow& a) { Answer(reply, req, txn, (owner->*fn)(txn, a, req)); });
                 }});
  };
  simple("/v1/owner/connect-code", "Issue a one-time connect code for the agent (15 min, single use)",
         &OwnerControls::ConnectCode);
  simple("/v1/owner/pause", "Pause the agent: its authenticated calls answer 403 AGENT_PAUSED", &OwnerControls::Pause);
  simple("/v1/owner/resume", "Resume a paused agent", &OwnerControls::Resume);
  simple("/v1/owner/revoke",
         "Revoke the agent for good: sessions revoked, open orders cancelled, approvals denied",
         &OwnerControls::Revoke);

  router->Add({"PUT", "/v1/owner/budget", AuthKind::kOwner, "owner",
               "Set the budget: max order notional and max notional per UTC day, ISO week, month",
               "Decimal strings (USDT) or null for no limit; a field left out is no limit. Orders over "
               "the budget wait as pending_approval for the owner.",
               R"({"max_order_notional":"100","max_daily_notional":"500","max_weekly_notional":null,"max_monthly_notional":null})",
               "", "application/json", [=](const Request& req, Reply reply) {
                 json b;
                 std::string error;
                 if (!ParseBody(req.body, &b, &error) || !b.is_object()) {
                   return Err(reply, req, 400, "INVALID_REQUEST", "body is not a JSON object");
                 }
                 static const char* kFields[] = {"max_order_notional", "max_daily_notional",
                                                 "max_weekly_notional", "max_monthly_notional"};
                 for (auto it = b.begin(); it != b.end(); ++it) {
                   bool known = false;
                   for (const char* f : kFields) known |= it.key() == f;
                   if (!known) return Err(reply, req, 400, "INVALID_PARAMETER", "unknown field '" + it.key().substr(0, 40) + "'",
                                          "fields: max_order_notional, max_daily_notional, max_weekly_notional, max_monthly_notional");
                 }
                 std::int64_t v[4] = {0, 0, 0, 0};
                 for (int i = 0; i < 4; ++i) {
                   auto it = b.find(kFields[i]);
                   if (!Limit(it == b.end() ? nullptr : &*it, &v[i], &error, kFields[i])) {
                     return Err(reply, req, 400, "INVALID_PARAMETER", error);
                   }
                 }
                 const engine::Budget budget{engine::Cash{v[0]}, engine::Cash{v[1]}, engine::Cash{v[2]}, engine::Cash{v[3]}};
                 api(req, reply, [=](Txn& txn, const store::AgentRow& a) {
                   Answer(reply, req, txn, owner->SetBudget(txn, a, budget, req));
                 });
               }});

  router->Add({"GET", "/v1/owner/approvals", AuthKind::kOwner, "owner",
               "Orders over budget waiting for the owner (status=pending, default) or all decisions (status=all)",
               "", "", "", "application/json", [=](const Request& req, Reply reply) {
                 const std::string which = req.QueryParam("status").value_or("pending");
                 if (which != "pending" && which != "all") {
                   return Err(reply, req, 400, "INVALID_PARAMETER", "status must be pending or all");
                 }
                 bool ok = true;
                 store::Page page{IntParam(req, "limit", 100, 1, 500, &ok), IntParam(req, "offset", 0, 0, 1'000'000'000, &ok)};
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-500 and offset >= 0");
                 api(req, reply, [=](Txn&, const store::AgentRow& a) {
                   ordered_json list = ordered_json::array();
                   if (which == "pending") {
                     list = owner->PendingJson(a.id);
                   } else {
                     auto rows = arena->store()->ListApprovals(a.id, page);
                     if (!rows.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", rows.status().message());
                     for (const auto& r : *rows) list.push_back(OwnerControls::ApprovalJson(r));
                   }
                   Ok(reply, 200, {{"agent_id", a.id}, {"approvals", list}, {"count", list.size()}});
                 });
               }});

  for (bool approve : {true, false}) {
    router->Add({"POST", std::string("/v1/owner/approvals/{order_id}/") + (approve ? "approve" : "deny"), AuthKind::kOwner,
                 "owner",
                 approve ? "Approve an order waiting for approval: it goes to the market now as a normal order"
                         : "Deny an order waiting for approval: it ends rejected with DENIED_BY_OWNER",
                 "", "{}", "", "application/json", [=](const Request& req, Reply reply) {
                   std::uint64_t id = 0;
                   if (!ParseOrderId(req.params.at("order_id"), &id)) {
                     return Err(reply, req, 404, "NOT_FOUND", "no such order waits for approval");
                   }
                   api(req, reply, [=](Txn& txn, const store::AgentRow& a) {
                     Answer(reply, req, txn, owner->Decide(txn, a, id, approve, req));
                   });
                 }});
  }

  router->Add({"GET", "/v1/owner/activity", AuthKind::kOwner, "owner",
               "The agent's activity log, newest first: who (agent, owner, system) did what (limit, offset)", "", "",
               "", "application/json", [=](const Request& req, Reply reply) {
                 bool ok = true;
                 store::Page page{IntParam(req, "limit", 100, 1, 500, &ok), IntParam(req, "offset", 0, 0, 1'000'000'000, &ok)};
                 if (!ok) return Err(reply, req, 400, "INVALID_PARAMETER", "limit must be 1-500 and offset >= 0");
                 api(req, reply, [=](Txn&, const store::AgentRow& a) {
                   auto rows = arena->store()->ListActivity(a.id, page);
                   if (!rows.ok()) return Err(reply, req, 500, "INTERNAL_ERROR", rows.status().message());
                   ordered_json list = ordered_json::array();
                   for (const auto& r : *rows) list.push_back(OwnerControls::ActivityJson(r));
                   Ok(reply, 200, {{"agent_id", a.id}, {"activity", list}, {"count", list.size()}, {"limit", page.limit},
                                   {"offset", page.offset}});
                 });
               }});

  // ---- browser pages ----
  auto page_owner = [=](const Request& req, const Reply& reply, OwnerFn fn) {
    const std::string token = CookieToken(req);
    if (token.empty()) return reply(LoginPage(200, ""));
    with_owner(req, reply, token, [=](Txn& txn) {
      txn.AfterCommit([=](const Status&) { reply(LoginPage(401, "That owner token is not valid.")); });
    }, fn);
  };

  router->Add({"GET", "/owner", AuthKind::kOwner, "owner",
               "The owner's page (HTML): sign in with the owner token, then see and control the agent", "", "", "",
               "text/html; charset=utf-8", [=](const Request& req, Reply reply) {
                 const std::string token = CookieToken(req);
                 page_owner(req, reply, [=](Txn& txn, const store::AgentRow& a) {
                   const OwnerOutcome v = owner->View(txn, a);
                   reply(HtmlPage(200, "Owner: " + a.name, Dashboard(v.body, owner->PendingJson(a.id), CsrfFor(token), "")));
                 });
               }});

  router->Add({"POST", "/owner/login", AuthKind::kOwner, "owner",
               "Sign in to the owner's page: form field owner_token; sets an HttpOnly SameSite=Strict cookie", "", "",
               "", "text/html; charset=utf-8", [=](const Request& req, Reply reply) {
                 const std::string token = Trim(Form(req.body, "owner_token"));
                 if (token.empty()) return reply(LoginPage(400, "Paste your owner token."));
                 with_owner(req, reply, token, [=](Txn& txn) {
                   txn.AfterCommit([=](const Status&) { reply(LoginPage(401, "That owner token is not valid.")); });
                 }, [=](Txn&, const store::AgentRow&) {
                   Response r = Redirect("/owner");
                   r.headers.push_back({"Set-Cookie", std::string(kCookie) + "=" + token +
                                                          "; Path=/owner; HttpOnly; SameSite=Strict; Max-Age=43200"});
                   reply(std::move(r));
                 });
               }});

  router->Add({"POST", "/owner/logout", AuthKind::kOwner, "owner", "Sign out of the owner's page (form with csrf)", "",
               "", "", "text/html; charset=utf-8", [=](const Request& req, Reply reply) {
                 const std::string token = CookieToken(req);
                 if (token.empty() || !CsrfOk(token, Form(req.body, "csrf"))) {
                   return reply(HtmlPage(403, "Forbidden", "<h1>Forbidden</h1><p>Missing or wrong CSRF token.</p>"));
                 }
                 Response r = Redirect("/owner");
                 r.headers.push_back({"Set-Cookie", std::string(kCookie) + "=; Path=/owner; HttpOnly; SameSite=Strict; Max-Age=0"});
                 reply(std::move(r));
               }});

  router->Add({"POST", "/owner/action", AuthKind::kOwner, "owner",
               "The owner's page actions (form: csrf, action=pause|resume|revoke|connect-code|budget|approve|deny)", "",
               "", "", "text/html; charset=utf-8", [=](const Request& req, Reply reply) {
                 const std::string token = CookieToken(req);
                 if (token.empty()) return reply(LoginPage(401, "Sign in first."));
                 if (!CsrfOk(token, Form(req.body, "csrf"))) {
                   return reply(HtmlPage(403, "Forbidden", "<h1>Forbidden</h1><p>Missing or wrong CSRF token. "
                                                           "<a href=\"/owner\">Back</a></p>"));
                 }
                 const std::string action = Form(req.body, "action");
                 std::uint64_t id = 0;
                 const bool has_id = ParseOrderId(Form(req.body, "order_id"), &id);
                 engine::Budget budget;
                 std::string error;
                 if (action == "budget") {
                   std::int64_t v[4] = {0, 0, 0, 0};
                   const char* fields[] = {"max_order_notional", "max_daily_notional", "max_weekly_notional", "max_monthly_notional"};
                   for (int i = 0; i < 4 && error.empty(); ++i) {
                     const json text = Trim(Form(req.body, fields[i]));
                     Limit(&text, &v[i], &error, fields[i]);
                   }
                   budget = {engine::Cash{v[0]}, engine::Cash{v[1]}, engine::Cash{v[2]}, engine::Cash{v[3]}};
                 } else if (action == "revoke" && Form(req.body, "confirm") != "yes") {
                   error = "tick 'I am sure' to revoke";
                 } else if ((action == "approve" || action == "deny") && !has_id) {
                   error = "no order_id";
                 } else if (action != "pause" && action != "resume" && action != "revoke" && action != "connect-code" &&
                            action != "approve" && action != "deny") {
                   error = "unknown action";
                 }
                 if (!error.empty()) {
                   return reply(HtmlPage(400, "Not done", "<h1>Not done</h1><p>" + HtmlEscape(error) +
                                                           "</p><p><a href=\"/owner\">Back</a></p>"));
                 }
                 page_owner(req, reply, [=](Txn& txn, const store::AgentRow& a) {
                   OwnerOutcome o;
                   if (action == "pause") o = owner->Pause(txn, a, req);
                   else if (action == "resume") o = owner->Resume(txn, a, req);
                   else if (action == "revoke") o = owner->Revoke(txn, a, req);
                   else if (action == "connect-code") o = owner->ConnectCode(txn, a, req);
                   else if (action == "budget") o = owner->SetBudget(txn, a, budget, req);
                   else o = owner->Decide(txn, a, id, action == "approve", req);
                   if (!o.ok()) {
                     const std::string msg = o.message;
                     const int status = o.status;
                     return reply(HtmlPage(status, "Not done", "<h1>Not done</h1><p>" + HtmlEscape(msg) +
                                                                   "</p><p><a href=\"/owner\">Back</a></p>"));
                   }
                   if (action != "connect-code") {
                     txn.AfterCommit([=](const Status& s) {
                       if (!s.ok()) return reply(HtmlPage(500, "Error", "<p>Could not store the change; retry.</p>"));
                       reply(Redirect("/owner"));
                     });
                     return;
                   }
                   const std::string code = o.body.value("connect_code", "");
                   const std::string expires = o.body.value("expires_at", "");
                   const std::string name = a.name;
                   txn.AfterCommit([=](const Status& s) {
                     if (!s.ok()) return reply(HtmlPage(500, "Error", "<p>Could not store the change; retry.</p>"));
                     reply(HtmlPage(200, "Connect code", "<h1>Connect code for <code>" + HtmlEscape(name) +
                                                             "</code></h1><p class=\"code\" id=\"connect-code\">" + HtmlEscape(code) +
                                                             "</p><p>Single use, valid until " + HtmlEscape(expires) +
                                                             ". Give it to your agent: <code>claw session login --connect-code " +
                                                             HtmlEscape(code) + "</code></p><p><a href=\"/owner\">Back</a></p>"));
                   });
                 });
               }});

  router->Add({"GET", "/owner/activity", AuthKind::kOwner, "owner", "The owner's page: the agent's activity log (HTML)",
               "", "", "", "text/html; charset=utf-8", [=](const Request& req, Reply reply) {
                 page_owner(req, reply, [=](Txn&, const store::AgentRow& a) {
                   auto rows = arena->store()->ListActivity(a.id, {200, 0});
                   std::string h = "<h1>Activity of <code>" + HtmlEscape(a.name) + "</code></h1><p><a href=\"/owner\">Back</a></p>"
                                   "<table id=\"activity\"><tr><th>Time (UTC)</th><th>Who</th><th>What</th><th>Details</th></tr>";
                   if (rows.ok()) {
                     for (const auto& r : *rows) {
                       h += "<tr><td>" + HtmlEscape(Iso(r.time_ms)) + "</td><td>" + HtmlEscape(r.actor) + "</td><td>" +
                            HtmlEscape(r.action) + "</td><td><code>" + HtmlEscape(r.details) + "</code></td></tr>";
                     }
                   }
                   h += "</table>";
                   reply(HtmlPage(200, "Activity: " + a.name, h));
                 });
               }});
}

}  // namespace claw::server
