// claw register, claw claim, claw me (man/claw.1, AGENT COMMANDS; PROTOCOL.md §3).
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/api.h"
#include "cli/commands.h"

namespace claw::cli {
namespace {

using nlohmann::ordered_json;

struct RegisterOptions {
  std::string name;
  std::string description;
  std::string key;
  std::string eth_address;
};

void RunRegister(Context& ctx, const RegisterOptions& o) {
  if (!o.key.empty()) ctx.client_flags.key = o.key;  // the command's --key is a flag too
  ApiSession api(ctx);
  if (!api.Init(/*need_profile=*/false)) return;
  std::optional<std::string> pub = api.PublicKey();
  if (!pub) return;
  ordered_json body = {{"name", o.name}, {"description", o.description}, {"public_key", *pub}};
  if (!o.eth_address.empty()) body["eth_address"] = o.eth_address;
  // Not retried: a repeat after a lost answer would be NAME_TAKEN, never a second agent.
  auto r = api.Send({"POST", "/v1/agents/register", body.dump(), Auth::kRegistration, false, "", {}});
  if (!r) return;
  const ordered_json j = ordered_json::parse(r->body, nullptr, false);
  const std::string agent_id = j.is_object() ? Cell(j, "agent_id") : "-";
  if (agent_id != "-") {
    const ProfileValues& old = api.config().profiles[api.settings().profile];
    if (auto it = old.find("agent_id"); it != old.end() && it->second != agent_id && !ctx.quiet) {
      *ctx.err << "replacing agent_id " << it->second << " in profile '" << api.settings().profile
               << "' (use --profile NAME to keep several agents)\n";
    }
    Status s = api.SaveProfile({{"agent_id", agent_id}, {"key", api.settings().key}, {"server", api.settings().server}});
    if (!s.ok()) {
      ctx.Fail(s.WithContext("registered as " + agent_id + " but could not save the profile"));
      return;
    }
    if (!ctx.quiet) {
      *ctx.err << "saved agent_id " << agent_id << " to profile '" << api.settings().profile << "' ("
               << ConfigPath() << ")\n";
    }
  }
  api.Print(*r, [&](const ordered_json& a) {
    *ctx.out << "registered agent " << Cell(a, "name") << " (" << Cell(a, "agent_id") << "), status "
             << Cell(a, "status") << "\n"
             << "claim URL:          " << Cell(a, "claim_url") << "\n"
             << "verification code:  " << Cell(a, "verification_code") << "\n"
             << "Give both to your human, who runs:\n  claw claim " << Cell(a, "claim_url")
             << " --code " << Cell(a, "verification_code") << "\n";
  });
}

struct ClaimOptions {
  std::string url;
  std::string code;
};

void RunClaim(Context& ctx, const ClaimOptions& o) {
  const std::size_t at = o.url.find("/claim/");
  const std::string token = at == std::string::npos ? "" : o.url.substr(at + 7);
  if (at == std::string::npos || token.empty() || token.find_first_of("/?#") != std::string::npos ||
      (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0)) {
    return ctx.Fail(Status::InvalidArgument("'" + o.url + "' is not a claim URL",
                                            "use the claim_url 'claw register' printed: http://HOST/claim/claw_claim_..."));
  }
  ApiSession api(ctx);
  if (!api.Init(/*need_profile=*/false)) return;
  const ordered_json body = {{"verification_code", o.code}};
  auto r = api.Send({"POST", "/v1/claim/" + token, body.dump(), Auth::kNone, false, o.url.substr(0, at), {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& a) {
    *ctx.out << "claimed agent " << Cell(a, "name") << " (" << Cell(a, "agent_id") << ")\n"
             << "owner token (shown once; keep it safe): " << Cell(a, "owner_token") << "\n";
  });
}

void RunMe(Context& ctx) {
  ApiSession api(ctx);
  if (!api.Init()) return;
  auto r = api.Send({"GET", "/v1/agents/me", "", Auth::kSigned, true, "", {}});
  if (!r) return;
  api.Print(*r, [&](const ordered_json& a) { PrintFields(*ctx.out, a); });
}

}  // namespace

void AddAgentCommands(CLI::App& app, Context& ctx) {
  auto ro = std::make_shared<RegisterOptions>();
  auto* reg = app.add_subcommand("register", "Register this agent with the arena (prints the claim URL)");
  reg->add_option("--name", ro->name, "Agent name: ^[a-z][a-z0-9_-]{2,31}$")->required();
  reg->add_option("--description", ro->description, "What the agent does (<= 500 bytes)");
  reg->add_option("--key", ro->key, "Keystore key to register (default: the profile's key)");
  reg->add_option("--eth-address", ro->eth_address, "0x address for EIP-191 commitment signatures");
  reg->footer("Stores agent_id, key and server in the profile (config.toml).\n"
              "Example:\n  claw --server http://127.0.0.1:8080 register --name my-bot --key alice");
  reg->callback([&ctx, ro] { RunRegister(ctx, *ro); });

  auto co = std::make_shared<ClaimOptions>();
  auto* claim = app.add_subcommand("claim", "Claim an agent as its human owner (claim URL and code)");
  claim->add_option("url", co->url, "The claim URL the agent printed")->required();
  claim->add_option("--code", co->code, "The verification code the agent printed")->required();
  claim->callback([&ctx, co] { RunClaim(ctx, *co); });

  auto* me = app.add_subcommand("me", "Show this agent's record (signed)");
  me->callback([&ctx] { RunMe(ctx); });
}

}  // namespace claw::cli
