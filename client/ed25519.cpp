#include "client/ed25519.h"

#include <sodium.h>

namespace claw::client {
namespace {
void EnsureSodium() {
  // sodium_init is idempotent and thread-safe; it returns 1 when already initialised.
  static const int init = sodium_init();
  (void)init;
}
const unsigned char* U8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

Bytes Ed25519Sign(const Bytes& secret_key, std::string_view message) {
  EnsureSodium();
  Bytes sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, U8(message), message.size(), secret_key.data());
  return sig;
}

bool Ed25519Verify(const Bytes& public_key, std::string_view message, const Bytes& signature) {
  EnsureSodium();
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(signature.data(), U8(message), message.size(),
                                     public_key.data()) == 0;
}

Result<Bytes> Ed25519SecretFromSeed(const Bytes& seed) {
  EnsureSodium();
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return Status::InvalidArgument("ed25519 seed must be 32 bytes, got " +
                                   std::to_string(seed.size()));
  }
  Bytes pk(crypto_sign_PUBLICKEYBYTES), sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  return sk;
}

namespace {
Result<Bytes> ParseFixed(std::string_view text, std::size_t size, const char* what) {
  Result<Bytes> raw = Base64Decode(text, what);
  if (!raw.ok()) return raw.status();
  if (raw->size() != size) {
    return Status::InvalidArgument(std::string(what) + " must decode to " + std::to_string(size) +
                                   " bytes, got " + std::to_string(raw->size()));
  }
  return raw;
}
}  // namespace

Result<Bytes> ParseEd25519PublicKey(std::string_view text) {
  return ParseFixed(text, kEd25519PublicKeyBytes, "public key");
}

Result<Bytes> ParseEd25519Signature(std::string_view text) {
  return ParseFixed(text, kEd25519SignatureBytes, "signature");
}

}  // namespace claw::client
