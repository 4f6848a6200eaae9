// Commit-reveal commitments (PROTOCOL.md §6): message bytes, keccak hash, signatures.
//
// The message is JSON.stringify({agent_id, action, side, lobs, symbol, price, timestamp,
// nonce}). `price` is a JavaScript number, so it is parsed into a double exactly as JS would
// and printed by JS rules ("875.50" -> 875.5): parsing it as fixed-point would produce bytes
// a JavaScript verifier never computes. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::client {

struct CommitmentFields {
  std::string agent_id;
  std::string action;     // OPEN | CLOSE
  std::string side;       // LONG | SHORT
  std::int64_t lobs = 0;  // integer quote units
  std::string symbol;
  double price = 0;
  std::string timestamp;  // ISO-8601 UTC
  std::string nonce;      // UUID
};

// Parses a decimal price like "875.50" or "1e3" into the double JS's Number() would give.
// Error on anything that is not a finite number.
Result<double> ParseJsPrice(std::string_view text);

// The JSON.stringify bytes, in §6 key order, or with keys sorted as
// JSON.stringify(obj, Object.keys(obj).sort()) does (action, agent_id, lobs, nonce, price,
// side, symbol, timestamp) when `sorted_keys`. Error on invalid UTF-8.
Result<std::string> CommitmentMessage(const CommitmentFields& f, bool sorted_keys = false);

// "0x" + lowercase keccak256 hex of the message bytes.
std::string CommitmentHash(std::string_view message);

// Ed25519 over the 32 hash bytes; base64url. REQUIRES: 64-byte secret key.
Result<std::string> SignCommitmentEd25519(std::string_view hash_hex, const Bytes& secret_key);
// EIP-191 personal_sign over the 32 hash bytes; 0x-hex of 65 bytes.
Result<std::string> SignCommitmentEip191(std::string_view hash_hex, const Bytes& eth_private_key);

// Which check failed; names are stable ("hash_mismatch"...).
enum class CommitmentCheck { kOk, kBadHash, kHashMismatch, kBadSignature, kWrongSigner };
const char* CommitmentCheckName(CommitmentCheck check);

struct CommitmentVerdict {
  CommitmentCheck check = CommitmentCheck::kOk;
  std::string detail;
  std::string recovered_address;  // eip191 only
  bool ok() const { return check == CommitmentCheck::kOk; }
};

// keccak(message) must equal `hash_hex` (case-insensitive, 0x optional), then the signature
// must verify under the 32-byte Ed25519 public key.
CommitmentVerdict VerifyCommitmentEd25519(std::string_view message, std::string_view hash_hex,
                                          std::string_view signature, const Bytes& public_key);
// As above, but the eip191 signature must recover `expected_address` (case-insensitive).
CommitmentVerdict VerifyCommitmentEip191(std::string_view message, std::string_view hash_hex,
                                         std::string_view signature,
                                         std::string_view expected_address);

// Who must have signed a commitment: the agent's Ed25519 public key and, for `eip191`, its
// registered Ethereum address (empty: eip191 commitments fail with kWrongSigner).
struct CommitmentSigner {
  Bytes public_key;
  std::string eth_address;
};

// The signature alone over the 32 hash bytes, as checked when a trade is committed (nothing
// can be hashed yet). `scheme` is "ed25519" or "eip191".
CommitmentVerdict VerifyCommitmentSignature(std::string_view hash_hex, std::string_view scheme,
                                            std::string_view signature,
                                            const CommitmentSigner& signer);

// A reveal: rebuilds the message from `f` in the §6 key order, else with sorted keys (what the
// live Clawstreet service hashes); keccak must equal `hash_hex` (kHashMismatch when neither
// order does), then the signature must verify under `scheme`. The server and `arena-sim run`
// both decide reveals with this.
CommitmentVerdict VerifyRevealedCommitment(const CommitmentFields& f, std::string_view hash_hex,
                                           std::string_view scheme, std::string_view signature,
                                           const CommitmentSigner& signer);

// A random UUID v4 (lowercase), the default nonce.
std::string NewUuidV4();

}  // namespace claw::client
