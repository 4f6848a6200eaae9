#include "client/dpop.h"

#include <sodium.h>

#include <catch2/catch.hpp>

#include "client/ed25519.h"

using namespace claw::client;

namespace {
Bytes Secret() { return *Ed25519SecretFromSeed(Bytes(32, 9)); }
Bytes Public() {
  const Bytes sk = Secret();
  return Bytes(sk.begin() + 32, sk.end());
}
std::string Part(const std::string& jws, int i) {
  std::size_t start = 0;
  for (int k = 0; k < i; ++k) start = jws.find('.', start) + 1;
  return jws.substr(start, jws.find('.', start) - start);
}
std::string Decoded(const std::string& part) {
  const Bytes b = *Base64Decode(part);
  return std::string(b.begin(), b.end());
}
DpopProofInput Input() {
  return DpopProofInput{"post", "https://arena.example/v1/orders?x=1#frag", std::string("tok"),
                        std::string("jti-0123456789abcdef"), 1771725000};
}
DpopVerifyInput Check() {
  return DpopVerifyInput{"POST", "https://arena.example/v1/orders", std::string("tok"),
                         1771725000, 60};
}
}  // namespace

TEST_CASE("dpop proof decodes to exactly the protocol header and claims", "[client]") {
  const std::string proof = *MakeDpopProof(Input(), Secret());
  const std::string x = Base64UrlEncode(Public());
  CHECK(Decoded(Part(proof, 0)) ==
        "{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" +
            x + "\"}}");
  CHECK(Decoded(Part(proof, 1)) ==
        "{\"jti\":\"jti-0123456789abcdef\",\"htm\":\"POST\",\"htu\":\"https://arena.example/v1/orders\","
        "\"iat\":1771725000,\"ath\":\"" + DpopAth("tok") + "\"}");
  // Signature checked with plain libsodium over "<header>.<payload>".
  const std::string input = proof.substr(0, proof.rfind('.'));
  const Bytes sig = *Base64Decode(Part(proof, 2));
  REQUIRE(sig.size() == 64);
  CHECK(crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(input.data()),
                                    input.size(), Public().data()) == 0);
  auto v = VerifyDpopProof(proof, Check());
  CHECK(v.ok());
  CHECK(v.jti == "jti-0123456789abcdef");
  CHECK(v.thumbprint == JwkThumbprint(Public()));
}

TEST_CASE("dpop ath is base64url sha256 of the token; thumbprint per RFC 7638", "[client]") {
  // base64url(SHA-256("tok")), computed independently with Python's hashlib.
  CHECK(DpopAth("tok") == "GnZ0607njffhrEOak8P6jjyUV4TU3sn9jjARc4svHWI");
  CHECK(DpopHtu("https://h/p?q#f") == "https://h/p");
  // RFC 8037 appendix A.3: thumbprint of the RFC 8032 TEST 1 public key.
  const Bytes pk = *HexDecode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  CHECK(JwkThumbprint(pk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST_CASE("dpop verifier names each wrong field", "[client]") {
  const std::string proof = *MakeDpopProof(Input(), Secret());
  auto check = Check();
  SECTION("htm") {
    check.method = "GET";
    CHECK(VerifyDpopProof(proof, check).check == DpopCheck::kHtm);
  }
  SECTION("htu") {
    check.url = "https://arena.example/v1/positions";
    CHECK(VerifyDpopProof(proof, check).check == DpopCheck::kHtu);
  }
  SECTION("iat") {
    check.now_s += 61;
    CHECK(VerifyDpopProof(proof, check).check == DpopCheck::kIat);
  }
  SECTION("ath") {
    check.access_token = "other";
    CHECK(VerifyDpopProof(proof, check).check == DpopCheck::kAth);
    auto no_token = Input();
    no_token.access_token.reset();
    CHECK(VerifyDpopProof(*MakeDpopProof(no_token, Secret()), Check()).check == DpopCheck::kAth);
  }
  SECTION("signature") {
    std::string bad = proof;
    bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
    CHECK(VerifyDpopProof(bad, check).check == DpopCheck::kSignature);
  }
  SECTION("header fields") {
    auto with_header = [&](const std::string& header) {
      return Base64UrlEncode(header) + proof.substr(proof.find('.'));
    };
    const std::string x = Base64UrlEncode(Public());
    CHECK(VerifyDpopProof(with_header("{\"typ\":\"jwt\",\"alg\":\"EdDSA\"}"), check).check == DpopCheck::kTyp);
    CHECK(VerifyDpopProof(with_header("{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\"}"), check).check == DpopCheck::kAlg);
    CHECK(VerifyDpopProof(with_header("{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\","
                                      "\"crv\":\"Ed25519\",\"x\":\"" + x + "\",\"d\":\"AA\"}}"),
                          check).check == DpopCheck::kJwk);
    CHECK(VerifyDpopProof("a.b", check).check == DpopCheck::kMalformed);
  }
}
