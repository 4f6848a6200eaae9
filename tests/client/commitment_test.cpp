#include "client/commitment.h"

#include <catch2/catch.hpp>

#include "client/ed25519.h"
#include "client/eip191.h"
#include "client/keccak.h"

using namespace claw::client;

namespace {
CommitmentFields Fields() {
  CommitmentFields f;
  f.agent_id = "a1";
  f.action = "OPEN";
  f.side = "LONG";
  f.lobs = 1000;
  f.symbol = "BTCUSDT";
  f.price = *ParseJsPrice("875.50");
  f.timestamp = "2026-02-22T01:50:00.000Z";
  f.nonce = "5f0c6b2e-0000-4000-8000-000000000001";
  return f;
}
// Exactly what node v20 prints for JSON.stringify of the same object literal.
constexpr char kMessage[] =
    "{\"agent_id\":\"a1\",\"action\":\"OPEN\",\"side\":\"LONG\",\"lobs\":1000,\"symbol\":\"BTCUSDT\","
    "\"price\":875.5,\"timestamp\":\"2026-02-22T01:50:00.000Z\","
    "\"nonce\":\"5f0c6b2e-0000-4000-8000-000000000001\"}";
}  // namespace

TEST_CASE("commitment message has JSON.stringify bytes in protocol key order", "[client]") {
  CHECK(*CommitmentMessage(Fields()) == kMessage);
  // node v20: JSON.stringify(o, Object.keys(o).sort()).
  CHECK(*CommitmentMessage(Fields(), true) ==
        "{\"action\":\"OPEN\",\"agent_id\":\"a1\",\"lobs\":1000,"
        "\"nonce\":\"5f0c6b2e-0000-4000-8000-000000000001\",\"price\":875.5,\"side\":\"LONG\","
        "\"symbol\":\"BTCUSDT\",\"timestamp\":\"2026-02-22T01:50:00.000Z\"}");
  CHECK(CommitmentHash(kMessage) == "0x" + Keccak256Hex(kMessage));
  CHECK(CommitmentHash(kMessage).size() == 66);
}

TEST_CASE("prices parse as JS numbers", "[client]") {
  CHECK(*ParseJsPrice("875.50") == 875.5);
  CHECK(*ParseJsPrice("1e3") == 1000);
  CHECK(ParseJsPrice("12abc").status().message() == "price '12abc' is not a decimal number");
  CHECK_FALSE(ParseJsPrice("").ok());
}

TEST_CASE("ed25519 commitment signs the hash bytes and verifies", "[client]") {
  const Bytes sk = *Ed25519SecretFromSeed(Bytes(32, 7));
  const Bytes pk(sk.begin() + 32, sk.end());
  const std::string hash = CommitmentHash(kMessage);
  const std::string sig = *SignCommitmentEd25519(hash, sk);
  const Bytes hash_bytes = *HexDecode(hash);
  CHECK(Ed25519Verify(pk, std::string(hash_bytes.begin(), hash_bytes.end()), *Base64Decode(sig)));
  CHECK(VerifyCommitmentEd25519(kMessage, hash, sig, pk).ok());
  std::string other = kMessage;
  other[other.find("875.5")] = '9';
  CHECK(VerifyCommitmentEd25519(other, hash, sig, pk).check == CommitmentCheck::kHashMismatch);
  CHECK(VerifyCommitmentEd25519(kMessage, hash, sig, Bytes(32, 1)).check ==
        CommitmentCheck::kBadSignature);
  CHECK(VerifyCommitmentEd25519(kMessage, "0x12", sig, pk).check == CommitmentCheck::kBadHash);
}

TEST_CASE("eip191 commitment recovers the signer address", "[client]") {
  const Bytes key =
      *ParseEthPrivateKey("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  const std::string hash = CommitmentHash(kMessage);
  const std::string sig = *SignCommitmentEip191(hash, key);
  auto ok = VerifyCommitmentEip191(kMessage, hash, sig, "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
  CHECK(ok.ok());
  CHECK(ok.recovered_address == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  CHECK(VerifyCommitmentEip191(kMessage, hash, sig, "0x0000000000000000000000000000000000000001")
            .check == CommitmentCheck::kWrongSigner);
}

TEST_CASE("uuid v4 nonces", "[client]") {
  const std::string u = NewUuidV4();
  CHECK(u.size() == 36);
  CHECK(u[14] == '4');
  CHECK(std::string("89ab").find(u[19]) != std::string::npos);
  CHECK(NewUuidV4() != u);
}
