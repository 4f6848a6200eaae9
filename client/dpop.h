// DPoP proofs (PROTOCOL.md §7, RFC 9449) with Ed25519 keys: creation, verification and the
// RFC 7638 JWK thumbprint tokens are bound to.
//
// Header and payload are serialised with JsJsonObject so key order and bytes are fixed:
// header {"typ":"dpop+jwt","alg":"EdDSA","jwk":{"kty":"OKP","crv":"Ed25519","x":...}},
// payload {"jti","htm","htu","iat"[,"ath"]}. Pure functions apart from clock/random defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::client {

struct DpopProofInput {
  std::string method;                    // htm, upper-cased
  std::string url;                       // htu is this without ?query and #fragment
  std::optional<std::string> access_token;  // adds "ath"
  std::optional<std::string> jti;        // default: 16 random bytes, base64url (128 bits)
  std::optional<std::int64_t> iat;       // default: now, unix seconds
};

// Compact JWS. REQUIRES: 64-byte libsodium secret key (its last 32 bytes are the public key).
Result<std::string> MakeDpopProof(const DpopProofInput& in, const Bytes& secret_key);

// URL without query and fragment (RFC 9449 §4.2 htu).
std::string DpopHtu(std::string_view url);
// base64url(SHA-256(access token)).
std::string DpopAth(std::string_view access_token);
// RFC 7638 thumbprint: base64url(SHA-256({"crv":"Ed25519","kty":"OKP","x":"<x>"})).
std::string JwkThumbprint(const Bytes& public_key);

// Which check failed; `details.check` of 401 INVALID_DPOP_PROOF uses these names.
enum class DpopCheck {
  kOk, kMalformed, kTyp, kAlg, kJwk, kSignature, kHtm, kHtu, kIat, kJti, kAth,
};
const char* DpopCheckName(DpopCheck check);  // "malformed", "typ", "alg", "jwk", ...

struct DpopVerifyInput {
  std::string method;
  std::string url;  // compared to htu after stripping query and fragment from both
  std::optional<std::string> access_token;  // when set, ath is required and must match
  std::int64_t now_s = 0;
  std::int64_t window_s = 60;  // PROTOCOL.md §7: iat within +-60 s
};

struct DpopVerdict {
  DpopCheck check = DpopCheck::kOk;
  std::string detail;
  Bytes public_key;        // from the jwk, once parsed
  std::string thumbprint;  // RFC 7638, set when valid
  std::string jti;         // for the server's replay cache (jti once)
  bool ok() const { return check == DpopCheck::kOk; }
};

// Parses and checks a proof. Never fails for bad input: the verdict says what is wrong.
// Replay of jti needs server state and is left to the caller (verdict.jti).
DpopVerdict VerifyDpopProof(std::string_view proof, const DpopVerifyInput& in);

}  // namespace claw::client
