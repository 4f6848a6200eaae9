#include "client/signed_request.h"

#include <catch2/catch.hpp>

#include "client/ed25519.h"

using namespace claw::client;

namespace {
// RFC 8032 TEST 1 key.
Bytes TestSecret() {
  return *Ed25519SecretFromSeed(
      *HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
}
Bytes TestPublic() {
  const Bytes sk = TestSecret();
  return Bytes(sk.begin() + 32, sk.end());
}
constexpr std::int64_t kNow = 1771725000000;  // 2026-02-22T01:50:00.000Z

VerifyRequestInput Signed(const std::string& body) {
  SignRequestInput in{"post", "/v1/orders?x=1", body, "agent-7", std::string("1771725000000"),
                      std::string("abcdefghijklmnop_-12")};
  SignedHeaders h = *SignRequest(in, TestSecret());
  VerifyRequestInput v;
  v.method = "POST";
  v.target = "/v1/orders?x=1";
  v.body = body;
  v.agent_id = h.agent_id;
  v.timestamp = h.timestamp;
  v.nonce = h.nonce;
  v.signature = h.signature;
  v.now_ms = kNow;
  return v;
}
}  // namespace

TEST_CASE("canonical string golden bytes", "[client]") {
  CHECK(CanonicalString("post", "/v1/orders?x=1", "1771725000000", "abcdefghijklmnop_-12",
                        "{\"symbol\":\"BTCUSDT\"}") ==
        "CLAW-SIG-V1\nPOST\n/v1/orders?x=1\n1771725000000\nabcdefghijklmnop_-12\n"
        "a2a5c6cce406f05fb955e0a80f090d5e15655d91a134eb3606c317a07b021c65");
  CHECK(CanonicalString("GET", "/v1/portfolio", "2026-02-22T01:50:00.000Z", "n0nce-n0nce-n0nce", "") ==
        "CLAW-SIG-V1\nGET\n/v1/portfolio\n2026-02-22T01:50:00.000Z\nn0nce-n0nce-n0nce\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("signed request verifies and each failure names its check", "[client]") {
  const std::string body = "{\"symbol\":\"BTCUSDT\"}";
  CHECK(VerifyRequest(Signed(body), TestPublic()).ok());

  SECTION("tampered body") {
    auto v = Signed(body);
    v.body = "{\"symbol\":\"ETHUSDT\"}";
    CHECK(VerifyRequest(v, TestPublic()).check == RequestCheck::kBadSignature);
  }
  SECTION("tampered target") {
    auto v = Signed(body);
    v.target = "/v1/orders";
    CHECK(VerifyRequest(v, TestPublic()).check == RequestCheck::kBadSignature);
  }
  SECTION("missing headers") {
    auto v = Signed(body);
    v.signature.reset();
    auto r = VerifyRequest(v, TestPublic());
    CHECK(r.check == RequestCheck::kMissingHeader);
    CHECK(r.detail == "X-Signature header missing");
    v = Signed(body);
    v.agent_id.reset();
    CHECK(VerifyRequest(v, TestPublic()).check == RequestCheck::kMissingHeader);
    v.registration = true;
    CHECK(VerifyRequest(v, TestPublic()).ok());
  }
  SECTION("nonce format") {
    auto v = Signed(body);
    v.nonce = "short";
    CHECK(VerifyRequest(v, TestPublic()).check == RequestCheck::kBadNonce);
  }
  SECTION("timestamp window") {
    auto v = Signed(body);
    v.now_ms = kNow + 31000;
    auto r = VerifyRequest(v, TestPublic());
    CHECK(r.check == RequestCheck::kExpiredTimestamp);
    CHECK(r.detail == "X-Timestamp is 31 s in the past (window +-30 s)");
    v.now_ms = kNow + 30000;
    CHECK(VerifyRequest(v, TestPublic()).ok());
    v.timestamp = "yesterday";
    CHECK(VerifyRequest(v, TestPublic()).check == RequestCheck::kBadTimestamp);
  }
  SECTION("signature encoding") {
    auto v = Signed(body);
    v.signature = "AAAA";
    CHECK(VerifyRequest(v, TestPublic()).check == RequestCheck::kBadSignatureEncoding);
  }
}

TEST_CASE("request timestamps accept unix ms and ISO-8601 UTC", "[client]") {
  CHECK(*ParseRequestTimestamp("2026-02-22T01:50:00.000Z") == kNow);
  CHECK(*ParseRequestTimestamp("2026-02-22T01:50:00Z") == kNow);
  CHECK(*ParseRequestTimestamp("1771725000000") == kNow);
  CHECK_FALSE(ParseRequestTimestamp("2026-02-22 01:50:00Z"));
  CHECK_FALSE(ParseRequestTimestamp("-5"));
}

TEST_CASE("default nonce and timestamp are well formed", "[client]") {
  SignRequestInput in;
  in.method = "GET";
  in.target = "/v1/agents/me";
  auto h = *SignRequest(in, TestSecret());
  CHECK(h.nonce.size() == 22);
  CHECK(IsValidNonce(h.nonce));
  CHECK(NewNonce() != NewNonce());
  CHECK(ParseRequestTimestamp(h.timestamp));
  CHECK(SignRequest(SignRequestInput{"GET", "/", "", "", std::nullopt, std::string("bad nonce!")},
                    TestSecret()).status().message() ==
        "nonce 'bad nonce!' must be 16-64 chars of [A-Za-z0-9_-]");
}
