// Commit-reveal through the real server (PROTOCOL.md §6): ArenaServer in process on a replay
// feed whose events we write, so the arena clock is exactly the feed's. Restarting with a
// longer feed moves the clock on (the server skips what it already applied), which is how the
// test reaches a later price, then the end of the reveal period's grace, deterministically.
#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "client/commitment.h"
#include "client/ed25519.h"
#include "client/eip191.h"
#include "client/encoding.h"
#include "client/signed_request.h"
#include "client/view_key.h"
#include "sim/engine/sealed.h"
#include "sim/run/messages.h"
#include "sim/server/server.h"
#include "tests/sim/server/test_client.h"

namespace {

using nlohmann::json;
using namespace claw;

using namespace claw::servertest;


// ---- the feed: mark prices we choose, at times we choose ----

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;
const engine::RevealClock kClock = engine::RevealClock::Make(14, "friday 00:00 UTC", 24).value();
constexpr std::int64_t kPeriod = 1461;  // a period in 2026
const std::int64_t kT1 = kClock.Start(kPeriod) + kDay;      // commits
const std::int64_t kT2 = kT1 + kHour;                       // closes
const std::int64_t kT3 = kClock.GraceEnd(kPeriod) + kHour;  // after the grace

std::string Mark(std::int64_t t, const std::string& sym, const std::string& price) {
  return R"({"e":"markPriceUpdate","E":)" + std::to_string(t) + R"(,"s":")" + sym +
         R"(","p":")" + price + R"(","i":")" + price + R"(","P":")" + price +
         R"(","r":"0","T":)" + std::to_string(t) + "}\n";
}

// Phase 1 ends at kT1 at 875.5; phase 2 adds 892.25 at kT2; phase 3 adds a tick after the grace.
void WriteFeed(const std::string& path, int phase) {
  std::ofstream f(path, std::ios::trunc);
  f << Mark(kT1 - 10 * 60'000, "NVDAUSDT", "870.00000000");
  f << Mark(kT1 - 5 * 60'000, "NVDAUSDT", "875.50000000");
  f << Mark(kT1, "NVDAUSDT", "875.50000000");
  if (phase >= 2) f << Mark(kT2, "NVDAUSDT", "892.25000000");
  if (phase >= 3) f << Mark(kT3, "NVDAUSDT", "892.25000000");
}

server::ServeConfig Config(const std::string& dir, const std::string& feed) {
  server::ServeConfig c;
  c.listen_host = "127.0.0.1";
  c.listen_port = 0;
  c.data_dir = dir;
  c.io_threads = 2;
  c.rate_limits = false;
  c.feed_source = "replay";
  c.arena.feed_files = {feed};
  c.arena.speed = run::SpeedMode::kMax;
  return c;
}

void WaitForFeed(Client& c, std::int64_t until_ms) {
  for (int i = 0; i < 200; ++i) {
    json h = c.Get("/v1/health").j();
    if (h.is_object() && h["feed"]["state"] == "finished" &&
        h["arena_time"] == run::IsoMillis(until_ms)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  FAIL("the replay feed did not reach " + run::IsoMillis(until_ms));
}

std::string Iso(std::int64_t ms) { return run::IsoMillis(ms); }

// A trade as the client keeps it.
struct Sealed {
  std::string side;
  std::int64_t lobs = 0;
  std::string symbol;
  double price = 0;
  std::string timestamp;
  std::string nonce = client::NewUuidV4();
  std::string hash, signature, scheme = "ed25519";
  bool sorted = false;
  std::string id;
};

struct Agent {
  Key key;
  std::string id, name;
  client::Bytes eth;  // secp256k1 private key; empty: ed25519 commitments
};

void Sign(const Agent& a, Sealed* s, const std::string& action = "OPEN") {
  client::CommitmentFields f{a.id, action, s->side, s->lobs, s->symbol, s->price, s->timestamp, s->nonce};
  auto msg = client::CommitmentMessage(f, s->sorted);
  REQUIRE(msg.ok());
  s->hash = client::CommitmentHash(*msg);
  if (a.eth.empty()) {
    auto sig = client::SignCommitmentEd25519(s->hash, a.key.secret);
    REQUIRE(sig.ok());
    s->signature = *sig;
    s->scheme = "ed25519";
  } else {
    auto sig = client::SignCommitmentEip191(s->hash, a.eth);
    REQUIRE(sig.ok());
    s->signature = *sig;
    s->scheme = "eip191";
  }
}

json CommitBody(const Sealed& s) {
  return {{"action", "OPEN"},
          {"side", s.side},
          {"lobs", s.lobs},
          {"timestamp", s.timestamp},
          {"commitment", {{"hash", s.hash}, {"signature", s.signature}, {"scheme", s.scheme}}}};
}

Reply Commit(Client& c, const Agent& a, Sealed* s, json extra = json::object()) {
  json body = CommitBody(*s);
  for (auto& [k, v] : extra.items()) body[k] = v;
  Reply r = c.Signed("POST", "/v1/commitments", body.dump(), a.key, a.id);
  if (r.status == 201) s->id = r.j()["trade_id"];
  return r;
}

Reply Reveal(Client& c, const Agent& a, const Sealed& s, const std::string& symbol, double price,
             const std::string& nonce) {
  json body = {{"symbol", symbol}, {"price", price}, {"nonce", nonce}};
  return c.Signed("POST", "/v1/commitments/" + s.id + "/reveal", body.dump(), a.key, a.id);
}

Agent Register(Client& c, const std::string& name, const client::Bytes& eth = {}) {
  Agent a;
  a.name = name;
  a.eth = eth;
  json reg = {{"name", name}, {"public_key", a.key.pub_text()}};
  if (!eth.empty()) reg["eth_address"] = client::EthAddressFromPrivateKey(eth).value();
  Reply r = c.Signed("POST", "/v1/agents/register", reg.dump(), a.key, "");
  REQUIRE(r.status == 201);
  a.id = r.j()["agent_id"];
  return a;
}

std::string Balance(Client& c, const Agent& a) {
  Reply r = c.Signed("GET", "/v1/portfolio", "", a.key, a.id);
  REQUIRE(r.status == 200);
  return r.j()["balance"];
}

}  // namespace

TEST_CASE("commit-reveal end to end: reveals, tampering, the tape, periods, view keys, restart") {
  REQUIRE(sodium_init() >= 0);
  TempDir dir;
  const std::string feed = dir.path + "/feed.jsonl";
  // A well-known secp256k1 test key (web3.js documentation).
  const client::Bytes eth =
      client::ParseEthPrivateKey("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318").value();

  Agent alice, bob;
  Sealed t_long, t_sorted, t_tamper, t_off, t_unknown, t_close_long, t_close_short, t_fail, t_eip;
  std::map<std::string, json> before_restart;

  // ---- phase 1: arena clock at kT1, NVDAUSDT at 875.5 ----
  WriteFeed(feed, 1);
  {
    server::ArenaServer srv(Config(dir.path + "/data", feed), "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());
    WaitForFeed(c, kT1);
    json health = c.Get("/v1/health").j();
    CHECK(health["reveal"]["period"] == kPeriod);
    CHECK(health["reveal"]["period_start"] == Iso(kClock.Start(kPeriod)));
    CHECK(health["reveal"]["grace_end"] == Iso(kClock.GraceEnd(kPeriod)));
    CHECK(health["reveal"]["tolerance_bps"] == 50);

    alice = Register(c, "alice");
    bob = Register(c, "bob", eth);
    const std::string ts = Iso(kT1);
    auto make = [&](const Agent& a, const std::string& side, std::int64_t lobs, const std::string& sym,
                    double price, bool sorted = false) {
      Sealed s;
      s.side = side;
      s.lobs = lobs;
      s.symbol = sym;
      s.price = price;
      s.timestamp = ts;
      s.sorted = sorted;
      Sign(a, &s);
      return s;
    };

    // Commit + reveal in seed key order; hidden fields null until then.
    t_long = make(alice, "LONG", 500, "NVDAUSDT", 875.5);
    Reply r = Commit(c, alice, &t_long);
    REQUIRE(r.status == 201);
    CHECK(r.j()["status"] == "committed");
    CHECK(r.j()["period"] == kPeriod);
    CHECK(r.j()["commitment_hash"] == t_long.hash);
    CHECK(r.j()["public"] == json{{"action", "OPEN"}, {"side", "LONG"}, {"lobs", 500}, {"timestamp", ts}});
    CHECK(Balance(c, alice) == "9500.00000000");
    // The same commitment again (a retried request): the same trade, nothing held twice.
    r = Commit(c, alice, &t_long);
    CHECK(r.status == 200);
    CHECK(r.j()["trade_id"] == t_long.id);
    CHECK(Balance(c, alice) == "9500.00000000");
    json g = c.Get("/v1/commitments/" + t_long.id).j();
    CHECK(g["symbol"].is_null());
    CHECK(g["price"].is_null());
    CHECK(g["revealed"] == false);
    CHECK(g["agent_name"] == "alice");
    r = Reveal(c, alice, t_long, "NVDAUSDT", 875.5, t_long.nonce);
    REQUIRE(r.status == 200);
    CHECK(r.j()["status"] == "revealed");
    CHECK(r.j()["symbol"] == "NVDAUSDT");
    CHECK(r.j()["price"] == "875.5");
    CHECK(r.j()["revealed_at"] == ts);
    CHECK(Reveal(c, alice, t_long, "NVDAUSDT", 875.5, t_long.nonce).status == 409);

    // Sorted key order (what the live Clawstreet hashes), price within the tolerance.
    t_sorted = make(alice, "SHORT", 300, "NVDAUSDT", 878, true);
    REQUIRE(Commit(c, alice, &t_sorted).status == 201);
    r = Reveal(c, alice, t_sorted, "NVDAUSDT", 878, t_sorted.nonce);
    REQUIRE(r.status == 200);
    CHECK(r.j()["price"] == "878");

    // Tampered reveals: another symbol, another price, a wrong nonce; another agent's reveal.
    t_tamper = make(alice, "LONG", 100, "NVDAUSDT", 875.5);
    REQUIRE(Commit(c, alice, &t_tamper).status == 201);
    r = Reveal(c, alice, t_tamper, "BTCUSDT", 875.5, t_tamper.nonce);
    CHECK(r.status == 422);
    CHECK(r.code() == "REVEAL_MISMATCH");
    CHECK(r.reason() == "hash_mismatch");
    r = Reveal(c, alice, t_tamper, "NVDAUSDT", 875.6, t_tamper.nonce);
    CHECK(r.reason() == "hash_mismatch");
    r = Reveal(c, alice, t_tamper, "NVDAUSDT", 875.5, client::NewUuidV4());
    CHECK(r.status == 422);
    CHECK(r.reason() == "hash_mismatch");
    CHECK(Reveal(c, bob, t_tamper, "NVDAUSDT", 875.5, t_tamper.nonce).status == 404);
    CHECK(c.Get("/v1/commitments/" + t_tamper.id).j()["revealed"] == false);

    // A price the tape never showed (hash and signature fine): price_off_tape; unknown symbol.
    t_off = make(alice, "LONG", 100, "NVDAUSDT", 900);
    REQUIRE(Commit(c, alice, &t_off).status == 201);
    r = Reveal(c, alice, t_off, "NVDAUSDT", 900, t_off.nonce);
    CHECK(r.status == 422);
    CHECK(r.reason() == "price_off_tape");
    t_unknown = make(alice, "LONG", 100, "FOOUSDT", 1);
    REQUIRE(Commit(c, alice, &t_unknown).status == 201);
    CHECK(Reveal(c, alice, t_unknown, "FOOUSDT", 1, t_unknown.nonce).reason() == "unknown_symbol");

    // The failures are audited.
    r = c.Signed("GET", "/v1/audit?limit=100", "", alice.key, alice.id);
    REQUIRE(r.status == 200);
    int failed = 0, created = 0, revealed = 0;
    const json audit = r.j();
    for (const auto& a : audit["audit_entries"]) {
      failed += a["event_type"] == "reveal_failed";
      created += a["event_type"] == "commitment_created";
      revealed += a["event_type"] == "trade_revealed";
    }
    CHECK(failed == 5);
    CHECK(created == 5);
    CHECK(revealed == 2);

    // Back-dated and future commitments; more lobs than the balance; a bad signature.
    Sealed stale = make(alice, "LONG", 100, "NVDAUSDT", 875.5);
    stale.timestamp = Iso(kT1 - 31'000);
    Sign(alice, &stale);
    r = Commit(c, alice, &stale);
    CHECK(r.status == 422);
    CHECK(r.code() == "STALE_COMMITMENT");
    stale.timestamp = Iso(kT1 + 31'000);
    Sign(alice, &stale);
    CHECK(Commit(c, alice, &stale).code() == "STALE_COMMITMENT");
    Sealed big = make(alice, "LONG", 9'000, "NVDAUSDT", 875.5);
    r = Commit(c, alice, &big);
    CHECK(r.status == 422);
    CHECK(r.code() == "INSUFFICIENT_BALANCE");
    Sealed forged = make(alice, "LONG", 100, "NVDAUSDT", 875.5);
    forged.signature = make(alice, "LONG", 101, "NVDAUSDT", 875.5).signature;
    r = Commit(c, alice, &forged);
    CHECK(r.status == 422);
    CHECK(r.reason() == "bad_signature");
    CHECK(Balance(c, alice) == "8900.00000000");  // 500 + 300 + 3 * 100 held
    CHECK(c.Signed("GET", "/v1/portfolio", "", alice.key, alice.id).j()["sealed_held"] == "1100.00000000");

    // EIP-191: a commitment signed with bob's registered secp256k1 key; and with another key.
    t_eip = make(bob, "LONG", 200, "NVDAUSDT", 875.5);
    r = Commit(c, bob, &t_eip);
    REQUIRE(r.status == 201);
    CHECK(c.Get("/v1/commitments/" + t_eip.id).j()["scheme"] == "eip191");
    r = Reveal(c, bob, t_eip, "NVDAUSDT", 875.5, t_eip.nonce);
    CHECK(r.status == 200);
    Agent mallory = bob;
    mallory.eth = client::ParseEthPrivateKey(std::string(64, '1')).value();
    Sealed wrong = make(mallory, "LONG", 200, "NVDAUSDT", 875.5);
    r = Commit(c, bob, &wrong);
    CHECK(r.status == 422);
    CHECK(r.reason() == "wrong_signer");

    // To close after the restart (one with a sealed view-key blob), and one never revealed.
    t_close_long = make(alice, "LONG", 1'000, "NVDAUSDT", 875.5);
    {
      auto master = client::MasterViewKey(alice.key.secret).value();
      auto trade_key = client::TradeViewKey(client::PeriodViewKey(master, kPeriod), t_close_long.hash);
      auto sealed = client::SealHiddenFields(
          trade_key, t_close_long.hash,
          client::HiddenFieldsJson({"NVDAUSDT", "875.5", t_close_long.nonce}));
      REQUIRE(sealed.ok());
      r = Commit(c, alice, &t_close_long,
                 {{"sealed", {{"nonce", sealed->nonce_text()}, {"ciphertext", sealed->ciphertext_text()}}}});
      REQUIRE(r.status == 201);
    }
    t_close_short = make(bob, "SHORT", 1'000, "NVDAUSDT", 875.5);
    REQUIRE(Commit(c, bob, &t_close_short).status == 201);
    t_fail = make(alice, "LONG", 100, "NVDAUSDT", 875.5);
    REQUIRE(Commit(c, alice, &t_fail).status == 201);

    // Lists by revealed state.
    json list = c.Get("/v1/agents/alice/commitments?revealed=true").j();
    CHECK(list["commitments"].size() == 2);
    list = c.Get("/v1/agents/alice/commitments?revealed=false&limit=2").j();
    CHECK(list["commitments"].size() == 2);
    CHECK(list["limit"] == 2);
    CHECK(c.Get("/v1/agents/alice/commitments?revealed=all").j()["commitments"].size() == 7);
    CHECK(c.Get("/v1/agents/alice/commitments?revealed=maybe").status == 400);

    for (int id = 1; id <= 12; ++id) {
      Reply g2 = c.Get("/v1/commitments/" + std::to_string(id));
      if (g2.status == 200) before_restart[std::to_string(id)] = g2.j();
    }
    CHECK(before_restart.size() == 9);
    srv.Stop();
  }

  // ---- phase 2: restart; the clock moves to kT2 (892.25) ----
  WriteFeed(feed, 2);
  {
    server::ArenaServer srv(Config(dir.path + "/data", feed), "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());
    WaitForFeed(c, kT2);
    for (const auto& [id, j] : before_restart) {
      INFO("trade " << id);
      CHECK(c.Get("/v1/commitments/" + id).j() == j);
    }
    CHECK(Balance(c, alice) == "7800.00000000");

    // View keys: trade, period and master tiers; a wrong key; a trade without a sealed blob.
    auto master = client::MasterViewKey(alice.key.secret).value();
    auto period_key = client::PeriodViewKey(master, kPeriod);
    auto trade_key = client::TradeViewKey(period_key, t_close_long.hash);
    const std::string path = "/v1/commitments/" + t_close_long.id;
    struct Tier {
      client::ViewKey key;
      const char* name;
    };
    for (const Tier& t : {Tier{trade_key, "trade"}, Tier{period_key, "period"}, Tier{master, "master"}}) {
      INFO(t.name);
      Reply v = c.Get(path, {"X-View-Key: " + client::FormatViewKey(t.key)});
      REQUIRE(v.status == 200);
      CHECK(v.j()["view"] == json{{"tier", t.name}, {"symbol", "NVDAUSDT"}, {"price", "875.5"}});
      CHECK(v.j()["symbol"].is_null());  // the public fields stay hidden
    }
    Reply v = c.Get(path + "?view_key=" + client::FormatViewKey(period_key));
    CHECK(v.j()["view"]["tier"] == "period");
    auto other_master = client::MasterViewKey(bob.key.secret).value();
    v = c.Get(path, {"X-View-Key: " + client::FormatViewKey(other_master)});
    CHECK(v.status == 403);
    CHECK(v.code() == "INVALID_VIEW_KEY");
    CHECK(v.body.find("NVDAUSDT") == std::string::npos);
    CHECK(c.Get(path, {"X-View-Key: not-a-key"}).code() == "INVALID_VIEW_KEY");
    CHECK(c.Get(path, {"X-View-Key: " + client::FormatViewKey(client::PeriodViewKey(master, kPeriod + 1))}).status == 403);
    CHECK(c.Get("/v1/commitments/" + t_long.id, {"X-View-Key: " + client::FormatViewKey(master)}).code() ==
          "NOT_SEALED");

    // Close LONG (revealing in the same call) and SHORT at 892.25.
    auto close = [&](const Agent& a, const Sealed& open, bool with_reveal, double price) {
      Sealed cl;
      cl.side = open.side;
      cl.lobs = open.lobs;
      cl.symbol = open.symbol;
      cl.price = price;
      cl.timestamp = Iso(kT2);
      Sign(a, &cl, "CLOSE");
      json body = {{"close", {{"price", price}, {"timestamp", cl.timestamp}, {"nonce", cl.nonce}}},
                   {"close_commitment", {{"hash", cl.hash}, {"signature", cl.signature}, {"scheme", cl.scheme}}}};
      if (with_reveal) body["reveal"] = {{"symbol", open.symbol}, {"price", open.price}, {"nonce", open.nonce}};
      return c.Signed("POST", "/v1/commitments/" + open.id + "/close", body.dump(), a.key, a.id);
    };
    Reply r = close(alice, t_close_long, false, 892.25);
    CHECK(r.status == 422);
    CHECK(r.code() == "REVEAL_REQUIRED");
    r = close(alice, t_close_long, true, 950);
    CHECK(r.reason() == "price_off_tape");
    r = close(alice, t_close_long, true, 892.25);
    REQUIRE(r.status == 200);
    json j = r.j();
    CHECK(j["status"] == "closed");
    CHECK(j["opening_trade"] == json{{"trade_id", t_close_long.id}, {"symbol", "NVDAUSDT"}, {"price", "875.5"}, {"revealed", true}});
    CHECK(j["pnl_lobs"] == "19.1319");  // 1000 * 16.75 / 875.5
    CHECK(j["pnl_percent"] == "1.9132");
    const std::string close_id = j["trade_id"];
    json ct = c.Get("/v1/commitments/" + close_id).j();
    CHECK(ct["action"] == "CLOSE");
    CHECK(ct["opening_trade_id"] == t_close_long.id);
    CHECK(ct["price"] == "892.25");
    CHECK(c.Get("/v1/commitments/" + t_close_long.id).j()["close_trade_id"] == close_id);
    CHECK(Balance(c, alice) == "8819.13190000");  // 7800 + 1000 + 19.1319
    CHECK(close(alice, t_close_long, true, 892.25).status == 409);

    r = close(bob, t_close_short, true, 892.25);
    REQUIRE(r.status == 200);
    CHECK(r.j()["pnl_lobs"] == "-19.1319");
    CHECK(r.j()["pnl_percent"] == "-1.9132");
    // An already revealed open closes without reveal data.
    r = close(alice, t_long, false, 892.25);
    REQUIRE(r.status == 200);
    CHECK(r.j()["pnl_lobs"] == "9.5660");
    // Stale close timestamps are refused too.
    Sealed late;
    late.side = "SHORT";
    late.lobs = 300;
    late.symbol = "NVDAUSDT";
    late.price = 892.25;
    late.timestamp = Iso(kT2 - 60'000);
    Sign(alice, &late, "CLOSE");
    json body = {{"close", {{"price", 892.25}, {"timestamp", late.timestamp}, {"nonce", late.nonce}}},
                 {"close_commitment", {{"hash", late.hash}, {"signature", late.signature}, {"scheme", "ed25519"}}}};
    CHECK(c.Signed("POST", "/v1/commitments/" + t_sorted.id + "/close", body.dump(), alice.key, alice.id).code() ==
          "STALE_COMMITMENT");
    srv.Stop();
  }

  // ---- phase 3: restart; the clock passes the period's grace ----
  WriteFeed(feed, 3);
  {
    server::ArenaServer srv(Config(dir.path + "/data", feed), "test");
    REQUIRE(srv.Start().ok());
    Client c(srv.base_url());
    WaitForFeed(c, kT3);
    json f = c.Get("/v1/commitments/" + t_fail.id).j();
    CHECK(f["status"] == "reveal_failed");
    CHECK(f["pnl_lobs"] == "0.0000");
    Reply r = Reveal(c, alice, t_fail, "NVDAUSDT", 875.5, t_fail.nonce);
    CHECK(r.status == 422);
    CHECK(r.code() == "REVEAL_WINDOW_CLOSED");
    // Revealed but open trades keep their lobs; failed ones returned theirs with zero pnl.
    // alice: 10000 + 19.1319 + 9.5660 - 300 (t_sorted, still open).
    CHECK(Balance(c, alice) == "9728.69790000");
    CHECK(c.Get("/v1/commitments/" + t_sorted.id).j()["status"] == "revealed");

    json lb = c.Get("/v1/leaderboard?period=" + std::to_string(kPeriod)).j();
    json rk = lb["sealed"]["rankings"];
    INFO(lb.dump());
    REQUIRE(rk.size() == 2);
    CHECK(rk[0]["agent"] == "alice");
    CHECK(rk[0]["pnl_lobs"] == "28.6979");
    CHECK(rk[0]["revealed"] == 3);
    CHECK(rk[0]["failed"] == 4);  // tampered, off tape, unknown symbol, never revealed
    CHECK(rk[1]["agent"] == "bob");
    CHECK(rk[1]["pnl_lobs"] == "-19.1319");
    CHECK(lb["sealed"]["period_end"] == Iso(kClock.End(kPeriod)));
    CHECK(c.Get("/v1/leaderboard").j()["sealed"]["period"] == kPeriod + 1);
  }
}
