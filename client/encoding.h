// Byte encodings of the wire protocol (PROTOCOL.md §1): base64url, hex, SHA-256.
//
// Thin wrappers over libsodium so every module encodes the same way. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/status.h"

namespace claw::client {

using Bytes = std::vector<std::uint8_t>;

// base64url without padding (what Claw emits everywhere).
std::string Base64UrlEncode(const std::uint8_t* data, std::size_t len);
inline std::string Base64UrlEncode(const Bytes& b) { return Base64UrlEncode(b.data(), b.size()); }
inline std::string Base64UrlEncode(std::string_view s) {
  return Base64UrlEncode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// Accepts base64url or standard base64, padded or not (PROTOCOL.md §1: input is lenient).
// Rejects anything else, including whitespace. `what` names the field in the error.
Result<Bytes> Base64Decode(std::string_view text, std::string_view what = "value");

// Lowercase hex.
std::string HexEncode(const std::uint8_t* data, std::size_t len);
inline std::string HexEncode(const Bytes& b) { return HexEncode(b.data(), b.size()); }
// Accepts upper or lower case, with an optional "0x" prefix.
Result<Bytes> HexDecode(std::string_view text, std::string_view what = "value");

// SHA-256 of bytes: raw 32 bytes, and lowercase hex.
Bytes Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);

}  // namespace claw::client
