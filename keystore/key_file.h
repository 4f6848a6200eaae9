// The on-disk key file of PROTOCOL.md §8: its JSON text, its validation and the AEAD's
// associated data. No cryptography and no I/O here; keystore.cpp seals and stores.
//
// Thread safety: pure functions on values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/status.h"

namespace claw::keystore {

// These strings and sizes are the file format; other implementations read them. Never change.
inline constexpr int kFileVersion = 1;
inline constexpr char kFileKind[] = "claw-keystore";
inline constexpr char kKdfAlg[] = "argon2id13";
inline constexpr char kCipherAlg[] = "xchacha20poly1305-ietf";
inline constexpr char kAdPrefix[] = "claw-keystore-v1";
inline constexpr std::size_t kSaltBytes = 16;   // crypto_pwhash_SALTBYTES
inline constexpr std::size_t kNonceBytes = 24;  // crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
inline constexpr std::size_t kTagBytes = 16;    // crypto_aead_xchacha20poly1305_ietf_ABYTES
inline constexpr std::size_t kPublicKeyBytes = 32;

// Bounds accepted when reading a file. The upper bounds keep an edited file from making
// `claw` hang or exhaust memory; they are far above libsodium's SENSITIVE limits (4, 1 GiB).
inline constexpr std::uint64_t kMaxOpslimit = 64;
inline constexpr std::uint64_t kMaxMemlimit = 4ULL << 30;

using Bytes = std::vector<std::uint8_t>;

// One key file. Binary members hold raw bytes; the text form is base64url without padding.
struct KeyFile {
  std::string name;
  Bytes public_key;
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;
  Bytes salt;
  Bytes nonce;
  Bytes ciphertext;  // sealed payload followed by the 16-byte tag
};

// `claw-keystore-v1\n<name>\n<public_key>\n<kdf.alg>\n<opslimit>\n<memlimit>\n<salt>`.
std::string AssociatedData(const KeyFile& f);

// The file text: pretty-printed JSON, members in the order of PROTOCOL.md §8, final newline.
std::string SerializeKeyFile(const KeyFile& f);

// Parses and validates every member (types, lengths, canonical base64url, known algorithms,
// limit bounds, no unknown members). DataLoss naming `path` and the member on any problem.
// Whether the ciphertext opens is not checked here.
Result<KeyFile> ParseKeyFile(std::string_view text, const std::string& path);

}  // namespace claw::keystore
