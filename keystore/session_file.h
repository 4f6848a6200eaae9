// DPoP session tokens on the client (PROTOCOL.md §7, §8): one file per (key, server, agent)
// under $CLAW_HOME/keys/sessions/, 0600 in 0700 directories, replaced atomically.
//
// The tokens are sealed with XChaCha20-Poly1305 under a key derived from the Ed25519 seed of
// the keystore key the session is bound to (BLAKE2b keyed by the seed, personal
// "claw-session-v1"), so reading them needs the same passphrase as the key itself, and a
// refresh (every few minutes) re-seals without a second Argon2id run. The associated data
// binds the file to its key, server and agent:
// "claw-session-v1\n<key name>\n<server>\n<agent_id>".
//
// File: {"version":1,"kind":"claw-session","key","server","agent_id","nonce","ciphertext"}
// (binary values base64url without padding); the sealed JSON holds session_id, access_token,
// refresh_token, access_expires_at and refresh_expires_at (unix seconds) and jkt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/status.h"

namespace claw::keystore {

struct SessionTokens {
  std::string server;    // base URL the session belongs to
  std::string agent_id;
  std::string session_id;
  std::string access_token;
  std::string refresh_token;
  std::int64_t access_expires_at = 0;   // unix seconds
  std::int64_t refresh_expires_at = 0;
  std::string jkt;                       // thumbprint of the key (for display)
  ~SessionTokens();
};

// $CLAW_HOME/keys/sessions/<key>.<first 16 hex of SHA-256(server "\n" agent_id)>.json
std::string SessionFilePath(const std::string& home, const std::string& key_name,
                            const std::string& server, const std::string& agent_id);

// `secret_key` is the 64-byte libsodium secret key of `key_name`.
Status SaveSession(const std::string& home, const std::string& key_name,
                   const std::vector<std::uint8_t>& secret_key, const SessionTokens& tokens);
// nullopt when there is no file. Unauthenticated when it does not open under this key (another
// key, or an edit); DataLoss when malformed.
Result<std::optional<SessionTokens>> LoadSession(const std::string& home,
                                                 const std::string& key_name,
                                                 const std::vector<std::uint8_t>& secret_key,
                                                 const std::string& server,
                                                 const std::string& agent_id);
// Removes the file; Ok when there was none.
Status RemoveSession(const std::string& home, const std::string& key_name,
                     const std::string& server, const std::string& agent_id);

}  // namespace claw::keystore
