#include "sim/server/sessions.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "sim/server/route_util.h"

namespace claw::server {
namespace {

using nlohmann::json;

constexpr char kCodeAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr int kCodeLength = 6;

bool SameSecretHash(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string JtiKey(const std::string& jkt, const std::string& jti) {
  return TokenHash(jkt + "\n" + jti);
}

AuthResult Fail(int status, std::string code, std::string message, std::string hint,
                std::string check = {}) {
  AuthResult r;
  r.http_status = status;
  r.code = std::move(code);
  r.message = std::move(message);
  r.hint = std::move(hint);
  r.dpop_check = std::move(check);
  return r;
}

std::string NormaliseCode(std::string code) {
  std::transform(code.begin(), code.end(), code.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return code;
}

}  // namespace

SessionOptions SessionOptionsFrom(const ServeConfig& c) {
  SessionOptions o;
  o.access_ttl_ms = c.session_access_ttl_s * 1000;
  o.refresh_ttl_ms = c.session_refresh_ttl_s * 1000;
  o.connect_code_ttl_ms = c.connect_code_ttl_s * 1000;
  o.proof_window_s = c.dpop_window_s;
  o.connect_tries_per_minute = c.connect_code_tries_per_minute;
  o.prune_interval_ms = c.session_prune_interval_s * 1000;
  return o;
}

Sessions::Sessions(Arena* arena, AgentDirectory* directory, SessionOptions options)
    : arena_(arena), directory_(directory), options_(options) {}

Sessions::~Sessions() { Stop(); }

Status Sessions::Start(store::Store* store) {
  Result<store::SessionState> state = store->LoadSessions();
  if (!state.ok()) return state.status().WithContext("loading DPoP sessions");
  {
    std::unique_lock lock(mu_);
    for (auto& r : state->sessions) {
      if (r.revoked_ms == 0) {
        by_access_[r.access_hash] = r.id;
        by_refresh_[r.refresh_hash] = r.id;
      }
      sessions_[r.id] = std::move(r);
    }
    for (auto& r : state->rotated) rotated_[r.refresh_hash] = std::move(r);
    for (auto& r : state->connect_codes) codes_[r.code_hash] = std::move(r);
  }
  {
    std::lock_guard lock(jti_mu_);
    for (const auto& r : state->jtis) jtis_[r.key] = r.expires_ms;
  }
  std::lock_guard lock(timer_mu_);
  stopping_ = false;
  if (!pruner_.joinable()) pruner_ = std::thread([this] { PruneLoop(); });
  return Status::Ok();
}

void Sessions::Stop() {
  {
    std::lock_guard lock(timer_mu_);
    stopping_ = true;
  }
  timer_cv_.notify_all();
  if (pruner_.joinable()) pruner_.join();
}

void Sessions::PruneLoop() {
  std::unique_lock lock(timer_mu_);
  for (;;) {
    if (timer_cv_.wait_for(lock, std::chrono::milliseconds(options_.prune_interval_ms),
                           [this] { return stopping_; })) {
      return;
    }
    arena_->Post([this](Txn& txn) { Prune(txn); });
  }
}

// ---- engine thread ----

void Sessions::Put(Txn& txn, const store::SessionRow& row) {
  sessions_[row.id] = row;
  txn.batch().sessions.sessions.push_back(row);
}

std::string Sessions::IssueConnectCode(Txn& txn, const std::string& agent_id) {
  if (sodium_init() < 0) return {};
  std::string code, hash;
  std::unique_lock lock(mu_);
  do {
    code.clear();
    for (int i = 0; i < kCodeLength; ++i) {
      code += kCodeAlphabet[randombytes_uniform(sizeof kCodeAlphabet - 1)];
    }
    hash = TokenHash(code);
  } while (codes_.count(hash));  // 36^6 codes; a collision with a kept one is merely re-drawn
  store::ConnectCodeRow row{hash, agent_id, txn.wall_ms(),
                            txn.wall_ms() + options_.connect_code_ttl_ms, 0};
  codes_[hash] = row;
  txn.batch().sessions.connect_codes.push_back(row);
  lock.unlock();
  txn.arena().Audit(txn, agent_id, "connect_code_issued", "", "",
                    json{{"expires_ms", row.expires_ms}}.dump());
  return code;
}

int Sessions::RevokeAllLocked(Txn& txn, const std::string& agent_id, const std::string& reason) {
  int n = 0;
  for (auto& [id, s] : sessions_) {
    if (s.agent_id != agent_id || s.revoked_ms != 0) continue;
    by_access_.erase(s.access_hash);
    by_refresh_.erase(s.refresh_hash);
    s.revoked_ms = txn.wall_ms();
    s.revoke_reason = reason;
    txn.batch().sessions.sessions.push_back(s);
    ++n;
  }
  return n;
}

int Sessions::RevokeAll(Txn& txn, const std::string& agent_id, const std::string& reason) {
  int n = 0;
  {
    std::unique_lock lock(mu_);
    n = RevokeAllLocked(txn, agent_id, reason);
  }
  txn.arena().Audit(txn, agent_id, "sessions_revoked", "", "",
                    json{{"reason", reason}, {"revoked", n}}.dump());
  return n;
}

IssuedTokens Sessions::Create(Txn& txn, const std::string& agent_id, const std::string& jkt,
                              const std::string& origin, const std::string& ip,
                              const std::string& request_id) {
  IssuedTokens t;
  t.session_id = NewUuid();
  t.agent_id = agent_id;
  t.access_token = RandomToken("claw_at_", 32);
  t.refresh_token = RandomToken("claw_rt_", 32);
  t.expires_in_s = options_.access_ttl_ms / 1000;
  t.refresh_expires_in_s = options_.refresh_ttl_ms / 1000;
  store::SessionRow row;
  row.id = t.session_id;
  row.agent_id = agent_id;
  row.jkt = jkt;
  row.origin = origin;
  row.access_hash = TokenHash(t.access_token);
  row.access_expires_ms = txn.wall_ms() + options_.access_ttl_ms;
  row.refresh_hash = TokenHash(t.refresh_token);
  row.refresh_expires_ms = txn.wall_ms() + options_.refresh_ttl_ms;
  row.created_ms = txn.wall_ms();
  row.refreshed_ms = txn.wall_ms();
  {
    std::unique_lock lock(mu_);
    by_access_[row.access_hash] = row.id;
    by_refresh_[row.refresh_hash] = row.id;
    Put(txn, row);
  }
  txn.arena().Audit(txn, agent_id, "session_created", ip, request_id,
                    json{{"session_id", row.id}, {"origin", origin}, {"jkt", jkt}}.dump());
  return t;
}

std::optional<std::string> Sessions::UseConnectCode(Txn& txn, const std::string& code) {
  const std::string hash = TokenHash(NormaliseCode(code));
  std::unique_lock lock(mu_);
  auto it = codes_.find(hash);
  if (it == codes_.end() || it->second.used_ms != 0 || it->second.expires_ms <= txn.wall_ms()) {
    return std::nullopt;
  }
  it->second.used_ms = txn.wall_ms();
  txn.batch().sessions.connect_codes.push_back(it->second);
  return it->second.agent_id;
}

Sessions::RefreshOutcome Sessions::Refresh(Txn& txn, const std::string& refresh_token,
                                           const std::string& jkt, const std::string& ip,
                                           const std::string& request_id) {
  RefreshOutcome out;
  const std::string hash = TokenHash(refresh_token);
  const std::int64_t now = txn.wall_ms();
  std::unique_lock lock(mu_);
  if (auto cur = by_refresh_.find(hash); cur != by_refresh_.end()) {
    store::SessionRow s = sessions_.at(cur->second);
    out.agent_id = s.agent_id;
    if (!SameSecretHash(s.jkt, jkt)) {
      out.kind = RefreshOutcome::kWrongKey;
      return out;
    }
    if (s.refresh_expires_ms <= now) return out;  // kInvalidToken
    store::RotatedRefreshRow old{s.refresh_hash, s.id, s.sequence, s.refresh_expires_ms};
    rotated_[old.refresh_hash] = old;
    txn.batch().sessions.rotated.push_back(old);
    by_access_.erase(s.access_hash);
    by_refresh_.erase(s.refresh_hash);
    IssuedTokens& t = out.tokens;
    t.session_id = s.id;
    t.agent_id = s.agent_id;
    t.access_token = RandomToken("claw_at_", 32);
    t.refresh_token = RandomToken("claw_rt_", 32);
    t.expires_in_s = options_.access_ttl_ms / 1000;
    t.refresh_expires_in_s = options_.refresh_ttl_ms / 1000;
    s.access_hash = TokenHash(t.access_token);
    s.access_expires_ms = now + options_.access_ttl_ms;
    s.refresh_hash = TokenHash(t.refresh_token);
    s.refresh_expires_ms = now + options_.refresh_ttl_ms;
    s.sequence += 1;
    s.refreshed_ms = now;
    by_access_[s.access_hash] = s.id;
    by_refresh_[s.refresh_hash] = s.id;
    Put(txn, s);
    lock.unlock();
    out.kind = RefreshOutcome::kOk;
    txn.arena().Audit(txn, s.agent_id, "session_refreshed", ip, request_id,
                      json{{"session_id", s.id}, {"sequence", s.sequence}}.dump());
    return out;
  }
  auto old = rotated_.find(hash);
  if (old == rotated_.end()) return out;  // unknown: kInvalidToken
  auto fam = sessions_.find(old->second.session_id);
  if (fam == sessions_.end()) return out;
  out.agent_id = fam->second.agent_id;
  // A proof by another key proves nothing about who holds the token: revoke nothing.
  if (!SameSecretHash(fam->second.jkt, jkt)) {
    out.kind = RefreshOutcome::kWrongKey;
    return out;
  }
  out.kind = RefreshOutcome::kReuse;
  out.revoked = RevokeAllLocked(txn, out.agent_id, "refresh_reuse");
  const std::int64_t presented_seq = old->second.sequence;
  const std::int64_t current_seq = fam->second.sequence;
  const std::string family = fam->second.id;
  lock.unlock();
  txn.arena().Audit(txn, out.agent_id, "refresh_reuse", ip, request_id,
                    json{{"session_id", family}, {"presented_sequence", presented_seq},
                         {"current_sequence", current_seq}, {"revoked", out.revoked}}
                        .dump());
  return out;
}

bool Sessions::Revoke(Txn& txn, const std::string& session_id, const std::string& reason) {
  std::unique_lock lock(mu_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second.revoked_ms != 0) return false;
  store::SessionRow& s = it->second;
  by_access_.erase(s.access_hash);
  by_refresh_.erase(s.refresh_hash);
  s.revoked_ms = txn.wall_ms();
  s.revoke_reason = reason;
  txn.batch().sessions.sessions.push_back(s);
  return true;
}

void Sessions::FlushJtis(Txn& txn) {
  std::lock_guard lock(jti_mu_);
  auto& out = txn.batch().sessions.jtis;
  out.insert(out.end(), pending_jtis_.begin(), pending_jtis_.end());
  pending_jtis_.clear();
}

void Sessions::Prune(Txn& txn) {
  const std::int64_t now = txn.wall_ms();
  FlushJtis(txn);  // rows first, so the prune below sees them too
  {
    std::lock_guard lock(jti_mu_);
    std::erase_if(jtis_, [&](const auto& kv) { return kv.second < now; });
  }
  {
    std::unique_lock lock(mu_);
    std::erase_if(rotated_, [&](const auto& kv) { return kv.second.expires_ms < now; });
    std::erase_if(codes_, [&](const auto& kv) { return kv.second.expires_ms < now; });
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second.refresh_expires_ms < now) {
        by_access_.erase(it->second.access_hash);
        by_refresh_.erase(it->second.refresh_hash);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  {
    std::lock_guard lock(tries_mu_);
    std::erase_if(tries_, [&](const auto& kv) { return kv.second.empty() || kv.second.back() < now - 60'000; });
  }
  txn.batch().sessions.prune_before_ms = now;
}

// ---- any thread ----

ProofResult Sessions::CheckProof(const Request& req, const std::string& url,
                                 const std::optional<std::string>& access_token,
                                 std::int64_t now_ms) const {
  ProofResult r;
  std::optional<std::string> proof = req.Header("dpop");
  if (!proof || proof->empty()) proof = req.Header("x-dpop");
  if (!proof || proof->empty()) {
    r.check = "missing";
    r.message = "DPoP proof header missing";
    return r;
  }
  if (proof->find(',') != std::string::npos) {  // repeated headers are joined by ","
    r.check = "malformed";
    r.message = "exactly one DPoP proof is allowed";
    return r;
  }
  client::DpopVerifyInput in;
  in.method = req.method;
  in.url = url;
  in.access_token = access_token;
  in.now_s = now_ms / 1000;
  in.window_s = options_.proof_window_s;
  client::DpopVerdict v = client::VerifyDpopProof(*proof, in);
  if (!v.ok()) {
    r.check = client::DpopCheckName(v.check);
    r.message = "DPoP proof refused (" + r.check + "): " + v.detail;
    return r;
  }
  r.ok = true;
  r.thumbprint = v.thumbprint;
  r.jti_key = JtiKey(v.thumbprint, v.jti);
  // Past iat + window the iat check refuses a replay by itself; until then the jti is kept.
  r.jti_expires_ms = (in.now_s + 2 * in.window_s + 1) * 1000;
  return r;
}

bool Sessions::RecordJti(ProofResult* proof) {
  bool post = false;
  {
    std::lock_guard lock(jti_mu_);
    auto [it, fresh] = jtis_.try_emplace(proof->jti_key, proof->jti_expires_ms);
    if (!fresh) {
      proof->ok = false;
      proof->check = "jti";
      proof->message = "DPoP proof replayed: its jti was seen before";
      return false;
    }
    post = pending_jtis_.empty();
    pending_jtis_.push_back({proof->jti_key, proof->jti_expires_ms});
  }
  // One flush per run of proofs; FIFO order puts it before any work the caller posts next.
  if (post) arena_->Post([this](Txn& txn) { FlushJtis(txn); });
  return true;
}

ProofResult Sessions::VerifyProof(const Request& req, const std::string& url,
                                  const std::optional<std::string>& access_token,
                                  std::int64_t now_ms) {
  ProofResult r = CheckProof(req, url, access_token, now_ms);
  if (r.ok) RecordJti(&r);
  return r;
}

AuthResult Sessions::Authenticate(const Request& req, const std::string& base_url,
                                  std::int64_t now_ms) {
  const std::optional<std::string> header = req.Header("authorization");
  std::string token = header && header->size() > 5 ? header->substr(5) : "";
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  if (token.empty()) {
    return Fail(401, "INVALID_TOKEN", "Authorization: DPoP carries no access token",
                "send 'Authorization: DPoP <access_token>' from POST /v1/sessions");
  }
  ProofResult proof = CheckProof(req, base_url + req.path, token, now_ms);
  if (!proof.ok) {
    return Fail(401, "INVALID_DPOP_PROOF", proof.message,
                "sign a fresh proof for this method and URL with ath of the access token",
                proof.check);
  }
  store::SessionRow s;
  {
    std::shared_lock lock(mu_);
    auto it = by_access_.find(TokenHash(token));
    if (it != by_access_.end()) s = sessions_.at(it->second);
  }
  if (s.id.empty() || s.revoked_ms != 0) {
    return Fail(401, "INVALID_TOKEN", "unknown or revoked access token",
                "log in again: POST /v1/sessions ('claw session login')");
  }
  if (s.access_expires_ms <= now_ms) {
    AuthResult f = Fail(401, "INVALID_TOKEN", "access token expired",
                        "refresh it: POST /v1/sessions/refresh ('claw session refresh')");
    f.claimed_agent = s.agent_id;
    return f;
  }
  if (!SameSecretHash(s.jkt, proof.thumbprint)) {
    AuthResult f = Fail(401, "INVALID_DPOP_PROOF", "the proof's key is not the key the token is bound to",
                        "sign proofs with the key the session was created with", "jkt");
    f.claimed_agent = s.agent_id;
    return f;
  }
  if (!RecordJti(&proof)) {
    AuthResult f = Fail(401, "INVALID_DPOP_PROOF", proof.message,
                        "make a new proof (fresh jti) for every request", "jti");
    f.claimed_agent = s.agent_id;
    return f;
  }
  std::optional<AgentAuth> agent = directory_->FindByIdOrName(s.agent_id);
  if (!agent) return Fail(401, "UNKNOWN_AGENT", "the session's agent no longer exists", "");
  if (agent->status == "revoked") {
    AuthResult f = Fail(403, "AGENT_REVOKED", "agent '" + agent->name + "' has been revoked",
                        "its owner revoked it; register a new agent");
    f.claimed_agent = agent->id;
    return f;
  }
  AuthResult r;
  r.ok = true;
  r.agent = *agent;
  r.claimed_agent = agent->id;
  r.session_id = s.id;
  return r;
}

bool Sessions::AllowConnectTry(const std::string& ip, std::int64_t now_ms) {
  std::lock_guard lock(tries_mu_);
  auto& q = tries_[ip];
  while (!q.empty() && q.front() <= now_ms - 60'000) q.pop_front();
  if (static_cast<int>(q.size()) >= options_.connect_tries_per_minute) return false;
  q.push_back(now_ms);
  return true;
}

std::optional<Sessions::SessionInfo> Sessions::FindLive(const std::string& session_id,
                                                        std::int64_t now_ms) const {
  std::shared_lock lock(mu_);
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second.revoked_ms != 0 ||
      it->second.refresh_expires_ms <= now_ms) {
    return std::nullopt;
  }
  const auto& s = it->second;
  return SessionInfo{s.id, s.agent_id, s.jkt, s.origin, s.access_expires_ms,
                     s.refresh_expires_ms, s.created_ms, s.sequence};
}

std::size_t Sessions::live_count(std::int64_t now_ms) const {
  std::shared_lock lock(mu_);
  std::size_t n = 0;
  for (const auto& [id, s] : sessions_) n += s.revoked_ms == 0 && s.refresh_expires_ms > now_ms;
  return n;
}

std::size_t Sessions::jti_count() const {
  std::lock_guard lock(jti_mu_);
  return jtis_.size();
}

}  // namespace claw::server
