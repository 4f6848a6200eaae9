// Messages: the JSON lines of PROTOCOL.md §10 between the runner and strategy processes.
//
// Engine -> strategy: hello, tick, fill, order_update, liquidation, commitment_update, step, bye. Money, prices and
// quantities are decimal strings (§1), times ISO-8601 UTC with milliseconds, keys in the order
// §10 lists them. Strategy -> engine: order, cancel, cancel_all, commit, reveal, close, then done.
// The sealed-trade messages are specified in man/arena-sim.1 (STRATEGY PROTOCOL).
// Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/engine/sealed.h"
#include "sim/run/config.h"

namespace claw::run {

// "2026-02-22T01:50:00.000Z" for Unix milliseconds (proleptic Gregorian, UTC).
std::string IsoMillis(std::int64_t unix_ms);

// What hello tells a strategy for sealed trades: its signing key and the reveal periods.
struct SealedHello {
  std::string public_key;   // base64url, 32 bytes
  std::string private_key;  // base64url, the 32-byte Ed25519 seed
  RevealConfig reveal;
  std::int64_t window_s = 30;  // commit timestamps must be this close to the arena clock
  std::int64_t period = 0;
  std::int64_t period_start_ms = 0;
  std::int64_t period_end_ms = 0;
  std::int64_t grace_end_ms = 0;
};

std::string HelloLine(const std::string& agent_id, const std::string& name, engine::Cash balance,
                      const std::vector<engine::Instrument>& instruments, std::int64_t now_ms,
                      const SealedHello& sealed);

// A sealed trade's state after a command or a period transition; with `error_code` set, the
// refusal of a command (`trade` null when no trade exists: a refused commit).
struct CommitmentUpdate {
  const engine::SealedTrade* trade = nullptr;
  std::string commitment_hash;
  std::string error_code;     // "" when the command was applied
  std::string error_reason;   // details.reason of the server's answer ("" when none)
  std::string error_message;
  std::int64_t time_ms = 0;
};
std::string CommitmentUpdateLine(const CommitmentUpdate& update);
std::string TickLine(const engine::Quote& quote);
std::string StepLine(std::int64_t now_ms, std::uint64_t step);
// The lines one engine event means to the wallet's owner (fill, order_update, liquidation);
// empty for events a strategy does not see (ticks, wallet opened).
std::string EventLines(const engine::Event& event);
// An order_update for a command the runner could not turn into an order (bad field types).
std::string CommandErrorLine(const std::string& client_order_id, const std::string& reason);

// ---- commands from a strategy ----

struct DoneCommand {};
struct OrderCommand {
  engine::OrderRequest request;
};
struct CancelCommand {
  engine::OrderId order_id = 0;      // 0 when the client order id is used
  std::string client_order_id;
};
struct CancelAllCommand {};
struct SealedCommand {               // commit | reveal | close: the §6 body plus "kind" and the id
  enum class Kind : std::uint8_t { kCommit, kReveal, kClose } kind = Kind::kCommit;
  std::string line;                  // parsed by client/commitment_body.h where it is applied
};
struct InvalidOrder {                // well-formed JSON, but a field the engine cannot take
  std::string client_order_id;
  std::string reason;
};
using Command = std::variant<DoneCommand, OrderCommand, CancelCommand, CancelAllCommand,
                             InvalidOrder, SealedCommand>;

// Parses one line a strategy wrote. An error means the line is not a protocol message at all
// (not JSON, not an object, unknown "kind"): the strategy is misbehaving and gets stopped.
// A recognisable order with a bad field is an InvalidOrder, answered with a rejection.
Result<Command> ParseCommand(std::string_view line);

}  // namespace claw::run
