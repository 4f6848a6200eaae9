// claw session login|status|refresh|logout (man/claw.1, SESSION COMMANDS; PROTOCOL.md §7).
//
// A session is bound to the profile's keystore key (its RFC 7638 thumbprint); its tokens live
// sealed in $CLAW_HOME/keys/sessions/ (keystore/session_file.h). While one exists every arena
// command uses it (cli/api.cpp) instead of signing each request.
//
// Connect codes are never taken from argv: a code is a bearer secret for its 15 minutes, and
// another local user who reads it from the process list or shell history could redeem it
// first (single use) and hold the agent's session. `--connect-code` therefore reads the code
// from --connect-code-file, CLAW_CONNECT_CODE or a no-echo prompt on the terminal.
#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/api.h"
#include "cli/commands.h"
#include "keystore/keystore.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

std::int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Span(std::int64_t s) {
  if (s <= 0) return "expired";
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  if (s < 2 * 86'400) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86'400) + " days";
}

struct LoginOptions {
  bool connect_code = false;
  std::string code_file;
};

void RunLogin(Context& ctx, const LoginOptions& o) {
  ApiSession api(ctx);
  if (!api.Init(/*need_profile=*/false)) return;
  std::optional<client::HttpResponse> r;
  if (o.connect_code) {
    keystore::PassphraseSource src;
    src.file = o.code_file;
    src.env = "CLAW_CONNECT_CODE";
    src.prompt = "Connect code";
    Result<keystore::Secret> code = keystore::ReadPassphrase(src);
    if (!code.ok()) {
      return ctx.Fail(Status(code.status().code(), code.status().message(),
                             "give the code in --connect-code-file FILE, CLAW_CONNECT_CODE, or at the prompt"));
    }
    std::string text = code->bytes();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    const ordered_json body = {{"connect_code", text}};
    r = api.Send({"POST", "/v1/sessions", body.dump(), Auth::kProof, false, "", {}});
  } else {
    r = api.Send({"POST", "/v1/sessions", "{}", Auth::kLogin, false, "", {}});
  }
  if (!r) return;
  const ordered_json a = ordered_json::parse(r->body, nullptr, false);
  const std::string agent_id = a.is_object() ? Cell(a, "agent_id") : "-";
  if (agent_id == "-") return ctx.Fail(Status::Unavailable("the server's login answer has no agent_id"));
  if (agent_id != api.settings().agent_id) {
    // A connect code names the agent: the profile follows it (as 'claw register' does).
    if (!api.settings().agent_id.empty() && !ctx.quiet) {
      *ctx.err << "replacing agent_id " << api.settings().agent_id << " in profile '"
               << api.settings().profile << "' (use --profile NAME to keep several agents)\n";
    }
    Status s = api.SaveProfile({{"agent_id", agent_id}, {"key", api.settings().key}, {"server", api.settings().server}});
    if (!s.ok()) return ctx.Fail(s.WithContext("logged in as " + agent_id + " but could not save the profile"));
  }
  if (!api.SaveSession(a, agent_id)) return;
  // Tokens are secrets: never printed, not even with --json.
  const ordered_json out = {{"agent_id", agent_id},
                            {"session_id", a.value("session_id", "")},
                            {"token_type", a.value("token_type", "DPoP")},
                            {"expires_in", a.value("expires_in", 0)},
                            {"refresh_expires_in", a.value("refresh_expires_in", 0)},
                            {"jkt", api.session()->jkt}};
  if (ctx.json) {
    *ctx.out << out.dump() << "\n";
    return;
  }
  *ctx.out << "logged in as agent " << agent_id << " (session " << out["session_id"].get<std::string>()
           << ")\naccess token expires in " << Span(out["expires_in"].get<std::int64_t>())
           << ", refreshed automatically; refresh token in "
           << Span(out["refresh_expires_in"].get<std::int64_t>()) << "\n";
}

void PrintSession(Context& ctx, const ApiSession& api) {
  const auto& s = *api.session();
  const std::int64_t now = NowS();
  const ordered_json j = {{"server", s.server},
                          {"agent_id", s.agent_id},
                          {"key", api.settings().key},
                          {"session_id", s.session_id},
                          {"jkt", s.jkt},
                          {"access_expires_in", std::max<std::int64_t>(0, s.access_expires_at - now)},
                          {"refresh_expires_in", std::max<std::int64_t>(0, s.refresh_expires_at - now)}};
  if (ctx.json) {
    *ctx.out << j.dump() << "\n";
    return;
  }
  *ctx.out << "server:          " << s.server << "\nagent:           " << s.agent_id
           << "\nkey:             " << api.settings().key << " (jkt " << s.jkt << ")"
           << "\nsession:         " << s.session_id << "\naccess token:    expires in "
           << Span(s.access_expires_at - now) << "\nrefresh token:   expires in "
           << Span(s.refresh_expires_at - now) << "\n";
}

void RunStatus(Context& ctx) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  if (!api.LoadSession()) return;
  if (!api.session()) {
    if (ctx.json) {
      *ctx.out << ordered_json{{"session", nullptr}}.dump() << "\n";
    } else {
      *ctx.out << "no session for profile '" << api.settings().profile
               << "': requests are signed one by one ('claw session login' starts one)\n";
    }
    return;
  }
  PrintSession(ctx, api);
}

void RunRefresh(Context& ctx) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  if (!api.LoadSession()) return;
  if (!api.RefreshSession()) return;
  PrintSession(ctx, api);
}

void RunLogout(Context& ctx, bool all) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  if (!api.LoadSession()) return;
  if (!all && !api.session()) {
    if (!ctx.quiet) *ctx.err << "no session for profile '" << api.settings().profile << "'\n";
    if (ctx.json) *ctx.out << ordered_json{{"revoked", 0}}.dump() << "\n";
    return;
  }
  // With --all the request is signed, which revokes every session of the agent. A session
  // the server no longer knows (401) is gone already.
  std::optional<client::HttpResponse> r =
      api.Send({"DELETE", "/v1/sessions", "", all ? Auth::kSignedOnly : Auth::kSigned, true, "", {401}});
  Status forget = api.ForgetSession();
  if (!r) return;
  if (!forget.ok()) return ctx.Fail(forget.WithContext("logged out, but the local session file stays"), kExitKeystore);
  int revoked = 0;
  if (r->status == 200) {
    const ordered_json a = ordered_json::parse(r->body, nullptr, false);
    if (a.is_object()) revoked = a.value("revoked", 0);
  }
  if (ctx.json) {
    *ctx.out << ordered_json{{"revoked", revoked}}.dump() << "\n";
  } else {
    *ctx.out << "logged out (" << revoked << " session" << (revoked == 1 ? "" : "s") << " revoked)\n";
  }
}

}  // namespace

void AddSessionCommands(CLI::App& app, Context& ctx) {
  auto* session = app.add_subcommand("session", "DPoP sessions: log in once, then no per-request signatures");
  session->require_subcommand(1);
  auto o = std::make_shared<LoginOptions>();
  auto* login = session->add_subcommand("login", "Start a session bound to the profile's key (signed, or with a connect code)");
  login->add_flag("--connect-code", o->connect_code,
                  "Log in with a connect code from the agent's owner (read from --connect-code-file, "
                  "CLAW_CONNECT_CODE or a prompt; never from the command line)");
  login->add_option("--connect-code-file", o->code_file, "Read the connect code from this file")
      ->check(CLI::ExistingFile);
  login->callback([&ctx, o] {
    LoginOptions opts = *o;
    if (!opts.code_file.empty()) opts.connect_code = true;
    RunLogin(ctx, opts);
  });
  session->add_subcommand("status", "Show the profile's session (local; no request)")
      ->callback([&ctx] { RunStatus(ctx); });
  session->add_subcommand("refresh", "Rotate the session's tokens now")->callback([&ctx] { RunRefresh(ctx); });
  auto all = std::make_shared<bool>(false);
  auto* logout = session->add_subcommand("logout", "End the session (server and local tokens)");
  logout->add_flag("--all", *all, "Sign the request and revoke every session of the agent");
  logout->callback([&ctx, all] { RunLogout(ctx, *all); });
}

}  // namespace claw::cli
