#include "client/encoding.h"

#include <catch2/catch.hpp>

using namespace claw::client;

TEST_CASE("base64url round-trips and decoding accepts standard base64", "[client]") {
  const Bytes data = {0xfb, 0xff, 0xfe, 0x00, 0x01};
  CHECK(Base64UrlEncode(data) == "-__-AAE");
  auto a = Base64Decode("-__-AAE");
  REQUIRE(a.ok());
  CHECK(*a == data);
  auto b = Base64Decode("+//+AAE=");
  REQUIRE(b.ok());
  CHECK(*b == data);
  auto c = Base64Decode("+//+AAE");
  REQUIRE(c.ok());
  CHECK(*c == data);
  auto bad = Base64Decode("ab$d", "public key");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "public key is not valid base64");
}

TEST_CASE("hex and sha256 match published values", "[client]") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto h = HexDecode("0xDEADbeef");
  REQUIRE(h.ok());
  CHECK(HexEncode(*h) == "deadbeef");
  CHECK_FALSE(HexDecode("abc").ok());
  CHECK_FALSE(HexDecode("zz").ok());
}
