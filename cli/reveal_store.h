// Local reveal data of sealed trades: what `claw commit open|close` must keep so the trade can
// be revealed later (PROTOCOL.md §6, §8), one encrypted file per commitment in
// $CLAW_HOME/reveals/<agent_id>/<commitment hash>.json.
//
// The file is written durably (temp file, fsync, rename, fsync of the directory) BEFORE the
// commitment is sent, so a crash at any point leaves either no commitment on the server or a
// file that can reveal it; it is rewritten with the trade id once the server answers.
//
// File: {"version":1,"kind":"claw-reveal","agent_id","commitment_hash","cipher":{"alg":
// "xchacha20poly1305-ietf","nonce","ciphertext"}}, AD "claw-reveal-v1\n<agent_id>\n<hash>".
// The sealed record holds everything (symbol, price, nonce, timestamp, public fields, server,
// trade id, close data). Encryption key: crypto_kdf(subkey 1, ctx "clawrevl", the agent's
// Ed25519 seed) rather than the keystore's passphrase-sealed payload, because
//  - it costs no Argon2id run per write (a commit writes twice: before and after the request),
//  - each trade is its own small file, so writes never rewrite (and never risk) the key file,
//    and concurrent `claw` processes do not race on one payload,
//  - it is exactly as strong: reading it needs the key's passphrase, like the key itself.
// Deleting the key file makes the reveals unreadable; back them up together.
//
// Not thread-safe. Files are 0600 in 0700 directories.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/encoding.h"
#include "sim/engine/status.h"

namespace claw::cli {

struct CloseRecord {
  std::string price;      // JS-number text as hashed
  std::string timestamp;
  std::string nonce;
  std::string hash, signature, scheme;
  bool sorted_keys = false;
  std::string close_trade_id;  // set once the server answered
};

struct RevealRecord {
  std::string server;
  std::string agent_id;
  std::string action = "OPEN";
  std::string side;
  std::int64_t lobs = 0;
  std::string symbol;
  std::string price;  // JS-number text as hashed ("875.5")
  std::string timestamp;
  std::string nonce;
  bool sorted_keys = false;
  std::string scheme;  // ed25519 | eip191
  std::string hash;
  std::string signature;
  bool sealed = false;     // a view-key blob was sent
  std::string trade_id;    // "" until the server answered
  std::int64_t period = -1;
  std::string status = "unsent";  // unsent | committed | revealed | closed | reveal_failed
  bool has_close = false;
  CloseRecord close;
};

class RevealStore {
 public:
  // `home` is $CLAW_HOME; `secret_key` the agent's 64-byte Ed25519 secret key (or its seed).
  RevealStore(std::string home, std::string agent_id, const client::Bytes& secret_key);
  ~RevealStore();
  RevealStore(const RevealStore&) = delete;
  RevealStore& operator=(const RevealStore&) = delete;

  // Writes (or replaces) the record's file durably. InvalidArgument for an agent id or hash
  // that cannot name a file; IOError when the OS refuses.
  Status Save(const RevealRecord& record);
  // By commitment hash. NotFound when absent; DataLoss when edited, truncated or sealed under
  // another key.
  Result<RevealRecord> Load(const std::string& hash) const;
  // By trade id (open or close) or commitment hash. NotFound when no record matches; DataLoss
  // when none matches but some file could not be read (it may hold the trade).
  Result<RevealRecord> Find(const std::string& id) const;
  // Every readable record, sorted by timestamp; unreadable files are reported in `problems`.
  std::vector<RevealRecord> All(std::vector<std::string>* problems) const;

  std::string Dir() const;
  std::string PathFor(const std::string& hash) const;

 private:
  std::string home_;
  std::string agent_id_;
  std::vector<std::uint8_t> key_;  // 32 bytes, wiped on destruction
};

// Agent ids name a directory: 1-128 characters of [A-Za-z0-9._-], not starting with '.'.
Status ValidateAgentDirName(const std::string& agent_id);

}  // namespace claw::cli
