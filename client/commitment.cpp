#include "client/commitment.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "client/ed25519.h"
#include "client/eip191.h"
#include "client/js_json.h"
#include "client/keccak.h"

namespace claw::client {

Result<double> ParseJsPrice(std::string_view text) {
  double value = 0;
  // from_chars rounds to nearest like JS's StringToNumber; it rejects leading '+' and
  // whitespace, which a price never needs.
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return Status::InvalidArgument("price '" + std::string(text) + "' is not a decimal number");
  }
  return value;
}

Result<std::string> CommitmentMessage(const CommitmentFields& f, bool sorted_keys) {
  JsJsonObject o;
  if (sorted_keys) {
    // Object.keys(obj).sort() compares UTF-16 code units: "action" < "agent_id" ('c' < 'g').
    o.String("action", f.action).String("agent_id", f.agent_id).Integer("lobs", f.lobs)
        .String("nonce", f.nonce).Number("price", f.price).String("side", f.side)
        .String("symbol", f.symbol).String("timestamp", f.timestamp);
  } else {
    o.String("agent_id", f.agent_id).String("action", f.action).String("side", f.side)
        .Integer("lobs", f.lobs).String("symbol", f.symbol).Number("price", f.price)
        .String("timestamp", f.timestamp).String("nonce", f.nonce);
  }
  return o.Finish();
}

std::string CommitmentHash(std::string_view message) { return "0x" + Keccak256Hex(message); }

namespace {

Result<Bytes> HashBytes(std::string_view hash_hex) {
  Result<Bytes> h = HexDecode(hash_hex, "commitment hash");
  if (!h.ok()) return h.status();
  if (h->size() != 32) return Status::InvalidArgument("commitment hash must be 32 bytes");
  return h;
}

std::string AsString(const Bytes& b) { return std::string(b.begin(), b.end()); }

CommitmentVerdict Fail(CommitmentCheck check, std::string detail) {
  CommitmentVerdict v;
  v.check = check;
  v.detail = std::move(detail);
  return v;
}

// Checks the hash; on success stores its bytes in `out`.
std::optional<CommitmentVerdict> CheckHash(std::string_view message, std::string_view hash_hex,
                                           Bytes& out) {
  Result<Bytes> h = HashBytes(hash_hex);
  if (!h.ok()) return Fail(CommitmentCheck::kBadHash, h.status().message());
  const std::string computed = CommitmentHash(message);
  if (HexEncode(*h) != computed.substr(2)) {
    return Fail(CommitmentCheck::kHashMismatch, "keccak256 of the message is " + computed);
  }
  out = std::move(*h);
  return std::nullopt;
}

}  // namespace

Result<std::string> SignCommitmentEd25519(std::string_view hash_hex, const Bytes& secret_key) {
  Result<Bytes> h = HashBytes(hash_hex);
  if (!h.ok()) return h.status();
  if (secret_key.size() != kEd25519SecretKeyBytes) return Status::InvalidArgument("secret key must be 64 bytes");
  return Base64UrlEncode(Ed25519Sign(secret_key, AsString(*h)));
}

Result<std::string> SignCommitmentEip191(std::string_view hash_hex, const Bytes& eth_private_key) {
  Result<Bytes> h = HashBytes(hash_hex);
  if (!h.ok()) return h.status();
  return Eip191Sign(eth_private_key, *h);
}

const char* CommitmentCheckName(CommitmentCheck check) {
  switch (check) {
    case CommitmentCheck::kOk: return "ok";
    case CommitmentCheck::kBadHash: return "bad_hash";
    case CommitmentCheck::kHashMismatch: return "hash_mismatch";
    case CommitmentCheck::kBadSignature: return "bad_signature";
    case CommitmentCheck::kWrongSigner: return "wrong_signer";
  }
  return "unknown";
}

CommitmentVerdict VerifyCommitmentEd25519(std::string_view message, std::string_view hash_hex,
                                          std::string_view signature, const Bytes& public_key) {
  Bytes hash;
  if (auto v = CheckHash(message, hash_hex, hash)) return *v;
  Result<Bytes> sig = ParseEd25519Signature(signature);
  if (!sig.ok()) return Fail(CommitmentCheck::kBadSignature, sig.status().message());
  if (!Ed25519Verify(public_key, AsString(hash), *sig)) {
    return Fail(CommitmentCheck::kBadSignature, "ed25519 signature does not verify over the hash bytes");
  }
  return {};
}

CommitmentVerdict VerifyCommitmentEip191(std::string_view message, std::string_view hash_hex,
                                         std::string_view signature,
                                         std::string_view expected_address) {
  Bytes hash;
  if (auto v = CheckHash(message, hash_hex, hash)) return *v;
  Result<std::string> addr = Eip191Recover(hash, signature);
  if (!addr.ok()) return Fail(CommitmentCheck::kBadSignature, addr.status().message());
  CommitmentVerdict v;
  v.recovered_address = *addr;
  if (!SameEthAddress(*addr, expected_address)) {
    v.check = CommitmentCheck::kWrongSigner;
    v.detail = "signature recovers " + *addr + ", expected " + std::string(expected_address);
  }
  return v;
}

CommitmentVerdict VerifyCommitmentSignature(std::string_view hash_hex, std::string_view scheme,
                                            std::string_view signature,
                                            const CommitmentSigner& signer) {
  Result<Bytes> hash = HashBytes(hash_hex);
  if (!hash.ok()) return Fail(CommitmentCheck::kBadHash, hash.status().message());
  if (scheme == "eip191") {
    if (signer.eth_address.empty()) {
      return Fail(CommitmentCheck::kWrongSigner, "the agent has no registered eth_address");
    }
    Result<std::string> addr = Eip191Recover(*hash, signature);
    if (!addr.ok()) return Fail(CommitmentCheck::kBadSignature, addr.status().message());
    if (!SameEthAddress(*addr, signer.eth_address)) {
      return Fail(CommitmentCheck::kWrongSigner,
                  "signature recovers " + *addr + ", expected " + signer.eth_address);
    }
    return {};
  }
  Result<Bytes> sig = ParseEd25519Signature(signature);
  if (!sig.ok()) return Fail(CommitmentCheck::kBadSignature, sig.status().message());
  if (!Ed25519Verify(signer.public_key, AsString(*hash), *sig)) {
    return Fail(CommitmentCheck::kBadSignature, "ed25519 signature does not verify over the hash bytes");
  }
  return {};
}

CommitmentVerdict VerifyRevealedCommitment(const CommitmentFields& f, std::string_view hash_hex,
                                           std::string_view scheme, std::string_view signature,
                                           const CommitmentSigner& signer) {
  std::string want(hash_hex.starts_with("0x") ? hash_hex.substr(2) : hash_hex);
  std::transform(want.begin(), want.end(), want.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (bool sorted : {false, true}) {
    Result<std::string> message = CommitmentMessage(f, sorted);
    if (!message.ok() || CommitmentHash(*message).substr(2) != want) continue;
    if (scheme == "eip191") {
      if (signer.eth_address.empty()) {
        return Fail(CommitmentCheck::kWrongSigner, "the agent has no registered eth_address");
      }
      return VerifyCommitmentEip191(*message, hash_hex, signature, signer.eth_address);
    }
    return VerifyCommitmentEd25519(*message, hash_hex, signature, signer.public_key);
  }
  return Fail(CommitmentCheck::kHashMismatch,
              "the revealed fields do not hash to the commitment (seed or sorted key order)");
}

std::string NewUuidV4() {
  if (sodium_init() < 0) return {};
  std::uint8_t b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  const std::string h = HexEncode(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace claw::client
