// Session token files (keystore/session_file.h): sealed under the key's seed, bound to key,
// server and agent, 0600 in 0700 directories, never in clear.
#include "keystore/session_file.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ks = claw::keystore;
using claw::StatusCode;

namespace {

struct TempHome {
  std::string root;
  TempHome() {
    char tmpl[] = "/tmp/claw-session-file-test-XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~TempHome() { std::filesystem::remove_all(root); }
};

std::vector<std::uint8_t> NewKey() {
  std::vector<std::uint8_t> pk(crypto_sign_PUBLICKEYBYTES), sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(pk.data(), sk.data());
  return sk;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int Mode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("session files: round trip, modes, no clear tokens, bound to key/server/agent", "[keystore]") {
  REQUIRE(sodium_init() >= 0);
  TempHome home;
  const auto key = NewKey(), other = NewKey();
  ks::SessionTokens t;
  t.server = "http://127.0.0.1:8080";
  t.agent_id = "agent-1";
  t.session_id = "s-1";
  t.access_token = "claw_at_secret_access";
  t.refresh_token = "claw_rt_secret_refresh";
  t.access_expires_at = 1000;
  t.refresh_expires_at = 2000;
  t.jkt = "jkt";
  REQUIRE(ks::SaveSession(home.root, "alice", key, t).ok());
  const std::string path = ks::SessionFilePath(home.root, "alice", t.server, t.agent_id);
  CHECK(Mode(path) == 0600);
  CHECK(Mode(home.root + "/keys/sessions") == 0700);
  const std::string text = Slurp(path);
  CHECK(text.find("claw_at_") == std::string::npos);
  CHECK(text.find("claw_rt_") == std::string::npos);

  auto back = ks::LoadSession(home.root, "alice", key, t.server, t.agent_id);
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK((*back)->access_token == t.access_token);
  CHECK((*back)->refresh_token == t.refresh_token);
  CHECK((*back)->access_expires_at == 1000);
  CHECK((*back)->refresh_expires_at == 2000);
  CHECK((*back)->session_id == "s-1");

  // Another key does not open it.
  CHECK(ks::LoadSession(home.root, "alice", other, t.server, t.agent_id).status().code() ==
        StatusCode::kUnauthenticated);
  // Another server or agent is another file: none.
  auto none = ks::LoadSession(home.root, "alice", key, "http://other", t.agent_id);
  REQUIRE(none.ok());
  CHECK(!none->has_value());
  // An edited header (the server it names) is caught.
  nlohmann::json f = nlohmann::json::parse(text);
  f["server"] = "http://evil";
  std::ofstream(path) << f.dump();
  CHECK(!ks::LoadSession(home.root, "alice", key, t.server, t.agent_id).ok());
  // A flipped ciphertext byte is caught by the AEAD.
  f["server"] = t.server;
  std::string ct = f["ciphertext"];
  ct[3] = ct[3] == 'A' ? 'B' : 'A';
  f["ciphertext"] = ct;
  std::ofstream(path) << f.dump();
  CHECK(ks::LoadSession(home.root, "alice", key, t.server, t.agent_id).status().code() ==
        StatusCode::kUnauthenticated);

  REQUIRE(ks::RemoveSession(home.root, "alice", t.server, t.agent_id).ok());
  CHECK(!std::filesystem::exists(path));
  CHECK(ks::RemoveSession(home.root, "alice", t.server, t.agent_id).ok());  // none: fine
}
