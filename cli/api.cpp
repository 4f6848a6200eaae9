#include "cli/api.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/signing_key.h"
#include "client/api_error.h"
#include "client/dpop.h"
#include "client/signed_request.h"
#include "claw_version.h"

namespace claw::cli {

bool ApiSession::Init(bool need_profile) {
  Result<ConfigFile> file = LoadConfig(ConfigPath());
  if (!file.ok()) {
    ctx_.Fail(file.status(), file.status().code() == StatusCode::kInvalidArgument ? kExitData : ExitCodeFor(file.status()));
    return false;
  }
  config_ = std::move(file).value();
  ClientFlags flags = ctx_.client_flags;
  flags.json = ctx_.json;
  Result<Settings> s = ResolveSettings(config_, flags, ProcessEnv());
  if (!s.ok()) {
    ctx_.Fail(s.status());
    return false;
  }
  settings_ = std::move(s).value();
  if (settings_.output == "json") ctx_.json = true;
  const bool named = !ctx_.client_flags.profile.empty() || ProcessEnv()("CLAW_PROFILE").has_value();
  if (need_profile && named && !settings_.profile_exists) {
    ctx_.Fail(Status::NotFound("profile '" + settings_.profile + "' is not in " + ConfigPath(),
                               "'claw config list' shows the profiles; 'claw register' creates one"));
    return false;
  }
  return true;
}

bool ApiSession::LoadKey() {
  if (secret_key_) return true;
  secret_key_ = LoadSecretKey(ctx_, settings_.key, settings_.passphrase_file);
  return secret_key_.has_value();
}

std::optional<client::Bytes> ApiSession::SecretKey() {
  if (!LoadKey()) return std::nullopt;
  return secret_key_;
}

std::optional<std::string> ApiSession::PublicKey() {
  if (!LoadKey()) return std::nullopt;
  if (secret_key_->size() != 64) {
    ctx_.Fail(Status::DataLoss("key '" + settings_.key + "' is not a 64-byte Ed25519 secret key"), kExitKeystore);
    return std::nullopt;
  }
  return client::Base64UrlEncode(secret_key_->data() + 32, 32);
}

Status ApiSession::SaveProfile(const ProfileValues& values) {
  // Re-read so a concurrent 'claw config set' between Init and now is not lost.
  Result<ConfigFile> file = LoadConfig(ConfigPath());
  if (!file.ok()) return file.status();
  config_ = std::move(file).value();
  for (const auto& [k, v] : values) config_.profiles[settings_.profile][k] = v;
  return SaveConfig(ConfigPath(), config_);
}

namespace {

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How one attempt is authenticated: a §2 signature (`sign`), a DPoP proof for `base` + the
// target (`proof`), and `Authorization: DPoP <token>` with ath when `token` is set.
struct AttemptAuth {
  bool sign = false;
  std::string agent;  // empty: the registration variant
  bool proof = false;
  std::string base;
  std::optional<std::string> token;
};

// Signs each attempt afresh (new nonce and timestamp, new jti and iat): the arena refuses a
// replayed nonce or jti.
std::function<Result<std::vector<std::string>>(const client::HttpRequest&)> Signer(AttemptAuth a,
                                                                                   client::Bytes key) {
  return [a = std::move(a), key = std::move(key)](const client::HttpRequest& r)
             -> Result<std::vector<std::string>> {
    std::vector<std::string> out;
    if (a.sign) {
      client::SignRequestInput in{r.method, r.target, r.body, a.agent, std::nullopt, std::nullopt};
      Result<client::SignedHeaders> h = client::SignRequest(in, key);
      if (!h.ok()) return h.status();
      if (!a.agent.empty()) out.push_back(std::string(client::kHeaderAgentId) + ": " + h->agent_id);
      out.push_back(std::string(client::kHeaderTimestamp) + ": " + h->timestamp);
      out.push_back(std::string(client::kHeaderNonce) + ": " + h->nonce);
      out.push_back(std::string(client::kHeaderSignature) + ": " + h->signature);
    }
    if (a.proof) {
      client::DpopProofInput in{r.method, a.base + r.target, a.token, std::nullopt, std::nullopt};
      Result<std::string> proof = client::MakeDpopProof(in, key);
      if (!proof.ok()) return proof.status();
      if (a.token) out.push_back("Authorization: DPoP " + *a.token);
      out.push_back("DPoP: " + *proof);
    }
    return out;
  };
}

// The server's error: code, message and hint on stderr; its document unchanged with --json.
void ReportServerError(Context& ctx, const client::HttpResponse& r) {
  const client::ApiError e = client::ParseApiError(r);
  const Status s = client::StatusForError(e);
  *ctx.err << ctx.prog << ": error: " << s.message() << "\n";
  if (!s.hint().empty()) *ctx.err << "  hint: " << s.hint() << "\n";
  if (!e.order_id.empty()) *ctx.err << "  order " << e.order_id << " is recorded as rejected\n";
  if (ctx.json) {
    *ctx.out << r.body;
    if (r.body.empty() || r.body.back() != '\n') *ctx.out << "\n";
  }
  ctx.exit_code = ExitCodeFor(s);
  if (ctx.exit_code == kExitOk) ctx.exit_code = kExitFailure;
}

}  // namespace

client::Transport& ApiSession::TransportFor(const std::string& base) {
  if (!transport_ || transport_base_ != base) {
    client::HttpOptions o;
    o.base_url = base;
    o.connect_timeout_ms = settings_.connect_timeout_ms;
    o.timeout_ms = settings_.timeout_ms;
    o.user_agent = std::string("claw/") + CLAW_VERSION;
    transport_ = std::make_unique<client::CurlTransport>(o);
    transport_base_ = base;
  }
  return *transport_;
}

std::string ApiSession::ServerBase() const {
  std::string base = settings_.server;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

bool ApiSession::LoadSession() {
  if (session_loaded_) return true;
  if (settings_.agent_id.empty()) {
    session_loaded_ = true;
    return true;
  }
  // No session file, no passphrase: calls that sign load the key themselves.
  if (!std::filesystem::exists(keystore::SessionFilePath(ClawHome(), settings_.key, ServerBase(),
                                                         settings_.agent_id))) {
    session_loaded_ = true;
    return true;
  }
  if (!LoadKey()) return false;
  Result<std::optional<keystore::SessionTokens>> s =
      keystore::LoadSession(ClawHome(), settings_.key, *secret_key_, ServerBase(), settings_.agent_id);
  if (!s.ok() && (s.status().code() == StatusCode::kUnauthenticated ||
                   s.status().code() == StatusCode::kDataLoss)) {
    // A file sealed under an older key of this name, or damaged: requests are signed instead.
    if (!ctx_.quiet) *ctx_.err << ctx_.prog << ": warning: ignoring the session: " << s.status().message() << "\n";
    session_loaded_ = true;
    return true;
  }
  if (!s.ok()) {
    ctx_.Fail(s.status(), kExitKeystore);
    return false;
  }
  session_ = std::move(s).value();
  session_loaded_ = true;
  return true;
}

bool ApiSession::SaveSession(const nlohmann::ordered_json& a, const std::string& agent_id) {
  if (!LoadKey()) return false;
  keystore::SessionTokens t;
  const std::int64_t now = NowSeconds();
  try {
    t.server = ServerBase();
    t.agent_id = agent_id;
    t.session_id = a.value("session_id", "");
    t.access_token = a.at("access_token").get<std::string>();
    t.refresh_token = a.at("refresh_token").get<std::string>();
    t.access_expires_at = now + a.at("expires_in").get<std::int64_t>();
    t.refresh_expires_at = now + a.value("refresh_expires_in", std::int64_t{30 * 86'400});
  } catch (const nlohmann::json::exception& e) {
    ctx_.Fail(Status::Unavailable(std::string("the server's session answer is incomplete: ") + e.what()));
    return false;
  }
  t.jkt = client::JwkThumbprint(client::Bytes(secret_key_->begin() + 32, secret_key_->end()));
  Status st = keystore::SaveSession(ClawHome(), settings_.key, *secret_key_, t);
  if (!st.ok()) {
    ctx_.Fail(st.WithContext("could not store the session tokens"), kExitKeystore);
    return false;
  }
  session_ = std::move(t);
  session_loaded_ = true;
  return true;
}

Status ApiSession::ForgetSession() {
  session_.reset();
  if (settings_.agent_id.empty()) return Status::Ok();
  return keystore::RemoveSession(ClawHome(), settings_.key, ServerBase(), settings_.agent_id);
}

bool ApiSession::RefreshSession() {
  if (!session_) {
    ctx_.Fail(Status::NotFound("no session for profile '" + settings_.profile + "'",
                               "log in first: claw session login"));
    return false;
  }
  const nlohmann::ordered_json body = {{"refresh_token", session_->refresh_token}};
  ApiCall call{"POST", "/v1/sessions/refresh", body.dump(), Auth::kProof, false, "", {401, 403}};
  std::optional<client::HttpResponse> r = Send(call);
  if (!r) return false;
  if (r->status != 200) {
    const client::ApiError e = client::ParseApiError(*r);
    if (e.code == "INVALID_TOKEN" || e.code == "REFRESH_REUSE") (void)ForgetSession();
    ReportServerError(ctx_, *r);
    return false;
  }
  const nlohmann::ordered_json a = nlohmann::ordered_json::parse(r->body, nullptr, false);
  if (!a.is_object()) {
    ctx_.Fail(Status::Unavailable("the server's refresh answer is not JSON"));
    return false;
  }
  return SaveSession(a, session_->agent_id);
}

Result<client::HttpResponse> ApiSession::Attempt(const ApiCall& call, const std::string& base,
                                                  bool use_session) {
  client::HttpRequest req;
  req.method = call.method;
  req.target = call.target;
  req.body = call.body;
  req.idempotent = call.idempotent;
  if (call.auth != Auth::kNone) {
    AttemptAuth a;
    std::string b = base;
    while (!b.empty() && b.back() == '/') b.pop_back();
    a.base = b;
    if (use_session) {
      a.proof = true;
      a.token = session_->access_token;
    } else {
      a.sign = call.auth == Auth::kSigned || call.auth == Auth::kSignedOnly ||
               call.auth == Auth::kLogin || call.auth == Auth::kRegistration;
      if (call.auth != Auth::kRegistration) a.agent = settings_.agent_id;
      a.proof = call.auth == Auth::kLogin || call.auth == Auth::kProof;
    }
    req.sign = Signer(std::move(a), *secret_key_);
  }
  if (call.auth == Auth::kNone && !bearer_.empty()) {
    req.sign = [bearer = bearer_](const client::HttpRequest&) -> Result<std::vector<std::string>> {
      return std::vector<std::string>{"Authorization: Bearer " + bearer};
    };
  }
  if (!extra_headers_.empty()) {
    req.sign = [sign = std::move(req.sign), extra = extra_headers_](const client::HttpRequest& r)
        -> Result<std::vector<std::string>> {
      std::vector<std::string> out;
      if (sign) {
        Result<std::vector<std::string>> h = sign(r);
        if (!h.ok()) return h.status();
        out = std::move(*h);
      }
      out.insert(out.end(), extra.begin(), extra.end());
      return out;
    };
  }
  client::RetryPolicy policy;
  policy.max_attempts = 1 + settings_.retries;
  return client::SendWithRetry(TransportFor(base), policy, req);
}

std::optional<client::HttpResponse> ApiSession::Send(const ApiCall& call) {
  const bool needs_agent = call.auth == Auth::kSigned || call.auth == Auth::kSignedOnly ||
                           call.auth == Auth::kLogin;
  if (needs_agent && settings_.agent_id.empty()) {
    ctx_.Fail(Status::InvalidArgument("no agent id for profile '" + settings_.profile + "'",
                                      "run 'claw register', or 'claw config set agent_id ID', or set CLAW_AGENT_ID"));
    return std::nullopt;
  }
  // A session belongs to the profile's server; calls to another server (claim URLs) sign.
  bool use_session = call.auth == Auth::kSigned && call.base_url.empty();
  if (use_session) {
    if (!LoadSession()) return std::nullopt;
    use_session = session_.has_value();
  }
  if (call.auth != Auth::kNone && !LoadKey()) return std::nullopt;
  // PROTOCOL.md §7: refresh when the access token expires within 60 s.
  if (use_session && session_->access_expires_at - NowSeconds() < 60 && !RefreshSession()) {
    return std::nullopt;
  }
  const std::string base = call.base_url.empty() ? settings_.server : call.base_url;
  Result<client::HttpResponse> r = Attempt(call, base, use_session);
  // A 401 for an expired token (clock skew, a server with shorter tokens): refresh once and
  // retry once.
  // (A revoked session fails the refresh too, which then reports it.)
  if (use_session && r.ok() && r->status == 401 &&
      client::ParseApiError(*r).code == "INVALID_TOKEN") {
    if (!RefreshSession()) return std::nullopt;
    r = Attempt(call, base, true);
  }
  if (!r.ok()) {
    ctx_.Fail(r.status());
    return std::nullopt;
  }
  if (r->status >= 200 && r->status < 300) return *r;
  if (std::find(call.pass.begin(), call.pass.end(), r->status) != call.pass.end()) return *r;
  ReportServerError(ctx_, *r);
  return std::nullopt;
}

void ApiSession::ReportError(const client::HttpResponse& response) { ReportServerError(ctx_, response); }

void ApiSession::Print(const client::HttpResponse& response,
                       const std::function<void(const nlohmann::ordered_json&)>& table) {
  if (json()) {
    *ctx_.out << response.body;
    if (response.body.empty() || response.body.back() != '\n') *ctx_.out << "\n";
    return;
  }
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(response.body, nullptr, false);
  if (j.is_discarded()) {
    ctx_.Fail(Status::Unavailable("the server's answer is not JSON: " + response.body.substr(0, 120)));
    return;
  }
  table(j);
}

std::string PercentEncode(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void AddQuery(std::string& target, const std::string& name, const std::string& value) {
  if (value.empty()) return;
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += name + "=" + PercentEncode(value);
}

bool UseColour(const std::ostream& out) {
  if (&out != &std::cout) return false;
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

void Table::Print(std::ostream& out) const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  const bool colour = UseColour(out);
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string text;
    for (std::size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      text += cell;
      if (i + 1 < width.size()) text += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    if (header && colour) text = "\x1b[1m" + text + "\x1b[0m";
    out << text << "\n";
  };
  line(headers_, true);
  for (const auto& row : rows_) line(row, false);
}

std::string Cell(const nlohmann::ordered_json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return "-";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

void PrintFields(std::ostream& out, const nlohmann::ordered_json& j, const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t width = 0;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_array()) continue;
    if (it->is_object()) {
      for (auto in = it->begin(); in != it->end(); ++in) {
        if (in->is_object() || in->is_array()) continue;
        rows.push_back({prefix + it.key() + "." + in.key(), in->is_string() ? in->get<std::string>() : in->is_null() ? "-" : in->dump()});
      }
      continue;
    }
    rows.push_back({prefix + it.key(), it->is_string() ? it->get<std::string>() : it->is_null() ? "-" : it->dump()});
  }
  for (const auto& r : rows) width = std::max(width, r.first.size());
  for (const auto& r : rows) out << r.first << ":" << std::string(width - r.first.size() + 1, ' ') << r.second << "\n";
}

}  // namespace claw::cli
