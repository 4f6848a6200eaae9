#include "cli/reveal_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace claw::cli;
namespace cl = claw::client;

namespace {
std::string TempHome() {
  std::string dir = "/tmp/claw-reveal-test-XXXXXX";
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  return dir;
}
cl::Bytes Key(std::uint8_t fill) { return cl::Bytes(64, fill); }
RevealRecord Record() {
  RevealRecord r;
  r.server = "http://127.0.0.1:1";
  r.agent_id = "agent-1";
  r.side = "LONG";
  r.lobs = 500;
  r.symbol = "BTCUSDT";
  r.price = "875.5";
  r.timestamp = "2026-02-22T01:50:00.000Z";
  r.nonce = "5f0c6b2e-0000-4000-8000-000000000001";
  r.scheme = "ed25519";
  r.hash = "0x" + std::string(64, 'a');
  r.signature = "sig";
  return r;
}
std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("reveal data round-trips encrypted, private, and is found by trade id", "[cli]") {
  const std::string home = TempHome();
  RevealStore store(home, "agent-1", Key(7));
  RevealRecord r = Record();
  REQUIRE(store.Save(r).ok());
  const std::string text = Slurp(store.PathFor(r.hash));
  // Nothing hidden is readable on disk.
  CHECK(text.find("BTCUSDT") == std::string::npos);
  CHECK(text.find("875.5") == std::string::npos);
  CHECK(text.find(r.nonce) == std::string::npos);
  CHECK(text.find("\"kind\": \"claw-reveal\"") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(store.PathFor(r.hash).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(store.Dir().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  auto back = store.Load(r.hash);
  REQUIRE(back.ok());
  CHECK(back->symbol == "BTCUSDT");
  CHECK(back->trade_id.empty());
  CHECK(store.Find("t-42").status().code() == claw::StatusCode::kNotFound);
  r.trade_id = "t-42";
  r.status = "committed";
  r.has_close = true;
  r.close.price = "900";
  r.close.close_trade_id = "t-43";
  REQUIRE(store.Save(r).ok());
  CHECK(store.Find("t-42")->status == "committed");
  CHECK(store.Find("t-43")->close.price == "900");
  CHECK(store.Find(std::string(64, 'A'))->trade_id == "t-42");  // hash, any case, no 0x
  std::vector<std::string> problems;
  CHECK(store.All(&problems).size() == 1);
  CHECK(problems.empty());
}

TEST_CASE("edited, swapped or foreign reveal data is DataLoss, never wrong data", "[cli]") {
  const std::string home = TempHome();
  RevealStore store(home, "agent-1", Key(7));
  RevealRecord r = Record();
  REQUIRE(store.Save(r).ok());
  // Another key cannot read it.
  RevealStore other(home, "agent-1", Key(8));
  CHECK(other.Load(r.hash).status().code() == claw::StatusCode::kDataLoss);
  // A flipped ciphertext character.
  std::string text = Slurp(store.PathFor(r.hash));
  const auto at = text.find("\"ciphertext\": \"") + 20;
  text[at] = text[at] == 'A' ? 'B' : 'A';
  std::ofstream(store.PathFor(r.hash)) << text;
  CHECK(store.Load(r.hash).status().code() == claw::StatusCode::kDataLoss);
  // A valid file copied under another trade's name (the hash is associated data).
  REQUIRE(store.Save(r).ok());
  const std::string other_hash = "0x" + std::string(64, 'b');
  std::ofstream(store.PathFor(other_hash)) << Slurp(store.PathFor(r.hash));
  CHECK(store.Load(other_hash).status().code() == claw::StatusCode::kDataLoss);
  std::vector<std::string> problems;
  CHECK(store.All(&problems).size() == 1);
  CHECK(problems.size() == 1);
  CHECK(store.Load("0x" + std::string(64, 'c')).status().code() == claw::StatusCode::kNotFound);
  CHECK(ValidateAgentDirName("../x").code() == claw::StatusCode::kInvalidArgument);
}
