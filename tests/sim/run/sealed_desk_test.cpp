// SealedDesk: the runner's commit/reveal/close commands, signed with the client library the
// way a strategy signs them, on a feed clock the test controls.
#include "sim/run/sealed_desk.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "client/commitment.h"
#include "client/ed25519.h"
#include "sim/engine/sealed.h"

namespace claw::run {
namespace {

using nlohmann::json;

// 2024-08-09T00:00:00Z is a Friday that starts a 14-day period on the default anchor.
constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 1'723'161'600'000;

struct Fixture {
  engine::Engine engine{engine::EngineConfig{}};
  SealedDesk desk{RevealConfig{}};
  std::vector<engine::Event> events;
  std::vector<SealedDesk::Update> updates;
  engine::WalletId wallet = 0;
  AgentKey key = DeriveAgentKey("alice");
  std::int64_t now = kStart;

  Fixture() {
    wallet = engine.OpenWallet("alice", &events).value();
    desk.AddAgent(wallet, "agent-1", key);
  }
  // A trade print at `price` (4 decimals) at time t: the tape's mark follows it.
  void Market(std::int64_t t, std::int64_t price_ticks) {
    engine::MarketEvent ev;
    ev.time_ms = t;
    ev.symbol = "BTCUSDT";
    ev.kind = engine::MarketEventKind::kTrade;
    ev.price = engine::Price{price_ticks};
    ev.qty = engine::Qty{100'000'000};
    engine.ApplyMarket(ev, &events);
    now = t;
    desk.AfterMarket(&engine, ev.symbol, t, &updates);
  }
  json Send(SealedCommand::Kind kind, const json& body) {
    std::string lines;
    desk.Apply(&engine, wallet, SealedCommand{kind, body.dump()}, now, &lines);
    REQUIRE(!lines.empty());
    return json::parse(lines);
  }
  json Proof(const std::string& action, const std::string& side, std::int64_t lobs,
             const std::string& price, const std::string& ts, const std::string& nonce,
             const client::Bytes* signer = nullptr) {
    client::CommitmentFields f{"agent-1", action, side, lobs, "BTCUSDT",
                               client::ParseJsPrice(price).value(), ts, nonce};
    const std::string hash = client::CommitmentHash(client::CommitmentMessage(f).value());
    const client::Bytes secret = client::Ed25519SecretFromSeed(signer ? *signer : key.seed).value();
    return {{"hash", hash},
            {"signature", client::SignCommitmentEd25519(hash, secret).value()},
            {"scheme", "ed25519"}};
  }
  json Commit(const std::string& side, const std::string& price, const std::string& nonce,
              std::string ts = "") {
    if (ts.empty()) ts = IsoMillis(now);
    return Send(SealedCommand::Kind::kCommit,
                {{"kind", "commit"}, {"action", "OPEN"}, {"side", side}, {"lobs", 500},
                 {"timestamp", ts}, {"commitment", Proof("OPEN", side, 500, price, ts, nonce)}});
  }
};

TEST_CASE("agent keys are derived from the name and sign what the desk verifies", "[sim][run][sealed]") {
  AgentKey a = DeriveAgentKey("alice"), again = DeriveAgentKey("alice"), b = DeriveAgentKey("bob");
  CHECK(a.seed == again.seed);
  CHECK(a.public_key == again.public_key);
  CHECK(a.seed != b.seed);
  CHECK(a.public_key.size() == 32);
  CHECK(a.seed.size() == 32);
}

TEST_CASE("commit, reveal on the tape and close pay the sealed pnl", "[sim][run][sealed]") {
  Fixture f;
  f.Market(kStart + 1000, 8'755'000);  // 875.5
  json c = f.Commit("LONG", "875.50", "n-1");
  CHECK(c["status"] == "committed");
  CHECK(c["error"].is_null());
  CHECK(c["symbol"].is_null());
  const std::string id = c["trade_id"];
  const std::string open_ts = IsoMillis(f.now);

  // A wrong nonce and a tampered price do not hash; nothing changes.
  json bad = f.Send(SealedCommand::Kind::kReveal,
                    {{"trade_id", id}, {"symbol", "BTCUSDT"}, {"price", "875.5"}, {"nonce", "n-2"}});
  CHECK(bad["error"]["code"] == "REVEAL_MISMATCH");
  CHECK(bad["error"]["reason"] == "hash_mismatch");
  CHECK(bad["status"] == "committed");
  // The same trade named by its hash.
  json ok = f.Send(SealedCommand::Kind::kReveal, {{"commitment_hash", c["commitment_hash"]},
                                                  {"symbol", "BTCUSDT"}, {"price", 875.5}, {"nonce", "n-1"}});
  CHECK(ok["error"].is_null());
  CHECK(ok["status"] == "revealed");
  CHECK(ok["price"] == "875.5");

  f.Market(kStart + 3 * 3'600'000, 8'922'500);  // 892.25
  const std::string ts = IsoMillis(f.now);
  json closed = f.Send(SealedCommand::Kind::kClose,
                       {{"trade_id", id}, {"close", {{"price", "892.25"}, {"timestamp", ts}, {"nonce", "n-3"}}},
                        {"close_commitment", f.Proof("CLOSE", "LONG", 500, "892.25", ts, "n-3")}});
  CHECK(closed["status"] == "closed");
  CHECK(closed["pnl_lobs"] == "9.5660");
  CHECK(closed["pnl_percent"] == "1.9132");
  CHECK(closed["close_trade_id"] == "2");
  auto ranked = f.desk.book().Rankings(f.desk.clock().Period(kStart));
  REQUIRE(ranked.size() == 1);
  CHECK(ranked[0].pnl_e4 == 95'660);
  (void)open_ts;
}

TEST_CASE("bad commits are refused with the server's codes and change nothing", "[sim][run][sealed]") {
  Fixture f;
  f.Market(kStart + 1000, 8'755'000);
  const auto before = f.engine.GetPortfolio(f.wallet).value().balance;
  CHECK(f.Commit("LONG", "875.5", "n", IsoMillis(f.now - 31'000))["error"]["code"] == "STALE_COMMITMENT");
  CHECK(f.Commit("LONG", "875.5", "n", IsoMillis(f.now + 31'000))["error"]["code"] == "STALE_COMMITMENT");
  CHECK(f.Send(SealedCommand::Kind::kCommit, {{"action", "OPEN"}, {"side", "UP"}})["error"]["code"] ==
        "INVALID_PARAMETER");
  const client::Bytes other = DeriveAgentKey("mallory").seed;
  const std::string ts = IsoMillis(f.now);
  json forged = f.Send(SealedCommand::Kind::kCommit,
                       {{"action", "OPEN"}, {"side", "LONG"}, {"lobs", 500}, {"timestamp", ts},
                        {"commitment", f.Proof("OPEN", "LONG", 500, "875.5", ts, "n", &other)}});
  CHECK(forged["error"]["code"] == "INVALID_COMMITMENT");
  CHECK(forged["error"]["reason"] == "bad_signature");
  CHECK(forged["status"] == "rejected");
  CHECK(forged["trade_id"].is_null());
  CHECK(f.Send(SealedCommand::Kind::kCommit,
               {{"action", "OPEN"}, {"side", "LONG"}, {"lobs", 5'000'000}, {"timestamp", ts},
                {"commitment", f.Proof("OPEN", "LONG", 5'000'000, "875.5", ts, "n")}})["error"]["code"] ==
        "INSUFFICIENT_BALANCE");
  CHECK(f.Send(SealedCommand::Kind::kReveal, {{"trade_id", "9"}, {"symbol", "BTCUSDT"}, {"price", 1},
                                              {"nonce", "n"}})["error"]["code"] == "NOT_FOUND");
  CHECK(f.desk.book().trades().empty());
  CHECK(f.engine.GetPortfolio(f.wallet).value().balance == before);
  CHECK(f.desk.refused(f.wallet) == 6);
}

TEST_CASE("a price off the tape is refused; unrevealed trades roll over and fail after the grace",
          "[sim][run][sealed]") {
  Fixture f;
  f.Market(kStart + 1000, 8'755'000);
  json cheat = f.Commit("SHORT", "900", "c-1");  // 2.8 % above the tape
  json lazy = f.Commit("LONG", "875.5", "l-1");
  const auto held = f.engine.GetPortfolio(f.wallet).value().balance;
  json refused = f.Send(SealedCommand::Kind::kReveal, {{"trade_id", cheat["trade_id"]}, {"symbol", "BTCUSDT"},
                                                       {"price", "900"}, {"nonce", "c-1"}});
  CHECK(refused["error"]["code"] == "REVEAL_MISMATCH");
  CHECK(refused["error"]["reason"] == "price_off_tape");
  CHECK(refused["status"] == "committed");

  const engine::RevealClock& clock = f.desk.clock();
  const std::int64_t n = clock.Period(kStart);
  f.Market(clock.End(n) + 1000, 8'800'000);  // the period ends: both are pending_reveal
  REQUIRE(f.updates.size() == 2);
  for (const auto& u : f.updates) CHECK(json::parse(u.line)["status"] == "pending_reveal");
  f.updates.clear();
  f.Market(clock.GraceEnd(n) + 1000, 8'800'000);  // the grace ends: reveal_failed, lobs back
  REQUIRE(f.updates.size() == 2);
  for (const auto& u : f.updates) {
    json j = json::parse(u.line);
    CHECK(j["status"] == "reveal_failed");
    CHECK(j["pnl_lobs"] == "0.0000");
    CHECK(u.wallet == f.wallet);
  }
  CHECK(f.engine.GetPortfolio(f.wallet).value().balance.units ==
        held.units + 1000 * engine::kCashScale);
  json late = f.Send(SealedCommand::Kind::kReveal, {{"trade_id", lazy["trade_id"]}, {"symbol", "BTCUSDT"},
                                                    {"price", "875.5"}, {"nonce", "l-1"}});
  CHECK(late["error"]["code"] == "REVEAL_WINDOW_CLOSED");
  // Nothing revealed: not ranked (a failed trade never beats a loss).
  CHECK(f.desk.book().Rankings(n).empty());
}

}  // namespace
}  // namespace claw::run
