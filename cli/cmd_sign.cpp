// claw sign-request, claw verify-request (man/claw-sign.1; PROTOCOL.md §2).
// Parses flags and prints; client/signed_request.h does the work.
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/signing_key.h"
#include "client/ed25519.h"
#include "client/signed_request.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;
namespace cl = claw::client;

struct SignOptions {
  std::string key = "default";
  std::string passphrase_file;
  std::string method;
  std::string target;
  std::string body_file;
  std::string agent_id;
  std::string timestamp;
  std::string nonce;
  bool show_canonical = false;
};

std::optional<std::string> ReadBody(Context& ctx, const std::string& path) {
  if (path.empty()) return std::string();
  Result<std::string> body = ReadWholeFile(path);
  if (!body.ok()) {
    ctx.Fail(body.status().WithContext("body file"));
    return std::nullopt;
  }
  return *body;
}

void PrintHeaders(Context& ctx, const cl::SignedHeaders& h, const std::string& canonical) {
  if (ctx.json) {
    ordered_json j;
    if (!h.agent_id.empty()) j[cl::kHeaderAgentId] = h.agent_id;
    j[cl::kHeaderTimestamp] = h.timestamp;
    j[cl::kHeaderNonce] = h.nonce;
    j[cl::kHeaderSignature] = h.signature;
    if (!canonical.empty()) j["canonical"] = canonical;
    *ctx.out << j.dump() << "\n";
    return;
  }
  if (!h.agent_id.empty()) *ctx.out << cl::kHeaderAgentId << ": " << h.agent_id << "\n";
  *ctx.out << cl::kHeaderTimestamp << ": " << h.timestamp << "\n"
           << cl::kHeaderNonce << ": " << h.nonce << "\n"
           << cl::kHeaderSignature << ": " << h.signature << "\n";
  if (!canonical.empty()) *ctx.err << "canonical string:\n" << canonical << "\n";
}

void RunSign(Context& ctx, const SignOptions& o) {
  std::optional<std::string> body = ReadBody(ctx, o.body_file);
  if (!body) return;
  std::optional<cl::Bytes> sk = LoadSecretKey(ctx, o.key, o.passphrase_file);
  if (!sk) return;
  cl::SignRequestInput in{o.method, o.target, *body, o.agent_id, std::nullopt, std::nullopt};
  if (!o.timestamp.empty()) in.timestamp = o.timestamp;
  if (!o.nonce.empty()) in.nonce = o.nonce;
  Result<cl::SignedHeaders> h = cl::SignRequest(in, *sk);
  if (!h.ok()) return ctx.Fail(h.status());
  const std::string canonical =
      o.show_canonical ? cl::CanonicalString(o.method, o.target, h->timestamp, h->nonce, *body) : "";
  PrintHeaders(ctx, *h, canonical);
}

void AddSignRequest(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<SignOptions>();
  auto* cmd = app.add_subcommand("sign-request", "Print the X- auth headers for an HTTP request");
  cmd->add_option("--key", o->key, "Key name in the keystore (default \"default\")");
  cmd->add_option("--passphrase-file", o->passphrase_file, "Read the key's passphrase from this file");
  cmd->add_option("--method", o->method, "HTTP method (upper-cased)")->required();
  cmd->add_option("--target", o->target, "Request target: path plus ?query, as sent")->required();
  cmd->add_option("--body-file", o->body_file, "Raw body bytes (default: empty body)");
  cmd->add_option("--agent-id", o->agent_id, "X-Agent-Id (omit for registration)");
  cmd->add_option("--timestamp", o->timestamp, "X-Timestamp (default: now, unix ms)");
  cmd->add_option("--nonce", o->nonce, "X-Nonce (default: 22 random base64url chars)");
  cmd->add_flag("--show-canonical", o->show_canonical, "Also show the signed canonical string");
  cmd->footer(
      "Example:\n  claw sign-request --key alice --agent-id alice --method POST \\\n"
      "    --target /v1/orders --body-file order.json > headers.txt");
  cmd->callback([&ctx, o] { RunSign(ctx, *o); });
}

struct VerifyOptions {
  std::string public_key;
  std::string key;
  std::string method;
  std::string target;
  std::string body_file;
  std::vector<std::string> headers;
  std::string headers_file;
  bool registration = false;
  std::int64_t window_s = 30;
  std::string now;
};

// Fills the header fields of `in` from "Name: value" lines (names case-insensitive).
Status ApplyHeaderLine(const std::string& line, cl::VerifyRequestInput& in) {
  const std::size_t colon = line.find(':');
  if (colon == std::string::npos) return Status::InvalidArgument("header '" + line + "' has no ':'");
  std::string name = line.substr(0, colon);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t\r") + 1);
  if (name == "x-agent-id") in.agent_id = value;
  else if (name == "x-timestamp") in.timestamp = value;
  else if (name == "x-nonce") in.nonce = value;
  else if (name == "x-signature") in.signature = value;
  return Status::Ok();
}

Status CollectHeaders(const VerifyOptions& o, cl::VerifyRequestInput& in) {
  std::vector<std::string> lines = o.headers;
  if (!o.headers_file.empty()) {
    Result<std::string> text = ReadWholeFile(o.headers_file);
    if (!text.ok()) return text.status().WithContext("headers file");
    std::istringstream stream(*text);
    for (std::string line; std::getline(stream, line);) {
      if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
    }
  }
  for (const std::string& line : lines) CLAW_RETURN_IF_ERROR(ApplyHeaderLine(line, in));
  return Status::Ok();
}

std::optional<cl::Bytes> VerifierKey(Context& ctx, const VerifyOptions& o) {
  if (!o.public_key.empty()) {
    Result<cl::Bytes> pk = cl::ParseEd25519PublicKey(o.public_key);
    if (!pk.ok()) {
      ctx.Fail(pk.status());
      return std::nullopt;
    }
    return *pk;
  }
  if (o.key.empty()) {
    ctx.Fail(Status::InvalidArgument("give --public-key or --key"));
    return std::nullopt;
  }
  return LoadPublicKey(ctx, o.key);
}

void PrintVerdict(Context& ctx, const cl::RequestVerdict& v) {
  if (ctx.json) {
    ordered_json j = {{"valid", v.ok()}, {"check", cl::RequestCheckName(v.check)}};
    if (!v.ok()) j["detail"] = v.detail;
    *ctx.out << j.dump() << "\n";
  } else if (v.ok()) {
    *ctx.out << "valid\n";
  } else {
    *ctx.out << "invalid: " << cl::RequestCheckName(v.check) << ": " << v.detail << "\n";
  }
  if (!v.ok()) ctx.exit_code = kExitAuth;
}

void RunVerify(Context& ctx, const VerifyOptions& o) {
  std::optional<cl::Bytes> pk = VerifierKey(ctx, o);
  if (!pk) return;
  std::optional<std::string> body = ReadBody(ctx, o.body_file);
  if (!body) return;
  cl::VerifyRequestInput in;
  in.method = o.method;
  in.target = o.target;
  in.body = *body;
  in.registration = o.registration;
  in.window_ms = o.window_s * 1000;
  Status s = CollectHeaders(o, in);
  if (!s.ok()) return ctx.Fail(s);
  in.now_ms = cl::NowUnixMillis();
  if (!o.now.empty()) {
    std::optional<std::int64_t> now = cl::ParseRequestTimestamp(o.now);
    if (!now) return ctx.Fail(Status::InvalidArgument("--now '" + o.now + "' is not unix ms or ISO-8601"));
    in.now_ms = *now;
  }
  PrintVerdict(ctx, cl::VerifyRequest(in, *pk));
}

void AddVerifyRequest(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand("verify-request", "Check a request's X- auth headers as the arena does");
  cmd->add_option("--public-key", o->public_key, "Signer's Ed25519 public key (base64url or base64)");
  cmd->add_option("--key", o->key, "Use the public key of this keystore key");
  cmd->add_option("--method", o->method, "HTTP method")->required();
  cmd->add_option("--target", o->target, "Request target: path plus ?query")->required();
  cmd->add_option("--body-file", o->body_file, "Raw body bytes (default: empty body)");
  cmd->add_option("--header", o->headers, "'Name: value' (repeatable)");
  cmd->add_option("--headers-file", o->headers_file, "'Name: value' lines, as sign-request prints");
  cmd->add_flag("--registration", o->registration, "X-Agent-Id not required (registration)");
  cmd->add_option("--window", o->window_s, "Allowed clock skew in seconds (default 30)");
  cmd->add_option("--now", o->now, "Verifier's time, unix ms or ISO-8601 (default: now)");
  cmd->footer(
      "Exit status 0 when valid, 3 when a check fails (named in the output).\n"
      "Example:\n  claw verify-request --key alice --method POST --target /v1/orders \\\n"
      "    --body-file order.json --headers-file headers.txt");
  cmd->callback([&ctx, o] { RunVerify(ctx, *o); });
}

}  // namespace

void AddSignCommands(CLI::App& app, Context& ctx) {
  AddSignRequest(app, ctx);
  AddVerifyRequest(app, ctx);
}

}  // namespace claw::cli
