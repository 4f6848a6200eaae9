#include "sim/run/sealed_desk.h"

#include <sodium.h>

#include <charconv>

#include <nlohmann/json.hpp>

#include "client/commitment_body.h"
#include "client/ed25519.h"
#include "client/encoding.h"

namespace claw::run {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;

engine::Price Ticks(const client::JsPrice& p) {
  std::int64_t ticks = 0;
  return engine::ParseFixed(p.text, engine::kPriceDecimals, &ticks) ? engine::Price{ticks}
                                                                    : engine::Price{0};
}

// The reason a tape refusal is reported with (details.reason on the server).
std::string TapeReason(engine::SealedReject r) {
  using R = engine::SealedReject;
  return r == R::kUnknownSymbol || r == R::kNoTapePrice || r == R::kPriceOffTape ? engine::ToString(r)
                                                                                : "";
}

}  // namespace

AgentKey DeriveAgentKey(const std::string& name) {
  const std::string input = "claw arena-sim run agent key\n" + name;
  AgentKey key;
  key.seed.resize(crypto_hash_sha256_BYTES);
  crypto_hash_sha256(key.seed.data(), reinterpret_cast<const unsigned char*>(input.data()), input.size());
  const client::Bytes secret = client::Ed25519SecretFromSeed(key.seed).value();
  key.public_key.assign(secret.begin() + 32, secret.end());  // libsodium: seed || public key
  return key;
}

SealedDesk::SealedDesk(const RevealConfig& c)
    : config_(c),
      book_(engine::RevealClock::Make(c.period_days, c.anchor, c.grace_h).value(), c.tolerance_bps),
      retention_ms_(static_cast<std::int64_t>(c.tape_retention_h) * kHourMs) {}

void SealedDesk::AddAgent(engine::WalletId wallet, const std::string& agent_id, const AgentKey& key) {
  Agent& a = agents_[wallet];
  a.agent_id = agent_id;
  a.key = key;
  a.signer.public_key = key.public_key;
}

SealedHello SealedDesk::Hello(engine::WalletId wallet, std::int64_t now_ms) const {
  SealedHello h;
  const Agent& a = agents_.at(wallet);
  h.public_key = client::Base64UrlEncode(a.key.public_key);
  h.private_key = client::Base64UrlEncode(a.key.seed);
  const engine::RevealClock& c = clock();
  h.reveal = config_;
  h.window_s = kCommitWindowMs / 1000;
  h.period = c.Period(now_ms);
  h.period_start_ms = c.Start(h.period);
  h.period_end_ms = c.End(h.period);
  h.grace_end_ms = c.GraceEnd(h.period);
  return h;
}

std::uint64_t SealedDesk::refused(engine::WalletId wallet) const {
  auto it = agents_.find(wallet);
  return it == agents_.end() ? 0 : it->second.refused;
}

void SealedDesk::AfterMarket(engine::Engine* engine, const std::string& symbol, std::int64_t time_ms,
                             std::vector<Update>* updates) {
  if (const engine::Quote* q = engine->FindQuote(symbol); q != nullptr && q->mark.ticks > 0) {
    tape_.Record(symbol, time_ms, q->mark);
  }
  if (const std::int64_t hour = time_ms / kHourMs; hour != last_prune_hour_) {
    last_prune_hour_ = hour;
    if (time_ms - retention_ms_ > 0) tape_.Prune(time_ms - retention_ms_);
  }
  std::vector<engine::SealedChange> changes;
  book_.AdvanceTo(engine, time_ms, &changes);
  for (const engine::SealedChange& c : changes) {
    const engine::SealedTrade* t = book_.Find(c.id);
    if (t != nullptr) updates->push_back({t->wallet, Updated(t, time_ms)});
  }
}

void SealedDesk::Apply(engine::Engine* engine, engine::WalletId wallet, const SealedCommand& command,
                       std::int64_t now_ms, std::string* lines) {
  auto it = agents_.find(wallet);
  if (it == agents_.end()) return;
  switch (command.kind) {
    case SealedCommand::Kind::kCommit: *lines += Commit(engine, wallet, it->second, command.line, now_ms); break;
    case SealedCommand::Kind::kReveal: *lines += Reveal(wallet, it->second, command.line, now_ms); break;
    case SealedCommand::Kind::kClose: *lines += Close(engine, wallet, it->second, command.line, now_ms); break;
  }
}

std::string SealedDesk::Updated(const engine::SealedTrade* trade, std::int64_t now_ms) const {
  CommitmentUpdate u;
  u.trade = trade;
  u.commitment_hash = meta_.at(trade->id - 1).hash;
  u.time_ms = now_ms;
  return CommitmentUpdateLine(u);
}

std::string SealedDesk::Refuse(Agent& agent, const engine::SealedTrade* trade, const std::string& hash,
                               const std::string& code, const std::string& reason,
                               const std::string& message, std::int64_t now_ms) {
  ++agent.refused;
  CommitmentUpdate u;
  u.trade = trade;
  u.commitment_hash = trade ? meta_.at(trade->id - 1).hash : hash;
  u.error_code = code;
  u.error_reason = reason;
  u.error_message = message;
  u.time_ms = now_ms;
  return CommitmentUpdateLine(u);
}

std::string SealedDesk::Commit(engine::Engine* engine, engine::WalletId wallet, Agent& agent,
                               const std::string& line, std::int64_t now_ms) {
  Result<client::CommitBody> body = client::ParseCommitBody(line);
  if (!body.ok()) {
    return Refuse(agent, nullptr, "", "INVALID_PARAMETER", "", body.status().message(), now_ms);
  }
  const client::CommitmentProof& c = body->commitment;
  client::CommitmentVerdict v = client::VerifyCommitmentSignature(c.hash, c.scheme, c.signature, agent.signer);
  if (!v.ok()) {
    return Refuse(agent, nullptr, c.hash, "INVALID_COMMITMENT", client::CommitmentCheckName(v.check),
                  "the commitment signature does not verify: " + v.detail +
                      " (sign the 32 hash bytes with hello's signing_key)",
                  now_ms);
  }
  if (auto prev = by_hash_.find(c.hash); prev != by_hash_.end()) {
    const engine::SealedTrade* t = book_.Find(prev->second);
    if (t->wallet == wallet) return Updated(t, now_ms);  // a repeated commit: the same trade
    return Refuse(agent, nullptr, c.hash, "DUPLICATE_COMMITMENT", "",
                  "this commitment hash is taken; use a fresh nonce", now_ms);
  }
  if (body->timestamp_ms < now_ms - kCommitWindowMs || body->timestamp_ms > now_ms + kCommitWindowMs) {
    return Refuse(agent, nullptr, c.hash, "STALE_COMMITMENT", "",
                  "timestamp " + body->timestamp + " is not within " +
                      std::to_string(kCommitWindowMs / 1000) + " s of the arena clock (" +
                      IsoMillis(now_ms) + "); commit with the step's arena_time",
                  now_ms);
  }
  std::vector<engine::SealedChange> changes;
  engine::SealedResult r = book_.Commit(engine, wallet, *engine::ParseSealedSide(body->side),
                                        body->lobs, body->timestamp_ms, now_ms, &changes);
  if (!r.ok()) {
    return Refuse(agent, nullptr, c.hash, engine::ErrorCode(r.reject), "", r.message, now_ms);
  }
  meta_.push_back({c.hash, c.signature, c.scheme, body->timestamp});
  by_hash_.emplace(c.hash, r.id);
  return Updated(book_.Find(r.id), now_ms);
}

const engine::SealedTrade* SealedDesk::Target(engine::WalletId wallet, const std::string& line) const {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return nullptr;
  engine::SealedId id = 0;
  if (auto it = j.find("trade_id"); it != j.end() && !it->is_null()) {
    if (it->is_number_unsigned()) {
      id = it->get<engine::SealedId>();
    } else if (it->is_string()) {
      const std::string s = it->get<std::string>();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
      if (ec != std::errc() || p != s.data() + s.size()) id = 0;
    }
  } else if (auto h = j.find("commitment_hash"); h != j.end() && h->is_string()) {
    std::string hash = h->get<std::string>();
    for (char& ch : hash) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (auto found = by_hash_.find(hash); found != by_hash_.end()) id = found->second;
  }
  const engine::SealedTrade* t = book_.Find(id);
  if (t == nullptr || t->wallet != wallet || t->action != engine::SealedAction::kOpen) return nullptr;
  return t;
}

std::string SealedDesk::Reveal(engine::WalletId wallet, Agent& agent, const std::string& line,
                               std::int64_t now_ms) {
  const engine::SealedTrade* t = Target(wallet, line);
  if (t == nullptr) {
    return Refuse(agent, nullptr, "", "NOT_FOUND", "",
                  "no sealed open of yours with that trade_id or commitment_hash", now_ms);
  }
  Result<client::RevealBody> rv = client::ParseRevealBody(line);
  if (!rv.ok()) return Refuse(agent, t, "", "INVALID_PARAMETER", "", rv.status().message(), now_ms);
  if (t->revealed) return Refuse(agent, t, "", "ALREADY_REVEALED", "", "the trade is revealed", now_ms);
  if (t->status == engine::SealedStatus::kRevealFailed || now_ms >= clock().GraceEnd(t->period)) {
    return Refuse(agent, t, "", "REVEAL_WINDOW_CLOSED", "",
                  "the reveal window of period " + std::to_string(t->period) + " closed at " +
                      IsoMillis(clock().GraceEnd(t->period)),
                  now_ms);
  }
  const Meta& meta = meta_.at(t->id - 1);
  client::CommitmentFields f{agent.agent_id, "OPEN", engine::ToString(t->side), t->lobs,
                             rv->symbol,     rv->price.js, meta.timestamp, rv->nonce};
  client::CommitmentVerdict v = client::VerifyRevealedCommitment(f, meta.hash, meta.scheme, meta.signature, agent.signer);
  if (!v.ok()) {
    return Refuse(agent, t, "", "REVEAL_MISMATCH", client::CommitmentCheckName(v.check),
                  "reveal rejected: " + v.detail, now_ms);
  }
  std::vector<engine::SealedChange> changes;
  engine::SealedResult r =
      book_.Reveal(wallet, t->id, rv->symbol, rv->price.text, Ticks(rv->price), tape_, now_ms, &changes);
  if (!r.ok()) {
    return Refuse(agent, t, "", engine::ErrorCode(r.reject), TapeReason(r.reject),
                  "reveal rejected: " + r.message, now_ms);
  }
  return Updated(book_.Find(t->id), now_ms);
}

std::string SealedDesk::Close(engine::Engine* engine, engine::WalletId wallet, Agent& agent,
                              const std::string& line, std::int64_t now_ms) {
  const engine::SealedTrade* t = Target(wallet, line);
  if (t == nullptr) {
    return Refuse(agent, nullptr, "", "NOT_FOUND", "",
                  "no sealed open of yours with that trade_id or commitment_hash", now_ms);
  }
  Result<client::CloseBody> body = client::ParseCloseBody(line);
  if (!body.ok()) return Refuse(agent, t, "", "INVALID_PARAMETER", "", body.status().message(), now_ms);
  if (t->status == engine::SealedStatus::kClosed) {
    return Refuse(agent, t, "", "ALREADY_CLOSED", "", "the trade is closed", now_ms);
  }
  if (body->timestamp_ms < now_ms - kCommitWindowMs || body->timestamp_ms > now_ms + kCommitWindowMs) {
    return Refuse(agent, t, "", "STALE_COMMITMENT", "",
                  "close.timestamp " + body->timestamp + " is not within " +
                      std::to_string(kCommitWindowMs / 1000) + " s of the arena clock (" +
                      IsoMillis(now_ms) + ")",
                  now_ms);
  }
  const client::CommitmentProof& cc = body->close_commitment;
  if (by_hash_.count(cc.hash)) {
    return Refuse(agent, t, "", "DUPLICATE_COMMITMENT", "", "this close commitment hash is taken", now_ms);
  }
  if (!t->revealed && (t->status == engine::SealedStatus::kRevealFailed ||
                       now_ms >= clock().GraceEnd(t->period))) {
    return Refuse(agent, t, "", "REVEAL_WINDOW_CLOSED", "",
                  "the reveal window of period " + std::to_string(t->period) + " closed", now_ms);
  }
  if (!t->revealed && !body->reveal) {
    return Refuse(agent, t, "", "REVEAL_REQUIRED", "",
                  "the trade is not revealed; send 'reveal' {symbol, price, nonce} with the close", now_ms);
  }
  const Meta& meta = meta_.at(t->id - 1);
  std::optional<engine::SealedBook::RevealData> reveal;
  std::string symbol = t->symbol;
  if (!t->revealed) {
    const client::RevealBody& rv = *body->reveal;
    client::CommitmentFields f{agent.agent_id, "OPEN", engine::ToString(t->side), t->lobs,
                               rv.symbol,      rv.price.js, meta.timestamp, rv.nonce};
    client::CommitmentVerdict v = client::VerifyRevealedCommitment(f, meta.hash, meta.scheme, meta.signature, agent.signer);
    if (!v.ok()) {
      return Refuse(agent, t, "", "REVEAL_MISMATCH", client::CommitmentCheckName(v.check),
                    "close rejected: open: " + v.detail, now_ms);
    }
    reveal = engine::SealedBook::RevealData{rv.symbol, rv.price.text, Ticks(rv.price)};
    symbol = rv.symbol;
  }
  client::CommitmentFields cf{agent.agent_id, "CLOSE", engine::ToString(t->side), t->lobs,
                              symbol,         body->price.js, body->timestamp, body->nonce};
  client::CommitmentVerdict v = client::VerifyRevealedCommitment(cf, cc.hash, cc.scheme, cc.signature, agent.signer);
  if (!v.ok()) {
    return Refuse(agent, t, "", "REVEAL_MISMATCH", client::CommitmentCheckName(v.check),
                  "close rejected: close: " + v.detail, now_ms);
  }
  std::vector<engine::SealedChange> changes;
  const engine::SealedId open_id = t->id;
  engine::SealedResult r = book_.Close(engine, wallet, open_id, reveal, body->price.text, Ticks(body->price),
                                       body->timestamp_ms, tape_, now_ms, &changes);
  if (!r.ok()) {
    return Refuse(agent, book_.Find(open_id), "", engine::ErrorCode(r.reject), TapeReason(r.reject),
                  "close rejected: " + r.message, now_ms);
  }
  meta_.push_back({cc.hash, cc.signature, cc.scheme, body->timestamp});
  by_hash_.emplace(cc.hash, r.id);
  return Updated(book_.Find(open_id), now_ms);
}

}  // namespace claw::run
