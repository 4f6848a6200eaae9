#include "client/view_key.h"

#include <catch2/catch.hpp>

using namespace claw::client;

namespace {
// Known-answer vectors computed once, independently of libsodium, with Python's
// hashlib.blake2b (crypto_kdf = BLAKE2b keyed by the parent, salt = subkey id LE, personal =
// context) and HChaCha20 + the `cryptography` package's ChaCha20-Poly1305 (= XChaCha20-Poly1305-
// IETF). Seed = bytes 0..31, period 7.
constexpr char kHash[] = "0xa1b2c3d4e5f60718000000000000000000000000000000000000000000000000";
constexpr char kMaster[] = "vk1.KcziAwk6KLa-R-NHbVvUKsqSt1_dyhg4tppbm5resTc";
constexpr char kPeriod7[] = "vk1.STCU52YeIa8Drbd5ZGMCFahB21-6ztBCqMnGOVbolK0";
constexpr char kTrade[] = "vk1.HdTRim2t92uS6QhOUqvcMeeBPVjEvFzpdJhvgzNCir4";
// Nonce = bytes 100..123, AD = kHash, plaintext = kPlain, key = kTrade.
constexpr char kNonce[] = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7";
constexpr char kCiphertext[] =
    "4CaWt6k2wj0nSh_4ujPjiUOBKQDvTzNORjCMuh5G1VdPmylYrs6F0Ejdmm4kxOmIhHgJWZfaF69jeJhQh_MgW5ay3new"
    "5VpZQh7vnmOEdwL2TemMkfM3sQQR7pPQBJiXVKMT";
constexpr char kPlain[] =
    "{\"symbol\":\"BTCUSDT\",\"price\":\"875.5\",\"nonce\":\"5f0c6b2e-0000-4000-8000-000000000001\"}";

Bytes Seed() {
  Bytes seed(32);
  for (int i = 0; i < 32; ++i) seed[i] = static_cast<std::uint8_t>(i);
  return seed;
}
}  // namespace

TEST_CASE("view keys derive master -> period -> trade as the known answers", "[client]") {
  const ViewKey master = *MasterViewKey(Seed());
  CHECK(FormatViewKey(master) == kMaster);
  const ViewKey period = PeriodViewKey(master, 7);
  CHECK(FormatViewKey(period) == kPeriod7);
  CHECK(FormatViewKey(TradeViewKey(period, kHash)) == kTrade);
  // The hash's case and prefix do not matter; only its first 8 bytes pick the trade key.
  std::string upper = kHash;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(FormatViewKey(TradeViewKey(period, upper.substr(2))) == kTrade);
  CHECK(FormatViewKey(PeriodViewKey(master, 8)) != kPeriod7);
}

TEST_CASE("master view key accepts the seed or the 64-byte secret key", "[client]") {
  Bytes sk = Seed();
  sk.resize(64, 0xee);  // the public half is not used
  CHECK(FormatViewKey(*MasterViewKey(sk)) == kMaster);
  CHECK(MasterViewKey(Bytes(31)).status().code() == claw::StatusCode::kInvalidArgument);
}

TEST_CASE("a pinned sealed blob opens with each tier and says which", "[client]") {
  const Sealed sealed = *ParseSealed(kNonce, kCiphertext);
  for (auto [key, tier] : {std::pair{kTrade, ViewTier::kTrade},
                           std::pair{kPeriod7, ViewTier::kPeriod},
                           std::pair{kMaster, ViewTier::kMaster}}) {
    auto opened = OpenHiddenFields(*ParseViewKey(key), kHash, 7, sealed);
    REQUIRE(opened.ok());
    CHECK(opened->plaintext == kPlain);
    CHECK(opened->tier == tier);
  }
  CHECK(std::string(ViewTierName(ViewTier::kPeriod)) == "period");
  const HiddenFields f = *ParseHiddenFields(kPlain);
  CHECK(f.symbol == "BTCUSDT");
  CHECK(f.price == "875.5");
  CHECK(f.nonce == "5f0c6b2e-0000-4000-8000-000000000001");
  CHECK(HiddenFieldsJson(f) == kPlain);
}

TEST_CASE("seal then open round-trips under fresh nonces", "[client]") {
  const ViewKey master = *MasterViewKey(Seed());
  const ViewKey trade = TradeViewKey(PeriodViewKey(master, 3), kHash);
  const Sealed a = *SealHiddenFields(trade, kHash, kPlain);
  const Sealed b = *SealHiddenFields(trade, kHash, kPlain);
  CHECK(a.nonce != b.nonce);
  CHECK(a.ciphertext.size() == std::string(kPlain).size() + kSealedTagBytes);
  const Sealed wire = *ParseSealed(a.nonce_text(), a.ciphertext_text());
  auto opened = OpenHiddenFields(master, kHash, 3, wire);
  REQUIRE(opened.ok());
  CHECK(opened->plaintext == kPlain);
  CHECK(opened->tier == ViewTier::kMaster);
}

TEST_CASE("wrong keys, wrong period, other trades and tampering do not open", "[client]") {
  const Sealed sealed = *ParseSealed(kNonce, kCiphertext);
  const auto denied = [&](const ViewKey& key, std::string_view hash, std::int64_t period,
                          const Sealed& s) {
    auto r = OpenHiddenFields(key, hash, period, s);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == claw::StatusCode::kUnauthenticated);
    // One message whatever the reason: a failure tells nothing about the key.
    CHECK(r.status().message() == "view key does not open this trade");
  };
  const ViewKey master = *ParseViewKey(kMaster);
  const ViewKey period = *ParseViewKey(kPeriod7);
  // Another agent's master key.
  Bytes other_seed = Seed();
  other_seed[0] ^= 1;
  denied(*MasterViewKey(other_seed), kHash, 7, sealed);
  // The key of another period, and the master key asked about the wrong period.
  denied(PeriodViewKey(master, 6), kHash, 7, sealed);
  denied(master, kHash, 6, sealed);
  // The blob moved to another trade (the hash is the associated data).
  std::string other_hash = kHash;
  other_hash.back() = '1';
  denied(master, other_hash, 7, sealed);
  // A per-trade key of another trade in the same period.
  std::string sibling = kHash;
  sibling[5] = 'f';
  denied(TradeViewKey(period, sibling), kHash, 7, sealed);
  // Any flipped bit of the ciphertext, tag or nonce.
  for (std::size_t i : {std::size_t{0}, sealed.ciphertext.size() / 2, sealed.ciphertext.size() - 1}) {
    Sealed t = sealed;
    t.ciphertext[i] ^= 0x01;
    denied(master, kHash, 7, t);
  }
  Sealed t = sealed;
  t.nonce[23] ^= 0x80;
  denied(master, kHash, 7, t);
  // A malformed hash is the caller's error, not a denial.
  CHECK(OpenHiddenFields(master, "0x12", 7, sealed).status().code() ==
        claw::StatusCode::kInvalidArgument);
  CHECK(SealHiddenFields(master, "nothex", kPlain).status().code() ==
        claw::StatusCode::kInvalidArgument);
}

TEST_CASE("view key text format", "[client]") {
  const ViewKey k = *ParseViewKey(kTrade);
  CHECK(FormatViewKey(k) == kTrade);
  CHECK(std::string(kTrade).size() == 4 + 43);
  // A key file's trailing newline and surrounding spaces are ignored.
  CHECK(FormatViewKey(*ParseViewKey(std::string("  ") + kTrade + "\n")) == kTrade);
  // Padded standard base64 of the same bytes is accepted too.
  CHECK(FormatViewKey(*ParseViewKey(std::string("vk1.HdTRim2t92uS6QhOUqvcMeeBPVjEvFzpdJhvgzNCir4="))) ==
        kTrade);
  for (const char* bad : {"", "vk1.", "vk2.HdTRim2t92uS6QhOUqvcMeeBPVjEvFzpdJhvgzNCir4",
                          "HdTRim2t92uS6QhOUqvcMeeBPVjEvFzpdJhvgzNCir4",
                          "vk1.HdTRim2t92uS6QhOUqvcMeeBPVjEvFzpdJhvgzNCi",  // 31 bytes
                          "vk1.HdTRim2t92uS6QhOUqvcMeeBPVjEvFzpdJhvgzNCir4AA",  // 33 bytes
                          "vk1.HdTRim2t92uS6QhOUqvc eeBPVjEvFzpdJhvgzNCir4", "vk1.!!!!"}) {
    auto r = ParseViewKey(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().message() == "not a view key");  // never echoes the text
  }
}

TEST_CASE("sealed blobs are checked for size on the wire", "[client]") {
  CHECK(ParseSealed("AAAA", kCiphertext).status().message().find("sealed.nonce") !=
        std::string::npos);
  CHECK_FALSE(ParseSealed(kNonce, "AAAA").ok());                       // shorter than the tag
  CHECK_FALSE(ParseSealed(kNonce, std::string(6000, 'A')).ok());       // too long
  CHECK_FALSE(ParseSealed(kNonce, "not base64!").ok());
  CHECK_FALSE(ParseHiddenFields("{\"symbol\":\"X\",\"price\":875.5,\"nonce\":\"n\"}").ok());
  CHECK_FALSE(ParseHiddenFields("garbage").ok());
}
