// claw dpop proof (man/claw-dpop.1; PROTOCOL.md §7, RFC 9449).
// Parses flags and prints; client/dpop.h does the work.
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/signing_key.h"
#include "client/dpop.h"

namespace claw::cli {
namespace {

namespace cl = claw::client;

struct ProofOptions {
  std::string key = "default";
  std::string passphrase_file;
  std::string method;
  std::string url;
  std::string access_token_file;
  std::string jti;
  std::optional<std::int64_t> iat;
};

void RunProof(Context& ctx, const ProofOptions& o) {
  cl::DpopProofInput in{o.method, o.url, std::nullopt, std::nullopt, o.iat};
  if (!o.jti.empty()) in.jti = o.jti;
  if (!o.access_token_file.empty()) {
    Result<std::string> token = ReadWholeFile(o.access_token_file);
    if (!token.ok()) return ctx.Fail(token.status().WithContext("access token file"));
    std::string t = *token;
    // The trailing newline of a saved token is not part of it.
    if (!t.empty() && t.back() == '\n') t.pop_back();
    if (!t.empty() && t.back() == '\r') t.pop_back();
    in.access_token = t;
  }
  std::optional<cl::Bytes> sk = LoadSecretKey(ctx, o.key, o.passphrase_file);
  if (!sk) return;
  Result<std::string> proof = cl::MakeDpopProof(in, *sk);
  if (!proof.ok()) return ctx.Fail(proof.status());
  if (ctx.json) {
    const cl::Bytes pk(sk->begin() + 32, sk->end());
    nlohmann::ordered_json j = {{"proof", *proof}, {"jkt", cl::JwkThumbprint(pk)}};
    *ctx.out << j.dump() << "\n";
  } else {
    *ctx.out << *proof << "\n";
  }
}

}  // namespace

void AddDpopCommands(CLI::App& app, Context& ctx) {
  auto* dpop = app.add_subcommand("dpop", "DPoP proofs for token-bound sessions (RFC 9449)");
  dpop->require_subcommand(1);
  auto o = std::make_shared<ProofOptions>();
  auto* cmd = dpop->add_subcommand("proof", "Print a DPoP proof JWT signed with a keystore key");
  cmd->add_option("--key", o->key, "Key name in the keystore (default \"default\")");
  cmd->add_option("--passphrase-file", o->passphrase_file, "Read the key's passphrase from this file");
  cmd->add_option("--method", o->method, "HTTP method (htm)")->required();
  cmd->add_option("--url", o->url, "Request URL; query and fragment are dropped (htu)")->required();
  cmd->add_option("--access-token-file", o->access_token_file,
                  "Access token to bind via ath (one trailing newline ignored)");
  cmd->add_option("--jti", o->jti, "Proof id (default: 128 random bits, base64url)");
  cmd->add_option("--iat", o->iat, "Issued-at, unix seconds (default: now)");
  cmd->footer(
      "Example:\n  curl -H \"DPoP: $(claw dpop proof --key alice --method POST \\\n"
      "    --url http://127.0.0.1:8080/v1/sessions)\" ...");
  cmd->callback([&ctx, o] { RunProof(ctx, *o); });
}

}  // namespace claw::cli
