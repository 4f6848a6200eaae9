// Authentication of agents (PROTOCOL.md §2, §3): signed-request verification on IO threads,
// the nonce replay cache, device anchoring, and the directory of agents' public keys.
//
// The canonical string and signature check are client::VerifyRequest, the very code clients
// sign with. What needs server state lives here: which key belongs to which agent, which nonces
// were seen, which device registered. Thread-safe: IO threads authenticate concurrently while
// the engine thread adds agents.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "client/encoding.h"
#include "sim/engine/status.h"
#include "sim/server/http.h"

namespace claw::server {

using client::Bytes;

struct AgentAuth {
  std::string id;
  std::string name;
  Bytes public_key;          // 32 bytes
  std::string eth_address;
  std::string device_id;     // hex HMAC-SHA256(salt, registration IP)
  std::string status;        // pending_claim | claimed | paused | revoked
  std::uint32_t wallet = 0;
};

// Agents by id and by name. Readers never block each other.
class AgentDirectory {
 public:
  void Put(const AgentAuth& agent);  // insert or replace by id
  std::optional<AgentAuth> FindByIdOrName(const std::string& id_or_name) const;
  std::optional<AgentAuth> FindByWallet(std::uint32_t wallet) const;
  bool NameTaken(const std::string& name) const;
  std::size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, AgentAuth> by_id_;
  std::unordered_map<std::string, std::string> id_by_name_;
  std::unordered_map<std::uint32_t, std::string> id_by_wallet_;
};

// Nonces seen per agent within the timestamp window. A nonce is remembered until its request's
// timestamp falls out of the window, after which the timestamp check alone rejects a replay,
// so memory is bounded by the request rate times the window.
class NonceCache {
 public:
  explicit NonceCache(std::int64_t window_ms);
  ~NonceCache();
  // True if (agent, nonce) is new (and records it); false for a replay.
  bool Insert(const std::string& agent, const std::string& nonce, std::int64_t now_ms);
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The salt for device ids: ARENA_DEVICE_SALT if set (its bytes), else `<data_dir>/device_salt`
// (32 random bytes, hex, created 0600 on first use).
Result<Bytes> LoadOrCreateDeviceSalt(const std::string& data_dir, const char* env_value);
std::string DeviceId(const Bytes& salt, const std::string& ip);

struct AuthOptions {
  std::int64_t window_ms = 30'000;
  bool ip_lock = false;
};

// Outcome of authenticating one request: either an agent, or the §5 error to answer.
struct AuthResult {
  bool ok = false;
  AgentAuth agent;           // when ok
  int http_status = 401;
  std::string code;          // MISSING_AUTH, EXPIRED_TIMESTAMP, REPLAYED_NONCE, ...
  std::string message;
  std::string hint;
  std::string claimed_agent; // the X-Agent-Id given (for the audit of a failure)
  std::string dpop_check;    // INVALID_DPOP_PROOF: which check failed (details.check)
  std::string session_id;    // when authenticated by a DPoP session (PROTOCOL.md §7)
};

class Authenticator {
 public:
  Authenticator(const AgentDirectory* directory, AuthOptions options, Bytes device_salt);
  // §2 signed request from a registered agent.
  AuthResult Authenticate(const Request& request, std::int64_t now_ms);
  // §3 registration: signed without X-Agent-Id; the signature must verify under `public_key`.
  AuthResult VerifyRegistration(const Request& request, const Bytes& public_key,
                                std::int64_t now_ms);
  std::string DeviceIdFor(const std::string& ip) const { return DeviceId(salt_, ip); }
  const AuthOptions& options() const { return options_; }

 private:
  const AgentDirectory* directory_;
  AuthOptions options_;
  Bytes salt_;
  NonceCache nonces_;
};

// Random secrets and their stored form.
std::string RandomToken(std::string_view prefix, std::size_t bytes);  // prefix + base64url
std::string TokenHash(std::string_view token);                        // hex SHA-256
bool TokenHashEquals(const std::string& stored_hex, std::string_view token);  // constant-time

}  // namespace claw::server
