// The owner's controls in process (issue 7): the real ArenaServer over HTTP. Orders over the
// owner's budget wait as pending_approval and are approved, denied or expire; pause, resume and
// revoke reach the agent's own calls; a wrong owner token changes nothing; a restart keeps
// budgets and held orders.
#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <set>
#include <vector>

#include "client/ed25519.h"
#include "client/encoding.h"
#include "client/signed_request.h"
#include "sim/server/server.h"
#include "tests/sim/server/test_client.h"

namespace {

using nlohmann::json;
using namespace claw;

using namespace claw::servertest;



struct Owned {
  std::string agent_id, owner_token;
};

// Registers and claims an agent; returns its id and the owner token.
Owned RegisterAndClaim(Client& c, const Key& key, const std::string& name) {
  Reply r = c.Signed("POST", "/v1/agents/register",
                     json{{"name", name}, {"description", "owner test"}, {"public_key", key.pub_text()}}.dump(), key, "");
  REQUIRE(r.status == 201);
  json j = r.j();
  const std::string url = j["claim_url"];
  r = c.Send("POST", "/v1/claim/" + url.substr(url.rfind('/') + 1),
             json{{"verification_code", j["verification_code"]}}.dump(), {});
  REQUIRE(r.status == 200);
  return {j["agent_id"], r.j()["owner_token"]};
}

Reply AsOwner(Client& c, const std::string& method, const std::string& target, const std::string& token,
              const std::string& body = "") {
  return c.Send(method, target, body, {"Authorization: Bearer " + token});
}

}  // namespace

TEST_CASE("an order over the budget is held, survives a restart and is placed when approved") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  Key key;
  Owned o;
  std::string held;
  {
    server::ArenaServer srv(Config(dir.path), "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());
    WaitForPrices(c);
    o = RegisterAndClaim(c, key, "alice");
    // A wrong owner token: 401, nothing set.
    Reply r = AsOwner(c, "PUT", "/v1/owner/budget", "claw_owner_wrong", R"({"max_order_notional":"1"})");
    CHECK(r.status == 401);
    CHECK(r.j()["error"]["code"] == "INVALID_OWNER_TOKEN");
    CHECK(AsOwner(c, "GET", "/v1/owner/agent", o.owner_token).j()["budget"].is_null());
    // Bad budgets: 400, nothing set.
    CHECK(AsOwner(c, "PUT", "/v1/owner/budget", o.owner_token, R"({"max_order_notional":"0"})").status == 400);
    CHECK(AsOwner(c, "PUT", "/v1/owner/budget", o.owner_token, R"({"max_order_notional":"1.123456789"})").status == 400);
    CHECK(AsOwner(c, "PUT", "/v1/owner/budget", o.owner_token, R"({"max_daily":"1"})").status == 400);
    CHECK(AsOwner(c, "GET", "/v1/owner/agent", o.owner_token).j()["budget"].is_null());
    r = AsOwner(c, "PUT", "/v1/owner/budget", o.owner_token, R"({"max_order_notional":100,"max_daily_notional":"1000"})");
    REQUIRE(r.status == 200);
    CHECK(r.j()["budget"]["max_order_notional"] == "100.00000000");
    CHECK(r.j()["budget"]["max_daily_notional"] == "1000.00000000");

    r = c.Signed("POST", "/v1/orders", R"({"symbol":"BTCUSDT","side":"buy","notional":"60"})", key, o.agent_id);
    CHECK(r.status == 201);
    r = c.Signed("POST", "/v1/orders", R"({"symbol":"BTCUSDT","side":"buy","notional":"150","client_order_id":"big"})",
                 key, o.agent_id);
    REQUIRE(r.status == 202);
    CHECK(r.j()["status"] == "pending_approval");
    held = r.j()["order_id"];
    // The same client id again: the same held order; with another body: 409.
    r = c.Signed("POST", "/v1/orders", R"({"symbol":"BTCUSDT","side":"buy","notional":"150","client_order_id":"big"})",
                 key, o.agent_id);
    CHECK(r.status == 200);
    CHECK(r.j()["order_id"] == held);
    r = c.Signed("POST", "/v1/orders", R"({"symbol":"BTCUSDT","side":"buy","notional":"151","client_order_id":"big"})",
                 key, o.agent_id);
    CHECK(r.status == 409);
    r = AsOwner(c, "GET", "/v1/owner/agent", o.owner_token);
    CHECK(r.j()["pending_approvals"] == 1);
    CHECK(r.j()["spend"]["daily"]["spent"] == "60.00000000");
  }
  server::ArenaServer srv(Config(dir.path), "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  WaitForPrices(c);
  Reply r = AsOwner(c, "GET", "/v1/owner/approvals", o.owner_token);
  REQUIRE(r.status == 200);
  REQUIRE(r.j()["approvals"].size() == 1);
  CHECK(r.j()["approvals"][0]["order_id"] == held);
  CHECK(r.j()["approvals"][0]["limit"] == "order");
  r = AsOwner(c, "GET", "/v1/owner/agent", o.owner_token);
  CHECK(r.j()["budget"]["max_order_notional"] == "100.00000000");
  CHECK(r.j()["spend"]["daily"]["spent"] == "60.00000000");
  r = AsOwner(c, "POST", "/v1/owner/approvals/" + held + "/approve", o.owner_token, "{}");
  REQUIRE(r.status == 200);
  CHECK(r.j()["status"] == "approved");
  const std::string placed = r.j()["placed_order_id"];
  r = c.Signed("GET", "/v1/orders/" + placed, "", key, o.agent_id);
  REQUIRE(r.status == 200);
  CHECK(r.j()["client_order_id"] == "big");
  CHECK(r.j()["status"] != "rejected");
  CHECK(c.Signed("GET", "/v1/orders/" + held, "", key, o.agent_id).j()["status"] == "approved");
  // Approved spend counts: 60 + 150.
  CHECK(AsOwner(c, "GET", "/v1/owner/agent", o.owner_token).j()["spend"]["daily"]["spent"] == "210.00000000");
  CHECK(AsOwner(c, "POST", "/v1/owner/approvals/" + held + "/approve", o.owner_token, "{}").status == 409);
  CHECK(AsOwner(c, "POST", "/v1/owner/approvals/" + held + "/deny", o.owner_token, "{}").status == 409);
  // Another owner's token cannot decide alice's order.
  Key bob;
  Owned b = RegisterAndClaim(c, bob, "bobby");
  r = c.Signed("POST", "/v1/orders", R"({"symbol":"BTCUSDT","side":"buy","notional":"2000"})", key, o.agent_id);
  REQUIRE(r.status == 202);
  CHECK(AsOwner(c, "POST", "/v1/owner/approvals/" + std::string(r.j()["order_id"]) + "/approve", b.owner_token, "{}").status == 404);
}

TEST_CASE("a held order is denied, or expires on the arena clock") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  Key key;
  server::ServeConfig cfg = Config(dir.path);
  cfg.approval_ttl_ms = 1500;
  server::ArenaServer srv(cfg, "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  WaitForPrices(c);
  Owned o = RegisterAndClaim(c, key, "carol");
  REQUIRE(AsOwner(c, "PUT", "/v1/owner/budget", o.owner_token, R"({"max_order_notional":"10"})").status == 200);
  Reply r = c.Signed("POST", "/v1/orders", R"({"symbol":"BTCUSDT","side":"buy","notional":"20"})", key, o.agent_id);
  REQUIRE(r.status == 202);
  const std::string denied = r.j()["order_id"];
  r = AsOwner(c, "POST", "/v1/owner/approvals/" + denied + "/deny", o.owner_token, "{}");
  REQUIRE(r.status == 200);
  CHECK(r.j()["reject_code"] == "DENIED_BY_OWNER");
  r = c.Signed("GET", "/v1/orders/" + denied, "", key, o.agent_id);
  CHECK(r.j()["status"] == "rejected");
  CHECK(r.j()["reject_code"] == "DENIED_BY_OWNER");
  r = c.Signed("POST", "/v1/orders", R"({"symbol":"BTCUSDT","side":"buy","notional":"30"})", key, o.agent_id);
  REQUIRE(r.status == 202);
  const std::string expiring = r.j()["order_id"];
  std::string status;
  for (int i = 0; i < 100 && status != "expired"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = c.Signed("GET", "/v1/orders/" + expiring, "", key, o.agent_id).j()["status"];
  }
  CHECK(status == "expired");
  CHECK(AsOwner(c, "GET", "/v1/owner/approvals", o.owner_token).j()["count"] == 0);
  r = AsOwner(c, "GET", "/v1/owner/activity?limit=500", o.owner_token);
  REQUIRE(r.status == 200);
  std::set<std::string> actors, actions;
  const json doc = r.j();
  for (const auto& a : doc["activity"]) {
    actors.insert(a["actor"].get<std::string>());
    actions.insert(a["action"].get<std::string>());
  }
  CHECK(actors == std::set<std::string>{"agent", "owner", "system"});
  CHECK(actions.count("order_pending_approval"));
  CHECK(actions.count("order_denied"));
  CHECK(actions.count("order_approval_expired"));
  CHECK(actions.count("budget_set"));
}

TEST_CASE("pause, resume and revoke reach the agent's own calls") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  Key key;
  server::ArenaServer srv(Config(dir.path), "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  Owned o = RegisterAndClaim(c, key, "dave");
  CHECK(c.Signed("GET", "/v1/agents/me", "", key, o.agent_id).status == 200);
  CHECK(AsOwner(c, "POST", "/v1/owner/pause", "claw_owner_nope", "{}").status == 401);
  CHECK(c.Signed("GET", "/v1/agents/me", "", key, o.agent_id).status == 200);
  Reply r = AsOwner(c, "POST", "/v1/owner/pause", o.owner_token, "{}");
  REQUIRE(r.status == 200);
  CHECK(r.j()["status"] == "paused");
  r = c.Signed("GET", "/v1/agents/me", "", key, o.agent_id);
  CHECK(r.status == 403);
  CHECK(r.j()["error"]["code"] == "AGENT_PAUSED");
  CHECK(AsOwner(c, "POST", "/v1/owner/resume", o.owner_token, "{}").j()["status"] == "claimed");
  CHECK(c.Signed("GET", "/v1/agents/me", "", key, o.agent_id).status == 200);
  r = AsOwner(c, "POST", "/v1/owner/connect-code", o.owner_token, "{}");
  CHECK(r.status == 201);
  CHECK(r.j()["connect_code"].get<std::string>().size() == 6);
  r = AsOwner(c, "POST", "/v1/owner/revoke", o.owner_token, "{}");
  REQUIRE(r.status == 200);
  CHECK(r.j()["status"] == "revoked");
  r = c.Signed("GET", "/v1/agents/me", "", key, o.agent_id);
  CHECK(r.status == 403);
  CHECK(r.j()["error"]["code"] == "AGENT_REVOKED");
  CHECK(AsOwner(c, "POST", "/v1/owner/resume", o.owner_token, "{}").status == 409);
  CHECK(AsOwner(c, "POST", "/v1/owner/connect-code", o.owner_token, "{}").status == 409);
  CHECK(AsOwner(c, "GET", "/v1/owner/agent", o.owner_token).j()["status"] == "revoked");
}
