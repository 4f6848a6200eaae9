// The arena's sealed (commit-reveal) trades: commands that journal themselves, their replay,
// the price tape fed from applied market events, and period transitions on the arena clock.
//
// Determinism: every call into the book happens at the same arena time live and in replay:
// after each market event (tape point, prune on the hour, transitions) and inside each sealed
// command (whose journal row carries `now`). So a replay rebuilds the tape, the book and the
// wallets' holds exactly, and a replayed command that does not succeed again is data loss.
#include <nlohmann/json.hpp>

#include "sim/server/arena_sealed.h"

namespace claw::server {
namespace {

using nlohmann::json;
constexpr std::int64_t kHourMs = 3'600'000;

json MetaJson(const SealedMeta& m) {
  return {{"agent_id", m.agent_id},   {"timestamp", m.timestamp},
          {"hash", m.commitment_hash}, {"signature", m.signature},
          {"scheme", m.scheme},        {"sealed_nonce", m.sealed_nonce},
          {"sealed_ciphertext", m.sealed_ciphertext}};
}

SealedMeta MetaFromJson(const json& j) {
  SealedMeta m;
  m.agent_id = j.at("agent_id").get<std::string>();
  m.timestamp = j.at("timestamp").get<std::string>();
  m.commitment_hash = j.at("hash").get<std::string>();
  m.signature = j.at("signature").get<std::string>();
  m.scheme = j.at("scheme").get<std::string>();
  m.sealed_nonce = j.at("sealed_nonce").get<std::string>();
  m.sealed_ciphertext = j.at("sealed_ciphertext").get<std::string>();
  return m;
}

}  // namespace

std::unique_ptr<Arena::SealedState> MakeSealedState(const ServeConfig& c) {
  const run::RevealConfig& r = c.arena.reveal;
  auto clock = engine::RevealClock::Make(r.period_days, r.anchor, r.grace_h);
  return std::make_unique<Arena::SealedState>(
      clock.ok() ? *clock : engine::RevealClock::Make(14, "friday 00:00 UTC", 24).value(),
      r.tolerance_bps, static_cast<std::int64_t>(r.tape_retention_h) * kHourMs);
}

const engine::SealedBook& Arena::sealed_book() const { return sealed_->book; }
const engine::PriceTape& Arena::price_tape() const { return sealed_->tape; }
const engine::RevealClock& Arena::reveal_clock() const { return sealed_->clock; }

engine::SealedId Arena::FindSealedByHash(const std::string& hash) const {
  auto it = sealed_->by_hash.find(hash);
  return it == sealed_->by_hash.end() ? 0 : it->second;
}

const SealedMeta* Arena::FindSealedMeta(engine::SealedId id) const {
  return id >= 1 && id <= sealed_->meta.size() ? &sealed_->meta[id - 1] : nullptr;
}

store::CommitmentRow Arena::SealedRow(engine::SealedId id) const {
  store::CommitmentRow r;
  const engine::SealedTrade* t = sealed_->book.Find(id);
  const SealedMeta* m = FindSealedMeta(id);
  if (t == nullptr || m == nullptr) return r;
  r.id = t->id;
  r.agent_id = m->agent_id;
  r.action = engine::ToString(t->action);
  r.side = engine::ToString(t->side);
  r.lobs = t->lobs;
  r.timestamp = m->timestamp;
  r.timestamp_ms = t->timestamp_ms;
  r.commitment_hash = m->commitment_hash;
  r.signature = m->signature;
  r.scheme = m->scheme;
  r.status = engine::ToString(t->status);
  r.revealed = t->revealed;
  r.symbol = t->symbol;
  r.price = t->price_text;
  r.revealed_ms = t->revealed_ms;
  r.period = t->period;
  r.opening_id = t->opening_id;
  r.close_id = t->close_id;
  r.has_pnl = t->has_pnl;
  r.pnl_e4 = t->pnl_e4;
  r.pnl_percent_e4 = t->pnl_percent_e4;
  r.sealed_nonce = m->sealed_nonce;
  r.sealed_ciphertext = m->sealed_ciphertext;
  r.created_ms = t->created_ms;
  return r;
}

void Arena::SealedRows(Txn* txn, const std::vector<engine::SealedChange>& changes) {
  if (txn == nullptr) return;
  auto& rows = txn->batch().commitments;
  for (const engine::SealedChange& c : changes) {
    store::CommitmentRow row = SealedRow(c.id);
    if (row.id == 0) continue;
    const engine::SealedTrade* t = sealed_->book.Find(c.id);
    TouchWallet(t->wallet);
    if (c.status == engine::SealedStatus::kRevealFailed) {
      Audit(*txn, row.agent_id, "reveal_failed", "", "",
            json{{"trade_id", std::to_string(row.id)}, {"reason", "grace_expired"},
                 {"period", row.period}, {"lobs_returned", row.lobs}}
                .dump());
    }
    bool replaced = false;
    for (auto& prev : rows) {
      if (prev.id == row.id) {
        prev = row;
        replaced = true;
        break;
      }
    }
    if (!replaced) rows.push_back(std::move(row));
  }
}

void Arena::SealedAdvance(Txn* txn) {
  engine::Engine& eng = *impl_engine();
  std::vector<engine::SealedChange> changes;
  sealed_->book.AdvanceTo(&eng, eng.arena_time_ms(), &changes);
  if (!changes.empty()) SealedRows(txn, changes);
}

void Arena::SealedAfterMarket(Txn* txn, const engine::MarketEvent& ev) {
  engine::Engine& eng = *impl_engine();
  SealedState& s = *sealed_;
  if (const engine::Quote* q = eng.FindQuote(ev.symbol); q != nullptr && q->mark.ticks > 0) {
    if (s.tape.Record(ev.symbol, ev.time_ms, q->mark) && txn != nullptr) {
      txn->batch().tape.push_back({ev.symbol, ev.time_ms, q->mark.ticks});
    }
  }
  const std::int64_t now = eng.arena_time_ms();
  const std::int64_t hour = now / kHourMs;
  if (hour != s.last_prune_hour) {
    s.last_prune_hour = hour;
    const std::int64_t cutoff = now - s.retention_ms;
    if (cutoff > 0) {
      s.tape.Prune(cutoff);
      if (txn != nullptr) txn->batch().tape_prune_before_ms = cutoff;
    }
  }
  SealedAdvance(txn);
}

engine::SealedResult Arena::SealedCommit(Txn& txn, const std::string& agent_id,
                                         engine::SealedSide side, std::int64_t lobs,
                                         std::int64_t timestamp_ms, SealedMeta meta) {
  const store::AgentRow* agent = FindAgent(agent_id);
  if (!agent) return {engine::SealedReject::kNotFound, "no such agent", 0};
  const std::int64_t now = txn.engine().arena_time_ms();
  meta.agent_id = agent_id;
  std::vector<engine::SealedChange> changes;
  // The meta must be in place before rows are built from the changes.
  sealed_->meta.push_back(meta);
  engine::SealedResult r =
      sealed_->book.Commit(&txn.engine(), agent->wallet, side, lobs, timestamp_ms, now, &changes);
  if (!r.ok()) {
    sealed_->meta.pop_back();
    return r;
  }
  sealed_->by_hash.emplace(meta.commitment_hash, r.id);
  json body = {{"wallet", agent->wallet}, {"now", now},   {"side", static_cast<int>(side)},
               {"lobs", lobs},            {"ts", timestamp_ms}, {"meta", MetaJson(meta)},
               {"id", r.id}};
  Journal(txn, "sealed_commit", body.dump());
  SealedRows(&txn, changes);
  return r;
}

engine::SealedResult Arena::SealedReveal(Txn& txn, const std::string& agent_id,
                                         engine::SealedId id, const std::string& symbol,
                                         const std::string& price_text, engine::Price price) {
  const store::AgentRow* agent = FindAgent(agent_id);
  if (!agent) return {engine::SealedReject::kNotFound, "no such agent", 0};
  const std::int64_t now = txn.engine().arena_time_ms();
  std::vector<engine::SealedChange> changes;
  engine::SealedResult r = sealed_->book.Reveal(agent->wallet, id, symbol, price_text, price,
                                                sealed_->tape, now, &changes);
  if (!r.ok()) return r;
  json body = {{"wallet", agent->wallet}, {"now", now},         {"id", id},
               {"symbol", symbol},        {"price_text", price_text}, {"price", price.ticks}};
  Journal(txn, "sealed_reveal", body.dump());
  SealedRows(&txn, changes);
  return r;
}

engine::SealedResult Arena::SealedClose(Txn& txn, const std::string& agent_id,
                                        engine::SealedId open_id,
                                        const std::optional<engine::SealedBook::RevealData>& reveal,
                                        const std::string& close_price_text,
                                        engine::Price close_price, std::int64_t close_timestamp_ms,
                                        SealedMeta close_meta) {
  const store::AgentRow* agent = FindAgent(agent_id);
  if (!agent) return {engine::SealedReject::kNotFound, "no such agent", 0};
  const std::int64_t now = txn.engine().arena_time_ms();
  close_meta.agent_id = agent_id;
  std::vector<engine::SealedChange> changes;
  sealed_->meta.push_back(close_meta);  // the CLOSE trade's id is the next one
  engine::SealedResult r =
      sealed_->book.Close(&txn.engine(), agent->wallet, open_id, reveal, close_price_text,
                          close_price, close_timestamp_ms, sealed_->tape, now, &changes);
  if (!r.ok()) {
    sealed_->meta.pop_back();
    return r;
  }
  sealed_->by_hash.emplace(close_meta.commitment_hash, r.id);
  json body = {{"wallet", agent->wallet},
               {"now", now},
               {"id", open_id},
               {"close_price_text", close_price_text},
               {"close_price", close_price.ticks},
               {"close_ts", close_timestamp_ms},
               {"meta", MetaJson(close_meta)},
               {"close_id", r.id}};
  if (reveal) {
    body["reveal"] = {{"symbol", reveal->symbol},
                      {"price_text", reveal->price_text},
                      {"price", reveal->price.ticks}};
  }
  Journal(txn, "sealed_close", body.dump());
  SealedRows(&txn, changes);
  return r;
}

Status Arena::ReplaySealed(const store::JournalRow& row) {
  const std::string where = "journal row " + std::to_string(row.seq);
  json j = json::parse(row.body, nullptr, false);
  if (j.is_discarded()) return Status::DataLoss(where + " is not JSON");
  engine::Engine& eng = *impl_engine();
  engine::SealedBook& book = sealed_->book;
  std::vector<engine::SealedChange> changes;
  engine::SealedResult r;
  try {
    const auto wallet = static_cast<engine::WalletId>(j.at("wallet").get<std::uint32_t>());
    const std::int64_t now = j.at("now").get<std::int64_t>();
    if (row.kind == "sealed_commit") {
      sealed_->meta.push_back(MetaFromJson(j.at("meta")));
      r = book.Commit(&eng, wallet, static_cast<engine::SealedSide>(j.at("side").get<int>()),
                      j.at("lobs").get<std::int64_t>(), j.at("ts").get<std::int64_t>(), now,
                      &changes);
      if (r.ok() && r.id != j.at("id").get<engine::SealedId>()) {
        return Status::DataLoss(where + " replays sealed trade " + std::to_string(r.id) +
                                " under another id");
      }
    } else if (row.kind == "sealed_reveal") {
      r = book.Reveal(wallet, j.at("id").get<engine::SealedId>(), j.at("symbol").get<std::string>(),
                      j.at("price_text").get<std::string>(),
                      engine::Price{j.at("price").get<std::int64_t>()}, sealed_->tape, now,
                      &changes);
    } else if (row.kind == "sealed_close") {
      std::optional<engine::SealedBook::RevealData> reveal;
      if (j.contains("reveal")) {
        const json& rv = j.at("reveal");
        reveal = engine::SealedBook::RevealData{rv.at("symbol").get<std::string>(),
                                                rv.at("price_text").get<std::string>(),
                                                engine::Price{rv.at("price").get<std::int64_t>()}};
      }
      sealed_->meta.push_back(MetaFromJson(j.at("meta")));
      r = book.Close(&eng, wallet, j.at("id").get<engine::SealedId>(), reveal,
                     j.at("close_price_text").get<std::string>(),
                     engine::Price{j.at("close_price").get<std::int64_t>()},
                     j.at("close_ts").get<std::int64_t>(), sealed_->tape, now, &changes);
      if (r.ok() && r.id != j.at("close_id").get<engine::SealedId>()) {
        return Status::DataLoss(where + " replays a close under another id");
      }
    } else {
      return Status::DataLoss(where + " has unknown kind '" + row.kind + "'");
    }
  } catch (const json::exception& e) {
    return Status::DataLoss(where + ": " + e.what());
  }
  if (!r.ok()) {
    return Status::DataLoss(where + " (" + row.kind + ") no longer applies: " + r.message);
  }
  if (row.kind != "sealed_reveal") sealed_->by_hash.emplace(sealed_->meta.back().commitment_hash, r.id);
  return Status::Ok();
}

}  // namespace claw::server
