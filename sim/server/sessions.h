// DPoP sessions (PROTOCOL.md §7, RFC 9449; seed 004 §12): key-bound access tokens, rotating
// refresh tokens with reuse detection, single-use connect codes, and the jti replay cache.
//
// State lives in memory for the IO threads' lookups (an authenticated call never waits for the
// engine thread) and in the store (schema v3) for restarts. Every change is made on the engine
// thread through a Txn, whose batch carries the rows, so a change is durable before the request
// that made it is answered. Tokens and codes are kept only as hex SHA-256 hashes.
//
// Threads: methods taking a Txn run on the engine thread only. Authenticate, VerifyProof,
// AllowConnectTry and the lookups may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/dpop.h"
#include "sim/server/arena.h"
#include "sim/server/auth.h"
#include "sim/server/http.h"
#include "sim/store/store.h"

namespace claw::server {

struct SessionOptions {
  std::int64_t access_ttl_ms = 300'000;
  std::int64_t refresh_ttl_ms = 30LL * 86'400'000;
  std::int64_t connect_code_ttl_ms = 900'000;
  std::int64_t proof_window_s = 60;
  int connect_tries_per_minute = 10;
  std::int64_t prune_interval_ms = 60'000;
};
SessionOptions SessionOptionsFrom(const ServeConfig& config);

// Tokens handed to a client (shown once; only their hashes are kept).
struct IssuedTokens {
  std::string session_id;
  std::string agent_id;
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in_s = 0;
  std::int64_t refresh_expires_in_s = 0;
};

// A checked DPoP proof, or the reason it failed (`check` is details.check of
// 401 INVALID_DPOP_PROOF: typ, alg, jwk, signature, htm, htu, iat, ath, jti, malformed, missing,
// jkt).
struct ProofResult {
  bool ok = false;
  std::string check;
  std::string message;
  std::string thumbprint;  // RFC 7638 jkt of the proof key, when ok
  std::string jti_key;     // hex SHA-256 of "<jkt>\n<jti>", when ok
  std::int64_t jti_expires_ms = 0;
};

class Sessions {
 public:
  Sessions(Arena* arena, AgentDirectory* directory, SessionOptions options);
  ~Sessions();
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;

  // Loads the stored state (before serving) and starts the pruning timer.
  Status Start(store::Store* store);
  void Stop();  // idempotent; before the arena stops

  // ---- engine thread ----
  // A connect code for `agent_id`: 6 chars A-Z0-9, TTL from config, single use, stored as its
  // SHA-256 hash. Returns the code in clear (once). Audited ("connect_code_issued").
  std::string IssueConnectCode(Txn& txn, const std::string& agent_id);
  // Revokes every live session of the agent; audited ("sessions_revoked" with the reason).
  // Returns how many were live.
  int RevokeAll(Txn& txn, const std::string& agent_id, const std::string& reason);
  // A new session (its own refresh family) bound to `jkt`.
  IssuedTokens Create(Txn& txn, const std::string& agent_id, const std::string& jkt,
                      const std::string& origin, const std::string& ip,
                      const std::string& request_id);
  // Uses a connect code: the agent id, or nullopt when the code is unknown, used or expired.
  std::optional<std::string> UseConnectCode(Txn& txn, const std::string& code);
  // Refresh rotation. On reuse of a rotated token every session of the agent is revoked.
  struct RefreshOutcome {
    enum Kind { kOk, kInvalidToken, kWrongKey, kReuse } kind = kInvalidToken;
    IssuedTokens tokens;  // kOk
    std::string agent_id;  // kOk, kReuse, kWrongKey
    int revoked = 0;       // kReuse
  };
  RefreshOutcome Refresh(Txn& txn, const std::string& refresh_token, const std::string& jkt,
                         const std::string& ip, const std::string& request_id);
  // Revokes one session (log out). False when it was not live.
  bool Revoke(Txn& txn, const std::string& session_id, const std::string& reason);
  // Drops expired jtis, rotated tokens, codes and sessions, in memory and in the store.
  void Prune(Txn& txn);

  // ---- any thread ----
  // Checks the request's proof (header DPoP, or X-DPoP) for its method and `url` (the
  // server's public URL plus the path), with `ath` when `access_token` is given. Does not
  // look at the jti cache.
  ProofResult CheckProof(const Request& req, const std::string& url,
                         const std::optional<std::string>& access_token, std::int64_t now_ms) const;
  // Records a checked proof's jti; false (and ok = false, check "jti") when seen before. The
  // record is durable with the next batch, which commits before any work posted after this.
  bool RecordJti(ProofResult* proof);
  // CheckProof, then RecordJti.
  ProofResult VerifyProof(const Request& req, const std::string& url,
                          const std::optional<std::string>& access_token, std::int64_t now_ms);
  // §7 authentication of `Authorization: DPoP <token>` plus a proof; sets session_id and
  // dpop_check in the result.
  AuthResult Authenticate(const Request& req, const std::string& base_url, std::int64_t now_ms);
  // Connect-code tries per client IP and minute; false once over the limit.
  bool AllowConnectTry(const std::string& ip, std::int64_t now_ms);
  struct SessionInfo {
    std::string id, agent_id, jkt, origin;
    std::int64_t access_expires_ms = 0, refresh_expires_ms = 0, created_ms = 0;
    std::int64_t sequence = 0;
  };
  std::optional<SessionInfo> FindLive(const std::string& session_id, std::int64_t now_ms) const;
  std::size_t live_count(std::int64_t now_ms) const;
  std::size_t jti_count() const;
  const SessionOptions& options() const { return options_; }

 private:
  void Put(Txn& txn, const store::SessionRow& row);  // memory + batch; caller holds mu_
  int RevokeAllLocked(Txn& txn, const std::string& agent_id, const std::string& reason);
  void FlushJtis(Txn& txn);
  void PruneLoop();

  Arena* arena_;
  AgentDirectory* directory_;
  SessionOptions options_;

  mutable std::shared_mutex mu_;  // sessions, tokens, codes
  std::unordered_map<std::string, store::SessionRow> sessions_;      // by id
  std::unordered_map<std::string, std::string> by_access_;           // hash -> id
  std::unordered_map<std::string, std::string> by_refresh_;          // hash -> id
  std::unordered_map<std::string, store::RotatedRefreshRow> rotated_;  // hash -> row
  std::unordered_map<std::string, store::ConnectCodeRow> codes_;     // hash -> row

  mutable std::mutex jti_mu_;
  std::unordered_map<std::string, std::int64_t> jtis_;  // key -> expires_ms
  std::vector<store::JtiRow> pending_jtis_;             // not yet in a batch

  std::mutex tries_mu_;
  std::unordered_map<std::string, std::deque<std::int64_t>> tries_;  // ip -> try times

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;
  std::thread pruner_;
};

}  // namespace claw::server
