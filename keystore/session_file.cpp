#include "keystore/session_file.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "client/encoding.h"
#include "keystore/file_io.h"
#include "keystore/keystore.h"

namespace claw::keystore {
namespace {

using nlohmann::json;

constexpr char kKind[] = "claw-session";
constexpr char kAdPrefix[] = "claw-session-v1";

std::string Ad(const std::string& key, const std::string& server, const std::string& agent) {
  return std::string(kAdPrefix) + "\n" + key + "\n" + server + "\n" + agent;
}

// 32-byte sealing key from the seed (the first half of the libsodium secret key).
std::vector<std::uint8_t> SealKey(const std::vector<std::uint8_t>& secret_key) {
  std::vector<std::uint8_t> k(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  unsigned char salt[crypto_generichash_blake2b_SALTBYTES] = {0};
  unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] = {'c', 'l', 'a', 'w', '-', 's', 'e',
                                                                      's', 's', 'i', 'o', 'n', '-', 'v', '1'};
  crypto_generichash_blake2b_salt_personal(k.data(), k.size(), nullptr, 0, secret_key.data(), 32,
                                           salt, personal);
  return k;
}

void Wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
}

}  // namespace

SessionTokens::~SessionTokens() {
  Wipe(access_token);
  Wipe(refresh_token);
}

std::string SessionFilePath(const std::string& home, const std::string& key_name,
                            const std::string& server, const std::string& agent_id) {
  const std::string scope = client::HexEncode(client::Sha256(server + "\n" + agent_id));
  return home + "/keys/sessions/" + key_name + "." + scope.substr(0, 16) + ".json";
}

Status SaveSession(const std::string& home, const std::string& key_name,
                   const std::vector<std::uint8_t>& secret_key, const SessionTokens& t) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return Status::InvalidArgument("session: the key is not a 64-byte Ed25519 secret key");
  }
  CLAW_RETURN_IF_ERROR(ValidateKeyName(key_name));
  CLAW_RETURN_IF_ERROR(EnsurePrivateDir(home));
  CLAW_RETURN_IF_ERROR(EnsurePrivateDir(home + "/keys"));
  CLAW_RETURN_IF_ERROR(EnsurePrivateDir(home + "/keys/sessions"));
  json plain = {{"session_id", t.session_id},
                {"access_token", t.access_token},
                {"refresh_token", t.refresh_token},
                {"access_expires_at", t.access_expires_at},
                {"refresh_expires_at", t.refresh_expires_at},
                {"jkt", t.jkt}};
  std::string text = plain.dump();
  Wipe(plain["access_token"].get_ref<std::string&>());
  Wipe(plain["refresh_token"].get_ref<std::string&>());
  std::vector<std::uint8_t> nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(nonce.data(), nonce.size());
  std::vector<std::uint8_t> key = SealKey(secret_key);
  const std::string ad = Ad(key_name, t.server, t.agent_id);
  std::vector<std::uint8_t> ct(text.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      ct.data(), &ct_len, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce.data(), key.data());
  Wipe(text);
  sodium_memzero(key.data(), key.size());
  ct.resize(ct_len);
  json file = {{"version", 1},
               {"kind", kKind},
               {"key", key_name},
               {"server", t.server},
               {"agent_id", t.agent_id},
               {"nonce", client::Base64UrlEncode(nonce)},
               {"ciphertext", client::Base64UrlEncode(ct)}};
  return AtomicWriteFile(SessionFilePath(home, key_name, t.server, t.agent_id), file.dump(2) + "\n",
                         /*overwrite=*/true);
}

Result<std::optional<SessionTokens>> LoadSession(const std::string& home,
                                                 const std::string& key_name,
                                                 const std::vector<std::uint8_t>& secret_key,
                                                 const std::string& server,
                                                 const std::string& agent_id) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  const std::string path = SessionFilePath(home, key_name, server, agent_id);
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok() && text.status().code() == StatusCode::kNotFound) {
    return std::optional<SessionTokens>();
  }
  if (!text.ok()) return text.status();
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES) {
    return Status::InvalidArgument("session: the key is not a 64-byte Ed25519 secret key");
  }
  json f = json::parse(*text, nullptr, false);
  auto bad = [&](const std::string& what) {
    return Status::DataLoss("session file '" + path + "' is malformed: " + what,
                            "remove it and log in again ('claw session login')");
  };
  if (!f.is_object() || f.value("kind", "") != kKind || f.value("version", 0) != 1) return bad("kind/version");
  if (f.value("key", "") != key_name || f.value("server", "") != server ||
      f.value("agent_id", "") != agent_id) {
    return bad("it names another key, server or agent");
  }
  Result<client::Bytes> nonce = client::Base64Decode(f.value("nonce", ""), "nonce");
  Result<client::Bytes> ct = client::Base64Decode(f.value("ciphertext", ""), "ciphertext");
  if (!nonce.ok() || !ct.ok() || nonce->size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      ct->size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return bad("nonce or ciphertext");
  }
  std::vector<std::uint8_t> key = SealKey(secret_key);
  const std::string ad = Ad(key_name, server, agent_id);
  std::string plain(ct->size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plain_len = 0;
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr, ct->data(), ct->size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce->data(), key.data());
  sodium_memzero(key.data(), key.size());
  if (rc != 0) {
    return Status::Unauthenticated("session file '" + path + "' does not open under key '" + key_name + "'",
                                   "it was edited or belongs to another key; remove it and log in again");
  }
  plain.resize(plain_len);
  json j = json::parse(plain, nullptr, false);
  Wipe(plain);
  if (!j.is_object()) return bad("sealed payload");
  SessionTokens t;
  t.server = server;
  t.agent_id = agent_id;
  try {
    t.session_id = j.at("session_id").get<std::string>();
    t.access_token = j.at("access_token").get<std::string>();
    t.refresh_token = j.at("refresh_token").get<std::string>();
    t.access_expires_at = j.at("access_expires_at").get<std::int64_t>();
    t.refresh_expires_at = j.at("refresh_expires_at").get<std::int64_t>();
    t.jkt = j.value("jkt", "");
  } catch (const json::exception&) {
    return bad("sealed payload members");
  }
  Wipe(j["access_token"].get_ref<std::string&>());
  Wipe(j["refresh_token"].get_ref<std::string&>());
  return std::optional<SessionTokens>(std::move(t));
}

Status RemoveSession(const std::string& home, const std::string& key_name,
                     const std::string& server, const std::string& agent_id) {
  Status s = RemoveFile(SessionFilePath(home, key_name, server, agent_id));
  if (s.code() == StatusCode::kNotFound) return Status::Ok();
  return s;
}

}  // namespace claw::keystore
