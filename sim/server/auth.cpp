#include "sim/server/auth.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <unordered_set>

#include "client/signed_request.h"

namespace claw::server {

using client::Base64UrlEncode;
using client::HexDecode;
using client::HexEncode;
using client::Sha256Hex;

// ---- AgentDirectory ----

void AgentDirectory::Put(const AgentAuth& agent) {
  std::unique_lock lock(mu_);
  auto it = by_id_.find(agent.id);
  if (it != by_id_.end()) id_by_name_.erase(it->second.name);
  by_id_[agent.id] = agent;
  id_by_name_[agent.name] = agent.id;
  id_by_wallet_[agent.wallet] = agent.id;
}

std::optional<AgentAuth> AgentDirectory::FindByIdOrName(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(key);
  if (it != by_id_.end()) return it->second;
  auto n = id_by_name_.find(key);
  if (n == id_by_name_.end()) return std::nullopt;
  return by_id_.at(n->second);
}

std::optional<AgentAuth> AgentDirectory::FindByWallet(std::uint32_t wallet) const {
  std::shared_lock lock(mu_);
  auto w = id_by_wallet_.find(wallet);
  if (w == id_by_wallet_.end()) return std::nullopt;
  return by_id_.at(w->second);
}

bool AgentDirectory::NameTaken(const std::string& name) const {
  std::shared_lock lock(mu_);
  return id_by_name_.count(name) > 0;
}

std::size_t AgentDirectory::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

// ---- NonceCache ----

struct NonceCache::Impl {
  std::int64_t window_ms;
  mutable std::mutex mu;
  std::unordered_set<std::string> seen;                     // "agent\nnonce"
  std::deque<std::pair<std::int64_t, std::string>> expiry;  // (forget at, key), in time order
};

NonceCache::NonceCache(std::int64_t window_ms) : impl_(std::make_unique<Impl>()) {
  impl_->window_ms = window_ms;
}
NonceCache::~NonceCache() = default;

bool NonceCache::Insert(const std::string& agent, const std::string& nonce, std::int64_t now_ms) {
  std::lock_guard lock(impl_->mu);
  while (!impl_->expiry.empty() && impl_->expiry.front().first <= now_ms) {
    impl_->seen.erase(impl_->expiry.front().second);
    impl_->expiry.pop_front();
  }
  std::string key = agent + "\n" + nonce;
  if (!impl_->seen.insert(key).second) return false;
  // A request is accepted only while its timestamp is within +-window of now, so after
  // 2 * window a replay fails the timestamp check by itself.
  impl_->expiry.emplace_back(now_ms + 2 * impl_->window_ms, std::move(key));
  return true;
}

std::size_t NonceCache::size() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen.size();
}

// ---- device anchoring ----

Result<Bytes> LoadOrCreateDeviceSalt(const std::string& data_dir, const char* env_value) {
  if (env_value != nullptr && *env_value != '\0') {
    return Bytes(reinterpret_cast<const std::uint8_t*>(env_value),
                 reinterpret_cast<const std::uint8_t*>(env_value) + std::strlen(env_value));
  }
  const std::string path = data_dir + "/device_salt";
  std::ifstream in(path);
  if (in) {
    std::string hex;
    std::getline(in, hex);
    auto salt = HexDecode(hex, "device salt");
    if (!salt.ok() || salt->size() != 32) {
      return Status::DataLoss("device salt file '" + path + "' is corrupt",
                              "restore it from a backup; a new salt changes every device id");
    }
    return salt;
  }
  Bytes salt(32);
  randombytes_buf(salt.data(), salt.size());
  const std::string hex = HexEncode(salt) + "\n";
  const std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot create '" + temp + "': " + std::strerror(errno));
  const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Status::IOError("cannot write '" + path + "': " + std::strerror(errno));
  }
  return salt;
}

std::string DeviceId(const Bytes& salt, const std::string& ip) {
  // HMAC-SHA256 keyed by the salt (libsodium's crypto_auth_hmacsha256 takes any key length
  // through the _init interface).
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, salt.data(), salt.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(ip.data()), ip.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return HexEncode(mac, sizeof mac);
}

// ---- Authenticator ----

Authenticator::Authenticator(const AgentDirectory* directory, AuthOptions options, Bytes salt)
    : directory_(directory), options_(options), salt_(std::move(salt)), nonces_(options.window_ms) {}

namespace {

AuthResult Fail(std::string code, std::string message, std::string hint) {
  AuthResult r;
  r.code = std::move(code);
  r.message = std::move(message);
  r.hint = std::move(hint);
  return r;
}

AuthResult FromVerdict(const client::RequestVerdict& v) {
  using client::RequestCheck;
  switch (v.check) {
    case RequestCheck::kOk: break;
    case RequestCheck::kMissingHeader:
    case RequestCheck::kBadNonce:
      return Fail("MISSING_AUTH", v.detail,
                  "send X-Agent-Id, X-Timestamp, X-Nonce (16-64 chars of A-Za-z0-9_-) and "
                  "X-Signature; see /skill.md");
    case RequestCheck::kBadTimestamp:
    case RequestCheck::kExpiredTimestamp:
      return Fail("EXPIRED_TIMESTAMP", v.detail,
                  "X-Timestamp must be unix ms (or ISO-8601 UTC) within the server's window; "
                  "check your clock");
    case RequestCheck::kBadSignatureEncoding:
    case RequestCheck::kBadSignature:
      return Fail("INVALID_SIGNATURE", v.detail.empty() ? "signature does not verify" : v.detail,
                  "sign CLAW-SIG-V1\\nMETHOD\\ntarget\\ntimestamp\\nnonce\\nsha256(body) with the "
                  "agent's Ed25519 key");
  }
  AuthResult ok;
  ok.ok = true;
  ok.http_status = 200;
  return ok;
}

client::VerifyRequestInput Input(const Request& r, std::int64_t now_ms, std::int64_t window_ms) {
  client::VerifyRequestInput in;
  in.method = r.method;
  in.target = r.target;
  in.body = r.body;
  in.agent_id = r.Header("x-agent-id");
  in.timestamp = r.Header("x-timestamp");
  in.nonce = r.Header("x-nonce");
  in.signature = r.Header("x-signature");
  in.now_ms = now_ms;
  in.window_ms = window_ms;
  return in;
}

}  // namespace

AuthResult Authenticator::Authenticate(const Request& request, std::int64_t now_ms) {
  auto in = Input(request, now_ms, options_.window_ms);
  if (!in.agent_id || in.agent_id->empty()) {
    return Fail("MISSING_AUTH", "X-Agent-Id header missing",
                "send your agent id (or name) in X-Agent-Id with a signed request");
  }
  auto agent = directory_->FindByIdOrName(*in.agent_id);
  if (!agent) {
    AuthResult r = Fail("UNKNOWN_AGENT", "no agent '" + *in.agent_id + "'",
                        "register first: POST /v1/agents/register");
    r.claimed_agent = *in.agent_id;
    return r;
  }
  AuthResult r = FromVerdict(client::VerifyRequest(in, agent->public_key));
  r.claimed_agent = agent->id;
  if (!r.ok) return r;
  if (agent->status == "revoked") {
    AuthResult f = Fail("AGENT_REVOKED", "agent '" + agent->name + "' has been revoked",
                        "its owner revoked it; register a new agent");
    f.http_status = 403;
    f.claimed_agent = agent->id;
    return f;
  }
  if (options_.ip_lock && !agent->device_id.empty() &&
      sodium_memcmp(DeviceId(salt_, request.client_ip).data(), agent->device_id.data(),
                    agent->device_id.size()) != 0) {
    AuthResult f = Fail("IP_MISMATCH", "request from another address than the agent registered from",
                        "this arena anchors agents to their registration IP (auth.ip_lock)");
    f.claimed_agent = agent->id;
    return f;
  }
  // The nonce is recorded only for a request whose signature verified, so nobody can burn
  // another agent's nonces.
  if (!nonces_.Insert(agent->id, *in.nonce, now_ms)) {
    AuthResult f = Fail("REPLAYED_NONCE", "nonce already used within the time window",
                        "use a fresh random X-Nonce for every request");
    f.claimed_agent = agent->id;
    return f;
  }
  r.agent = *agent;
  return r;
}

AuthResult Authenticator::VerifyRegistration(const Request& request, const Bytes& public_key,
                                             std::int64_t now_ms) {
  auto in = Input(request, now_ms, options_.window_ms);
  in.registration = true;
  AuthResult r = FromVerdict(client::VerifyRequest(in, public_key));
  if (!r.ok) return r;
  if (!nonces_.Insert("register:" + HexEncode(public_key), *in.nonce, now_ms)) {
    return Fail("REPLAYED_NONCE", "nonce already used within the time window",
                "use a fresh random X-Nonce for every request");
  }
  return r;
}

std::string RandomToken(std::string_view prefix, std::size_t bytes) {
  Bytes b(bytes);
  randombytes_buf(b.data(), b.size());
  return std::string(prefix) + Base64UrlEncode(b);
}

std::string TokenHash(std::string_view token) { return Sha256Hex(token); }

bool TokenHashEquals(const std::string& stored_hex, std::string_view token) {
  const std::string h = Sha256Hex(token);
  return stored_hex.size() == h.size() &&
         sodium_memcmp(stored_hex.data(), h.data(), h.size()) == 0;
}

}  // namespace claw::server
