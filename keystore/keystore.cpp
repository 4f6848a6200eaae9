#include "keystore/keystore.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "client/encoding.h"
#include "keystore/file_io.h"
#include "keystore/key_file.h"

namespace claw::keystore {

void WipeString(std::string& s);  // secret.cpp

namespace {

using nlohmann::json;

void EnsureSodium() {
  static const int kInit = sodium_init();
  (void)kInit;
}

std::string ModeText(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode));
  return buf;
}

Status KeyNotFound(const std::string& name, const std::string& dir) {
  return Status::NotFound("key '" + name + "' not found",
                          "run 'claw keys list' to see the keys in '" + dir + "'");
}

Result<Secret> DeriveKey(const Secret& passphrase, const KeyFile& f) {
  std::string key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
  const auto& p = passphrase.bytes();
  if (crypto_pwhash(reinterpret_cast<unsigned char*>(key.data()), key.size(), p.data(), p.size(),
                    f.salt.data(), f.opslimit, f.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::IOError("key derivation failed: cannot allocate " + std::to_string(f.memlimit) +
                           " bytes");
  }
  return Secret(std::move(key));
}

// The sealed plaintext: {"ed25519_seed": base64url}.
Secret SeedPayload(const Secret& seed) {
  std::string b64 = client::Base64UrlEncode(seed.bytes());
  json j = {{"ed25519_seed", b64}};
  Secret out(j.dump());
  WipeString(b64);
  WipeString(j["ed25519_seed"].get_ref<std::string&>());
  return out;
}

Bytes PublicKeyOf(const Secret& seed) {
  Bytes pk(crypto_sign_PUBLICKEYBYTES);
  std::string sk(crypto_sign_SECRETKEYBYTES, '\0');
  crypto_sign_seed_keypair(pk.data(), reinterpret_cast<unsigned char*>(sk.data()),
                           reinterpret_cast<const unsigned char*>(seed.bytes().data()));
  WipeString(sk);
  return pk;
}

// Extracts the seed and checks it derives the header's public key: the public key sits
// outside the ciphertext, so this catches a file whose header and payload disagree.
Result<Secret> SeedFromPayload(const Secret& payload, const KeyFile& f, const std::string& path) {
  json j = json::parse(payload.bytes(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ed25519_seed") ||
      !j["ed25519_seed"].is_string()) {
    return Status::DataLoss("key file '" + path + "' has no ed25519 seed in its sealed payload");
  }
  std::string& text = j["ed25519_seed"].get_ref<std::string&>();
  auto seed_bytes = client::Base64Decode(text);
  WipeString(text);
  if (!seed_bytes.ok() || seed_bytes->size() != crypto_sign_SEEDBYTES) {
    return Status::DataLoss("key file '" + path + "' has a malformed ed25519 seed");
  }
  Secret seed(std::string(seed_bytes->begin(), seed_bytes->end()));
  sodium_memzero(seed_bytes->data(), seed_bytes->size());
  if (PublicKeyOf(seed) != f.public_key) {
    return Status::DataLoss("key file '" + path +
                                "' is corrupt: 'public_key' does not match "
                                "the sealed seed",
                            "the header was edited; restore the file from a backup");
  }
  return seed;
}

}  // namespace

std::string Fingerprint(const std::vector<std::uint8_t>& public_key) {
  const std::string digest = client::Base64UrlEncode(client::Sha256(
      std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size())));
  return "SHA256:" + digest.substr(0, 16);
}

Status ValidateKeyName(const std::string& name) {
  auto ok_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  };
  const bool valid = !name.empty() && name.size() <= 64 && ok_char(name[0]) && name[0] != '.' &&
                     name[0] != '_' && name[0] != '-' &&
                     std::all_of(name.begin(), name.end(), ok_char);
  if (valid) return Status::Ok();
  return Status::InvalidArgument(
      "invalid key name '" + name + "'",
      "use 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");
}

Result<KdfLimits> ResolveKdfLimits(KdfLimits limits) {
  if (limits.opslimit == 0) limits.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  if (limits.memlimit == 0) limits.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (limits.opslimit < crypto_pwhash_OPSLIMIT_MIN || limits.opslimit > kMaxOpslimit) {
    return Status::InvalidArgument("kdf opslimit " + std::to_string(limits.opslimit) +
                                   " is outside 1..64");
  }
  if (limits.memlimit < crypto_pwhash_MEMLIMIT_MIN || limits.memlimit > kMaxMemlimit) {
    return Status::InvalidArgument("kdf memlimit " + std::to_string(limits.memlimit) +
                                   " is outside 8192..4294967296 bytes");
  }
  return limits;
}

// ---------------------------------------------------------------------------------------------

struct Keystore::Opened {
  KeyFile file;
  Secret payload;
};

Keystore::Keystore(std::string home) : home_(std::move(home)) {
  warn_ = [](const std::string& text) { std::cerr << "claw: warning: " << text << "\n"; };
}

void Keystore::SetWarningHandler(std::function<void(const std::string&)> handler) {
  warn_ = std::move(handler);
}

std::string Keystore::KeyPath(const std::string& name) const {
  return KeysDir() + "/" + name + ".json";
}

bool Keystore::WarnIfLoose(const std::string& path, mode_t mask, const std::string& fix) const {
  auto mode = FileMode(path);
  if (!mode.ok() || (*mode & mask) == 0) return false;
  if (warn_) {
    warn_("'" + path + "' has mode " + ModeText(*mode) + ", open to group or others; run '" + fix +
          " " + path + "'");
  }
  return true;
}

Result<KeyInfo> Keystore::ReadInfo(const std::string& name, bool check_dir) const {
  CLAW_RETURN_IF_ERROR(ValidateKeyName(name));
  const std::string path = KeyPath(name);
  auto text = ReadWholeFile(path);
  if (!text.ok() && text.status().code() == StatusCode::kNotFound) {
    // Tell an unreadable directory apart from a missing key.
    auto dir = ListDir(KeysDir());
    if (!dir.ok() && dir.status().code() != StatusCode::kNotFound) return dir.status();
    return KeyNotFound(name, KeysDir());
  }
  if (!text.ok()) return text.status();
  auto file = ParseKeyFile(*text, path);
  if (!file.ok()) return file.status();
  if (file->name != name) {
    return Status::DataLoss(
        "key file '" + path + "' is corrupt: it holds key '" + file->name + "', not '" + name + "'",
        "the file was renamed or its 'name' edited; restore it from a backup");
  }
  KeyInfo info{name,
               client::Base64UrlEncode(file->public_key),
               Fingerprint(file->public_key),
               path,
               file->opslimit,
               file->memlimit,
               false,
               ""};
  info.loose_permissions = WarnIfLoose(path, 077, "chmod 600");
  if (check_dir) info.loose_permissions |= WarnIfLoose(KeysDir(), 077, "chmod 700");
  return info;
}

Result<KeyInfo> Keystore::Info(const std::string& name) const { return ReadInfo(name, true); }

Result<std::vector<KeyInfo>> Keystore::List() const {
  auto entries = ListDir(KeysDir());
  if (!entries.ok() && entries.status().code() == StatusCode::kNotFound) {
    return std::vector<KeyInfo>{};
  }
  if (!entries.ok()) return entries.status();
  WarnIfLoose(KeysDir(), 077, "chmod 700");
  std::vector<KeyInfo> keys;
  for (const auto& entry : *entries) {
    constexpr std::string_view kExt = ".json";
    if (entry.size() <= kExt.size() || !entry.ends_with(kExt)) continue;
    const std::string name = entry.substr(0, entry.size() - kExt.size());
    if (!ValidateKeyName(name).ok()) continue;  // temp files start with '.'
    auto info = ReadInfo(name, false);
    if (info.ok()) {
      keys.push_back(*info);
    } else {
      keys.push_back(KeyInfo{name, "", "", KeyPath(name), 0, 0, false, info.status().message()});
    }
  }
  std::sort(keys.begin(), keys.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  return keys;
}

Result<Keystore::Opened> Keystore::Open(const std::string& name, const Secret& passphrase) const {
  auto info = ReadInfo(name, true);
  if (!info.ok()) return info.status();
  auto text = ReadWholeFile(info->path);
  if (!text.ok()) return text.status();
  auto file = ParseKeyFile(*text, info->path);
  if (!file.ok()) return file.status();
  EnsureSodium();
  auto key = DeriveKey(passphrase, *file);
  if (!key.ok()) return key.status();
  const std::string ad = AssociatedData(*file);
  std::string plain(file->ciphertext.size() - kTagBytes, '\0');
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr,
          file->ciphertext.data(), file->ciphertext.size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), file->nonce.data(),
          reinterpret_cast<const unsigned char*>(key->bytes().data())) != 0) {
    WipeString(plain);
    return Status::Unauthenticated("wrong passphrase for key '" + name + "'",
                                   "if the passphrase is right, '" + info->path +
                                       "' was edited or corrupted; restore it "
                                       "from a backup");
  }
  plain.resize(plain_len);
  return Opened{std::move(*file), Secret(std::move(plain))};
}

Result<SigningKey> Keystore::Load(const std::string& name, const Secret& passphrase) const {
  auto opened = Open(name, passphrase);
  if (!opened.ok()) return opened.status();
  auto seed = SeedFromPayload(opened->payload, opened->file, KeyPath(name));
  if (!seed.ok()) return seed.status();
  SigningKey key{name, Bytes(crypto_sign_PUBLICKEYBYTES), Secret()};
  std::string sk(crypto_sign_SECRETKEYBYTES, '\0');
  crypto_sign_seed_keypair(key.public_key.data(), reinterpret_cast<unsigned char*>(sk.data()),
                           reinterpret_cast<const unsigned char*>(seed->bytes().data()));
  key.secret_key = Secret(std::move(sk));
  return key;
}

Result<Secret> Keystore::ReadPayload(const std::string& name, const Secret& passphrase) const {
  auto opened = Open(name, passphrase);
  if (!opened.ok()) return opened.status();
  auto seed = SeedFromPayload(opened->payload, opened->file, KeyPath(name));
  if (!seed.ok()) return seed.status();
  return std::move(opened->payload);
}

Status Keystore::Seal(const std::string& name, const std::vector<std::uint8_t>& public_key,
                      const Secret& payload, const Secret& passphrase, KdfLimits limits,
                      bool overwrite) {
  auto resolved = ResolveKdfLimits(limits);
  if (!resolved.ok()) return resolved.status();
  CLAW_RETURN_IF_ERROR(EnsurePrivateDir(home_));
  CLAW_RETURN_IF_ERROR(EnsurePrivateDir(KeysDir()));
  EnsureSodium();
  KeyFile f{name,
            public_key,
            resolved->opslimit,
            resolved->memlimit,
            Bytes(kSaltBytes),
            Bytes(kNonceBytes),
            Bytes(payload.bytes().size() + kTagBytes)};
  randombytes_buf(f.salt.data(), f.salt.size());
  randombytes_buf(f.nonce.data(), f.nonce.size());
  auto key = DeriveKey(passphrase, f);
  if (!key.ok()) return key.status();
  const std::string ad = AssociatedData(f);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      f.ciphertext.data(), nullptr, reinterpret_cast<const unsigned char*>(payload.bytes().data()),
      payload.bytes().size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      f.nonce.data(), reinterpret_cast<const unsigned char*>(key->bytes().data()));
  Status s = AtomicWriteFile(KeyPath(name), SerializeKeyFile(f), overwrite);
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("key '" + name + "' exists",
                                 "use --force to replace it (the old key is lost for good), or "
                                 "choose another --name");
  }
  return s;
}

Result<KeyInfo> Keystore::SealSeed(const std::string& name, const Secret& seed,
                                   const Secret& passphrase, bool force, KdfLimits limits) {
  CLAW_RETURN_IF_ERROR(ValidateKeyName(name));
  if (seed.bytes().size() != crypto_sign_SEEDBYTES) {
    return Status::InvalidArgument("an ed25519 seed has 32 bytes, not " +
                                   std::to_string(seed.bytes().size()));
  }
  if (passphrase.empty()) return Status::InvalidArgument("the passphrase is empty");
  EnsureSodium();
  CLAW_RETURN_IF_ERROR(Seal(name, PublicKeyOf(seed), SeedPayload(seed), passphrase, limits, force));
  return Info(name);
}

Result<KeyInfo> Keystore::Generate(const std::string& name, const Secret& passphrase, bool force,
                                   KdfLimits limits) {
  EnsureSodium();
  std::string seed(crypto_sign_SEEDBYTES, '\0');
  randombytes_buf(seed.data(), seed.size());
  return SealSeed(name, Secret(std::move(seed)), passphrase, force, limits);
}

Result<KeyInfo> Keystore::Import(const std::string& name, const Secret& seed,
                                 const Secret& passphrase, bool force, KdfLimits limits) {
  return SealSeed(name, seed, passphrase, force, limits);
}

Status Keystore::ChangePassphrase(const std::string& name, const Secret& old_pass,
                                  const Secret& new_pass, KdfLimits limits) {
  if (new_pass.empty()) return Status::InvalidArgument("the new passphrase is empty");
  auto opened = Open(name, old_pass);
  if (!opened.ok()) return opened.status();
  CLAW_RETURN_IF_ERROR(SeedFromPayload(opened->payload, opened->file, KeyPath(name)).status());
  if (limits.opslimit == 0) limits.opslimit = opened->file.opslimit;
  if (limits.memlimit == 0) limits.memlimit = opened->file.memlimit;
  return Seal(name, opened->file.public_key, opened->payload, new_pass, limits, true);
}

Status Keystore::WritePayload(const std::string& name, const Secret& passphrase,
                              const Secret& payload) {
  auto opened = Open(name, passphrase);
  if (!opened.ok()) return opened.status();
  // The new payload must still hold this key's seed, or the file would lose its key.
  CLAW_RETURN_IF_ERROR(SeedFromPayload(payload, opened->file, KeyPath(name))
                           .status()
                           .WithContext("refusing to write the payload"));
  return Seal(name, opened->file.public_key, payload, passphrase,
              {opened->file.opslimit, opened->file.memlimit}, true);
}

Status Keystore::Remove(const std::string& name) {
  CLAW_RETURN_IF_ERROR(ValidateKeyName(name));
  Status s = RemoveFile(KeyPath(name));
  if (s.code() == StatusCode::kNotFound) return KeyNotFound(name, KeysDir());
  return s;
}

}  // namespace claw::keystore
