#include "cli/api.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/signing_key.h"
#include "client/api_error.h"
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

// Signs each attempt afresh (new nonce and timestamp): the arena refuses a replayed nonce.
std::function<Result<std::vector<std::string>>(const client::HttpRequest&)> Signer(std::string agent,
                                                                                   client::Bytes key) {
  return [agent = std::move(agent), key = std::move(key)](const client::HttpRequest& r)
             -> Result<std::vector<std::string>> {
    client::SignRequestInput in{r.method, r.target, r.body, agent, std::nullopt, std::nullopt};
    Result<client::SignedHeaders> h = client::SignRequest(in, key);
    if (!h.ok()) return h.status();
    std::vector<std::string> out;
    if (!agent.empty()) out.push_back(std::string(client::kHeaderAgentId) + ": " + h->agent_id);
    out.push_back(std::string(client::kHeaderTimestamp) + ": " + h->timestamp);
    out.push_back(std::string(client::kHeaderNonce) + ": " + h->nonce);
    out.push_back(std::string(client::kHeaderSignature) + ": " + h->signature);
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

std::optional<client::HttpResponse> ApiSession::Send(const ApiCall& call) {
  if (call.auth == Auth::kSigned && settings_.agent_id.empty()) {
    ctx_.Fail(Status::InvalidArgument("no agent id for profile '" + settings_.profile + "'",
                                      "run 'claw register', or 'claw config set agent_id ID', or set CLAW_AGENT_ID"));
    return std::nullopt;
  }
  if (call.auth != Auth::kNone && !LoadKey()) return std::nullopt;
  client::HttpRequest req;
  req.method = call.method;
  req.target = call.target;
  req.body = call.body;
  req.idempotent = call.idempotent;
  if (call.auth != Auth::kNone) req.sign = Signer(call.auth == Auth::kSigned ? settings_.agent_id : "", *secret_key_);
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
  Result<client::HttpResponse> r =
      client::SendWithRetry(TransportFor(call.base_url.empty() ? settings_.server : call.base_url), policy, req);
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
