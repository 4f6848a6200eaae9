#include "client/view_key.h"

#include <sodium.h>

#include <cassert>
#include <nlohmann/json.hpp>

namespace claw::client {
namespace {

void EnsureSodium() {
  // sodium_init is idempotent and thread-safe; it returns 1 when already initialised.
  static const int init = sodium_init();
  (void)init;
}

// crypto_kdf contexts are exactly crypto_kdf_CONTEXTBYTES (8) characters; part of the format.
constexpr char kMasterCtx[] = "clawview";
constexpr char kPeriodCtx[] = "clawperd";
constexpr char kTradeCtx[] = "clawtrad";
static_assert(sizeof(kMasterCtx) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(sizeof(kPeriodCtx) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(sizeof(kTradeCtx) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(kViewKeyBytes == crypto_kdf_KEYBYTES);
static_assert(kViewKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kSealedNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kSealedTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

ViewKey Derive(const std::uint8_t* parent, std::uint64_t subkey_id, const char* ctx) {
  EnsureSodium();
  ViewKey out;
  crypto_kdf_derive_from_key(out.bytes.data(), out.bytes.size(), subkey_id, ctx, parent);
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view StripHexPrefix(std::string_view hash) {
  if (hash.size() >= 2 && hash[0] == '0' && (hash[1] == 'x' || hash[1] == 'X')) {
    hash.remove_prefix(2);
  }
  return hash;
}

// The associated data: lowercase "0x" + 64 hex digits. REQUIRES: IsCommitmentHash(hash).
std::string CanonicalHash(std::string_view hash) {
  std::string out = "0x";
  for (char c : StripHexPrefix(hash)) {
    out += (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

const unsigned char* U8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Opens with one candidate trade key; the plaintext on success.
bool TryOpen(const ViewKey& trade_key, const std::string& ad, const Sealed& sealed,
             std::string* plaintext) {
  std::string out(sealed.ciphertext.size() - kSealedTagBytes, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr, sealed.ciphertext.data(),
          sealed.ciphertext.size(), U8(ad), ad.size(), sealed.nonce.data(),
          trade_key.bytes.data()) != 0) {
    return false;
  }
  out.resize(len);
  *plaintext = std::move(out);
  return true;
}

}  // namespace

ViewKey::~ViewKey() { sodium_memzero(bytes.data(), bytes.size()); }

const char* ViewTierName(ViewTier tier) {
  switch (tier) {
    case ViewTier::kTrade: return "trade";
    case ViewTier::kPeriod: return "period";
    case ViewTier::kMaster: return "master";
  }
  return "unknown";
}

Result<ViewKey> MasterViewKey(const Bytes& seed) {
  if (seed.size() != crypto_sign_SEEDBYTES && seed.size() != crypto_sign_SECRETKEYBYTES) {
    return Status::InvalidArgument("view keys derive from a 32-byte Ed25519 seed or a 64-byte "
                                   "secret key, got " + std::to_string(seed.size()) + " bytes");
  }
  return Derive(seed.data(), 1, kMasterCtx);
}

ViewKey PeriodViewKey(const ViewKey& master, std::int64_t period) {
  assert(period >= 0);
  return Derive(master.bytes.data(), static_cast<std::uint64_t>(period), kPeriodCtx);
}

bool IsCommitmentHash(std::string_view hash) {
  hash = StripHexPrefix(hash);
  if (hash.size() != 64) return false;
  for (char c : hash) {
    if (HexDigit(c) < 0) return false;
  }
  return true;
}

ViewKey TradeViewKey(const ViewKey& period_key, std::string_view hash) {
  assert(IsCommitmentHash(hash));
  const std::string_view hex = StripHexPrefix(hash);
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
    const int d = HexDigit(hex[i]);
    id = (id << 4) | static_cast<std::uint64_t>(d < 0 ? 0 : d);
  }
  return Derive(period_key.bytes.data(), id, kTradeCtx);
}

Result<Sealed> ParseSealed(std::string_view nonce_b64url, std::string_view ciphertext_b64url) {
  auto nonce = Base64Decode(nonce_b64url, "sealed.nonce");
  if (!nonce.ok()) return nonce.status();
  if (nonce->size() != kSealedNonceBytes) {
    return Status::InvalidArgument("sealed.nonce must be " + std::to_string(kSealedNonceBytes) +
                                   " bytes, got " + std::to_string(nonce->size()));
  }
  auto ct = Base64Decode(ciphertext_b64url, "sealed.ciphertext");
  if (!ct.ok()) return ct.status();
  if (ct->size() < kSealedTagBytes || ct->size() > kMaxSealedCiphertextBytes) {
    return Status::InvalidArgument("sealed.ciphertext must be " +
                                   std::to_string(kSealedTagBytes) + ".." +
                                   std::to_string(kMaxSealedCiphertextBytes) + " bytes, got " +
                                   std::to_string(ct->size()));
  }
  Sealed s;
  s.nonce = std::move(*nonce);
  s.ciphertext = std::move(*ct);
  return s;
}

Result<Sealed> SealHiddenFields(const ViewKey& trade_key, std::string_view hash,
                                std::string_view plaintext) {
  EnsureSodium();
  if (!IsCommitmentHash(hash)) {
    return Status::InvalidArgument("not a commitment hash (0x + 64 hex digits)");
  }
  if (plaintext.size() + kSealedTagBytes > kMaxSealedCiphertextBytes) {
    return Status::InvalidArgument("hidden fields too long to seal");
  }
  const std::string ad = CanonicalHash(hash);
  Sealed s;
  s.nonce.resize(kSealedNonceBytes);
  randombytes_buf(s.nonce.data(), s.nonce.size());
  s.ciphertext.resize(plaintext.size() + kSealedTagBytes);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(s.ciphertext.data(), &len, U8(plaintext),
                                             plaintext.size(), U8(ad), ad.size(), nullptr,
                                             s.nonce.data(), trade_key.bytes.data());
  s.ciphertext.resize(len);
  return s;
}

Result<Opened> OpenHiddenFields(const ViewKey& key, std::string_view hash, std::int64_t period,
                                const Sealed& sealed) {
  EnsureSodium();
  if (!IsCommitmentHash(hash)) {
    return Status::InvalidArgument("not a commitment hash (0x + 64 hex digits)");
  }
  const Status denied = Status::Unauthenticated("view key does not open this trade");
  if (sealed.nonce.size() != kSealedNonceBytes || sealed.ciphertext.size() < kSealedTagBytes ||
      period < 0) {
    return denied;
  }
  const std::string ad = CanonicalHash(hash);
  Opened opened;
  if (TryOpen(key, ad, sealed, &opened.plaintext)) {
    opened.tier = ViewTier::kTrade;
    return opened;
  }
  const ViewKey as_period = TradeViewKey(key, hash);
  if (TryOpen(as_period, ad, sealed, &opened.plaintext)) {
    opened.tier = ViewTier::kPeriod;
    return opened;
  }
  const ViewKey as_master = TradeViewKey(PeriodViewKey(key, period), hash);
  if (TryOpen(as_master, ad, sealed, &opened.plaintext)) {
    opened.tier = ViewTier::kMaster;
    return opened;
  }
  return denied;
}

std::string FormatViewKey(const ViewKey& key) {
  return kViewKeyPrefix + Base64UrlEncode(key.bytes.data(), key.bytes.size());
}

Result<ViewKey> ParseViewKey(std::string_view text) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  const Status bad = Status::InvalidArgument(
      "not a view key", "view keys look like vk1.<43 base64url characters>; derive one with "
                        "`claw viewkey derive`");
  const std::string_view prefix = kViewKeyPrefix;
  if (text.substr(0, prefix.size()) != prefix) return bad;
  auto bytes = Base64Decode(text.substr(prefix.size()), "view key");
  if (!bytes.ok() || bytes->size() != kViewKeyBytes) {
    if (bytes.ok()) sodium_memzero(bytes->data(), bytes->size());
    return bad;
  }
  ViewKey key;
  std::copy(bytes->begin(), bytes->end(), key.bytes.begin());
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

std::string HiddenFieldsJson(const HiddenFields& fields) {
  nlohmann::ordered_json j;
  j["symbol"] = fields.symbol;
  j["price"] = fields.price;
  j["nonce"] = fields.nonce;
  return j.dump();
}

Result<HiddenFields> ParseHiddenFields(std::string_view plaintext) {
  const auto j = nlohmann::json::parse(plaintext, nullptr, /*allow_exceptions=*/false);
  const Status bad = Status::InvalidArgument(
      "sealed hidden fields are not {\"symbol\",\"price\",\"nonce\"} strings");
  if (!j.is_object()) return bad;
  HiddenFields f;
  for (auto [name, out] : {std::pair{"symbol", &f.symbol}, std::pair{"price", &f.price},
                           std::pair{"nonce", &f.nonce}}) {
    const auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return bad;
    *out = it->get<std::string>();
  }
  return f;
}

}  // namespace claw::client
