// Keystore: Ed25519 keys sealed in one JSON file each under $CLAW_HOME/keys (PROTOCOL.md §8).
//
// File: {"version":1,"kind":"claw-keystore","name","public_key","kdf":{...},"cipher":{...}},
// Argon2id (crypto_pwhash) + XChaCha20-Poly1305 with the header as associated data, 0600 in a
// 0700 directory, replaced atomically (temp file, fsync, rename, fsync of the directory).
// The sealed plaintext is a JSON object: {"ed25519_seed":"<base64url 32 bytes>"} plus optional
// members later features keep there ("sessions", "reveals"); unknown members are preserved.
//
// Thread safety: none; one Keystore per process. Secrets are wiped (sodium_memzero) when their
// holder is destroyed; they are never logged or printed.
//
// Status codes: NotFound (no such key or file), AlreadyExists (refusing to overwrite),
// Unauthenticated (wrong passphrase, or an edit the AEAD caught), DataLoss (truncated, edited or
// malformed file), InvalidArgument (bad name, seed or limits), IOError (the OS refused).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/status.h"

namespace claw::keystore {

// Argon2id cost recorded in each file. Defaults: libsodium's INTERACTIVE limits or stronger.
// Explicit values below INTERACTIVE are accepted (tests use crypto_pwhash_*_MIN) down to the
// libsodium minimums; above 64 ops or 4 GiB they are refused, as they are when reading a file.
struct KdfLimits {
  std::uint64_t opslimit = 0;  // 0 = default (crypto_pwhash_OPSLIMIT_INTERACTIVE)
  std::uint64_t memlimit = 0;  // 0 = default (crypto_pwhash_MEMLIMIT_INTERACTIVE)
};

// A secret that wipes itself (sodium_memzero) when destroyed. Move-only.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string bytes);
  ~Secret();
  Secret(Secret&& o) noexcept;
  Secret& operator=(Secret&& o) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  const std::string& bytes() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }

 private:
  std::string bytes_;
};

// An unsealed key: the 32-byte Ed25519 seed, the 64-byte libsodium secret key and the public key.
struct SigningKey {
  std::string name;
  std::vector<std::uint8_t> public_key;  // 32 bytes
  Secret secret_key;                     // 64 bytes, libsodium layout (seed || public key)
};

// What `keys list` shows without asking for a passphrase (the unencrypted header).
struct KeyInfo {
  std::string name;
  std::string public_key;   // base64url, no padding
  std::string fingerprint;  // Fingerprint(public key)
  std::string path;
  std::uint64_t opslimit = 0, memlimit = 0;
  bool loose_permissions = false;  // file or directory readable by group/others
  std::string problem;             // List() only: why the file could not be read ("" if fine)
};

// Short fingerprint: "SHA256:" + the first 16 base64url characters of SHA-256(public key).
std::string Fingerprint(const std::vector<std::uint8_t>& public_key);

// Key names: ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ (they become file names).
Status ValidateKeyName(const std::string& name);

class Keystore {
 public:
  // `home` is $CLAW_HOME; keys live in home/keys. Nothing is touched until a call needs it.
  explicit Keystore(std::string home);

  // Receives warnings that do not stop the operation (loose permissions), one line each
  // without a trailing newline. Default: "claw: warning: <text>" on stderr.
  void SetWarningHandler(std::function<void(const std::string&)> handler);

  // Generates a new key and seals it. AlreadyExists unless `force`.
  Result<KeyInfo> Generate(const std::string& name, const Secret& passphrase, bool force,
                           KdfLimits limits = {});
  // Seals an existing 32-byte seed (import). AlreadyExists unless `force`.
  Result<KeyInfo> Import(const std::string& name, const Secret& seed, const Secret& passphrase,
                         bool force, KdfLimits limits = {});
  // Unseals. Unauthenticated on a wrong passphrase; DataLoss on a truncated or edited file;
  // NotFound when absent. Never changes the file.
  Result<SigningKey> Load(const std::string& name, const Secret& passphrase) const;
  // Header only; no passphrase. Warnings (loose permissions) are reported in KeyInfo.
  Result<KeyInfo> Info(const std::string& name) const;
  Result<std::vector<KeyInfo>> List() const;
  // Re-seals under a new passphrase (new salt and nonce), atomically. A zero member of `limits`
  // keeps the file's value. Unauthenticated (file unchanged) when `old_pass` is wrong.
  Status ChangePassphrase(const std::string& name, const Secret& old_pass, const Secret& new_pass,
                          KdfLimits limits = {});
  // Removes the file. NotFound when absent.
  Status Remove(const std::string& name);

  // The sealed JSON payload, for features that keep more secrets beside the seed (sessions,
  // reveal data). Update re-seals with the same passphrase and limits, atomically.
  Result<Secret> ReadPayload(const std::string& name, const Secret& passphrase) const;
  Status WritePayload(const std::string& name, const Secret& passphrase, const Secret& payload);

  std::string KeyPath(const std::string& name) const;
  std::string KeysDir() const { return home_ + "/keys"; }

 private:
  Status Seal(const std::string& name, const std::vector<std::uint8_t>& public_key,
              const Secret& payload, const Secret& passphrase, KdfLimits limits, bool overwrite);
  Result<KeyInfo> ReadInfo(const std::string& name, bool check_dir) const;
  struct Opened;
  Result<Opened> Open(const std::string& name, const Secret& passphrase) const;
  Result<KeyInfo> SealSeed(const std::string& name, const Secret& seed, const Secret& passphrase,
                           bool force, KdfLimits limits);
  bool WarnIfLoose(const std::string& path, mode_t mask, const std::string& fix) const;

  std::string home_;
  std::function<void(const std::string&)> warn_;
};

// Where a passphrase comes from, in order: `file` (--passphrase-file), the environment
// variable `env` (CLAW_KEYSTORE_PASSPHRASE; ignored when empty), else a no-echo prompt on /dev/tty
// (asked twice when `confirm`). Never argv. A trailing newline in the file is not part of the
// passphrase. InvalidArgument when no source is available (no TTY), with a hint naming the options.
struct PassphraseSource {
  std::string file;
  std::string env = "CLAW_KEYSTORE_PASSPHRASE";  // "" = do not look at the environment
  bool confirm = false;
  std::string prompt = "Passphrase";
};
// NotFound when `file` is absent; InvalidArgument for an empty passphrase or a mismatch on
// confirmation.
Result<Secret> ReadPassphrase(const PassphraseSource& source);

// Reads a 32-byte Ed25519 seed for import: exactly 32 raw bytes, or hex (64 digits, optional 0x)
// or base64/base64url text, surrounding whitespace ignored. InvalidArgument otherwise.
Result<Secret> ReadSeedFile(const std::string& path);

// Resolves limits: zero members become the INTERACTIVE defaults. InvalidArgument when out of
// the accepted range.
Result<KdfLimits> ResolveKdfLimits(KdfLimits limits);

}  // namespace claw::keystore
