// Ed25519 signatures (PROTOCOL.md §1): thin libsodium wrappers and public-key parsing.
//
// Keys use libsodium's layout: 64-byte secret key (seed || public key), 32-byte public key.
// Pure functions; thread-safe once libsodium is initialised (sodium_init is called lazily).
#pragma once

#include <string_view>

#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::client {

inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kEd25519SecretKeyBytes = 64;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

// Detached signature (64 bytes). REQUIRES: secret_key.size() == 64.
Bytes Ed25519Sign(const Bytes& secret_key, std::string_view message);
// True when `signature` (64 bytes) verifies under `public_key` (32 bytes). Wrong sizes: false.
bool Ed25519Verify(const Bytes& public_key, std::string_view message, const Bytes& signature);
// Secret key (64 bytes) from a 32-byte seed (RFC 8032 private key). Error on wrong size.
Result<Bytes> Ed25519SecretFromSeed(const Bytes& seed);
// Public key from base64url or standard base64; must decode to exactly 32 bytes.
Result<Bytes> ParseEd25519PublicKey(std::string_view text);
// Signature from base64url or standard base64; must decode to exactly 64 bytes.
Result<Bytes> ParseEd25519Signature(std::string_view text);

}  // namespace claw::client
