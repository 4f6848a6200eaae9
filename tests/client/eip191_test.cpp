#include "client/eip191.h"

#include <catch2/catch.hpp>

#include "client/keccak.h"

using namespace claw::client;

namespace {
// web3.js documentation's example account.
constexpr char kKey[] = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr char kAddress[] = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
}  // namespace

TEST_CASE("eth private key gives the documented checksummed address", "[client]") {
  Bytes key = *ParseEthPrivateKey(std::string("  ") + kKey + "\n");
  CHECK(*EthAddressFromPrivateKey(key) == kAddress);
  CHECK(*ToChecksumAddress("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23") == kAddress);
  CHECK(SameEthAddress(kAddress, "2C7536E3605D9C16A7A3D7B1898E529396A65C23"));
  CHECK_FALSE(SameEthAddress(kAddress, "0x2c7536e3605d9c16a7a3d7b1898e529396a65c24"));
  CHECK_FALSE(ParseEthPrivateKey("0x1234").ok());
  CHECK_FALSE(ParseEthPrivateKey(std::string(64, '0')).ok());  // zero is not a key
}

TEST_CASE("eip191 signatures are deterministic and recover the signer", "[client]") {
  Bytes key = *ParseEthPrivateKey(kKey);
  const Bytes hash = Keccak256("claw");
  const std::string sig = *Eip191Sign(key, hash);
  CHECK(sig.size() == 132);
  CHECK((sig.substr(130) == "1b" || sig.substr(130) == "1c"));
  CHECK(*Eip191Sign(key, hash) == sig);  // RFC 6979
  CHECK(*Eip191Recover(hash, sig) == kAddress);
  CHECK(*Eip191Recover(Keccak256("other"), sig) != kAddress);
  CHECK_FALSE(Eip191Recover(hash, sig.substr(0, 130)).ok());
}

TEST_CASE("personal_sign reproduces the web3.js documentation example", "[client]") {
  // web3.eth.accounts.sign('Some data', key): messageHash and signature as documented.
  Bytes key = *ParseEthPrivateKey(kKey);
  CHECK(HexEncode(Eip191Digest("Some data")) ==
        "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655");
  const std::string sig =
      "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b80018642"
      "2fc2da167c747ef045e5d18a5f5d4300f8e1a0291c";
  CHECK(*PersonalSign(key, "Some data") == sig);
  CHECK(*PersonalRecover("Some data", sig) == kAddress);
}
