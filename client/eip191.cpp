#include "client/eip191.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "client/keccak.h"

namespace claw::client {
namespace {

struct ContextDeleter {
  void operator()(secp256k1_context* c) const { secp256k1_context_destroy(c); }
};
using ContextPtr = std::unique_ptr<secp256k1_context, ContextDeleter>;

ContextPtr NewContext() {
  return ContextPtr(secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string AddressFromPubkey(const secp256k1_context* ctx, const secp256k1_pubkey& pub) {
  std::uint8_t raw[65];
  std::size_t len = sizeof raw;
  secp256k1_ec_pubkey_serialize(ctx, raw, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  const Bytes digest = Keccak256(std::string_view(reinterpret_cast<const char*>(raw + 1), 64));
  return *ToChecksumAddress(HexEncode(digest.data() + 12, 20));
}

std::string StripHexPrefix(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  return std::string(s);
}

std::string_view AsView(const Bytes& b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace

Bytes Eip191Digest(std::string_view message) {
  std::string msg = "\x19" "Ethereum Signed Message:\n";
  msg += std::to_string(message.size());
  msg.append(message);
  return Keccak256(msg);
}

Result<Bytes> ParseEthPrivateKey(std::string_view text) {
  Result<Bytes> key = HexDecode(Trim(text), "ethereum private key");
  if (!key.ok()) return key.status();
  ContextPtr ctx = NewContext();
  if (key->size() != 32 || !secp256k1_ec_seckey_verify(ctx.get(), key->data())) {
    return Status::InvalidArgument("ethereum private key must be 32 bytes of 0x-hex in the curve order");
  }
  return key;
}

Result<std::string> EthAddressFromPrivateKey(const Bytes& private_key) {
  ContextPtr ctx = NewContext();
  secp256k1_pubkey pub;
  if (private_key.size() != 32 || !secp256k1_ec_pubkey_create(ctx.get(), &pub, private_key.data())) {
    return Status::InvalidArgument("invalid ethereum private key");
  }
  return AddressFromPubkey(ctx.get(), pub);
}

Result<std::string> Eip191Sign(const Bytes& private_key, const Bytes& hash32) {
  if (hash32.size() != 32) return Status::InvalidArgument("hash must be 32 bytes");
  return PersonalSign(private_key, AsView(hash32));
}

Result<std::string> PersonalSign(const Bytes& private_key, std::string_view message) {
  ContextPtr ctx = NewContext();
  const Bytes digest = Eip191Digest(message);
  secp256k1_ecdsa_recoverable_signature sig;
  // NULL nonce function = RFC 6979 deterministic nonces; libsecp256k1 emits low-s.
  if (private_key.size() != 32 || !secp256k1_ecdsa_sign_recoverable(ctx.get(), &sig, digest.data(),
                                                                     private_key.data(), nullptr, nullptr)) {
    return Status::InvalidArgument("invalid ethereum private key");
  }
  std::uint8_t out[65];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx.get(), out, &recid, &sig);
  out[64] = static_cast<std::uint8_t>(27 + recid);
  return "0x" + HexEncode(out, sizeof out);
}

Result<std::string> Eip191Recover(const Bytes& hash32, std::string_view signature_hex) {
  if (hash32.size() != 32) return Status::InvalidArgument("hash must be 32 bytes");
  return PersonalRecover(AsView(hash32), signature_hex);
}

Result<std::string> PersonalRecover(std::string_view message, std::string_view signature_hex) {
  Result<Bytes> sig = HexDecode(signature_hex, "eip191 signature");
  if (!sig.ok()) return sig.status();
  if (sig->size() != 65) return Status::InvalidArgument("eip191 signature must be 65 bytes");
  int v = (*sig)[64];
  if (v >= 27) v -= 27;
  if (v != 0 && v != 1) return Status::InvalidArgument("eip191 signature v must be 27 or 28");
  ContextPtr ctx = NewContext();
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx.get(), &rsig, sig->data(), v)) {
    return Status::InvalidArgument("eip191 signature r or s out of range");
  }
  const Bytes digest = Eip191Digest(message);
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(ctx.get(), &pub, &rsig, digest.data())) {
    return Status::Unauthenticated("eip191 signature does not recover to any address");
  }
  return AddressFromPubkey(ctx.get(), pub);
}

Result<std::string> ToChecksumAddress(std::string_view address_hex) {
  std::string lower = StripHexPrefix(address_hex);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  Result<Bytes> raw = HexDecode(lower, "ethereum address");
  if (!raw.ok()) return raw.status();
  if (raw->size() != 20) return Status::InvalidArgument("ethereum address must be 20 bytes");
  const std::string digest = Keccak256Hex(lower);
  std::string out = "0x";
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const char c = lower[i];
    const bool upper = std::isalpha(static_cast<unsigned char>(c)) &&
                       std::stoi(std::string(1, digest[i]), nullptr, 16) >= 8;
    out += upper ? static_cast<char>(std::toupper(c)) : c;
  }
  return out;
}

bool SameEthAddress(std::string_view a, std::string_view b) {
  const std::string x = StripHexPrefix(a), y = StripHexPrefix(b);
  return x.size() == y.size() && x.size() == 40 &&
         std::equal(x.begin(), x.end(), y.begin(), [](char p, char q) {
           return std::tolower(static_cast<unsigned char>(p)) == std::tolower(static_cast<unsigned char>(q));
         });
}

}  // namespace claw::client
