// View keys for sealed commit-reveal trades (PROTOCOL.md §6): key derivation, sealing and
// opening of a trade's hidden fields.
//
// Keys form a tree derived with libsodium's crypto_kdf (BLAKE2b):
//   master = kdf(subkey 1,            ctx "clawview", the agent's 32-byte Ed25519 seed)
//   period = kdf(subkey N,            ctx "clawperd", master)        N = reveal period index
//   trade  = kdf(subkey hash[0..8) BE, ctx "clawtrad", period)        hash = commitment hash
// so sharing a master key opens every trade, a period key every trade of that period and a
// trade key one trade. Hidden fields are sealed with XChaCha20-Poly1305-IETF under the trade
// key, a random 24-byte nonce, and the commitment hash as lowercase "0x.." ASCII for associated
// data (a blob moved to another trade does not open). The plaintext is the JSON
// {"symbol":"BTCUSDT","price":"875.5","nonce":"<commit nonce>"}.
// Keys are written "vk1." + base64url(32 bytes), no padding.
//
// Pure functions; thread-safe (libsodium is initialised lazily). ViewKey wipes its bytes when
// destroyed; keys are secrets: never log them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::client {

inline constexpr std::size_t kViewKeyBytes = 32;
inline constexpr std::size_t kSealedNonceBytes = 24;  // XChaCha20-Poly1305-IETF nonce
inline constexpr std::size_t kSealedTagBytes = 16;
// Upper bound on a sealed blob's ciphertext (hidden fields are a few hundred bytes).
inline constexpr std::size_t kMaxSealedCiphertextBytes = 4096;
inline constexpr char kViewKeyPrefix[] = "vk1.";

struct ViewKey {
  std::array<std::uint8_t, kViewKeyBytes> bytes{};
  ViewKey() = default;
  ViewKey(const ViewKey&) = default;
  ViewKey& operator=(const ViewKey&) = default;
  ~ViewKey();
};

// Which tier of the tree a key turned out to be.
enum class ViewTier { kTrade, kPeriod, kMaster };
const char* ViewTierName(ViewTier tier);  // "trade" | "period" | "master"

// REQUIRES: `seed` is the 32-byte Ed25519 seed, or the 64-byte libsodium secret key
// (seed || public key), whose first 32 bytes are the seed. Other sizes: InvalidArgument.
Result<ViewKey> MasterViewKey(const Bytes& seed);
// REQUIRES: period >= 0 (periods count from the anchor at or after the unix epoch).
ViewKey PeriodViewKey(const ViewKey& master, std::int64_t period);
// The subkey id is the first 8 bytes of `hash` read big-endian. REQUIRES: IsCommitmentHash.
ViewKey TradeViewKey(const ViewKey& period_key, std::string_view hash);

// True for "0x" (or "0X", or nothing) followed by exactly 64 hex digits.
bool IsCommitmentHash(std::string_view hash);

// A sealed blob: what the commit body carries as "sealed":{"nonce","ciphertext"} (base64url).
struct Sealed {
  Bytes nonce;       // 24 bytes
  Bytes ciphertext;  // plaintext length + 16-byte tag
  std::string nonce_text() const { return Base64UrlEncode(nonce); }
  std::string ciphertext_text() const { return Base64UrlEncode(ciphertext); }
};
// Decodes the wire form. InvalidArgument naming the member when the nonce is not 24 bytes or
// the ciphertext is shorter than the tag or longer than kMaxSealedCiphertextBytes.
Result<Sealed> ParseSealed(std::string_view nonce_b64url, std::string_view ciphertext_b64url);

// Seals `plaintext` under a trade key with a fresh random nonce. InvalidArgument when `hash` is
// not a commitment hash or the plaintext is too long.
Result<Sealed> SealHiddenFields(const ViewKey& trade_key, std::string_view hash,
                                std::string_view plaintext);

struct Opened {
  std::string plaintext;
  ViewTier tier = ViewTier::kTrade;
};
// Tries `key` as the trade key, then as the key of `period`, then as the master key.
// Unauthenticated "view key does not open this trade" whatever the reason (wrong key, wrong
// tier, tampered blob, other trade's blob), so a failure tells nothing; InvalidArgument only for
// a malformed `hash`.
Result<Opened> OpenHiddenFields(const ViewKey& key, std::string_view hash, std::int64_t period,
                                const Sealed& sealed);

// "vk1." + base64url(32 bytes), no padding.
std::string FormatViewKey(const ViewKey& key);
// Inverse of FormatViewKey; surrounding ASCII whitespace (a key file's newline) is ignored,
// padded or standard base64 is accepted. InvalidArgument (never echoing the text) otherwise.
Result<ViewKey> ParseViewKey(std::string_view text);

// The sealed plaintext. `price` is the JS-number text that was hashed ("875.5").
struct HiddenFields {
  std::string symbol;
  std::string price;
  std::string nonce;
};
std::string HiddenFieldsJson(const HiddenFields& fields);
// InvalidArgument unless a JSON object with string members symbol, price and nonce.
Result<HiddenFields> ParseHiddenFields(std::string_view plaintext);

}  // namespace claw::client
