#include "client/keccak.h"

#include <catch2/catch.hpp>

#include <string>

using claw::client::Keccak256Hex;

TEST_CASE("keccak256 matches published Ethereum vectors", "[client]") {
  // Empty string and "abc": the Keccak team's KAT, also ethers.keccak256(toUtf8Bytes(...)).
  CHECK(Keccak256Hex("") == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  CHECK(Keccak256Hex("abc") == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  // Widely quoted Keccak-256 (not SHA3-256) digest of the pangram.
  CHECK(Keccak256Hex("The quick brown fox jumps over the lazy dog") ==
        "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST_CASE("keccak256 absorbs inputs across the 136-byte rate boundary", "[client]") {
  // Derived by swapping this implementation's pad byte 0x01 for SHA3's 0x06 and matching
  // Python's hashlib.sha3_256 for the same lengths: the permutation and block handling are
  // shared, so these pin multi-block absorption.
  CHECK(Keccak256Hex(std::string(135, 'a')) ==
        "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446");
  CHECK(Keccak256Hex(std::string(136, 'a')) ==
        "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e");
  CHECK(Keccak256Hex(std::string(137, 'a')) ==
        "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39");
  CHECK(Keccak256Hex(std::string(200, 'a')) ==
        "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d");
  CHECK(Keccak256Hex(std::string(1000, 'a')) ==
        "b6a4ac1f51884d71f30fa397a5e155de3099e11fc0edef5d08b646e621e19de9");
}
