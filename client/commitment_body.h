// The request bodies of PROTOCOL.md §6 (commit, reveal, close), parsed and checked for shape.
//
// One parser for every place that takes them: the server's routes and `arena-sim run`, whose
// strategies send the same bodies as JSON lines. Unknown fields are ignored (a run command
// carries "kind" and "trade_id" beside the body). Errors are InvalidArgument with a message
// naming the field (and a hint where one helps). Pure functions; thread-safe.
//
// Example:
//   Result<CommitBody> c = ParseCommitBody(R"({"action":"OPEN","side":"LONG","lobs":500,...})");
//   if (!c.ok()) return Err(400, "INVALID_PARAMETER", c.status().message());
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/engine/status.h"

namespace claw::client {

// A price as the commitment message holds it: the JavaScript number the client hashed.
struct JsPrice {
  double js = 0;     // the value JSON.stringify printed into the message
  std::string text;  // Number::toString of it ("875.50" and 875.5 both give "875.5")
};

struct CommitmentProof {
  std::string hash;       // "0x" + 64 lowercase hex digits
  std::string signature;
  std::string scheme;     // "ed25519" (default) | "eip191"
};

struct CommitBody {
  std::string action;     // always "OPEN"
  std::string side;       // "LONG" | "SHORT"
  std::int64_t lobs = 0;  // > 0
  std::string timestamp;  // as sent (it is part of the hashed message)
  std::int64_t timestamp_ms = 0;
  CommitmentProof commitment;
  std::string sealed_nonce;       // optional view-key blob (client/view_key.h); both or neither
  std::string sealed_ciphertext;
};

struct RevealBody {
  std::string symbol;
  JsPrice price;
  std::string nonce;
};

struct CloseBody {
  std::optional<RevealBody> reveal;  // needed when the open is not revealed yet
  JsPrice price;                     // close.price
  std::string timestamp;             // close.timestamp
  std::int64_t timestamp_ms = 0;
  std::string nonce;                 // close.nonce
  CommitmentProof close_commitment;
};

Result<CommitBody> ParseCommitBody(std::string_view json_text);
Result<RevealBody> ParseRevealBody(std::string_view json_text);
Result<CloseBody> ParseCloseBody(std::string_view json_text);

}  // namespace claw::client
