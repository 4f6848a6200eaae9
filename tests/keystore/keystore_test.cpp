#include "keystore/keystore.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/encoding.h"

namespace ks = claw::keystore;
using claw::StatusCode;
using nlohmann::ordered_json;

namespace {

// Libsodium's minimum Argon2id cost keeps each test in milliseconds.
const ks::KdfLimits kFast{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};

struct TempHome {
  std::string root;
  std::string home;
  TempHome() {
    char tmpl[] = "/tmp/claw-keystore-test-XXXXXX";
    root = mkdtemp(tmpl);
    home = root + "/home";
  }
  ~TempHome() {
    std::error_code ec;
    std::filesystem::permissions(home + "/keys", std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(root, ec);
  }
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

ks::Secret Pass(const char* p) { return ks::Secret(p); }

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

ks::Keystore Quiet(const std::string& home, std::vector<std::string>* warnings = nullptr) {
  ks::Keystore store(home);
  store.SetWarningHandler([warnings](const std::string& w) {
    if (warnings) warnings->push_back(w);
  });
  return store;
}

std::string B64(const std::vector<std::uint8_t>& b) { return claw::client::Base64UrlEncode(b); }

std::vector<std::uint8_t> Unb64(const std::string& s) {
  auto r = claw::client::Base64Decode(s);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("generated key round-trips and signs", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  auto info = store.Generate("alice", Pass("correct horse"), false, kFast);
  REQUIRE(info.ok());
  CHECK(info->name == "alice");
  CHECK(info->path == t.home + "/keys/alice.json");
  CHECK(info->fingerprint.rfind("SHA256:", 0) == 0);
  CHECK(info->fingerprint.size() == 7 + 16);
  auto key = store.Load("alice", Pass("correct horse"));
  REQUIRE(key.ok());
  REQUIRE(key->secret_key.bytes().size() == crypto_sign_SECRETKEYBYTES);
  CHECK(B64(key->public_key) == info->public_key);
  CHECK(ks::Fingerprint(key->public_key) == info->fingerprint);
  unsigned char sig[crypto_sign_BYTES];
  const unsigned char msg[] = "hello";
  crypto_sign_detached(sig, nullptr, msg, 5,
                       reinterpret_cast<const unsigned char*>(key->secret_key.bytes().data()));
  CHECK(crypto_sign_verify_detached(sig, msg, 5, key->public_key.data()) == 0);

  auto list = store.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].public_key == info->public_key);
  CHECK((*list)[0].opslimit == kFast.opslimit);
}

TEST_CASE("key file has the documented format and opens with plain libsodium", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  const std::string text = Slurp(t.home + "/keys/alice.json");
  const auto doc = ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [k, v] : doc.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"version", "kind", "name", "public_key", "kdf", "cipher"});
  CHECK(doc["version"] == 1);
  CHECK(doc["kind"] == "claw-keystore");
  CHECK(doc["name"] == "alice");
  CHECK(doc["kdf"]["alg"] == "argon2id13");
  CHECK(doc["kdf"]["opslimit"].is_number_unsigned());
  CHECK(doc["kdf"]["opslimit"] == kFast.opslimit);
  CHECK(doc["kdf"]["memlimit"] == kFast.memlimit);
  CHECK(doc["cipher"]["alg"] == "xchacha20poly1305-ietf");
  for (const std::string& s :
       {doc["public_key"].get<std::string>(), doc["kdf"]["salt"].get<std::string>(),
        doc["cipher"]["nonce"].get<std::string>()}) {
    CHECK(s.find_first_of("=+/") == std::string::npos);
  }

  // Independent decryption: derive, build the associated data by hand, open.
  const auto salt = Unb64(doc["kdf"]["salt"]);
  const auto nonce = Unb64(doc["cipher"]["nonce"]);
  const auto ct = Unb64(doc["cipher"]["ciphertext"]);
  REQUIRE(salt.size() == crypto_pwhash_SALTBYTES);
  REQUIRE(nonce.size() == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned char key[32];
  REQUIRE(crypto_pwhash(key, sizeof key, "pw", 2, salt.data(), doc["kdf"]["opslimit"],
                        doc["kdf"]["memlimit"], crypto_pwhash_ALG_ARGON2ID13) == 0);
  const std::string ad = "claw-keystore-v1\nalice\n" + doc["public_key"].get<std::string>() +
                         "\nargon2id13\n" + std::to_string(kFast.opslimit) + "\n" +
                         std::to_string(kFast.memlimit) + "\n" +
                         doc["kdf"]["salt"].get<std::string>();
  std::string plain(ct.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(
              reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr, ct.data(), ct.size(),
              reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce.data(),
              key) == 0);
  const auto payload = nlohmann::json::parse(plain.substr(0, len));
  const auto seed = Unb64(payload["ed25519_seed"]);
  REQUIRE(seed.size() == 32);
  unsigned char pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  CHECK(B64(std::vector<std::uint8_t>(pk, pk + 32)) == doc["public_key"]);
}

TEST_CASE("wrong passphrase is refused and leaves the file unchanged", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("right"), false, kFast).ok());
  const std::string path = t.home + "/keys/alice.json";
  const std::string before = Slurp(path);
  auto key = store.Load("alice", Pass("wrong"));
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().code() == StatusCode::kUnauthenticated);
  CHECK(key.status().message() == "wrong passphrase for key 'alice'");
  CHECK(key.status().hint() == "if the passphrase is right, '" + path +
                                   "' was edited or corrupted; restore it from a backup");
  auto changed = store.ChangePassphrase("alice", Pass("wrong"), Pass("new"));
  CHECK(changed.code() == StatusCode::kUnauthenticated);
  CHECK(Slurp(path) == before);
}

TEST_CASE("every header edit is detected", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  REQUIRE(store.Generate("other", Pass("pw"), false, kFast).ok());
  const std::string path = t.home + "/keys/alice.json";
  const std::string original = Slurp(path);
  const auto other = ordered_json::parse(Slurp(t.home + "/keys/other.json"));

  using Edit = std::function<void(ordered_json&)>;
  const std::vector<std::pair<std::string, Edit>> edits = {
      {"version", [](ordered_json& d) { d["version"] = 2; }},
      {"version as string", [](ordered_json& d) { d["version"] = "1"; }},
      {"kind", [](ordered_json& d) { d["kind"] = "claw-keystor"; }},
      {"name", [](ordered_json& d) { d["name"] = "bob"; }},
      {"public_key", [&](ordered_json& d) { d["public_key"] = other["public_key"]; }},
      {"public_key padded",
       [](ordered_json& d) { d["public_key"] = d["public_key"].get<std::string>() + "="; }},
      {"kdf.alg", [](ordered_json& d) { d["kdf"]["alg"] = "argon2i13"; }},
      {"kdf.opslimit", [](ordered_json& d) { d["kdf"]["opslimit"] = 2; }},
      {"kdf.opslimit float", [](ordered_json& d) { d["kdf"]["opslimit"] = 1.0; }},
      {"kdf.memlimit", [](ordered_json& d) { d["kdf"]["memlimit"] = 16384; }},
      {"kdf.memlimit huge", [](ordered_json& d) { d["kdf"]["memlimit"] = 1ULL << 40; }},
      {"kdf.salt", [&](ordered_json& d) { d["kdf"]["salt"] = other["kdf"]["salt"]; }},
      {"cipher.alg", [](ordered_json& d) { d["cipher"]["alg"] = "aes256gcm"; }},
      {"cipher.nonce", [&](ordered_json& d) { d["cipher"]["nonce"] = other["cipher"]["nonce"]; }},
      {"cipher.ciphertext",
       [](ordered_json& d) {
         auto ct = Unb64(d["cipher"]["ciphertext"]);
         ct[3] ^= 1;
         d["cipher"]["ciphertext"] = B64(ct);
       }},
      {"extra member", [](ordered_json& d) { d["comment"] = "x"; }},
      {"missing member", [](ordered_json& d) { d["kdf"].erase("salt"); }},
  };
  for (const auto& [what, edit] : edits) {
    SECTION(what) {
      auto doc = ordered_json::parse(original);
      edit(doc);
      const std::string edited = doc.dump(2) + "\n";
      Spit(path, edited);
      auto key = store.Load("alice", Pass("pw"));
      REQUIRE_FALSE(key.ok());
      const auto code = key.status().code();
      CHECK((code == StatusCode::kDataLoss || code == StatusCode::kUnauthenticated));
      CHECK(Slurp(path) == edited);  // never rewritten
    }
  }
  SECTION("file renamed together with its name") {
    auto doc = ordered_json::parse(original);
    doc["name"] = "bob";
    Spit(t.home + "/keys/bob.json", doc.dump(2));
    ::chmod((t.home + "/keys/bob.json").c_str(), 0600);
    auto key = store.Load("bob", Pass("pw"));
    CHECK(key.status().code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE("header edits get precise messages", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  const std::string path = t.home + "/keys/alice.json";
  auto doc = ordered_json::parse(Slurp(path));
  SECTION("name") {
    doc["name"] = "bob";
    Spit(path, doc.dump(2));
    auto info = store.Info("alice");
    CHECK(info.status().code() == StatusCode::kDataLoss);
    CHECK(info.status().message() ==
          "key file '" + path + "' is corrupt: it holds key 'bob', not 'alice'");
  }
  SECTION("version") {
    doc["version"] = 2;
    Spit(path, doc.dump(2));
    CHECK(store.Info("alice").status().message() ==
          "key file '" + path + "' is corrupt: unsupported 'version' 2 (want 1)");
  }
  SECTION("memlimit") {
    doc["kdf"]["memlimit"] = 1ULL << 40;
    Spit(path, doc.dump(2));
    CHECK(store.Info("alice").status().message() ==
          "key file '" + path +
              "' is corrupt: 'kdf.memlimit' is 1099511627776, outside 8192..4294967296");
  }
}

TEST_CASE("a public key that does not match the sealed seed is detected", "[keystore][io]") {
  // A well-formed file whose header names another key, sealed with the matching associated
  // data: only the seed-derives-public-key check can catch it.
  TempHome t;
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  REQUIRE(store.Generate("other", Pass("pw"), false, kFast).ok());
  const std::string path = t.home + "/keys/alice.json";
  auto doc = ordered_json::parse(Slurp(path));
  const auto other = ordered_json::parse(Slurp(t.home + "/keys/other.json"));
  auto payload = store.ReadPayload("alice", Pass("pw"));
  REQUIRE(payload.ok());
  doc["public_key"] = other["public_key"];
  const auto salt = Unb64(doc["kdf"]["salt"]);
  const auto nonce = Unb64(doc["cipher"]["nonce"]);
  unsigned char key[32];
  REQUIRE(crypto_pwhash(key, 32, "pw", 2, salt.data(), kFast.opslimit, kFast.memlimit,
                        crypto_pwhash_ALG_ARGON2ID13) == 0);
  const std::string ad = "claw-keystore-v1\nalice\n" + doc["public_key"].get<std::string>() +
                         "\nargon2id13\n" + std::to_string(kFast.opslimit) + "\n" +
                         std::to_string(kFast.memlimit) + "\n" +
                         doc["kdf"]["salt"].get<std::string>();
  const std::string& p = payload->bytes();
  std::vector<std::uint8_t> ct(p.size() + 16);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      ct.data(), nullptr, reinterpret_cast<const unsigned char*>(p.data()), p.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce.data(), key);
  doc["cipher"]["ciphertext"] = B64(ct);
  Spit(path, doc.dump(2));
  auto loaded = store.Load("alice", Pass("pw"));
  CHECK(loaded.status().code() == StatusCode::kDataLoss);
  CHECK(loaded.status().message() ==
        "key file '" + path + "' is corrupt: 'public_key' does not match the sealed seed");
}

TEST_CASE("truncated key files are detected", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  const std::string path = t.home + "/keys/alice.json";
  const std::string original = Slurp(path);
  for (std::size_t len :
       {std::size_t{0}, std::size_t{1}, original.size() / 2, original.size() - 3}) {
    Spit(path, original.substr(0, len));
    auto key = store.Load("alice", Pass("pw"));
    CHECK(key.status().code() == StatusCode::kDataLoss);
    CHECK(key.status().message() == "key file '" + path + "' is corrupt: not valid JSON");
  }
  // A shortened ciphertext is still valid JSON: the AEAD catches it.
  auto doc = ordered_json::parse(original);
  auto ct = Unb64(doc["cipher"]["ciphertext"]);
  ct.resize(ct.size() - 5);
  doc["cipher"]["ciphertext"] = B64(ct);
  Spit(path, doc.dump(2));
  CHECK(store.Load("alice", Pass("pw")).status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("keystore files are 0600 in 0700 directories", "[keystore][io]") {
  TempHome t;
  const mode_t old_mask = ::umask(0);  // the modes must not depend on the caller's umask
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  ::umask(old_mask);
  CHECK(ModeOf(t.home) == 0700);
  CHECK(ModeOf(t.home + "/keys") == 0700);
  CHECK(ModeOf(t.home + "/keys/alice.json") == 0600);
  REQUIRE(store.ChangePassphrase("alice", Pass("pw"), Pass("pw2")).ok());
  CHECK(ModeOf(t.home + "/keys/alice.json") == 0600);
  // No temp files are left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(t.home + "/keys")) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("loose permissions give a warning, not an error", "[keystore][io]") {
  TempHome t;
  std::vector<std::string> warnings;
  auto store = Quiet(t.home, &warnings);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  REQUIRE(warnings.empty());
  const std::string path = t.home + "/keys/alice.json";
  ::chmod(path.c_str(), 0644);
  auto info = store.Info("alice");
  REQUIRE(info.ok());
  CHECK(info->loose_permissions);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] ==
        "'" + path + "' has mode 0644, open to group or others; run 'chmod 600 " + path + "'");
  warnings.clear();
  ::chmod((t.home + "/keys").c_str(), 0755);
  CHECK(store.Load("alice", Pass("pw")).ok());
  CHECK(warnings.size() == 2);
}

TEST_CASE("an unreadable keystore directory is a clear error", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  SECTION("keys is not a directory") {
    std::filesystem::create_directories(t.home);
    Spit(t.home + "/keys", "oops");
    auto list = store.List();
    CHECK(list.status().code() == StatusCode::kIOError);
    CHECK(list.status().message() ==
          "cannot read directory '" + t.home + "/keys': Not a directory");
    auto gen = store.Generate("alice", Pass("pw"), false, kFast);
    CHECK(gen.status().message() == "'" + t.home + "/keys' is not a directory");
  }
  SECTION("mode 0000") {
    REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
    ::chmod((t.home + "/keys").c_str(), 0);
    if (::geteuid() == 0) {
      WARN("running as root: permission bits do not stop reads; skipped");
      return;
    }
    auto list = store.List();
    CHECK(list.status().code() == StatusCode::kIOError);
    CHECK(list.status().message() ==
          "cannot read directory '" + t.home + "/keys': Permission denied");
    CHECK(store.Load("alice", Pass("pw")).status().code() == StatusCode::kIOError);
  }
}

TEST_CASE("key names are validated", "[keystore]") {
  for (const std::string& good :
       std::vector<std::string>{"a", "alice", "Alice-2.prod_x", "0", std::string(64, 'k')}) {
    CHECK(ks::ValidateKeyName(good).ok());
  }
  for (const std::string& bad : std::vector<std::string>{"", ".hidden", "-x", "_x", "a/b", "../x",
                                                         "a b", "\xc3\xa9", std::string(65, 'k')}) {
    auto s = ks::ValidateKeyName(bad);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message() == "invalid key name '" + bad + "'");
  }
  TempHome t;
  auto store = Quiet(t.home);
  CHECK(store.Generate("../evil", Pass("pw"), false, kFast).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK_FALSE(std::filesystem::exists(t.root + "/evil.json"));
}

TEST_CASE("existing keys are kept unless forced; missing keys are named", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  auto first = store.Generate("alice", Pass("pw"), false, kFast);
  REQUIRE(first.ok());
  auto again = store.Generate("alice", Pass("pw"), false, kFast);
  CHECK(again.status().code() == StatusCode::kAlreadyExists);
  CHECK(again.status().message() == "key 'alice' exists");
  auto forced = store.Generate("alice", Pass("pw"), true, kFast);
  REQUIRE(forced.ok());
  CHECK(forced->public_key != first->public_key);
  auto missing = store.Load("bob", Pass("pw"));
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "key 'bob' not found");
  CHECK(missing.status().hint() == "run 'claw keys list' to see the keys in '" + t.home + "/keys'");
  CHECK(store.Remove("alice").ok());
  CHECK(store.Remove("alice").code() == StatusCode::kNotFound);
  CHECK(store.List()->empty());
}

TEST_CASE("passphrase change re-seals with a fresh salt and nonce", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  auto info = store.Generate("alice", Pass("old"), false, kFast);
  REQUIRE(info.ok());
  const auto before = ordered_json::parse(Slurp(info->path));
  REQUIRE(store.ChangePassphrase("alice", Pass("old"), Pass("new")).ok());
  const auto after = ordered_json::parse(Slurp(info->path));
  CHECK(after["kdf"]["salt"] != before["kdf"]["salt"]);
  CHECK(after["cipher"]["nonce"] != before["cipher"]["nonce"]);
  CHECK(after["kdf"]["opslimit"] == before["kdf"]["opslimit"]);
  CHECK(store.Load("alice", Pass("old")).status().code() == StatusCode::kUnauthenticated);
  auto key = store.Load("alice", Pass("new"));
  REQUIRE(key.ok());
  CHECK(B64(key->public_key) == info->public_key);
}

TEST_CASE("payload members beside the seed are kept", "[keystore][io]") {
  TempHome t;
  auto store = Quiet(t.home);
  REQUIRE(store.Generate("alice", Pass("pw"), false, kFast).ok());
  auto payload = store.ReadPayload("alice", Pass("pw"));
  REQUIRE(payload.ok());
  auto j = nlohmann::json::parse(payload->bytes());
  j["sessions"] = {{"arena", "tok"}};
  REQUIRE(store.WritePayload("alice", Pass("pw"), ks::Secret(j.dump())).ok());
  auto again = store.ReadPayload("alice", Pass("pw"));
  REQUIRE(again.ok());
  CHECK(nlohmann::json::parse(again->bytes())["sessions"]["arena"] == "tok");
  // A payload without this key's seed would lose the key: refused.
  auto bad = store.WritePayload("alice", Pass("pw"), ks::Secret(R"({"sessions":{}})"));
  CHECK(bad.code() == StatusCode::kDataLoss);
  CHECK(store.Load("alice", Pass("pw")).ok());
}

TEST_CASE("seed files: raw, hex and base64 import to the same key", "[keystore][io]") {
  TempHome t;
  std::vector<std::uint8_t> seed(32);
  for (int i = 0; i < 32; ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
  unsigned char pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, seed.data());
  const std::string want = B64(std::vector<std::uint8_t>(pk, pk + 32));
  const std::string raw(seed.begin(), seed.end());
  const std::vector<std::string> forms = {raw, claw::client::HexEncode(seed) + "\n",
                                          "  0x" + claw::client::HexEncode(seed) + "\r\n",
                                          "\n" + B64(seed) + "\n"};
  auto store = Quiet(t.home);
  int n = 0;
  for (const auto& form : forms) {
    const std::string file = t.root + "/seed" + std::to_string(n);
    Spit(file, form);
    auto secret = ks::ReadSeedFile(file);
    REQUIRE(secret.ok());
    auto info = store.Import("k" + std::to_string(n++), *secret, Pass("pw"), false, kFast);
    REQUIRE(info.ok());
    CHECK(info->public_key == want);
  }
  Spit(t.root + "/bad", "not a seed\n");
  auto bad = ks::ReadSeedFile(t.root + "/bad");
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "seed file '" + t.root + "/bad' does not hold a 32-byte seed");
  CHECK(ks::ReadSeedFile(t.root + "/absent").status().code() == StatusCode::kNotFound);
}

TEST_CASE("passphrase sources: file without its trailing newline, then the environment",
          "[keystore][io]") {
  TempHome t;
  std::filesystem::create_directories(t.root);
  Spit(t.root + "/pw", "s3cret\n");
  ks::PassphraseSource src;
  src.file = t.root + "/pw";
  auto p = ks::ReadPassphrase(src);
  REQUIRE(p.ok());
  CHECK(p->bytes() == "s3cret");
  Spit(t.root + "/pw", "two\nlines\n\n");
  CHECK(ks::ReadPassphrase(src)->bytes() == "two\nlines\n");
  Spit(t.root + "/pw", "\n");
  CHECK(ks::ReadPassphrase(src).status().message() == "the passphrase is empty");
  src.file.clear();
  src.env = "CLAW_KEYSTORE_TEST_PASSPHRASE";
  ::setenv("CLAW_KEYSTORE_TEST_PASSPHRASE", "from env", 1);
  CHECK(ks::ReadPassphrase(src)->bytes() == "from env");
  ::unsetenv("CLAW_KEYSTORE_TEST_PASSPHRASE");
}

TEST_CASE("kdf limits default to interactive and are bounded", "[keystore]") {
  auto d = ks::ResolveKdfLimits({});
  REQUIRE(d.ok());
  CHECK(d->opslimit >= crypto_pwhash_OPSLIMIT_INTERACTIVE);
  CHECK(d->memlimit >= crypto_pwhash_MEMLIMIT_INTERACTIVE);
  CHECK(ks::ResolveKdfLimits({65, 0}).status().message() == "kdf opslimit 65 is outside 1..64");
  CHECK(ks::ResolveKdfLimits({0, 1024}).status().code() == StatusCode::kInvalidArgument);
}
