// arena-sim serve in process: the real ArenaServer on 127.0.0.1 (port 0) with a temp data
// dir and a real SQLite file, driven over HTTP by libcurl with requests signed by the client
// library. Register, claim, trade, read back, restart, read back again; bad input changes
// nothing.
#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
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


}  // namespace

TEST_CASE("register, claim, trade and read back across a restart") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  Key key, other;
  std::string agent_id, order_id;
  json portfolio_before;
  {
    server::ArenaServer srv(Config(dir.path), "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());

    const std::string reg = json{{"name", "alice"}, {"description", "caf\u00e9 \u2603 bot"},
                                 {"public_key", key.pub_text()}}.dump();
    Reply r = c.Signed("POST", "/v1/agents/register", reg, key, "");
    REQUIRE(r.status == 201);
    json j = r.j();
    agent_id = j["agent_id"];
    CHECK(j["status"] == "pending_claim");
    const std::string claim_url = j["claim_url"];
    const std::string token = claim_url.substr(claim_url.rfind('/') + 1);
    CHECK(token.rfind("claw_claim_", 0) == 0);

    // The same key registering as another name with someone else's signature: refused.
    r = c.Signed("POST", "/v1/agents/register",
                 json{{"name", "bob"}, {"public_key", key.pub_text()}}.dump(), other, "");
    CHECK(r.status == 401);
    CHECK(r.j()["error"]["code"] == "INVALID_SIGNATURE");

    // Non-UTF-8 in a name or description: 400, nothing registered.
    r = c.Signed("POST", "/v1/agents/register",
                 std::string("{\"name\":\"eve\",\"description\":\"\xff\xfe\",\"public_key\":\"") +
                     other.pub_text() + "\"}",
                 other, "");
    CHECK(r.status == 400);
    CHECK(c.Get("/v1/agents/eve").status == 404);

    // The claim: wrong code, then the right one, then the token is spent.
    r = c.Send("POST", "/v1/claim/" + token, R"({"verification_code":"x"})", {});
    CHECK(r.status == 403);
    CHECK(r.j()["error"]["details"]["attempts_left"] == 4);
    r = c.Send("POST", "/v1/claim/" + token,
               json{{"verification_code", j["verification_code"]}}.dump(), {});
    REQUIRE(r.status == 200);
    CHECK(r.j()["status"] == "claimed");
    CHECK(c.Send("POST", "/v1/claim/" + token, R"({"verification_code":"x"})", {}).status == 410);

    WaitForPrices(c);
    r = c.Signed("POST", "/v1/orders",
                 R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":0.1,"leverage":2})",
                 key, agent_id);
    REQUIRE(r.status == 201);
    order_id = r.j()["order_id"];
    CHECK(r.j()["quantity"] == "0.10000000");  // the JSON number's exact text, not a double

    r = c.Signed("GET", "/v1/portfolio", "", key, agent_id);
    REQUIRE(r.status == 200);
    portfolio_before = r.j();
    REQUIRE(portfolio_before["positions"].size() == 1);
    CHECK(portfolio_before["positions"][0]["quantity"] == "0.10000000");
    CHECK(portfolio_before["positions"][0]["leverage"] == 2);

    // Another agent's signature on alice's id: refused and audited.
    CHECK(c.Signed("GET", "/v1/portfolio", "", other, agent_id).status == 401);
    r = c.Signed("GET", "/v1/audit", "", key, agent_id);
    REQUIRE(r.status == 200);
    bool saw_failure = false;
    const json audit = r.j();
    for (const auto& a : audit["audit_entries"]) saw_failure |= a["event_type"] == "auth_failure";
    INFO(r.body);
    CHECK(saw_failure);
    srv.Stop();
  }
  {
    server::ArenaServer srv(Config(dir.path), "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());
    Reply r = c.Signed("GET", "/v1/orders/" + order_id, "", key, agent_id);
    REQUIRE(r.status == 200);
    CHECK(r.j()["status"] == "filled");
    r = c.Signed("GET", "/v1/portfolio", "", key, agent_id);
    REQUIRE(r.status == 200);
    json after = r.j();
    REQUIRE(after["positions"].size() == 1);
    CHECK(after["positions"][0]["entry_price"] == portfolio_before["positions"][0]["entry_price"]);
    CHECK(after["balance"] == portfolio_before["balance"]);
    r = c.Signed("GET", "/v1/agents/me", "", key, agent_id);
    REQUIRE(r.status == 200);
    CHECK(r.j()["description"] == "caf\u00e9 \u2603 bot");
    CHECK(r.j()["status"] == "claimed");
  }
}

TEST_CASE("bad orders answer the error envelope and change nothing") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  server::ArenaServer srv(Config(dir.path), "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  Key key;
  Reply r = c.Signed("POST", "/v1/agents/register",
                     json{{"name", "trader"}, {"public_key", key.pub_text()}}.dump(), key, "");
  REQUIRE(r.status == 201);
  const std::string id = r.j()["agent_id"];
  WaitForPrices(c);
  const std::string balance = c.Signed("GET", "/v1/portfolio", "", key, id).j()["balance"];

  struct Case {
    const char* body;
    long status;
    const char* code;
  };
  const Case cases[] = {
      {R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":1)", 400, "INVALID_REQUEST"},
      {R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":Infinity})", 400, "INVALID_REQUEST"},
      {R"([1,2,3])", 400, "INVALID_PARAMETER"},
      {R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":"1.5e3"})", 400, "INVALID_PARAMETER"},
      {R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":0.000000001})", 400, "INVALID_PARAMETER"},
      {R"({"symbol":"BTCUSDT","side":"up","type":"market","quantity":1})", 400, "INVALID_PARAMETER"},
      {R"({"symbol":"BTCUSDT","side":"buy","type":"limit","quantity":1})", 400, "INVALID_PARAMETER"},
      {R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":1,"leverage":0})", 400, "INVALID_PARAMETER"},
      {R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":1,"notional":5})", 400, "INVALID_PARAMETER"},
      {R"({"symbol":"BTCUSDT","side":"buy","type":"market","quantity":1000})", 403, "INSUFFICIENT_BALANCE"},
      {R"({"symbol":"XYZ\"; DELETE FROM orders; --","side":"buy","type":"market","quantity":1})", 400, "INVALID_SYMBOL"},
  };
  for (const Case& k : cases) {
    INFO(k.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(110));  // under the 10/s order limit
    r = c.Signed("POST", "/v1/orders", k.body, key, id);
    CHECK(r.status == k.status);
    json e = r.j();
    REQUIRE(e.is_object());
    CHECK(e["error"]["code"] == k.code);
    CHECK(std::string(e["error"]["request_id"]).rfind("req-", 0) == 0);
  }
  json p = c.Signed("GET", "/v1/portfolio", "", key, id).j();
  CHECK(p["balance"] == balance);
  CHECK(p["positions"].empty());
  json open = c.Signed("GET", "/v1/orders?status=open,filled,partially_filled", "", key, id).j();
  CHECK(open["orders"].empty());
}

TEST_CASE("device anchoring: with auth.ip_lock an agent is held to its registration address") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  server::ServeConfig config = Config(dir.path);
  config.ip_lock = true;
  config.trusted_proxies = {"127.0.0.1"};  // so the test can speak for other addresses
  server::ArenaServer srv(config, "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  Key key;
  Reply r = c.Signed("POST", "/v1/agents/register",
                     json{{"name", "anchored"}, {"public_key", key.pub_text()}}.dump(), key, "",
                     "10.0.0.1");
  REQUIRE(r.status == 201);
  const std::string id = r.j()["agent_id"];
  CHECK(c.Signed("GET", "/v1/agents/me", "", key, id, "10.0.0.1").status == 200);
  r = c.Signed("GET", "/v1/agents/me", "", key, id, "10.0.0.2");
  CHECK(r.status == 401);
  CHECK(r.j()["error"]["code"] == "IP_MISMATCH");
  // A forwarded address from an untrusted peer would be ignored; here the peer is trusted, and
  // the rightmost untrusted hop counts: a client cannot prepend the anchored address.
  r = c.Signed("GET", "/v1/agents/me", "", key, id, "10.0.0.1, 10.0.0.2");
  CHECK(r.status == 401);
  CHECK(r.j()["error"]["code"] == "IP_MISMATCH");
}

TEST_CASE("the rate limit answers 429 with the X-RateLimit headers") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  server::ArenaServer srv(Config(dir.path), "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  long last = 0;
  for (int i = 0; i < 70 && last != 429; ++i) last = c.Get("/v1/health").status;
  CHECK(last == 429);  // public routes: 60 per minute per IP
}
