#include "client/ed25519.h"

#include <catch2/catch.hpp>

#include <string>

using namespace claw::client;

namespace {
Bytes Hex(const char* h) { return *HexDecode(h); }
std::string Str(const Bytes& b) { return std::string(b.begin(), b.end()); }

struct Rfc8032Vector {
  const char* seed;
  const char* pub;
  const char* msg;
  const char* sig;
};
}  // namespace

TEST_CASE("ed25519 wrapper reproduces RFC 8032 section 7.1 vectors", "[client]") {
  const Rfc8032Vector vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
      {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
  };
  for (const auto& v : vectors) {
    Bytes sk = *Ed25519SecretFromSeed(Hex(v.seed));
    CHECK(HexEncode(Bytes(sk.begin() + 32, sk.end())) == v.pub);
    const std::string msg = Str(Hex(v.msg));
    CHECK(HexEncode(Ed25519Sign(sk, msg)) == v.sig);
    CHECK(Ed25519Verify(Hex(v.pub), msg, Hex(v.sig)));
    CHECK_FALSE(Ed25519Verify(Hex(v.pub), msg + "x", Hex(v.sig)));
  }
}

TEST_CASE("public keys parse from base64url or standard base64, 32 bytes only", "[client]") {
  const Bytes pk = Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  CHECK(*ParseEd25519PublicKey("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo") == pk);
  CHECK(*ParseEd25519PublicKey("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=") == pk);
  CHECK(ParseEd25519PublicKey("AAAA").status().message() ==
        "public key must decode to 32 bytes, got 3");
  CHECK_FALSE(Ed25519Verify(Bytes(31), "", Bytes(64)));
}
