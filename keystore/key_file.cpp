#include "keystore/key_file.h"

#include <nlohmann/json.hpp>
#include <set>

#include "client/encoding.h"

namespace claw::keystore {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string B64(const Bytes& b) { return client::Base64UrlEncode(b); }

Status Corrupt(const std::string& path, const std::string& what) {
  return Status::DataLoss("key file '" + path + "' is corrupt: " + what,
                          "the file was truncated or edited; restore it from a backup");
}

// Only the members the format defines: an extra member means this is not a v1 file.
Status CheckMembers(const json& obj, const std::set<std::string>& allowed, const std::string& where,
                    const std::string& path) {
  if (!obj.is_object()) return Corrupt(path, "'" + where + "' is not an object");
  for (const auto& [key, value] : obj.items()) {
    (void)value;
    if (!allowed.count(key)) return Corrupt(path, "unknown member '" + where + "." + key + "'");
  }
  for (const auto& key : allowed) {
    if (!obj.contains(key)) return Corrupt(path, "missing member '" + where + "." + key + "'");
  }
  return Status::Ok();
}

Result<std::string> GetString(const json& obj, const char* key, const std::string& where,
                              const std::string& path) {
  const json& v = obj.at(key);
  if (!v.is_string()) return Corrupt(path, "'" + where + "." + key + "' is not a string");
  return v.get<std::string>();
}

// Binary members must be canonical base64url without padding: the associated data uses the
// text, so two spellings of the same bytes would be two different files.
Result<Bytes> GetBinary(const json& obj, const char* key, const std::string& where,
                        const std::string& path, std::size_t min_len, std::size_t max_len) {
  auto text = GetString(obj, key, where, path);
  if (!text.ok()) return text.status();
  auto bytes = client::Base64Decode(*text);
  const std::string field = "'" + where + "." + key + "'";
  if (!bytes.ok() || B64(*bytes) != *text) {
    return Corrupt(path, field + " is not base64url without padding");
  }
  if (bytes->size() < min_len || bytes->size() > max_len) {
    return Corrupt(path, field + " has " + std::to_string(bytes->size()) + " bytes");
  }
  return bytes;
}

Result<std::uint64_t> GetLimit(const json& kdf, const char* key, std::uint64_t lo, std::uint64_t hi,
                               const std::string& path) {
  const json& v = kdf.at(key);
  const std::string field = std::string("'kdf.") + key + "'";
  if (!v.is_number_unsigned()) return Corrupt(path, field + " is not a non-negative integer");
  const auto n = v.get<std::uint64_t>();
  if (n < lo || n > hi) {
    return Corrupt(path, field + " is " + std::to_string(n) + ", outside " + std::to_string(lo) +
                             ".." + std::to_string(hi));
  }
  return n;
}

Status CheckHeader(const json& doc, KeyFile& f, const std::string& path) {
  CLAW_RETURN_IF_ERROR(
      CheckMembers(doc, {"version", "kind", "name", "public_key", "kdf", "cipher"}, "", path));
  if (!doc["version"].is_number_unsigned() || doc["version"].get<std::uint64_t>() != kFileVersion) {
    return Corrupt(path, "unsupported 'version' " + doc["version"].dump() + " (want 1)");
  }
  if (doc["kind"] != kFileKind) return Corrupt(path, "'kind' is not \"claw-keystore\"");
  auto name = GetString(doc, "name", "", path);
  if (!name.ok()) return name.status();
  f.name = *name;
  auto pk = GetBinary(doc, "public_key", "", path, kPublicKeyBytes, kPublicKeyBytes);
  if (!pk.ok()) return pk.status();
  f.public_key = *pk;
  return Status::Ok();
}

Status CheckKdf(const json& kdf, KeyFile& f, const std::string& path) {
  CLAW_RETURN_IF_ERROR(CheckMembers(kdf, {"alg", "opslimit", "memlimit", "salt"}, "kdf", path));
  if (kdf["alg"] != kKdfAlg) return Corrupt(path, "'kdf.alg' is not \"argon2id13\"");
  auto ops = GetLimit(kdf, "opslimit", 1, kMaxOpslimit, path);
  if (!ops.ok()) return ops.status();
  auto mem = GetLimit(kdf, "memlimit", 8192, kMaxMemlimit, path);
  if (!mem.ok()) return mem.status();
  auto salt = GetBinary(kdf, "salt", "kdf", path, kSaltBytes, kSaltBytes);
  if (!salt.ok()) return salt.status();
  f.opslimit = *ops;
  f.memlimit = *mem;
  f.salt = *salt;
  return Status::Ok();
}

Status CheckCipher(const json& cipher, KeyFile& f, const std::string& path) {
  CLAW_RETURN_IF_ERROR(CheckMembers(cipher, {"alg", "nonce", "ciphertext"}, "cipher", path));
  if (cipher["alg"] != kCipherAlg) {
    return Corrupt(path, "'cipher.alg' is not \"xchacha20poly1305-ietf\"");
  }
  auto nonce = GetBinary(cipher, "nonce", "cipher", path, kNonceBytes, kNonceBytes);
  if (!nonce.ok()) return nonce.status();
  auto ct = GetBinary(cipher, "ciphertext", "cipher", path, kTagBytes + 1, 1 << 24);
  if (!ct.ok()) return ct.status();
  f.nonce = *nonce;
  f.ciphertext = *ct;
  return Status::Ok();
}

}  // namespace

std::string AssociatedData(const KeyFile& f) {
  return std::string(kAdPrefix) + "\n" + f.name + "\n" + B64(f.public_key) + "\n" + kKdfAlg + "\n" +
         std::to_string(f.opslimit) + "\n" + std::to_string(f.memlimit) + "\n" + B64(f.salt);
}

std::string SerializeKeyFile(const KeyFile& f) {
  ordered_json doc;
  doc["version"] = kFileVersion;
  doc["kind"] = kFileKind;
  doc["name"] = f.name;
  doc["public_key"] = B64(f.public_key);
  doc["kdf"] = ordered_json::object();
  doc["kdf"]["alg"] = kKdfAlg;
  doc["kdf"]["opslimit"] = f.opslimit;
  doc["kdf"]["memlimit"] = f.memlimit;
  doc["kdf"]["salt"] = B64(f.salt);
  doc["cipher"] = ordered_json::object();
  doc["cipher"]["alg"] = kCipherAlg;
  doc["cipher"]["nonce"] = B64(f.nonce);
  doc["cipher"]["ciphertext"] = B64(f.ciphertext);
  return doc.dump(2) + "\n";
}

Result<KeyFile> ParseKeyFile(std::string_view text, const std::string& path) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Corrupt(path, "not valid JSON");
  KeyFile f;
  CLAW_RETURN_IF_ERROR(CheckHeader(doc, f, path));
  CLAW_RETURN_IF_ERROR(CheckKdf(doc["kdf"], f, path));
  CLAW_RETURN_IF_ERROR(CheckCipher(doc["cipher"], f, path));
  return f;
}

}  // namespace claw::keystore
