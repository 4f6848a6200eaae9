#include "cli/signing_key.h"

#include <fstream>
#include <sstream>

#include "client/ed25519.h"
#include "keystore/keystore.h"

namespace claw::cli {
namespace {

void FailKey(Context& ctx, const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound) {
    ctx.Fail(s);
  } else {
    ctx.Fail(s, kExitKeystore);
  }
}

}  // namespace

std::optional<client::Bytes> LoadSecretKey(Context& ctx, const std::string& name,
                                           const std::string& passphrase_file) {
  keystore::PassphraseSource source;
  source.file = passphrase_file;
  source.prompt = "Passphrase for key '" + name + "'";
  Result<keystore::Secret> pass = keystore::ReadPassphrase(source);
  if (!pass.ok()) {
    FailKey(ctx, pass.status());
    return std::nullopt;
  }
  Result<keystore::SigningKey> key = keystore::Keystore(ClawHome()).Load(name, *pass);
  if (!key.ok()) {
    FailKey(ctx, key.status());
    return std::nullopt;
  }
  const std::string& sk = key->secret_key.bytes();
  return client::Bytes(sk.begin(), sk.end());
}

std::optional<client::Bytes> LoadPublicKey(Context& ctx, const std::string& name) {
  Result<keystore::KeyInfo> info = keystore::Keystore(ClawHome()).Info(name);
  if (!info.ok()) {
    FailKey(ctx, info.status());
    return std::nullopt;
  }
  Result<client::Bytes> pk = client::ParseEd25519PublicKey(info->public_key);
  if (!pk.ok()) {
    ctx.Fail(pk.status(), kExitKeystore);
    return std::nullopt;
  }
  return *pk;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read '" + path + "'");
  return text.str();
}

}  // namespace claw::cli
