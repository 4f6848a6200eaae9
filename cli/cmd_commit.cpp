// claw commit hash|verify (man/claw-commit.1; PROTOCOL.md §6).
// Parses flags and prints; client/commitment.h does the work.
#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/signing_key.h"
#include "client/commitment.h"
#include "client/ed25519.h"
#include "client/eip191.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;
namespace cl = claw::client;

struct HashOptions {
  cl::CommitmentFields fields;
  std::string price;
  bool sorted_keys = false;
  std::string key;
  std::string passphrase_file;
  std::string eth_key_file;
};

struct Signed {
  std::string scheme, signature, signer;
};

// Signs with --key or --eth-key-file; nullopt after ctx.Fail, empty scheme when unsigned.
std::optional<Signed> SignHash(Context& ctx, const HashOptions& o, const std::string& hash) {
  Signed s;
  if (!o.key.empty()) {
    std::optional<cl::Bytes> sk = LoadSecretKey(ctx, o.key, o.passphrase_file);
    if (!sk) return std::nullopt;
    s.scheme = "ed25519";
    s.signature = *cl::SignCommitmentEd25519(hash, *sk);
    s.signer = cl::Base64UrlEncode(cl::Bytes(sk->begin() + 32, sk->end()));
  } else if (!o.eth_key_file.empty()) {
    Result<std::string> text = ReadWholeFile(o.eth_key_file);
    Result<cl::Bytes> key = text.ok() ? cl::ParseEthPrivateKey(*text) : Result<cl::Bytes>(text.status());
    if (!key.ok()) {
      ctx.Fail(key.status().WithContext("eth key file"));
      return std::nullopt;
    }
    s.scheme = "eip191";
    s.signature = *cl::SignCommitmentEip191(hash, *key);
    s.signer = *cl::EthAddressFromPrivateKey(*key);
  }
  return s;
}

void PrintCommitment(Context& ctx, const std::string& message, const std::string& hash,
                     const Signed& s) {
  if (ctx.json) {
    ordered_json j = {{"message", message}, {"hash", hash}};
    if (!s.scheme.empty()) {
      j["scheme"] = s.scheme;
      j["signature"] = s.signature;
      j[s.scheme == "eip191" ? "address" : "public_key"] = s.signer;
    }
    *ctx.out << j.dump() << "\n";
    return;
  }
  *ctx.out << "message:   " << message << "\nhash:      " << hash << "\n";
  if (s.scheme.empty()) return;
  *ctx.out << "scheme:    " << s.scheme << "\nsignature: " << s.signature << "\n"
           << (s.scheme == "eip191" ? "address:   " : "public_key: ") << s.signer << "\n";
}

void RunHash(Context& ctx, HashOptions o) {
  if (!o.key.empty() && !o.eth_key_file.empty()) {
    return ctx.Fail(Status::InvalidArgument("give --key or --eth-key-file, not both"));
  }
  Result<double> price = cl::ParseJsPrice(o.price);
  if (!price.ok()) return ctx.Fail(price.status());
  o.fields.price = *price;
  if (o.fields.timestamp.empty()) o.fields.timestamp = NowIsoMillis();
  if (o.fields.nonce.empty()) o.fields.nonce = cl::NewUuidV4();
  Result<std::string> message = cl::CommitmentMessage(o.fields, o.sorted_keys);
  if (!message.ok()) return ctx.Fail(message.status());
  const std::string hash = cl::CommitmentHash(*message);
  std::optional<Signed> s = SignHash(ctx, o, hash);
  if (!s) return;
  PrintCommitment(ctx, *message, hash, *s);
}

void AddHash(CLI::App* commit, Context& ctx) {
  auto o = std::make_shared<HashOptions>();
  auto* cmd = commit->add_subcommand("hash", "Build a commitment message, its keccak hash and signature");
  cl::CommitmentFields& f = o->fields;
  cmd->add_option("--agent-id", f.agent_id, "Agent id")->required();
  cmd->add_option("--action", f.action, "OPEN or CLOSE")->required()->check(CLI::IsMember({"OPEN", "CLOSE"}));
  cmd->add_option("--side", f.side, "LONG or SHORT")->required()->check(CLI::IsMember({"LONG", "SHORT"}));
  cmd->add_option("--lobs", f.lobs, "Size in integer quote units")->required();
  cmd->add_option("--symbol", f.symbol, "Instrument, e.g. BTCUSDT")->required();
  cmd->add_option("--price", o->price, "Price; a JS number, so 875.50 is hashed as 875.5")->required();
  cmd->add_option("--timestamp", f.timestamp, "ISO-8601 UTC (default: now, with ms)");
  cmd->add_option("--nonce", f.nonce, "Nonce (default: a random UUID v4)");
  cmd->add_flag("--sorted-keys", o->sorted_keys, "Serialise with keys sorted (live Clawstreet)");
  cmd->add_option("--key", o->key, "Sign with this keystore key (scheme ed25519)");
  cmd->add_option("--passphrase-file", o->passphrase_file, "Read the key's passphrase from this file");
  cmd->add_option("--eth-key-file", o->eth_key_file, "Sign with this secp256k1 key, 0x-hex (eip191)");
  cmd->footer(
      "Keep the printed message: revealing needs its symbol, price and nonce.\n"
      "Example:\n  claw commit hash --agent-id a1 --action OPEN --side LONG --lobs 1000 \\\n"
      "    --symbol BTCUSDT --price 875.50 --key alice");
  cmd->callback([&ctx, o] { RunHash(ctx, *o); });
}

struct VerifyOptions {
  std::string message, message_file, hash, signature, scheme, public_key, key, address;
};

void PrintVerdict(Context& ctx, const cl::CommitmentVerdict& v) {
  if (ctx.json) {
    ordered_json j = {{"valid", v.ok()}, {"check", cl::CommitmentCheckName(v.check)}};
    if (!v.detail.empty()) j["detail"] = v.detail;
    if (!v.recovered_address.empty()) j["recovered_address"] = v.recovered_address;
    *ctx.out << j.dump() << "\n";
  } else if (v.ok()) {
    *ctx.out << "valid" << (v.recovered_address.empty() ? "" : " (signer " + v.recovered_address + ")")
             << "\n";
  } else {
    *ctx.out << "invalid: " << cl::CommitmentCheckName(v.check) << ": " << v.detail << "\n";
  }
  if (!v.ok()) ctx.exit_code = kExitAuth;
}

void RunVerifyEd25519(Context& ctx, const VerifyOptions& o, const std::string& message) {
  std::optional<cl::Bytes> pk;
  if (!o.public_key.empty()) {
    Result<cl::Bytes> parsed = cl::ParseEd25519PublicKey(o.public_key);
    if (!parsed.ok()) return ctx.Fail(parsed.status());
    pk = *parsed;
  } else if (!o.key.empty()) {
    pk = LoadPublicKey(ctx, o.key);
    if (!pk) return;
  } else {
    return ctx.Fail(Status::InvalidArgument("scheme ed25519 needs --public-key or --key"));
  }
  PrintVerdict(ctx, cl::VerifyCommitmentEd25519(message, o.hash, o.signature, *pk));
}

void RunVerify(Context& ctx, const VerifyOptions& o) {
  std::string message = o.message;
  if (!o.message_file.empty()) {
    Result<std::string> text = ReadWholeFile(o.message_file);
    if (!text.ok()) return ctx.Fail(text.status().WithContext("message file"));
    message = *text;
    // A file written by an editor or `echo` ends in a newline that was never hashed.
    if (!message.empty() && message.back() == '\n') message.pop_back();
  }
  if (o.scheme == "ed25519") return RunVerifyEd25519(ctx, o, message);
  if (o.address.empty()) return ctx.Fail(Status::InvalidArgument("scheme eip191 needs --address"));
  PrintVerdict(ctx, cl::VerifyCommitmentEip191(message, o.hash, o.signature, o.address));
}

void AddVerify(CLI::App* commit, Context& ctx) {
  auto o = std::make_shared<VerifyOptions>();
  auto* cmd = commit->add_subcommand("verify", "Check a commitment's hash and signature");
  auto* msg = cmd->add_option("--message", o->message, "The exact JSON message");
  cmd->add_option("--message-file", o->message_file, "Read the message from a file")->excludes(msg);
  cmd->add_option("--hash", o->hash, "0x keccak256 hash")->required();
  cmd->add_option("--signature", o->signature, "base64url (ed25519) or 0x-hex (eip191)")->required();
  cmd->add_option("--scheme", o->scheme, "ed25519 or eip191")->required()->check(CLI::IsMember({"ed25519", "eip191"}));
  cmd->add_option("--public-key", o->public_key, "ed25519: signer's public key");
  cmd->add_option("--key", o->key, "ed25519: use this keystore key's public key");
  cmd->add_option("--address", o->address, "eip191: expected signer address (any case)");
  cmd->footer(
      "Exit status 0 when valid, 3 when the hash or signature does not match.\n"
      "Example:\n  claw commit verify --message-file msg.json --hash 0x5e... \\\n"
      "    --signature 0x1b... --scheme eip191 --address 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  cmd->callback([&ctx, o] { RunVerify(ctx, *o); });
}

}  // namespace

void AddCommitCommands(CLI::App& app, Context& ctx) {
  auto* commit = app.add_subcommand("commit", "Commit-reveal trades: offline hashes, sealed trades on the arena");
  commit->require_subcommand(1);
  AddHash(commit, ctx);
  AddVerify(commit, ctx);
  AddSealedCommitCommands(commit, ctx);
}

}  // namespace claw::cli
