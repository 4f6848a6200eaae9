// Canonical signed requests (PROTOCOL.md §2): building the four X- headers and verifying them.
//
// Both sides live here so the server verifies exactly what clients sign. Verification reports
// which check failed so the server can map it to MISSING_AUTH / EXPIRED_TIMESTAMP /
// INVALID_SIGNATURE. Replay (REPLAYED_NONCE) and agent lookup (UNKNOWN_AGENT) need server
// state and are not checked here. Pure functions apart from the clock/random defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::client {

inline constexpr char kHeaderAgentId[] = "X-Agent-Id";
inline constexpr char kHeaderTimestamp[] = "X-Timestamp";
inline constexpr char kHeaderNonce[] = "X-Nonce";
inline constexpr char kHeaderSignature[] = "X-Signature";

// `CLAW-SIG-V1\n<METHOD>\n<target>\n<timestamp>\n<nonce>\n<sha256 hex of body>`.
// The method is upper-cased; everything else is used verbatim.
std::string CanonicalString(std::string_view method, std::string_view target,
                            std::string_view timestamp, std::string_view nonce,
                            std::string_view body);

// The four headers. agent_id is empty for registration (PROTOCOL.md §3: header omitted).
struct SignedHeaders {
  std::string agent_id;
  std::string timestamp;
  std::string nonce;
  std::string signature;  // base64url, no padding
};

struct SignRequestInput {
  std::string method;
  std::string target;  // path plus ?query, exactly as on the request line
  std::string body;
  std::string agent_id;                  // empty: registration variant
  std::optional<std::string> timestamp;  // default: now, unix milliseconds
  std::optional<std::string> nonce;      // default: NewNonce()
};

// Signs with a 64-byte libsodium secret key. Error when a given timestamp or nonce is
// malformed (so clients never emit what servers reject) or the key has the wrong size.
Result<SignedHeaders> SignRequest(const SignRequestInput& in, const Bytes& secret_key);

// 22 random chars of [A-Za-z0-9_-] (base64url of 16 random bytes: 128 bits).
std::string NewNonce();
// Current unix time in milliseconds.
std::int64_t NowUnixMillis();

// True for 16-64 chars of [A-Za-z0-9_-].
bool IsValidNonce(std::string_view nonce);
// Unix milliseconds from "<digits>" or ISO-8601 UTC ("2026-02-22T01:50:00.000Z", fraction
// optional, 'Z' required). nullopt when malformed.
std::optional<std::int64_t> ParseRequestTimestamp(std::string_view value);

// Which check failed; kOk when valid. Names are stable (used in messages and JSON output).
enum class RequestCheck {
  kOk,
  kMissingHeader,     // -> 401 MISSING_AUTH
  kBadNonce,          // -> 401 MISSING_AUTH (malformed auth header)
  kBadTimestamp,      // -> 401 EXPIRED_TIMESTAMP (unparseable)
  kExpiredTimestamp,  // -> 401 EXPIRED_TIMESTAMP (outside the window)
  kBadSignatureEncoding,  // -> 401 INVALID_SIGNATURE
  kBadSignature,      // -> 401 INVALID_SIGNATURE (wrong key, body, target, method...)
};
const char* RequestCheckName(RequestCheck check);  // "missing_header", "expired_timestamp"...

struct VerifyRequestInput {
  std::string method;
  std::string target;
  std::string body;
  // Header values as received; nullopt when the header was absent.
  std::optional<std::string> agent_id;
  std::optional<std::string> timestamp;
  std::optional<std::string> nonce;
  std::optional<std::string> signature;
  bool registration = false;  // X-Agent-Id not required
  std::int64_t now_ms = 0;
  std::int64_t window_ms = 30000;  // PROTOCOL.md §2 default +-30 s
};

struct RequestVerdict {
  RequestCheck check = RequestCheck::kOk;
  std::string detail;  // human text: "X-Nonce missing", "timestamp 42 s in the past"...
  // The canonical string the verifier rebuilt (set once the signature is checked).
  std::string canonical;
  bool ok() const { return check == RequestCheck::kOk; }
};

// Checks headers, nonce format, timestamp window, then the signature under `public_key`
// (32 bytes). Never fails for bad input: the verdict says what is wrong.
RequestVerdict VerifyRequest(const VerifyRequestInput& in, const Bytes& public_key);

}  // namespace claw::client
