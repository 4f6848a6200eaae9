// SealedDesk: commit-reveal trades (PROTOCOL.md §6) for `arena-sim run`, on the feed's clock.
//
// The runner's counterpart of the server's commitment routes: it takes a strategy's commit,
// reveal and close commands (the §6 bodies as JSON lines), verifies them with the same code the
// server uses (client/commitment_body.h for the bodies, client/commitment.h for keccak and the
// Ed25519 signature), and applies them to a sim/engine SealedBook checked against a price tape
// of the mark price after every market event. Refusals carry the server's error codes.
// Each agent signs with a simulation key derived from its name (DeriveAgentKey), so a run is
// reproducible; the key reaches the strategy in `hello` and is worthless outside the run.
//
// Deterministic: no clocks (time is the feed's), no randomness. Not thread-safe; the runner's
// thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/commitment.h"
#include "sim/engine/engine.h"
#include "sim/engine/sealed.h"
#include "sim/run/config.h"
#include "sim/run/messages.h"

namespace claw::run {

// Commit timestamps must be within this of the arena clock (the server's default auth window).
inline constexpr std::int64_t kCommitWindowMs = 30'000;

struct AgentKey {
  client::Bytes public_key;  // 32 bytes
  client::Bytes seed;        // 32 bytes (the private key a strategy signs with)
};
// seed = SHA-256("claw arena-sim run agent key\n" + name); public key from the seed.
AgentKey DeriveAgentKey(const std::string& name);

class SealedDesk {
 public:
  // REQUIRES: `config` passed LoadRunConfig's checks (a valid reveal clock).
  explicit SealedDesk(const RevealConfig& config);

  void AddAgent(engine::WalletId wallet, const std::string& agent_id, const AgentKey& key);
  SealedHello Hello(engine::WalletId wallet, std::int64_t now_ms) const;

  // A commitment_update for `wallet`'s strategy.
  struct Update {
    engine::WalletId wallet = 0;
    std::string line;
  };
  // After a market event: the symbol's mark goes on the tape, old points are pruned (hourly),
  // and period transitions (pending_reveal, reveal_failed) up to `time_ms` are reported.
  void AfterMarket(engine::Engine* engine, const std::string& symbol, std::int64_t time_ms,
                   std::vector<Update>* updates);
  // Applies one command of `wallet`; appends its commitment_update line to `*lines`.
  void Apply(engine::Engine* engine, engine::WalletId wallet, const SealedCommand& command,
             std::int64_t now_ms, std::string* lines);

  const engine::SealedBook& book() const { return book_; }
  const engine::RevealClock& clock() const { return book_.clock(); }
  std::uint64_t refused(engine::WalletId wallet) const;

 private:
  struct Agent {
    std::string agent_id;
    AgentKey key;
    client::CommitmentSigner signer;
    std::uint64_t refused = 0;
  };
  struct Meta {  // what the book does not keep: the commitment as sent
    std::string hash, signature, scheme, timestamp;
  };

  std::string Commit(engine::Engine* engine, engine::WalletId wallet, Agent& agent,
                     const std::string& line, std::int64_t now_ms);
  std::string Reveal(engine::WalletId wallet, Agent& agent, const std::string& line,
                     std::int64_t now_ms);
  std::string Close(engine::Engine* engine, engine::WalletId wallet, Agent& agent,
                    const std::string& line, std::int64_t now_ms);
  // The open trade a reveal/close names by trade_id or commitment_hash; null when it names
  // none of `wallet`'s opens.
  const engine::SealedTrade* Target(engine::WalletId wallet, const std::string& line) const;
  std::string Refuse(Agent& agent, const engine::SealedTrade* trade, const std::string& hash,
                     const std::string& code, const std::string& reason,
                     const std::string& message, std::int64_t now_ms);
  std::string Updated(const engine::SealedTrade* trade, std::int64_t now_ms) const;

  RevealConfig config_;
  engine::SealedBook book_;
  engine::PriceTape tape_;
  std::int64_t retention_ms_;
  std::int64_t last_prune_hour_ = -1;
  std::map<engine::WalletId, Agent> agents_;
  std::vector<Meta> meta_;  // by SealedId - 1
  std::unordered_map<std::string, engine::SealedId> by_hash_;
};

}  // namespace claw::run
