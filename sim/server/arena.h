// Arena: the single writer of arena state inside `arena-sim serve` (ARCHITECTURE.md, "How data
// flows"). One engine thread owns the engine and the store's writer; IO threads and the feed
// thread hand it work through a queue. The engine thread applies a batch of queued work, writes
// everything the batch changed in one store transaction (group commit), and only then runs the
// batch's completions, which answer the HTTP requests. So a request is acknowledged only after
// what it changed is durable.
//
// Restart: every input the engine applied (market updates, registrations, orders, cancels) is
// in the store's journal; Start() replays it into a fresh engine, which is deterministic, so the
// arena comes back exactly as it was acknowledged: nothing lost, nothing applied twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/metrics.h"
#include "sim/engine/sealed.h"
#include "sim/engine/status.h"
#include "sim/server/auth.h"
#include "sim/server/serve_config.h"
#include "sim/store/store.h"

namespace claw::server {

// What the engine thread knows about an agent (the directory's record plus its wallet).
struct AgentState {
  store::AgentRow row;
};

class Arena;

// An order request in the journal's form (field names and integers); held orders store it the
// same way. FromText: nullopt for text that is not such an object.
std::string OrderRequestToText(const engine::OrderRequest& r);
std::optional<engine::OrderRequest> OrderRequestFromText(const std::string& text);

// What the server keeps about a sealed trade beyond the engine's book: the commitment as sent.
struct SealedMeta {
  std::string agent_id;
  std::string timestamp;          // ISO text exactly as committed (it is hashed verbatim)
  std::string commitment_hash;    // "0x" + lowercase hex
  std::string signature;
  std::string scheme;             // "ed25519" | "eip191"
  std::string sealed_nonce;       // view-key blob, base64url; "" = none
  std::string sealed_ciphertext;
};

// The stored (and served) form of an engine order.
store::OrderRow ToOrderRow(const engine::Order& order, const std::string& agent_id,
                           std::int64_t time_ms);

// Handed to work running on the engine thread.
class Txn {
 public:
  engine::Engine& engine() { return *engine_; }
  const engine::Engine& engine() const { return *engine_; }
  std::int64_t arena_time_ms() const;
  std::int64_t wall_ms() const { return wall_ms_; }
  store::Batch& batch() { return *batch_; }
  Arena& arena() { return *arena_; }
  // Runs after the batch holding this work has committed (status ok) or failed to.
  void AfterCommit(std::function<void(const Status&)> fn);

 private:
  friend class Arena;

// What the server keeps about a sealed trade beyond the engine's book: the commitment as sent.
struct SealedMeta {
  std::string agent_id;
  std::string timestamp;          // ISO text exactly as committed (it is hashed verbatim)
  std::string commitment_hash;    // "0x" + lowercase hex
  std::string signature;
  std::string scheme;             // "ed25519" | "eip191"
  std::string sealed_nonce;       // view-key blob, base64url; "" = none
  std::string sealed_ciphertext;
};
  Arena* arena_ = nullptr;
  engine::Engine* engine_ = nullptr;
  store::Batch* batch_ = nullptr;
  std::vector<std::function<void(const Status&)>>* after_ = nullptr;
  std::int64_t wall_ms_ = 0;
};

struct FeedHealth {
  std::string source;          // "synthetic" | "replay"
  std::string state = "starting";  // "starting" | "live" | "finished" | "error"
  std::string detail;
  std::int64_t events = 0;
};

class Arena {
 public:
  Arena(ServeConfig config, store::Store* store, AgentDirectory* directory);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Loads agents, replays the journal, starts the engine thread and the feed.
  Status Start();
  // Stops the feed, applies and commits what is queued, joins. Idempotent.
  void Stop();

  using Work = std::function<void(Txn&)>;
  // Queues work for the engine thread. False when the arena is stopping or failed (answer 503).
  bool Post(Work work);

  // ---- commands (engine thread only; each journals itself so a replay repeats it) ----
  // Opens the agent's wallet and stores the agent row.
  Result<engine::WalletId> Register(Txn& txn, store::AgentRow row);
  // Replaces the stored agent row (claim, status changes): not engine state, not journaled.
  void UpdateAgent(Txn& txn, const store::AgentRow& row);
  const store::AgentRow* FindAgent(const std::string& agent_id) const;
  const store::AgentRow* FindAgentByName(const std::string& name) const;
  const store::AgentRow* FindAgentByClaimHash(const std::string& hash) const;
  std::vector<const store::AgentRow*> Agents() const;  // in registration order
  engine::OrderId PlaceOrder(Txn& txn, const std::string& agent_id,
                             const engine::OrderRequest& request);
  Status CancelOrder(Txn& txn, const std::string& agent_id, engine::OrderId id);
  int CancelAll(Txn& txn, const std::string& agent_id);
  void Audit(Txn& txn, const std::string& agent_id, const std::string& event_type,
             const std::string& ip, const std::string& request_id, const std::string& details);
  // Sealed (commit-reveal) trades, PROTOCOL.md §6 (arena_sealed.cpp). The caller has checked
  // timestamps, hashes and signatures; the book checks balances, states and the price tape.
  // Each success is journaled and replayed exactly; a refusal changes nothing.
  engine::SealedResult SealedCommit(Txn& txn, const std::string& agent_id, engine::SealedSide side,
                                    std::int64_t lobs, std::int64_t timestamp_ms, SealedMeta meta);
  engine::SealedResult SealedReveal(Txn& txn, const std::string& agent_id, engine::SealedId id,
                                    const std::string& symbol, const std::string& price_text,
                                    engine::Price price);
  engine::SealedResult SealedClose(Txn& txn, const std::string& agent_id, engine::SealedId open_id,
                                   const std::optional<engine::SealedBook::RevealData>& reveal,
                                   const std::string& close_price_text, engine::Price close_price,
                                   std::int64_t close_timestamp_ms, SealedMeta close_meta);
  const engine::SealedBook& sealed_book() const;  // engine thread
  const engine::PriceTape& price_tape() const;    // engine thread
  const SealedMeta* FindSealedMeta(engine::SealedId id) const;  // engine thread
  engine::SealedId FindSealedByHash(const std::string& hash) const;  // engine thread; 0 = none
  store::CommitmentRow SealedRow(engine::SealedId id) const;    // engine thread
  const engine::RevealClock& reveal_clock() const;              // any thread (immutable)

  // Events the last command produced (for building its response).
  const std::vector<engine::Event>& last_events() const { return last_events_; }
  engine::Performance Performance(const std::string& agent_id) const;

  // ---- any thread ----
  std::int64_t arena_time_ms() const { return arena_time_ms_.load(std::memory_order_relaxed); }
  std::size_t queue_depth() const;
  std::uint64_t events_applied() const { return events_applied_.load(std::memory_order_relaxed); }
  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  FeedHealth feed_health() const;
  bool failed() const { return failed_.load(); }
  const ServeConfig& config() const { return config_; }
  store::Store* store() { return store_; }
  std::int64_t started_wall_ms() const { return started_wall_ms_; }

  struct Impl;  // public so file-local helpers in arena.cpp can take it
  struct SealedState;  // arena_sealed.h

 private:
  void EngineLoop();
  void FeedLoop();
  void Apply(Txn& txn, const engine::MarketEvent& ev);
  Status Replay(const store::JournalRow& row);
  void Record(Txn& txn, const std::vector<engine::Event>& events);
  void Journal(Txn& txn, const std::string& kind, std::string body);
  bool PostMarket(const engine::MarketEvent& ev);
  // Sealed trades: the tape and period transitions after a market event, transitions after a
  // command, replay of the sealed journal kinds. `txn` is null during replay (nothing to write).
  void SealedAfterMarket(Txn* txn, const engine::MarketEvent& ev);
  void SealedAdvance(Txn* txn);
  void SealedRows(Txn* txn, const std::vector<engine::SealedChange>& changes);
  Status ReplaySealed(const store::JournalRow& row);
  void TouchWallet(engine::WalletId wallet);
  engine::Engine* impl_engine() const;


  ServeConfig config_;
  store::Store* store_;
  AgentDirectory* directory_;
  std::unique_ptr<Impl> impl_;
  std::vector<engine::Event> last_events_;
  std::atomic<std::int64_t> arena_time_ms_{0};
  std::atomic<std::uint64_t> events_applied_{0};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<bool> failed_{false};
  std::int64_t started_wall_ms_ = 0;
  std::unique_ptr<SealedState> sealed_;
};

}  // namespace claw::server
