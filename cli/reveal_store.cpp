#include "cli/reveal_store.h"

#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "client/view_key.h"
#include "keystore/file_io.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

constexpr char kKind[] = "claw-reveal";
constexpr char kAlg[] = "xchacha20poly1305-ietf";
constexpr char kCtx[] = "clawrevl";  // crypto_kdf context: 8 characters, part of the format

std::string Ad(const std::string& agent_id, const std::string& hash) {
  return "claw-reveal-v1\n" + agent_id + "\n" + hash;
}

ordered_json ToJson(const RevealRecord& r) {
  ordered_json j = {{"server", r.server},   {"agent_id", r.agent_id},   {"action", r.action},
                    {"side", r.side},       {"lobs", r.lobs},           {"symbol", r.symbol},
                    {"price", r.price},     {"timestamp", r.timestamp}, {"nonce", r.nonce},
                    {"sorted_keys", r.sorted_keys}, {"scheme", r.scheme}, {"hash", r.hash},
                    {"signature", r.signature}, {"sealed", r.sealed},   {"trade_id", r.trade_id},
                    {"period", r.period},   {"status", r.status}};
  if (r.has_close) {
    const CloseRecord& c = r.close;
    j["close"] = {{"price", c.price},         {"timestamp", c.timestamp}, {"nonce", c.nonce},
                  {"hash", c.hash},           {"signature", c.signature}, {"scheme", c.scheme},
                  {"sorted_keys", c.sorted_keys}, {"close_trade_id", c.close_trade_id}};
  }
  return j;
}

RevealRecord FromJson(const nlohmann::json& j) {  // throws on a missing or mistyped member
  RevealRecord r;
  r.server = j.at("server").get<std::string>();
  r.agent_id = j.at("agent_id").get<std::string>();
  r.action = j.at("action").get<std::string>();
  r.side = j.at("side").get<std::string>();
  r.lobs = j.at("lobs").get<std::int64_t>();
  r.symbol = j.at("symbol").get<std::string>();
  r.price = j.at("price").get<std::string>();
  r.timestamp = j.at("timestamp").get<std::string>();
  r.nonce = j.at("nonce").get<std::string>();
  r.sorted_keys = j.at("sorted_keys").get<bool>();
  r.scheme = j.at("scheme").get<std::string>();
  r.hash = j.at("hash").get<std::string>();
  r.signature = j.at("signature").get<std::string>();
  r.sealed = j.at("sealed").get<bool>();
  r.trade_id = j.at("trade_id").get<std::string>();
  r.period = j.at("period").get<std::int64_t>();
  r.status = j.at("status").get<std::string>();
  if (auto it = j.find("close"); it != j.end()) {
    r.has_close = true;
    CloseRecord& c = r.close;
    c.price = it->at("price").get<std::string>();
    c.timestamp = it->at("timestamp").get<std::string>();
    c.nonce = it->at("nonce").get<std::string>();
    c.hash = it->at("hash").get<std::string>();
    c.signature = it->at("signature").get<std::string>();
    c.scheme = it->at("scheme").get<std::string>();
    c.sorted_keys = it->at("sorted_keys").get<bool>();
    c.close_trade_id = it->at("close_trade_id").get<std::string>();
  }
  return r;
}

}  // namespace

Status ValidateAgentDirName(const std::string& id) {
  if (id.empty() || id.size() > 128 || id[0] == '.' ||
      id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos) {
    return Status::InvalidArgument("agent id '" + id + "' cannot name a reveal folder");
  }
  return Status::Ok();
}

RevealStore::RevealStore(std::string home, std::string agent_id, const client::Bytes& secret_key)
    : home_(std::move(home)), agent_id_(std::move(agent_id)), key_(crypto_kdf_KEYBYTES) {
  if (sodium_init() < 0) return;
  // The seed is the first 32 bytes of a libsodium secret key.
  if (secret_key.size() >= crypto_kdf_KEYBYTES) {
    crypto_kdf_derive_from_key(key_.data(), key_.size(), 1, kCtx, secret_key.data());
  }
}

RevealStore::~RevealStore() { sodium_memzero(key_.data(), key_.size()); }

std::string RevealStore::Dir() const { return home_ + "/reveals/" + agent_id_; }

std::string RevealStore::PathFor(const std::string& hash) const {
  return Dir() + "/" + hash + ".json";
}

Status RevealStore::Save(const RevealRecord& record) {
  CLAW_RETURN_IF_ERROR(ValidateAgentDirName(agent_id_));
  if (!client::IsCommitmentHash(record.hash) || record.hash.rfind("0x", 0) != 0) {
    return Status::InvalidArgument("reveal record has no commitment hash");
  }
  CLAW_RETURN_IF_ERROR(keystore::EnsurePrivateDir(home_));
  CLAW_RETURN_IF_ERROR(keystore::EnsurePrivateDir(home_ + "/reveals"));
  CLAW_RETURN_IF_ERROR(keystore::EnsurePrivateDir(Dir()));
  std::string plain = ToJson(record).dump();
  const std::string ad = Ad(agent_id_, record.hash);
  client::Bytes nonce(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(nonce.data(), nonce.size());
  client::Bytes ct(plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      ct.data(), &len, reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce.data(),
      key_.data());
  sodium_memzero(plain.data(), plain.size());
  ct.resize(len);
  ordered_json file = {{"version", 1},
                       {"kind", kKind},
                       {"agent_id", agent_id_},
                       {"commitment_hash", record.hash},
                       {"cipher",
                        {{"alg", kAlg},
                         {"nonce", client::Base64UrlEncode(nonce)},
                         {"ciphertext", client::Base64UrlEncode(ct)}}}};
  return keystore::AtomicWriteFile(PathFor(record.hash), file.dump(2) + "\n", /*overwrite=*/true)
      .WithContext("saving reveal data");
}

Result<RevealRecord> RevealStore::Load(const std::string& hash) const {
  CLAW_RETURN_IF_ERROR(ValidateAgentDirName(agent_id_));
  if (!client::IsCommitmentHash(hash)) return Status::InvalidArgument("not a commitment hash");
  const std::string path = PathFor(hash);
  Result<std::string> text = keystore::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  const Status corrupt = Status::DataLoss(
      "reveal data '" + path + "' was edited, truncated or sealed under another key",
      "restore it from a backup; without it this trade cannot be revealed");
  const auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || j.value("kind", "") != kKind || j.value("version", 0) != 1 ||
      !j.contains("cipher") || !j["cipher"].is_object()) {
    return corrupt;
  }
  const std::string file_agent = j.value("agent_id", "");
  const std::string file_hash = j.value("commitment_hash", "");
  auto nonce = client::Base64Decode(j["cipher"].value("nonce", ""));
  auto ct = client::Base64Decode(j["cipher"].value("ciphertext", ""));
  if (file_agent != agent_id_ || file_hash != hash || !nonce.ok() || !ct.ok() ||
      nonce->size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      ct->size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return corrupt;
  }
  const std::string ad = Ad(agent_id_, hash);
  std::string plain(ct->size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr, ct->data(), ct->size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce->data(),
          key_.data()) != 0) {
    return corrupt;
  }
  plain.resize(len);
  const auto rec = nlohmann::json::parse(plain, nullptr, false);
  sodium_memzero(plain.data(), plain.size());
  try {
    if (!rec.is_object()) return corrupt;
    RevealRecord r = FromJson(rec);
    if (r.hash != hash || r.agent_id != agent_id_) return corrupt;
    return r;
  } catch (const nlohmann::json::exception&) {
    return corrupt;
  }
}

std::vector<RevealRecord> RevealStore::All(std::vector<std::string>* problems) const {
  std::vector<RevealRecord> out;
  Result<std::vector<std::string>> names = keystore::ListDir(Dir());
  if (!names.ok()) return out;
  for (const std::string& name : *names) {
    if (name.size() != 66 + 5 || name.substr(66) != ".json") continue;
    Result<RevealRecord> r = Load(name.substr(0, 66));
    if (r.ok()) {
      out.push_back(std::move(*r));
    } else if (problems) {
      problems->push_back(r.status().message());
    }
  }
  std::sort(out.begin(), out.end(), [](const RevealRecord& a, const RevealRecord& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.hash < b.hash;
  });
  return out;
}

Result<RevealRecord> RevealStore::Find(const std::string& id) const {
  if (client::IsCommitmentHash(id)) {
    std::string h = id.rfind("0x", 0) == 0 ? id : "0x" + id;
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
    return Load(h);
  }
  std::vector<std::string> problems;
  for (RevealRecord& r : All(&problems)) {
    if (r.trade_id == id || (r.has_close && r.close.close_trade_id == id)) return std::move(r);
  }
  if (!problems.empty()) {
    // The trade may be in a file that no longer opens: say so rather than "not found".
    return Status::DataLoss("no readable reveal data for trade '" + id + "': " + problems.front(),
                            "restore the file from a backup; without it the trade cannot be revealed");
  }
  return Status::NotFound("no local reveal data for trade '" + id + "'", "reveal data lives in " + Dir());
}

}  // namespace claw::cli
