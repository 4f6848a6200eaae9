// DPoP sessions (PROTOCOL.md §7) through the real ArenaServer in process: log in by signature
// and by connect code, authenticated calls with proofs, refresh rotation, reuse detection,
// every proof check, log out, and state (sessions, jti cache) across a restart.
#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "client/dpop.h"
#include "client/ed25519.h"
#include "client/encoding.h"
#include "client/signed_request.h"
#include "sim/server/arena.h"
#include "sim/server/server.h"
#include "tests/sim/server/test_client.h"
#include "sim/server/sessions.h"

namespace {

using nlohmann::json;
using namespace claw;

using namespace claw::servertest;

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}


// Without rate limits: the tests send many logins from one IP.
server::ServeConfig UnlimitedConfig(const std::string& dir) {
  server::ServeConfig c = Config(dir);
  c.rate_limits = false;
  return c;
}

std::string Register(Client& c, const Key& key, const std::string& name) {
  const std::string body =
      json{{"name", name}, {"description", "t"}, {"public_key", key.pub_text()}}.dump();
  Reply r = c.Signed("POST", "/v1/agents/register", body, key, "");
  REQUIRE(r.status == 201);
  return r.j()["agent_id"].get<std::string>();
}

// Runs `fn` on the engine thread and waits until its batch has committed.
template <typename T>
T OnEngine(server::ArenaServer& srv, std::function<T(server::Txn&)> fn) {
  std::promise<T> done;
  auto fut = done.get_future();
  REQUIRE(srv.arena()->Post([&](server::Txn& txn) {
    T v = fn(txn);
    // (Catch's macros are not for other threads: a failed commit shows in what follows.)
    txn.AfterCommit([&done, v](const Status&) { done.set_value(v); });
  }));
  return fut.get();
}

std::string IssueCode(server::ArenaServer& srv, const std::string& agent_id) {
  return OnEngine<std::string>(srv, [&](server::Txn& txn) {
    return srv.sessions()->IssueConnectCode(txn, agent_id);
  });
}

Reply LoginSigned(Client& c, const Key& key, const std::string& agent, const Key& dpop_key) {
  auto headers = c.SignedHeaders("POST", "/v1/sessions", "{}", key, agent);
  headers.push_back("DPoP: " + c.Proof("POST", "/v1/sessions", dpop_key));
  return c.Send("POST", "/v1/sessions", "{}", headers);
}

Reply LoginCode(Client& c, const std::string& code, const Key& dpop_key) {
  return c.Send("POST", "/v1/sessions", json{{"connect_code", code}}.dump(),
                {"DPoP: " + c.Proof("POST", "/v1/sessions", dpop_key)});
}

Reply Refresh(Client& c, const std::string& refresh, const Key& dpop_key) {
  return c.Send("POST", "/v1/sessions/refresh", json{{"refresh_token", refresh}}.dump(),
                {"DPoP: " + c.Proof("POST", "/v1/sessions/refresh", dpop_key)});
}

}  // namespace

TEST_CASE("sessions: connect codes are 6 chars A-Z0-9, single use, and RevokeAll ends sessions") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  server::ArenaServer srv(UnlimitedConfig(dir.path), "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  Key key, dpop;
  const std::string agent = Register(c, key, "code-agent");

  const std::string code = IssueCode(srv, agent);
  REQUIRE(code.size() == 6);
  for (char ch : code) REQUIRE(((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')));

  Reply r = LoginCode(c, code, dpop);
  REQUIRE(r.status == 201);
  json t = r.j();
  CHECK(t["token_type"] == "DPoP");
  CHECK(t["expires_in"] == 300);
  CHECK(t["agent_id"] == agent);
  const std::string access = t["access_token"];

  // Single use.
  Reply again = LoginCode(c, code, dpop);
  CHECK(again.status == 401);
  CHECK(again.code() == "INVALID_CONNECT_CODE");

  // The session works on an authenticated route, bound to the DPoP key (not the agent key).
  Reply me = c.WithSession("GET", "/v1/agents/me", access, dpop);
  REQUIRE(me.status == 200);
  CHECK(me.j()["agent_id"] == agent);

  // A second session by signature, then RevokeAll ends both.
  Reply s2 = LoginSigned(c, key, agent, key);
  REQUIRE(s2.status == 201);
  const int revoked = OnEngine<int>(srv, [&](server::Txn& txn) {
    return srv.sessions()->RevokeAll(txn, agent, "owner_revoke");
  });
  CHECK(revoked == 2);
  CHECK(c.WithSession("GET", "/v1/agents/me", access, dpop).code() == "INVALID_TOKEN");
  CHECK(c.WithSession("GET", "/v1/agents/me", s2.j()["access_token"], key).code() ==
        "INVALID_TOKEN");
  CHECK(Refresh(c, t["refresh_token"], dpop).code() == "INVALID_TOKEN");
  // Nothing left to revoke.
  CHECK(OnEngine<int>(srv, [&](server::Txn& txn) {
          return srv.sessions()->RevokeAll(txn, agent, "again");
        }) == 0);
  // The code is stored hashed: the clear code appears nowhere in the database file.
  srv.Stop();
  Result<std::string> db = [&]() -> Result<std::string> {
    std::ifstream in(dir.path + "/arena.db", std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }();
  CHECK(db->find(code) == std::string::npos);
  CHECK(db->find(access) == std::string::npos);
}

TEST_CASE("sessions: refresh rotates; reuse revokes every session; another key revokes nothing") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  server::ArenaServer srv(UnlimitedConfig(dir.path), "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  Key key, thief;
  const std::string agent = Register(c, key, "refresh-agent");

  Reply login = LoginSigned(c, key, agent, key);
  REQUIRE(login.status == 201);
  const std::string at1 = login.j()["access_token"], rt1 = login.j()["refresh_token"];
  Reply other = LoginSigned(c, key, agent, key);
  REQUIRE(other.status == 201);
  const std::string other_at = other.j()["access_token"];

  Reply r = Refresh(c, rt1, key);
  REQUIRE(r.status == 200);
  const std::string at2 = r.j()["access_token"], rt2 = r.j()["refresh_token"];
  CHECK(rt2 != rt1);
  CHECK(r.j()["session_id"] == login.j()["session_id"]);
  CHECK(c.WithSession("GET", "/v1/agents/me", at1, key).code() == "INVALID_TOKEN");
  CHECK(c.WithSession("GET", "/v1/agents/me", at2, key).status == 200);

  // The rotated token with another key's proof: 401, nothing revoked.
  Reply wrong = Refresh(c, rt1, thief);
  CHECK(wrong.status == 401);
  CHECK(wrong.code() == "INVALID_DPOP_PROOF");
  CHECK(wrong.check() == "jkt");
  CHECK(c.WithSession("GET", "/v1/agents/me", at2, key).status == 200);
  // The current token with another key's proof: 401 too, and it stays usable.
  CHECK(Refresh(c, rt2, thief).check() == "jkt");

  // The rotated token again with the right key: reuse. Both sessions are revoked.
  Reply reuse = Refresh(c, rt1, key);
  CHECK(reuse.status == 403);
  CHECK(reuse.code() == "REFRESH_REUSE");
  CHECK(c.WithSession("GET", "/v1/agents/me", at2, key).code() == "INVALID_TOKEN");
  CHECK(c.WithSession("GET", "/v1/agents/me", other_at, key).code() == "INVALID_TOKEN");
  CHECK(Refresh(c, rt2, key).code() == "INVALID_TOKEN");
  CHECK(Refresh(c, "claw_rt_unknown", key).code() == "INVALID_TOKEN");
  CHECK(srv.sessions()->live_count(Now() * 1000) == 0);

  // Audited, and readable with a signed request.
  Reply audit = c.Signed("GET", "/v1/audit?limit=100", "", key, agent);
  REQUIRE(audit.status == 200);
  int reuse_rows = 0;
  const json entries = audit.j()["audit_entries"];
  for (const auto& e : entries) reuse_rows += e["event_type"] == "refresh_reuse";
  CHECK(reuse_rows == 1);
}

TEST_CASE("sessions: every proof check, log out, and the jti cache across a restart") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  Key key, other;
  std::string agent, access, replay_proof;
  {
    server::ArenaServer srv(UnlimitedConfig(dir.path), "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());
    agent = Register(c, key, "proof-agent");
    Reply login = LoginSigned(c, key, agent, key);
    REQUIRE(login.status == 201);
    access = login.j()["access_token"];
    auto call = [&](const std::string& proof) {
      return c.Send("GET", "/v1/agents/me", "", {"Authorization: DPoP " + access, "DPoP: " + proof});
    };
    const std::string path = "/v1/agents/me";
    CHECK(call(c.Proof("GET", path, key, access)).status == 200);
    CHECK(call(c.Proof("GET", path, key, access, Now() - 90)).check() == "iat");
    CHECK(call(c.Proof("GET", path, key, access, Now() + 90)).check() == "iat");
    CHECK(call(c.Proof("POST", path, key, access)).check() == "htm");
    CHECK(call(c.Proof("GET", "/v1/portfolio", key, access)).check() == "htu");
    CHECK(call(c.Proof("GET", path, key)).check() == "ath");
    CHECK(call(c.Proof("GET", path, key, std::string("claw_at_other"))).check() == "ath");
    CHECK(call(c.Proof("GET", path, other, access)).check() == "jkt");
    CHECK(call("not.a.jws").check() == "malformed");
    Reply missing = c.Send("GET", path, "", {"Authorization: DPoP " + access});
    CHECK(missing.status == 401);
    CHECK(missing.check() == "missing");
    // A tampered signature fails.
    std::string p = c.Proof("GET", path, key, access);
    const std::size_t dot = p.rfind('.');
    p[dot + 5] = p[dot + 5] == 'A' ? 'B' : 'A';
    CHECK(call(p).check() == "signature");
    // Unknown token.
    Reply unknown = c.Send("GET", path, "",
                           {"Authorization: DPoP claw_at_nope", "DPoP: " + c.Proof("GET", path, key, std::string("claw_at_nope"))});
    CHECK(unknown.status == 401);
    CHECK(unknown.code() == "INVALID_TOKEN");
    // jti once.
    replay_proof = c.Proof("GET", path, key, access);
    CHECK(call(replay_proof).status == 200);
    Reply replay = call(replay_proof);
    CHECK(replay.status == 401);
    CHECK(replay.code() == "INVALID_DPOP_PROOF");
    CHECK(replay.check() == "jti");
    // Rejected proofs changed nothing: the session still works, on other routes too.
    CHECK(c.WithSession("GET", "/v1/portfolio", access, key).status == 200);
    CHECK(c.WithSession("GET", "/v1/orders?limit=5", access, key).status == 200);
    CHECK(srv.sessions()->jti_count() >= 2);
    srv.Stop();
  }
  {
    // After a restart the session and the jti cache are back.
    server::ServeConfig cfg = UnlimitedConfig(dir.path);
    server::ArenaServer srv(cfg, "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());
    // The port changed, so the old proof's htu no longer matches this server; ask the cache
    // directly for the jti it carried, as the replay check would.
    CHECK(srv.sessions()->jti_count() >= 2);
    CHECK(c.WithSession("GET", "/v1/agents/me", access, key).status == 200);
    // Log out: this session only.
    Reply second = LoginSigned(c, key, agent, key);
    REQUIRE(second.status == 201);
    Reply out = c.WithSession("DELETE", "/v1/sessions", access, key);
    REQUIRE(out.status == 200);
    CHECK(out.j()["revoked"] == 1);
    CHECK(c.WithSession("GET", "/v1/agents/me", access, key).code() == "INVALID_TOKEN");
    CHECK(c.WithSession("GET", "/v1/agents/me", second.j()["access_token"], key).status == 200);
    // A signed DELETE logs out everywhere.
    Reply all = c.Signed("DELETE", "/v1/sessions", "", key, agent);
    REQUIRE(all.status == 200);
    CHECK(all.j()["revoked"] == 1);
    CHECK(c.WithSession("GET", "/v1/agents/me", second.j()["access_token"], key).code() == "INVALID_TOKEN");
  }
}

TEST_CASE("sessions: a restart on the same URL refuses a proof replayed from before it") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  Key key;
  // A fixed public URL: the proof's htu stays valid across the restart (the port may change).
  server::ServeConfig cfg = UnlimitedConfig(dir.path);
  cfg.public_url = "http://arena.test";
  std::string agent, access, proof;
  {
    server::ArenaServer srv(cfg, "test");
    REQUIRE(srv.Start().ok());
    Client c("http://127.0.0.1:" + std::to_string(srv.port()));
    agent = Register(c, key, "restart-agent");
    auto headers = c.SignedHeaders("POST", "/v1/sessions", "{}", key, agent);
    client::DpopProofInput login{"POST", "http://arena.test/v1/sessions", std::nullopt, std::nullopt, std::nullopt};
    headers.push_back("DPoP: " + *client::MakeDpopProof(login, key.secret));
    Reply r = c.Send("POST", "/v1/sessions", "{}", headers);
    REQUIRE(r.status == 201);
    access = r.j()["access_token"];
    client::DpopProofInput in{"GET", "http://arena.test/v1/agents/me", access, std::nullopt, std::nullopt};
    proof = *client::MakeDpopProof(in, key.secret);
    REQUIRE(c.Send("GET", "/v1/agents/me", "", {"Authorization: DPoP " + access, "DPoP: " + proof}).status == 200);
    // A proof whose htu names the listen address instead of the public URL is refused.
    Reply local = c.WithSession("GET", "/v1/agents/me", access, key);
    CHECK(local.check() == "htu");
  }
  server::ArenaServer srv(cfg, "test");
  REQUIRE(srv.Start().ok());
  Client c("http://127.0.0.1:" + std::to_string(srv.port()));
  Reply replay = c.Send("GET", "/v1/agents/me", "", {"Authorization: DPoP " + access, "DPoP: " + proof});
  CHECK(replay.status == 401);
  CHECK(replay.check() == "jti");
  client::DpopProofInput fresh{"GET", "http://arena.test/v1/agents/me", access, std::nullopt, std::nullopt};
  CHECK(c.Send("GET", "/v1/agents/me", "",
               {"Authorization: DPoP " + access, "DPoP: " + *client::MakeDpopProof(fresh, key.secret)})
            .status == 200);
}

TEST_CASE("sessions: connect codes allow 10 tries per minute per IP; login needs a proof") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  server::ArenaServer srv(UnlimitedConfig(dir.path), "test");
  REQUIRE(srv.Start().ok());
  Client c(srv.base_url());
  Key key;
  const std::string agent = Register(c, key, "tries-agent");
  const std::string code = IssueCode(srv, agent);
  // Without a proof: 401, and the code is not used up.
  Reply bare = c.Send("POST", "/v1/sessions", json{{"connect_code", code}}.dump(), {});
  CHECK(bare.status == 401);
  CHECK(bare.check() == "missing");
  for (int i = 0; i < 8; ++i) CHECK(LoginCode(c, "ZZZZZ" + std::to_string(i), key).code() == "INVALID_CONNECT_CODE");
  // The 10th try in the minute still counts, and works.
  Reply ok = LoginCode(c, code, key);
  CHECK(ok.status == 201);
  Reply limited = LoginCode(c, IssueCode(srv, agent), key);
  CHECK(limited.status == 429);
  CHECK(limited.code() == "RATE_LIMITED");
  // Bad bodies.
  CHECK(c.Send("POST", "/v1/sessions", "[1]", {}).status == 400);
  CHECK(c.Send("POST", "/v1/sessions", R"({"connect_code":1})", {}).status == 400);
}
