// Keccak-256 as used by Ethereum (original Keccak padding 0x01, not FIPS-202 SHA3-256).
//
// PROTOCOL.md §6 defines commitment hashes as ethers.keccak256; neither libsodium nor
// OpenSSL 3.0 provides it, so this is a small self-contained implementation. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "client/encoding.h"

namespace claw::client {

// Raw 32-byte digest.
Bytes Keccak256(std::string_view data);
// Lowercase hex digest without prefix.
std::string Keccak256Hex(std::string_view data);

}  // namespace claw::client
