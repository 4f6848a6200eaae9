// EIP-191 personal_sign over a 32-byte hash with secp256k1 (PROTOCOL.md §6, scheme "eip191").
//
// Signs keccak256("\x19Ethereum Signed Message:\n32" || hash) with a recoverable ECDSA
// signature (RFC 6979 nonces, so deterministic) and outputs r || s || v, v = 27 or 28, as
// 0x-hex, like ethers' signMessage(getBytes(hash)). Thread-safe: each call uses its own
// secp256k1 context.
#pragma once

#include <string>
#include <string_view>

#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::client {

// keccak256("\x19Ethereum Signed Message:\n" + decimal length + message): personal_sign.
Bytes Eip191Digest(std::string_view message);

// personal_sign of arbitrary bytes (web3.eth.accounts.sign); Eip191Sign is this over the
// 32 hash bytes. Same output format.
Result<std::string> PersonalSign(const Bytes& private_key, std::string_view message);
// Recovered EIP-55 address of a personal_sign signature over `message`.
Result<std::string> PersonalRecover(std::string_view message, std::string_view signature_hex);

// Private key from text: 0x-hex (prefix optional), surrounding whitespace ignored, 32 bytes,
// valid on the curve.
Result<Bytes> ParseEthPrivateKey(std::string_view text);

// EIP-55 checksummed 0x address of a private key.
Result<std::string> EthAddressFromPrivateKey(const Bytes& private_key);

// 65-byte signature as "0x" + 130 lowercase hex digits.
Result<std::string> Eip191Sign(const Bytes& private_key, const Bytes& hash32);

// Recovered EIP-55 address of a signature over hash32. Error when malformed or unrecoverable.
// v may be 27/28 or 0/1.
Result<std::string> Eip191Recover(const Bytes& hash32, std::string_view signature_hex);

// EIP-55 checksum casing of a 20-byte address given as hex (0x optional, any case).
Result<std::string> ToChecksumAddress(std::string_view address_hex);

// Case-insensitive address comparison (0x prefix optional on either side).
bool SameEthAddress(std::string_view a, std::string_view b);

}  // namespace claw::client
