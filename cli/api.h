// What every arena command shares: settings from flags, environment and config.toml
// (cli/config.h), the signing key, one HTTP client for the command (keep-alive across its
// requests), and the printing rules: --json prints the server's JSON unchanged, errors print
// the server's code, message and hint and exit by class (cli/exit_codes.h).
//
// Used by cmd_agent.cpp, cmd_orders.cpp, cmd_account.cpp and cmd_market.cpp. Not thread-safe.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/config.h"
#include "cli/context.h"
#include "client/encoding.h"
#include "client/http_client.h"
#include "keystore/session_file.h"

namespace claw::cli {

// kSigned: the profile's DPoP session when one exists (PROTOCOL.md §7), else a §2 signature.
// kSignedOnly: always a §2 signature. kLogin: a signature plus a DPoP proof (POST /v1/sessions).
// kProof: a DPoP proof alone (connect-code login, refresh).
enum class Auth { kNone, kSigned, kRegistration, kSignedOnly, kLogin, kProof };

struct ApiCall {
  std::string method = "GET";
  std::string target;  // path plus ?query
  std::string body;
  Auth auth = Auth::kSigned;
  bool idempotent = true;  // retry on network errors and 5xx
  std::string base_url;    // overrides the profile's server (claim URLs name their server)
  std::vector<int> pass;   // non-2xx statuses returned to the caller instead of reported
};

class ApiSession {
 public:
  explicit ApiSession(Context& ctx) : ctx_(ctx) {}

  // Loads config.toml and resolves settings; reports a failure through ctx and returns false.
  // `need_profile`: an explicitly named profile (--profile, CLAW_PROFILE) must exist.
  bool Init(bool need_profile = true);

  // Sends the call. On a 2xx answer returns it. Otherwise reports (server's error or the
  // network failure) through ctx, or prints the body with --json, and returns nullopt.
  std::optional<client::HttpResponse> Send(const ApiCall& call);

  // Reports a non-2xx answer as Send does (for statuses the caller asked to see in `pass`).
  void ReportError(const client::HttpResponse& response);

  // Prints a 2xx body: unchanged with --json, else through `table` (given the parsed JSON).
  void Print(const client::HttpResponse& response,
             const std::function<void(const nlohmann::ordered_json&)>& table);

  // Extra "Name: value" headers sent with every later call of this session (X-View-Key).
  // They may hold secrets: never logged.
  void SetExtraHeaders(std::vector<std::string> headers) { extra_headers_ = std::move(headers); }

  // The 64-byte signing key (unlocks it); nullopt after reporting.
  std::optional<client::Bytes> SecretKey();
  // The signing key's public half, base64url (unlocks the key); nullopt after reporting.
  std::optional<std::string> PublicKey();
  // Stores `values` into the selected profile of config.toml (other keys kept).
  Status SaveProfile(const ProfileValues& values);

  // ---- DPoP session of (key, server, agent) (PROTOCOL.md §7; keystore/session_file.h) ----
  // Loads it once (unlocks the key); false after reporting a failure. session() is empty when
  // there is none.
  bool LoadSession();
  const std::optional<keystore::SessionTokens>& session() const { return session_; }
  // Stores the tokens of a login or refresh answer for `agent_id`; false after reporting.
  bool SaveSession(const nlohmann::ordered_json& answer, const std::string& agent_id);
  // POST /v1/sessions/refresh (never retried: a repeat would be refresh-token reuse). On
  // INVALID_TOKEN or REFRESH_REUSE the local session is removed. False after reporting.
  bool RefreshSession();
  // Removes the local session file (if any).
  Status ForgetSession();
  std::string ServerBase() const;  // settings().server without a trailing '/'
  // Calls with Auth::kNone send "Authorization: Bearer <token>" (the owner token) when set.
  void SetBearer(std::string token) { bearer_ = std::move(token); }

  bool json() const { return settings_.output == "json"; }
  const Settings& settings() const { return settings_; }
  ConfigFile& config() { return config_; }
  Context& ctx() { return ctx_; }

 private:
  bool LoadKey();
  // The transport for `base`, kept across calls to the same server (keep-alive).
  client::Transport& TransportFor(const std::string& base);
  Context& ctx_;
  ConfigFile config_;
  Settings settings_;
  std::optional<client::Bytes> secret_key_;
  std::unique_ptr<client::CurlTransport> transport_;
  std::string transport_base_;
  bool session_loaded_ = false;
  std::optional<keystore::SessionTokens> session_;
  Result<client::HttpResponse> Attempt(const ApiCall& call, const std::string& base, bool use_session);
  std::string bearer_;
  std::vector<std::string> extra_headers_;
};

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string PercentEncode(const std::string& value);
// Appends "name=value" to a query string (percent-encoded); skips empty values.
void AddQuery(std::string& target, const std::string& name, const std::string& value);

// Aligned text table. Colour (bold headers) only when stdout is a terminal and NO_COLOR unset.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// A JSON value as table text: strings bare, null "-", numbers and booleans as JSON.
std::string Cell(const nlohmann::ordered_json& j, const char* field);
// True when colour may be used on `out` (a TTY stdout, NO_COLOR unset).
bool UseColour(const std::ostream& out);
// "key: value" lines for an object's scalar fields (nested objects flattened with dots).
void PrintFields(std::ostream& out, const nlohmann::ordered_json& j, const std::string& prefix = "");

}  // namespace claw::cli
